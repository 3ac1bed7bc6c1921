//! Creating models and their fine-tune jobs, and the job lifecycle: training result,
//! verification reports, timeouts with their slashes, retries and refunds. The verdict is in
//! `verdict.rs`.

use crate::*;
use alloc::vec::Vec;
use frame_support::{
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};
use sp_runtime::traits::Saturating;
use tributary_primitives::traits::DatanetsInspect;
use tributary_primitives::{
	models::{BaseModelId, JobId, JobState, PinnedDatanetVersion, TrainingResult},
	rewards::SlashKind,
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
		settings.validate().map_err(|_| Error::<T>::InvalidTrainingSettings)?;
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
			draw_at: None,
			trainer: None,
			verifiers: BoundedVec::new(),
			deadline: frame_system::Pallet::<T>::block_number(),
			result: None,
			verifications: BoundedVec::new(),
		};
		Self::deposit_event(Event::JobCreated { job: job_id, model, fee });
		Self::schedule_draw(job_id, &mut job);
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
		Self::ensure_active(&trainer)?;
		Self::ensure_before_deadline(&job)?;
		job.result = Some(result);
		job.state = JobState::Verifying;
		job.deadline =
			frame_system::Pallet::<T>::block_number().saturating_add(T::VerificationPeriod::get());
		Jobs::<T>::insert(job_id, job);
		Self::deposit_event(Event::TrainingResultSubmitted { job: job_id, trainer, result });
		Ok(())
	}

	pub(crate) fn do_submit_verification(
		verifier: T::AccountId,
		job_id: JobId,
		eval_loss_ppb: u64,
		base_loss_ppb: u64,
	) -> DispatchResult {
		let mut job = Self::job(job_id)?;
		ensure!(job.state == JobState::Verifying, Error::<T>::WrongJobState);
		ensure!(job.verifiers.contains(&verifier), Error::<T>::NotVerifier);
		ensure!(
			!job.verifications.iter().any(|report| report.verifier == verifier),
			Error::<T>::AlreadyVerified
		);
		Self::ensure_active(&verifier)?;
		Self::ensure_before_deadline(&job)?;
		// Each verifier reports once and there are at most `MaxVerifiers` of them.
		job.verifications
			.try_push(Verification { verifier: verifier.clone(), eval_loss_ppb, base_loss_ppb })
			.map_err(|_| Error::<T>::AlreadyVerified)?;
		Self::deposit_event(Event::VerificationSubmitted {
			job: job_id,
			verifier,
			eval_loss_ppb,
			base_loss_ppb,
		});
		Self::try_decide(job_id, &mut job, false)?;
		Jobs::<T>::insert(job_id, job);
		Ok(())
	}

	/// After a failed attempt: schedule the next draw, or fail and refund once attempts are used
	/// up.
	pub(crate) fn retry_or_fail(job_id: JobId, job: &mut JobInfo<T>) -> DispatchResult {
		if job.attempt >= T::MaxAttempts::get() {
			T::Currency::release(
				&HoldReason::JobFee.into(),
				&job.owner,
				job.fee,
				Precision::Exact,
			)?;
			job.state = JobState::Failed;
			job.draw_at = None;
			Self::deposit_event(Event::JobFailed { job: job_id, refunded: job.fee });
		} else {
			Self::schedule_draw(job_id, job);
		}
		Ok(())
	}

	pub(crate) fn do_poke_job(job_id: JobId) -> DispatchResult {
		let mut job = Self::job(job_id)?;
		let now = frame_system::Pallet::<T>::block_number();
		match job.state {
			JobState::Open => {
				ensure!(job.draw_at.is_none(), Error::<T>::DrawPending);
				let verifiers = VerifiersPerJob::<T>::get() as usize;
				ensure!(Self::eligible_workers().len() > verifiers, Error::<T>::NotEnoughWorkers);
				Self::schedule_draw(job_id, &mut job);
			},
			JobState::Training => {
				ensure!(now > job.deadline, Error::<T>::DeadlineNotPassed);
				if let Some(trainer) = job.trainer.clone() {
					let slashed = Self::slash_bond(
						&trainer,
						T::TrainerTimeoutSlash::get(),
						SlashKind::MissedDuty,
					);
					Self::deposit_event(Event::DutyMissed {
						job: job_id,
						worker: trainer,
						slashed,
					});
				}
				Self::release_workers(job_id, &job);
				Self::deposit_event(Event::JobTimedOut { job: job_id, attempt: job.attempt });
				Self::retry_or_fail(job_id, &mut job)?;
			},
			JobState::Verifying => {
				ensure!(now > job.deadline, Error::<T>::DeadlineNotPassed);
				let silent: Vec<T::AccountId> = job
					.verifiers
					.iter()
					.filter(|verifier| !job.verifications.iter().any(|r| r.verifier == **verifier))
					.cloned()
					.collect();
				for verifier in silent {
					let slashed =
						Self::slash_bond(&verifier, T::VerifierSlash::get(), SlashKind::MissedDuty);
					Self::deposit_event(Event::DutyMissed {
						job: job_id,
						worker: verifier,
						slashed,
					});
				}
				if !Self::try_decide(job_id, &mut job, true)? {
					let reports = job.verifications.len() as u32;
					Self::release_workers(job_id, &job);
					if reports == 0 {
						Self::deposit_event(Event::JobTimedOut {
							job: job_id,
							attempt: job.attempt,
						});
					} else {
						Self::deposit_event(Event::VerificationInconclusive {
							job: job_id,
							reports,
						});
					}
					Self::retry_or_fail(job_id, &mut job)?;
				}
			},
			JobState::Completed | JobState::Failed => return Err(Error::<T>::WrongJobState.into()),
		}
		Jobs::<T>::insert(job_id, job);
		Ok(())
	}
}
