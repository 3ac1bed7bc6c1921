//! Creating models and their fine-tune jobs, and the job lifecycle: training result,
//! verification, acceptance with payment, rejection with slashing, timeouts and refunds.

use crate::*;
use alloc::vec::Vec;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{InspectHold, MutateHold},
		tokens::{Fortitude, Precision, Restriction},
	},
};
use sp_runtime::traits::{Saturating, Zero};
use tributary_primitives::{
	datanets::DatanetsInspect,
	models::{
		median_loss, validate_training_settings, BaseModelId, JobId, JobState,
		PinnedDatanetVersion, TrainingResult,
	},
	rewards::{SlashKind, Slashing},
	training::TrainingSettings,
};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_create_model(
		owner: T::AccountId,
		name: NameOf<T>,
		base_model: BaseModelId,
		datanets: DatanetRefsOf<T>,
		settings: TrainingSettings,
		fee: BalanceOf<T>,
	) -> DispatchResult {
		ensure!(!name.is_empty(), Error::<T>::EmptyName);
		let base = BaseModels::<T>::get(base_model).ok_or(Error::<T>::UnknownBaseModel)?;
		ensure!(!datanets.is_empty(), Error::<T>::NoDatanets);
		let mut pinned = Vec::with_capacity(datanets.len());
		for (index, reference) in datanets.iter().enumerate() {
			ensure!(!datanets[..index].contains(reference), Error::<T>::DuplicateDatanetVersion);
			let version = T::Datanets::version(reference.datanet, reference.version)
				.ok_or(Error::<T>::UnknownDatanetVersion)?;
			pinned.push(PinnedDatanetVersion {
				datanet: reference.datanet,
				version: reference.version,
				merkle_root: version.merkle_root,
				row_count: version.row_count,
			});
		}
		validate_training_settings(&settings).map_err(|_| Error::<T>::InvalidTrainingSettings)?;
		ensure!(fee >= T::MinJobFee::get(), Error::<T>::FeeTooLow);
		T::Currency::hold(&HoldReason::JobFee.into(), &owner, fee)?;

		let model = NextModelId::<T>::get();
		NextModelId::<T>::put(model.saturating_add(1));
		Model::<T>::insert(
			model,
			ModelInfo {
				owner: owner.clone(),
				name,
				base_model,
				price_per_1k_tokens: None,
				retired: false,
				version_count: 0,
			},
		);
		Self::deposit_event(Event::ModelCreated { model, owner: owner.clone(), base_model });

		let job_id = NextJobId::<T>::get();
		NextJobId::<T>::put(job_id.saturating_add(1));
		let mut job = JobInfo {
			model,
			owner,
			base_model,
			base_weights_hash: base.weights_hash,
			// One pinned entry per reference, so nothing is truncated.
			datanets: BoundedVec::truncate_from(pinned),
			settings,
			fee,
			state: JobState::Open,
			attempt: 0,
			trainer: None,
			verifiers: BoundedVec::new(),
			deadline: frame_system::Pallet::<T>::block_number(),
			result: None,
			verifications: BoundedVec::new(),
		};
		Self::deposit_event(Event::JobCreated { job: job_id, model, fee });
		Self::assign_or_wait(job_id, &mut job);
		Jobs::<T>::insert(job_id, job);
		Ok(())
	}

	fn job(job: JobId) -> Result<JobInfo<T>, DispatchError> {
		Jobs::<T>::get(job).ok_or_else(|| Error::<T>::UnknownJob.into())
	}

	fn ensure_before_deadline(job: &JobInfo<T>) -> DispatchResult {
		ensure!(
			frame_system::Pallet::<T>::block_number() <= job.deadline,
			Error::<T>::DeadlinePassed
		);
		Ok(())
	}

	pub(crate) fn do_submit_training_result(
		trainer: T::AccountId,
		job_id: JobId,
		result: TrainingResult,
	) -> DispatchResult {
		let mut job = Self::job(job_id)?;
		ensure!(job.state == JobState::Training, Error::<T>::WrongJobState);
		ensure!(job.trainer.as_ref() == Some(&trainer), Error::<T>::NotTrainer);
		Self::ensure_before_deadline(&job)?;
		job.result = Some(result);
		job.state = JobState::Verifying;
		job.deadline = frame_system::Pallet::<T>::block_number()
			.saturating_add(T::VerificationPeriod::get());
		Jobs::<T>::insert(job_id, job);
		Self::deposit_event(Event::TrainingResultSubmitted { job: job_id, trainer, result });
		Ok(())
	}

	pub(crate) fn do_submit_verification(
		verifier: T::AccountId,
		job_id: JobId,
		eval_loss_ppb: u64,
	) -> DispatchResult {
		let mut job = Self::job(job_id)?;
		ensure!(job.state == JobState::Verifying, Error::<T>::WrongJobState);
		ensure!(job.verifiers.contains(&verifier), Error::<T>::NotVerifier);
		ensure!(
			!job.verifications.iter().any(|(who, _)| *who == verifier),
			Error::<T>::AlreadyVerified
		);
		Self::ensure_before_deadline(&job)?;
		// Each verifier reports once and there are exactly `VerifiersPerJob` of them.
		job.verifications
			.try_push((verifier.clone(), eval_loss_ppb))
			.map_err(|_| Error::<T>::AlreadyVerified)?;
		Self::deposit_event(Event::VerificationSubmitted { job: job_id, verifier, eval_loss_ppb });
		if job.verifications.len() == job.verifiers.len() {
			Self::decide(job_id, &mut job)?;
		}
		Jobs::<T>::insert(job_id, job);
		Ok(())
	}

	/// All verifiers have reported: accept and pay, or reject, slash and reassign.
	fn decide(job_id: JobId, job: &mut JobInfo<T>) -> DispatchResult {
		let (Some(result), Some(trainer)) = (job.result, job.trainer.clone()) else {
			return Err(Error::<T>::WrongJobState.into());
		};
		let losses: Vec<u64> = job.verifications.iter().map(|(_, loss)| *loss).collect();
		let verified = median_loss(&losses).ok_or(Error::<T>::WrongJobState)?;
		let claimed = result.eval_loss_ppb;
		if verified.abs_diff(claimed) <= T::EvalTolerance::get() * claimed {
			Self::accept(job_id, job, result, trainer, verified)
		} else {
			Self::reject(job_id, job, trainer, claimed, verified)
		}
	}

	fn accept(
		job_id: JobId,
		job: &mut JobInfo<T>,
		result: TrainingResult,
		trainer: T::AccountId,
		verified_eval_loss_ppb: u64,
	) -> DispatchResult {
		let verifier_count = BalanceOf::<T>::from(job.verifiers.len() as u32);
		let trainer_share = T::TrainerShare::get() * job.fee;
		let each_verifier_paid = job.fee.saturating_sub(trainer_share) / verifier_count;
		// Rounding dust goes to the trainer, so the whole fee is paid: paid == fee.
		let trainer_paid = job.fee.saturating_sub(each_verifier_paid.saturating_mul(verifier_count));
		let payments = core::iter::once((&trainer, trainer_paid))
			.chain(job.verifiers.iter().map(|verifier| (verifier, each_verifier_paid)));
		for (worker, amount) in payments {
			if !amount.is_zero() {
				T::Currency::transfer_on_hold(
					&HoldReason::JobFee.into(),
					&job.owner,
					worker,
					amount,
					Precision::Exact,
					Restriction::Free,
					Fortitude::Force,
				)?;
			}
		}

		let mut model = Model::<T>::get(job.model).ok_or(Error::<T>::UnknownModel)?;
		model.version_count.saturating_inc();
		let version = model.version_count;
		ModelVersions::<T>::insert(
			job.model,
			version,
			ModelVersionInfo {
				job: job_id,
				base_model: job.base_model,
				base_weights_hash: job.base_weights_hash,
				datanets: job.datanets.clone(),
				settings: job.settings,
				result,
				verified_eval_loss_ppb,
				trainer,
				verifiers: job.verifiers.clone(),
				created_at: frame_system::Pallet::<T>::block_number(),
			},
		);
		Model::<T>::insert(job.model, model);
		Self::release_workers(job_id, job);
		job.state = JobState::Completed;
		Self::deposit_event(Event::JobCompleted {
			job: job_id,
			model: job.model,
			version,
			verified_eval_loss_ppb,
			trainer_paid,
			each_verifier_paid,
		});
		Ok(())
	}

	fn reject(
		job_id: JobId,
		job: &mut JobInfo<T>,
		trainer: T::AccountId,
		claimed_eval_loss_ppb: u64,
		verified_eval_loss_ppb: u64,
	) -> DispatchResult {
		// A trainer cannot unregister while it has an active job, so its bond is still held, less
		// anything other pallets slashed from it.
		let reason = HoldReason::WorkerBond.into();
		let held = T::Currency::balance_on_hold(&reason, &trainer);
		let bond_slashed = if held.is_zero() {
			Zero::zero()
		} else {
			T::Slashing::slash_held(&reason, &trainer, held, SlashKind::BadTrainer, None)
		};
		// The trainer leaves the worker set, so nothing of its bond may stay held.
		let unslashed = held.saturating_sub(bond_slashed);
		if !unslashed.is_zero() {
			T::Currency::release(&reason, &trainer, unslashed, Precision::BestEffort)?;
		}
		Self::remove_worker(&trainer);
		Self::release_workers(job_id, job);
		Self::deposit_event(Event::TrainingRejected {
			job: job_id,
			trainer,
			claimed_eval_loss_ppb,
			verified_eval_loss_ppb,
			bond_slashed,
		});
		Self::retry_or_fail(job_id, job)
	}

	/// After a failed attempt: reassign, or fail and refund once attempts are used up.
	fn retry_or_fail(job_id: JobId, job: &mut JobInfo<T>) -> DispatchResult {
		if job.attempt >= T::MaxAttempts::get() {
			T::Currency::release(&HoldReason::JobFee.into(), &job.owner, job.fee, Precision::Exact)?;
			job.state = JobState::Failed;
			Self::deposit_event(Event::JobFailed { job: job_id, refunded: job.fee });
		} else {
			Self::assign_or_wait(job_id, job);
		}
		Ok(())
	}

	pub(crate) fn do_poke_job(job_id: JobId) -> DispatchResult {
		let mut job = Self::job(job_id)?;
		match job.state {
			JobState::Open => {
				let (trainer, verifiers) =
					Self::select_workers(job_id, job.attempt.saturating_add(1))
						.ok_or(Error::<T>::NotEnoughWorkers)?;
				Self::apply_assignment(job_id, &mut job, trainer, verifiers);
			},
			JobState::Training | JobState::Verifying => {
				ensure!(
					frame_system::Pallet::<T>::block_number() > job.deadline,
					Error::<T>::DeadlineNotPassed
				);
				Self::release_workers(job_id, &job);
				Self::deposit_event(Event::JobTimedOut { job: job_id, attempt: job.attempt });
				Self::retry_or_fail(job_id, &mut job)?;
			},
			JobState::Completed | JobState::Failed => return Err(Error::<T>::WrongJobState.into()),
		}
		Jobs::<T>::insert(job_id, job);
		Ok(())
	}
}
