//! # Models pallet (ModelFactory, on-chain side)
//!
//! - A `BaseModelOrigin` (root now, governance later) registers base models: name, architecture,
//!   hashes of weights, config and tokenizer, parameter count, license.
//! - Accounts admitted by `WorkerOrigin` (the runtime plugs in its validator-set check) register
//!   as workers with an endpoint, a device description and a bond.
//! - `create_model` opens a fine-tune **job**: a base model, datanet versions (pinned by merkle
//!   root through [`tributary_primitives::datanets::DatanetsInspect`]), training settings and a
//!   fee held from the caller.
//! - **Assignment.** A job gets a trainer and `VerifiersPerJob` verifiers, chosen
//!   deterministically (see [`Pallet::select_workers`]): the eligible workers (registered, with
//!   fewer than `MaxJobsPerWorker` active jobs, in registration order) are indexed from a start
//!   position `blake2_256(b"tributary/assign" ++ job ++ attempt ++ parent_hash) mod n`; the
//!   trainer is at the start and the verifiers follow it, wrapping around. *Predictability:*
//!   anyone can compute the assignment once the parent block is known, and the author of the
//!   parent block can bias it by choosing what to build. That is acceptable here because an
//!   assignment grants no payout by itself: results are checked by independent verifiers and a
//!   rejected trainer loses its bond.
//! - The trainer submits its result (adapter hash and size, train and eval loss), then each
//!   verifier its own eval loss of that adapter on the same held-out split. When the last
//!   verifier has reported, the job is **accepted** if the median verifier loss is within
//!   `EvalTolerance` (relative) of the trainer's claim: the model gets a new version with full
//!   lineage and the fee is paid out (`TrainerShare` to the trainer, the rest split equally among
//!   the verifiers, rounding dust to the trainer). Otherwise the trainer's bond is slashed
//!   (kind `BadTrainer`) through `Config::Slashing` (pallet-rewards in the runtime, which decides
//!   where slashed funds go), the trainer is removed from the worker set and the job is
//!   reassigned.
//! - A worker unregisters (and gets its bond back) only when it has no active job and no
//!   attribution record that a dispute could still slash it over (`Config::OpenRecords`).
//! - A phase that misses its deadline can be timed out by anyone (`poke_job`), which reassigns
//!   the job; `poke_job` also assigns an `Open` job once enough workers exist. After
//!   `MaxAttempts` assignments the job fails and its fee is refunded.
//! - A finished job (completed or failed) accepts nothing more, so no result is paid twice.
//! - Model owners set a price per 1k tokens, transfer ownership, or retire the model.
//! - **Off-chain worker** (see the `offchain` module): a validator with a worker key and a
//!   sidecar (`--worker-url`) trains and verifies the jobs assigned to it there, submits the
//!   results as signed transactions, and has the sidecar serve every accepted model version.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

mod features;
mod offchain;
pub mod runtime_api;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use types::*;
pub use weights::WeightInfo;

