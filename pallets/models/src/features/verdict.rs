//! Deciding a job from its verifiers' reports: the majority's medians decide, verifiers who
//! disagree pay, and the trainer is paid (accepted), slashed and removed (it lied about its
//! loss) or slashed and not paid (its adapter does not beat the base model).

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
use tributary_primitives::traits::Slashing;
use tributary_primitives::{
	models::{median_loss, JobId, JobState, TrainingResult},
	rewards::SlashKind,
};

/// The medians of the reports: (adapter eval loss, base model loss).
struct Medians {
	eval_loss_ppb: u64,
	base_loss_ppb: u64,
}

impl<T: Config> Pallet<T> {
	/// Whether two losses differ by at most `EvalTolerance` of the smaller one (symmetric, so a
	/// report close to the median and a median close to a claim mean the same thing).
	pub(crate) fn close(a: u64, b: u64) -> bool {
		a.abs_diff(b) <= T::EvalTolerance::get() * a.min(b)
	}

	/// Decide the job if its reports allow it (see the module docs): before the deadline once
	/// `⌊k/2⌋ + 1` reports agree with the medians of all reports; `at_deadline`, once the
	/// agreeing reports are a strict majority of the reports. Returns whether it decided.
	pub(crate) fn try_decide(
		job_id: JobId,
		job: &mut JobInfo<T>,
		at_deadline: bool,
	) -> Result<bool, DispatchError> {
		let eval_losses: Vec<u64> = job.verifications.iter().map(|r| r.eval_loss_ppb).collect();
		let base_losses: Vec<u64> = job.verifications.iter().map(|r| r.base_loss_ppb).collect();
		let (Some(eval_loss_ppb), Some(base_loss_ppb)) =
			(median_loss(&eval_losses), median_loss(&base_losses))
		else {
			return Ok(false);
		};
		let medians = Medians { eval_loss_ppb, base_loss_ppb };
		let (agreeing, disagreeing): (Vec<_>, Vec<_>) =
			job.verifications.iter().cloned().partition(|report| {
				Self::close(report.eval_loss_ppb, medians.eval_loss_ppb)
					&& Self::close(report.base_loss_ppb, medians.base_loss_ppb)
			});
		let majority = if at_deadline {
			agreeing.len() * 2 > job.verifications.len()
		} else {
			agreeing.len() > job.verifiers.len() / 2
		};
		if !majority {
			return Ok(false);
		}
		for report in disagreeing {
			let slashed = Self::slash_bond(
				&report.verifier,
				T::VerifierSlash::get(),
				SlashKind::WrongVerdict,
			);
			Self::deposit_event(Event::VerifierOutvoted {
				job: job_id,
				verifier: report.verifier,
				slashed,
			});
		}
		let (Some(result), Some(trainer)) = (job.result, job.trainer.clone()) else {
			return Err(Error::<T>::WrongJobState.into());
		};
		let paid: Vec<T::AccountId> = agreeing.into_iter().map(|report| report.verifier).collect();
		Self::release_workers(job_id, job);
		if !Self::close(medians.eval_loss_ppb, result.eval_loss_ppb) {
			Self::reject(job_id, job, trainer, result.eval_loss_ppb, medians.eval_loss_ppb)?;
		} else if medians.base_loss_ppb.saturating_sub(medians.eval_loss_ppb)
			< T::MinImprovement::get() * medians.base_loss_ppb
		{
			let slashed =
				Self::slash_bond(&trainer, T::LazyTrainerSlash::get(), SlashKind::BadTrainer);
			Self::deposit_event(Event::TrainingWithoutImprovement {
				job: job_id,
				trainer,
				verified_eval_loss_ppb: medians.eval_loss_ppb,
				verified_base_loss_ppb: medians.base_loss_ppb,
				slashed,
			});
			Self::retry_or_fail(job_id, job)?;
		} else {
			Self::accept(job_id, job, result, trainer, medians.eval_loss_ppb, &paid)?;
		}
		Ok(true)
	}

	/// Pay the fee out (`TrainerShare` to the trainer, the rest equally to `paid` verifiers,
	/// dust to the trainer) and record the model version.
	fn accept(
		job_id: JobId,
		job: &mut JobInfo<T>,
		result: TrainingResult,
		trainer: T::AccountId,
		verified_eval_loss_ppb: u64,
		paid: &[T::AccountId],
	) -> DispatchResult {
		// A decision needs at least one agreeing report, so `paid` is never empty.
		let verifier_count = BalanceOf::<T>::from(paid.len().max(1) as u32);
		let trainer_share = T::TrainerShare::get() * job.fee;
		let each_verifier_paid = job.fee.saturating_sub(trainer_share) / verifier_count;
		// Rounding dust goes to the trainer, so the whole fee is paid: paid == fee.
		let trainer_paid = job.fee.saturating_sub(
			each_verifier_paid.saturating_mul(BalanceOf::<T>::from(paid.len() as u32)),
		);
		let payments = core::iter::once((&trainer, trainer_paid))
			.chain(paid.iter().map(|verifier| (verifier, each_verifier_paid)));
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
		job.state = JobState::Completed;
		Self::deposit_event(Event::JobCompleted {
			job: job_id,
			model: job.model,
			version,
			verified_eval_loss_ppb,
			trainer_paid,
			each_verifier_paid,
			paid_verifiers: paid.len() as u32,
		});
		Ok(())
	}

	/// The trainer's claimed loss is not what the verifiers measured: slash its whole bond,
	/// remove it from the worker set and retry the job.
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
		Self::deposit_event(Event::TrainingRejected {
			job: job_id,
			trainer,
			claimed_eval_loss_ppb,
			verified_eval_loss_ppb,
			bond_slashed,
		});
		Self::retry_or_fail(job_id, job)
	}
}
