//! Read-only queries behind the runtime API.

use crate::*;
use alloc::vec::Vec;
use frame_system::pallet_prelude::BlockNumberFor;
use tributary_primitives::traits::{ModelsInspect, WorkerSet};
use tributary_primitives::{
	models::{DatanetVersionRef, JobId, JobView, ModelId, ModelVersionId, ModelVersionView},
	receipts::ModelVersionFacts,
};

impl<T: Config> Pallet<T> {
	/// Active jobs of a worker (as trainer or verifier), oldest assignment first.
	pub fn jobs_for_worker(worker: &T::AccountId) -> Vec<JobId> {
		WorkerJobs::<T>::get(worker).into_inner()
	}

	/// A job with its state, assignment, result and verifications.
	pub fn job_view(job: JobId) -> Option<JobView<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		let info = Jobs::<T>::get(job)?;
		Some(JobView {
			id: job,
			model: info.model,
			owner: info.owner,
			base_model: info.base_model,
			base_weights_hash: info.base_weights_hash,
			datanets: info.datanets.into_inner(),
			settings: info.settings,
			fee: info.fee,
			state: info.state,
			attempt: info.attempt,
			trainer: info.trainer,
			verifiers: info.verifiers.into_inner(),
			// While a draw is scheduled, the block that draws the workers.
			deadline: info.draw_at.unwrap_or(info.deadline),
			result: info.result,
			verifications: info
				.verifications
				.into_iter()
				.map(|report| (report.verifier, report.eval_loss_ppb))
				.collect(),
		})
	}

	/// All versions of a model with their lineage, oldest first.
	pub fn model_versions(
		model: ModelId,
	) -> Vec<ModelVersionView<T::AccountId, BlockNumberFor<T>>> {
		let count = Model::<T>::get(model).map_or(0, |info| info.version_count);
		(1..=count)
			.filter_map(|version| {
				let info = ModelVersions::<T>::get(model, version)?;
				Some(ModelVersionView {
					model,
					version,
					job: info.job,
					base_model: info.base_model,
					base_weights_hash: info.base_weights_hash,
					datanets: info.datanets.into_inner(),
					settings: info.settings,
					result: info.result,
					verified_eval_loss_ppb: info.verified_eval_loss_ppb,
					trainer: info.trainer,
					verifiers: info.verifiers.into_inner(),
					created_at: info.created_at,
				})
			})
			.collect()
	}
}

impl<T: Config> ModelsInspect<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn model_version(
		model: ModelId,
		version: ModelVersionId,
	) -> Option<ModelVersionFacts<T::AccountId, BalanceOf<T>>> {
		let info = Model::<T>::get(model)?;
		let version = ModelVersions::<T>::get(model, version)?;
		Some(ModelVersionFacts {
			owner: info.owner,
			price_per_1k_tokens: info.price_per_1k_tokens,
			retired: info.retired,
			adapter: version.result.adapter_hash,
			lineage: version
				.datanets
				.iter()
				.map(|pinned| DatanetVersionRef {
					datanet: pinned.datanet,
					version: pinned.version,
				})
				.collect(),
		})
	}
}

impl<T: Config> WorkerSet<T::AccountId> for Pallet<T> {
	fn is_worker(who: &T::AccountId) -> bool {
		Workers::<T>::contains_key(who)
	}

	/// Registered, in `Config::ValidatorSet` and holding at least `WorkerBond`: the same check
	/// that lets a worker submit results and verifications here.
	fn is_active(who: &T::AccountId) -> bool {
		Self::ensure_active(who).is_ok()
	}

	fn workers() -> Vec<T::AccountId> {
		WorkerList::<T>::get().into_inner()
	}
}