/// What benchmarks need from the runtime that this pallet cannot create itself.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper {
	/// Make a published datanet version exist (a distinct one per `index`) and name it.
	fn published_datanet_version(index: u32) -> tributary_primitives::models::DatanetVersionRef;
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::fungible::{Inspect, Mutate, MutateHold},
	};
	use frame_system::{
		offchain::{AppCrypto, CreateSignedTransaction},
		pallet_prelude::*,
	};
	use sp_runtime::Perbill;
	use tributary_primitives::{
		datanets::DatanetsInspect,
		disputes::OpenRecords,
		models::{BaseModelId, JobId, ModelId, ModelVersionId, TrainingResult},
		rewards::Slashing,
		training::TrainingSettings,
		ContentHash,
	};

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// Why the pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A worker's bond.
		WorkerBond,
		/// A job's fee, held from whoever opened the job.
		JobFee,
	}

	#[pallet::config]
	pub trait Config:
		frame_system::Config<RuntimeEvent: From<Event<Self>> + TryInto<Event<Self>>>
		+ CreateSignedTransaction<Call<Self>>
	{
		/// The native currency; bonds and fees are holds on it.
		type Currency: Inspect<Self::AccountId>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		type RuntimeHoldReason: From<HoldReason>;

		/// Published datanet versions (pallet-datanets in the runtime).
		type Datanets: DatanetsInspect;

		/// Who may register base models (root now, governance later).
		type BaseModelOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Who may register as a worker; yields the worker's account (the runtime checks the
		/// validator set).
		type WorkerOrigin: EnsureOrigin<Self::RuntimeOrigin, Success = Self::AccountId>;

		/// Slashes a rejected trainer's bond with the parameterised destination split
		/// (pallet-rewards).
		type Slashing: Slashing<Self::AccountId, BalanceOf<Self>, Self::RuntimeHoldReason>;

		/// Whether a worker has attribution records still open to dispute (pallet-attribution):
		/// such a worker keeps its bond held.
		type OpenRecords: OpenRecords<Self::AccountId>;

		/// Held from each worker.
		#[pallet::constant]
		type WorkerBond: Get<BalanceOf<Self>>;
		/// Smallest fee a job may carry.
		#[pallet::constant]
		type MinJobFee: Get<BalanceOf<Self>>;
		/// Share of an accepted job's fee paid to the trainer; the verifiers share the rest.
		#[pallet::constant]
		type TrainerShare: Get<Perbill>;
		/// Largest accepted difference between the median verifier eval loss and the trainer's
		/// claimed eval loss, relative to the claim.
		#[pallet::constant]
		type EvalTolerance: Get<Perbill>;
		/// Verifiers per job (`k`), at least 1.
		#[pallet::constant]
		type VerifiersPerJob: Get<u32>;
		/// Blocks the trainer has to submit its result after assignment.
		#[pallet::constant]
		type TrainingPeriod: Get<BlockNumberFor<Self>>;
		/// Blocks the verifiers have to report after the result.
		#[pallet::constant]
		type VerificationPeriod: Get<BlockNumberFor<Self>>;
		/// Assignments a job may get before it fails and its fee is refunded.
		#[pallet::constant]
		type MaxAttempts: Get<u32>;

		#[pallet::constant]
		type MaxWorkers: Get<u32>;
		/// Active jobs (as trainer or verifier) per worker; busier workers are skipped.
		#[pallet::constant]
		type MaxJobsPerWorker: Get<u32>;
		#[pallet::constant]
		type MaxDatanetsPerJob: Get<u32>;
		#[pallet::constant]
		type MaxNameLen: Get<u32>;
		#[pallet::constant]
		type MaxArchitectureLen: Get<u32>;
		#[pallet::constant]
		type MaxLicenseLen: Get<u32>;
		#[pallet::constant]
		type MaxEndpointLen: Get<u32>;
		#[pallet::constant]
		type MaxDeviceLen: Get<u32>;

		type WeightInfo: WeightInfo;

		/// Signs the off-chain worker's transactions with the validator's worker key.
		type WorkerSigner: AppCrypto<Self::Public, Self::Signature>;

		/// Publishes datanet versions for benchmarks (the runtime uses pallet-datanets).
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper;
	}

	#[pallet::storage]
	pub type NextBaseModelId<T> = StorageValue<_, BaseModelId, ValueQuery>;

	#[pallet::storage]
	pub type BaseModels<T: Config> = StorageMap<_, Twox64Concat, BaseModelId, BaseModelInfo<T>>;

	/// Weights hash → base model, which keeps base models unique.
	#[pallet::storage]
	pub type BaseModelByWeights<T> = StorageMap<_, Blake2_128Concat, ContentHash, BaseModelId>;

	#[pallet::storage]
	pub type Workers<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, WorkerInfo<T>>;

	/// Registered workers in registration order: the list assignment indexes into.
	#[pallet::storage]
	pub type WorkerList<T: Config> = StorageValue<_, WorkerListOf<T>, ValueQuery>;

	/// Active jobs of a worker (as trainer or verifier).
	#[pallet::storage]
	pub type WorkerJobs<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, WorkerJobsOf<T>, ValueQuery>;

	#[pallet::storage]
	pub type NextModelId<T> = StorageValue<_, ModelId, ValueQuery>;

	#[pallet::storage]
	pub type Model<T: Config> = StorageMap<_, Twox64Concat, ModelId, ModelInfo<T>>;

	#[pallet::storage]
	pub type ModelVersions<T: Config> =
		StorageDoubleMap<_, Twox64Concat, ModelId, Twox64Concat, ModelVersionId, ModelVersionInfo<T>>;

	#[pallet::storage]
	pub type NextJobId<T> = StorageValue<_, JobId, ValueQuery>;

	#[pallet::storage]
	pub type Jobs<T: Config> = StorageMap<_, Twox64Concat, JobId, JobInfo<T>>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		BaseModelRegistered { base_model: BaseModelId, weights_hash: ContentHash },
		WorkerRegistered { worker: T::AccountId, bond: BalanceOf<T> },
		WorkerUnregistered { worker: T::AccountId },
		ModelCreated { model: ModelId, owner: T::AccountId, base_model: BaseModelId },
		JobCreated { job: JobId, model: ModelId, fee: BalanceOf<T> },
		JobAssigned {
			job: JobId,
			attempt: u32,
			trainer: T::AccountId,
			verifiers: VerifiersOf<T>,
			deadline: BlockNumberFor<T>,
		},
		/// Not enough eligible workers: the job is `Open` until `poke_job` finds them.
		JobWaitingForWorkers { job: JobId },
		TrainingResultSubmitted { job: JobId, trainer: T::AccountId, result: TrainingResult },
		VerificationSubmitted { job: JobId, verifier: T::AccountId, eval_loss_ppb: u64 },
		/// The job's result was accepted and paid.
		JobCompleted {
			job: JobId,
			model: ModelId,
			version: ModelVersionId,
			verified_eval_loss_ppb: u64,
			trainer_paid: BalanceOf<T>,
			each_verifier_paid: BalanceOf<T>,
		},
		/// The verifiers' median loss was out of tolerance: the trainer's bond was slashed.
		TrainingRejected {
			job: JobId,
			trainer: T::AccountId,
			claimed_eval_loss_ppb: u64,
			verified_eval_loss_ppb: u64,
			bond_slashed: BalanceOf<T>,
		},
		/// The current phase missed its deadline.
		JobTimedOut { job: JobId, attempt: u32 },
		/// The job ran out of attempts; its fee was refunded.
		JobFailed { job: JobId, refunded: BalanceOf<T> },
		PriceSet { model: ModelId, price_per_1k_tokens: Option<BalanceOf<T>> },
		OwnershipTransferred { model: ModelId, from: T::AccountId, to: T::AccountId },
		ModelRetired { model: ModelId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// A name must not be empty.
		EmptyName,
		/// A base model with these weights is already registered.
		BaseModelExists,
		/// No base model with this id.
		UnknownBaseModel,
		/// The account is already a registered worker.
		AlreadyRegistered,
		/// The account is not a registered worker.
		NotRegistered,
		/// The worker set is full.
		TooManyWorkers,
		/// The worker still has active jobs; it can unregister once they finish.
		WorkerBusy,
		/// The worker has attribution records still pending or disputed; it can unregister once
		/// they are final or rejected, since a dispute may yet slash its bond.
		WorkerHasOpenRecords,
		/// A job needs at least one datanet version.
		NoDatanets,
		/// A datanet version the job names is not published.
		UnknownDatanetVersion,
		/// The job names the same datanet version twice.
		DuplicateDatanetVersion,
		/// The training settings are out of range (see `validate_training_settings`).
		InvalidTrainingSettings,
		/// The fee is below `MinJobFee`.
		FeeTooLow,
		/// No model with this id.
		UnknownModel,
		/// Only the model's owner may do this.
		NotModelOwner,
		/// The model is retired.
		ModelRetired,
		/// No job with this id.
		UnknownJob,
		/// The job is not in the state this call needs (finished jobs accept nothing).
		WrongJobState,
		/// Only the job's assigned trainer may submit its result.
		NotTrainer,
		/// Only the job's assigned verifiers may verify it.
		NotVerifier,
		/// This verifier already reported for this job.
		AlreadyVerified,
		/// The current phase's deadline has passed; the job can only be timed out.
		DeadlinePassed,
		/// The current phase's deadline has not passed yet.
		DeadlineNotPassed,
		/// Not enough eligible workers to assign the job yet.
		NotEnoughWorkers,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn offchain_worker(now: BlockNumberFor<T>) {
			Self::offchain_work(now);
		}

		fn integrity_test() {
			assert!(T::VerifiersPerJob::get() >= 1, "a job needs at least one verifier");
			assert!(
				T::MaxWorkers::get() > T::VerifiersPerJob::get(),
				"the worker set must fit a trainer and all verifiers"
			);
			assert!(T::MaxAttempts::get() >= 1, "a job needs at least one attempt");
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register a base model (`BaseModelOrigin`). Each field is a separate argument so
		/// clients sign exactly what the metadata shows.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_base_model())]
		#[allow(clippy::too_many_arguments)]
		pub fn register_base_model(
			origin: OriginFor<T>,
			name: NameOf<T>,
			architecture: ArchitectureOf<T>,
			weights_hash: ContentHash,
			config_hash: ContentHash,
			tokenizer_hash: ContentHash,
			parameter_count: u64,
			license: LicenseOf<T>,
		) -> DispatchResult {
			T::BaseModelOrigin::ensure_origin(origin)?;
			Self::do_register_base_model(BaseModelInfo {
				name,
				architecture,
				weights_hash,
				config_hash,
				tokenizer_hash,
				parameter_count,
				license,
			})
		}

		/// Register the caller as a worker, holding `WorkerBond`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::register_worker())]
		pub fn register_worker(
			origin: OriginFor<T>,
			endpoint: EndpointOf<T>,
			device: DeviceOf<T>,
		) -> DispatchResult {
			let worker = T::WorkerOrigin::ensure_origin(origin)?;
			Self::do_register_worker(worker, endpoint, device)
		}

		/// Leave the worker set (no active jobs), releasing the bond.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::unregister_worker())]
		pub fn unregister_worker(origin: OriginFor<T>) -> DispatchResult {
			let worker = ensure_signed(origin)?;
			Self::do_unregister_worker(worker)
		}

		/// Create a model owned by the caller and open the fine-tune job for its first version,
		/// holding `fee`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::create_model(datanets.len() as u32))]
		pub fn create_model(
			origin: OriginFor<T>,
			name: NameOf<T>,
			base_model: BaseModelId,
			datanets: DatanetRefsOf<T>,
			settings: TrainingSettings,
			fee: BalanceOf<T>,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_create_model(owner, name, base_model, datanets, settings, fee)
		}

		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::submit_training_result())]
		pub fn submit_training_result(
			origin: OriginFor<T>,
			job: JobId,
			result: TrainingResult,
		) -> DispatchResult {
			let trainer = ensure_signed(origin)?;
			Self::do_submit_training_result(trainer, job, result)
		}

		/// Report the verifier's eval loss (parts per billion) of the job's adapter. The last
		/// report decides the job.
		#[pallet::call_index(5)]
		#[pallet::weight(
			T::WeightInfo::submit_verification_accepted()
				.max(T::WeightInfo::submit_verification_rejected())
		)]
		pub fn submit_verification(
			origin: OriginFor<T>,
			job: JobId,
			eval_loss_ppb: u64,
		) -> DispatchResult {
			let verifier = ensure_signed(origin)?;
			Self::do_submit_verification(verifier, job, eval_loss_ppb)
		}

		/// Anyone: assign an `Open` job, or time out a job whose phase missed its deadline.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::poke_job())]
		pub fn poke_job(origin: OriginFor<T>, job: JobId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_poke_job(job)
		}

		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::set_price())]
		pub fn set_price(
			origin: OriginFor<T>,
			model: ModelId,
			price_per_1k_tokens: Option<BalanceOf<T>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_price(who, model, price_per_1k_tokens)
		}

		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::transfer_ownership())]
		pub fn transfer_ownership(
			origin: OriginFor<T>,
			model: ModelId,
			new_owner: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_transfer_ownership(who, model, new_owner)
		}

		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::retire())]
		pub fn retire(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_retire(who, model)
		}
	}
}
