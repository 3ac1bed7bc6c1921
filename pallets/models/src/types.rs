//! Types stored by the pallet and taken by its calls.

use crate::Config;
use codec::{Decode, Encode, MaxEncodedLen};
use frame_support::{
	traits::fungible::Inspect, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use tributary_primitives::{
	models::{
		BaseModelId, DatanetVersionRef, JobId, JobState, ModelId, ModelVersionId,
		PinnedDatanetVersion, TrainingResult,
	},
	training::TrainingSettings,
	ContentHash,
};

pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
pub type NameOf<T> = BoundedVec<u8, <T as Config>::MaxNameLen>;
pub type ArchitectureOf<T> = BoundedVec<u8, <T as Config>::MaxArchitectureLen>;
pub type LicenseOf<T> = BoundedVec<u8, <T as Config>::MaxLicenseLen>;
pub type EndpointOf<T> = BoundedVec<u8, <T as Config>::MaxEndpointLen>;
pub type DeviceOf<T> = BoundedVec<u8, <T as Config>::MaxDeviceLen>;
pub type DatanetRefsOf<T> = BoundedVec<DatanetVersionRef, <T as Config>::MaxDatanetsPerJob>;
pub type PinnedDatanetsOf<T> = BoundedVec<PinnedDatanetVersion, <T as Config>::MaxDatanetsPerJob>;
pub type VerifiersOf<T> =
	BoundedVec<<T as frame_system::Config>::AccountId, <T as Config>::MaxVerifiers>;
pub type VerificationsOf<T> =
	BoundedVec<Verification<<T as frame_system::Config>::AccountId>, <T as Config>::MaxVerifiers>;
pub type WorkerListOf<T> =
	BoundedVec<<T as frame_system::Config>::AccountId, <T as Config>::MaxWorkers>;
pub type WorkerJobsOf<T> = BoundedVec<JobId, <T as Config>::MaxJobsPerWorker>;

/// One verifier's report: its held-out eval loss of the job's adapter and of the base model
/// alone on the same rows, in parts per billion.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct Verification<AccountId> {
	pub verifier: AccountId,
	pub eval_loss_ppb: u64,
	pub base_loss_ppb: u64,
}

/// A base model every fine-tune starts from. Its files live in the worker store under their
/// hashes.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct BaseModelInfo<T: Config> {
	pub name: NameOf<T>,
	/// E.g. `llama`.
	pub architecture: ArchitectureOf<T>,
	/// blake2-256 of the weights file (safetensors); unique among base models.
	pub weights_hash: ContentHash,
	pub config_hash: ContentHash,
	pub tokenizer_hash: ContentHash,
	pub parameter_count: u64,
	pub license: LicenseOf<T>,
}

/// A registered worker.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct WorkerInfo<T: Config> {
	/// Where the worker's sidecar serves (URL).
	pub endpoint: EndpointOf<T>,
	/// Free-text device description, e.g. `cpu 2 cores` or `nvidia a100 80GB`.
	pub device: DeviceOf<T>,
	/// The bond held when it registered or last topped up (`WorkerBond` then); slashes may
	/// have taken part of it since.
	pub bond: BalanceOf<T>,
	pub registered_at: BlockNumberFor<T>,
}

/// A fine-tuned model: a base model plus the adapters of its versions.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct ModelInfo<T: Config> {
	pub owner: T::AccountId,
	pub name: NameOf<T>,
	pub base_model: BaseModelId,
	/// Inference price per 1,000 tokens; `None` until the owner sets one.
	pub price_per_1k_tokens: Option<BalanceOf<T>>,
	/// A retired model takes no new jobs and no new price.
	pub retired: bool,
	/// Versions created so far (`1..=version_count`).
	pub version_count: ModelVersionId,
}

/// A fine-tune job.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct JobInfo<T: Config> {
	pub model: ModelId,
	/// Who paid the fee (the model's owner when the job was created).
	pub owner: T::AccountId,
	pub base_model: BaseModelId,
	pub base_weights_hash: ContentHash,
	pub datanets: PinnedDatanetsOf<T>,
	pub settings: TrainingSettings,
	/// Held from `owner` until paid out or refunded.
	pub fee: BalanceOf<T>,
	pub state: JobState,
	/// Assignments made so far.
	pub attempt: u32,
	/// While `Open`: the block whose `on_initialize` draws the next attempt's workers (`None`
	/// while the job waits for workers and no draw is scheduled).
	pub draw_at: Option<BlockNumberFor<T>>,
	pub trainer: Option<T::AccountId>,
	pub verifiers: VerifiersOf<T>,
	/// Block by which the current phase (training or verifying) must finish.
	pub deadline: BlockNumberFor<T>,
	pub result: Option<TrainingResult>,
	pub verifications: VerificationsOf<T>,
}

/// A model version with its lineage.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
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

/// A base model registered at genesis, as a chain spec writes it: text fields as strings, hashes
/// as hex (`0x` optional).
#[derive(Clone, PartialEq, Eq, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisBaseModel {
	pub name: alloc::string::String,
	pub architecture: alloc::string::String,
	pub weights_hash: alloc::string::String,
	pub config_hash: alloc::string::String,
	pub tokenizer_hash: alloc::string::String,
	pub parameter_count: u64,
	pub license: alloc::string::String,
}

impl GenesisBaseModel {
	/// The base model as the pallet stores it; why not, when a field does not fit.
	pub fn info<T: Config>(&self) -> Result<BaseModelInfo<T>, alloc::string::String> {
		use alloc::format;
		let hash = |field: &str, text: &str| {
			tributary_primitives::hex::decode_array(text)
				.map_err(|e| format!("{field} {text:?}: {e}"))
		};
		fn bounded<S: frame_support::traits::Get<u32>>(
			field: &str,
			text: &str,
		) -> Result<BoundedVec<u8, S>, alloc::string::String> {
			text.as_bytes()
				.to_vec()
				.try_into()
				.map_err(|_| alloc::format!("{field} {text:?} is too long"))
		}
		Ok(BaseModelInfo {
			name: bounded("name", &self.name)?,
			architecture: bounded("architecture", &self.architecture)?,
			weights_hash: hash("weightsHash", &self.weights_hash)?,
			config_hash: hash("configHash", &self.config_hash)?,
			tokenizer_hash: hash("tokenizerHash", &self.tokenizer_hash)?,
			parameter_count: self.parameter_count,
			license: bounded("license", &self.license)?,
		})
	}
}
