//! v0 → v1: [`TrainingSettings`] gained `use_rslora`, `use_dora`, `eval_every_steps`,
//! `early_stopping_patience`, `packing`, `overflow` and `train_on_prompts`. Jobs and model
//! versions stored before keep their meaning with all of them off or automatic (plain LoRA
//! scaling, no periodic evaluation, no early stopping; plain-text rows packed as one stream),
//! which is how they were trained.

use crate::{
	types::{JobInfo, ModelVersionInfo},
	Config, Jobs, ModelVersions, Pallet,
};
use core::marker::PhantomData;
use frame_support::{
	migrations::VersionedMigration,
	traits::{Get, UncheckedOnRuntimeUpgrade},
	weights::Weight,
};
use tributary_primitives::training::{Overflow, Packing, TrainingSettings};

/// The layouts as version 0 stored them.
pub mod v0 {
	use crate::types::{BalanceOf, PinnedDatanetsOf, VerificationsOf, VerifiersOf};
	use crate::Config;
	use codec::{Decode, Encode};
	use frame_system::pallet_prelude::BlockNumberFor;
	use tributary_primitives::{
		models::{BaseModelId, JobId, JobState, ModelId, TrainingResult},
		training::{TargetModules, TrainingMethod},
		ContentHash,
	};

	#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
	pub struct TrainingSettings {
		pub method: TrainingMethod,
		pub rank: u32,
		pub alpha: u32,
		pub dropout_ppm: u32,
		pub target_modules: TargetModules,
		pub learning_rate_ppb: u64,
		pub batch_size: u32,
		pub sequence_length: u32,
		pub epochs: u32,
		pub max_steps: u32,
		pub seed: u64,
		pub eval_fraction_ppm: u32,
	}

	#[derive(Encode, Decode)]
	pub struct JobInfo<T: Config> {
		pub model: ModelId,
		pub owner: T::AccountId,
		pub base_model: BaseModelId,
		pub base_weights_hash: ContentHash,
		pub datanets: PinnedDatanetsOf<T>,
		pub settings: TrainingSettings,
		pub fee: BalanceOf<T>,
		pub state: JobState,
		pub attempt: u32,
		pub draw_at: Option<BlockNumberFor<T>>,
		pub trainer: Option<T::AccountId>,
		pub verifiers: VerifiersOf<T>,
		pub deadline: BlockNumberFor<T>,
		pub result: Option<TrainingResult>,
		pub verifications: VerificationsOf<T>,
	}

	#[derive(Encode, Decode)]
	pub struct ModelVersionInfo<T: Config> {
		pub job: JobId,
		pub base_model: BaseModelId,
		pub base_weights_hash: ContentHash,
		pub datanets: PinnedDatanetsOf<T>,
		pub settings: TrainingSettings,
		pub result: TrainingResult,
		pub verified_eval_loss_ppb: u64,
		pub trainer: T::AccountId,
		pub verifiers: VerifiersOf<T>,
		pub created_at: BlockNumberFor<T>,
	}
}

impl From<v0::TrainingSettings> for TrainingSettings {
	fn from(old: v0::TrainingSettings) -> Self {
		TrainingSettings {
			method: old.method,
			rank: old.rank,
			alpha: old.alpha,
			dropout_ppm: old.dropout_ppm,
			target_modules: old.target_modules,
			learning_rate_ppb: old.learning_rate_ppb,
			batch_size: old.batch_size,
			sequence_length: old.sequence_length,
			epochs: old.epochs,
			max_steps: old.max_steps,
			seed: old.seed,
			eval_fraction_ppm: old.eval_fraction_ppm,
			use_rslora: false,
			use_dora: false,
			eval_every_steps: 0,
			early_stopping_patience: 0,
			packing: Packing::Auto,
			overflow: Overflow::Truncate,
			train_on_prompts: false,
		}
	}
}

impl<T: Config> From<v0::JobInfo<T>> for JobInfo<T> {
	fn from(old: v0::JobInfo<T>) -> Self {
		JobInfo {
			model: old.model,
			owner: old.owner,
			base_model: old.base_model,
			base_weights_hash: old.base_weights_hash,
			datanets: old.datanets,
			settings: old.settings.into(),
			fee: old.fee,
			state: old.state,
			attempt: old.attempt,
			draw_at: old.draw_at,
			trainer: old.trainer,
			verifiers: old.verifiers,
			deadline: old.deadline,
			result: old.result,
			verifications: old.verifications,
		}
	}
}

impl<T: Config> From<v0::ModelVersionInfo<T>> for ModelVersionInfo<T> {
	fn from(old: v0::ModelVersionInfo<T>) -> Self {
		ModelVersionInfo {
			job: old.job,
			base_model: old.base_model,
			base_weights_hash: old.base_weights_hash,
			datanets: old.datanets,
			settings: old.settings.into(),
			result: old.result,
			verified_eval_loss_ppb: old.verified_eval_loss_ppb,
			trainer: old.trainer,
			verifiers: old.verifiers,
			created_at: old.created_at,
		}
	}
}

/// Re-encodes every job and model version; use [`MigrateV0ToV1`], which runs it once.
pub struct InnerMigrateV0ToV1<T>(PhantomData<T>);

impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV0ToV1<T> {
	fn on_runtime_upgrade() -> Weight {
		let mut entries = 0u64;
		Jobs::<T>::translate::<v0::JobInfo<T>, _>(|_, old| {
			entries += 1;
			Some(old.into())
		});
		ModelVersions::<T>::translate::<v0::ModelVersionInfo<T>, _>(|_, _, old| {
			entries += 1;
			Some(old.into())
		});
		T::DbWeight::get().reads_writes(entries, entries)
	}

	#[cfg(feature = "try-runtime")]
	fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
		use codec::Encode;
		let counts =
			(Jobs::<T>::iter_keys().count() as u64, ModelVersions::<T>::iter_keys().count() as u64);
		Ok(counts.encode())
	}

	#[cfg(feature = "try-runtime")]
	fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
		use codec::Decode;
		let (jobs, versions) = <(u64, u64)>::decode(&mut &state[..])
			.map_err(|_| "v1: the pre-upgrade counts do not decode")?;
		// `iter` decodes every value: a job or version left in the old layout fails here.
		frame_support::ensure!(Jobs::<T>::iter().count() as u64 == jobs, "v1: a job was lost");
		frame_support::ensure!(
			ModelVersions::<T>::iter().count() as u64 == versions,
			"v1: a model version was lost"
		);
		Ok(())
	}
}

/// v0 → v1, run only when the pallet's on-chain storage version is 0; it then sets 1.
pub type MigrateV0ToV1<T> = VersionedMigration<
	0,
	1,
	InnerMigrateV0ToV1<T>,
	Pallet<T>,
	<T as frame_system::Config>::DbWeight,
>;
