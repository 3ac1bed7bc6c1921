//! # Models pallet (ModelFactory, on-chain side)
//!
//! - A `BaseModelOrigin` (in the runtime: root or the catalogue track) registers base models: name,
//!   architecture, hashes of weights, config and tokenizer, parameter count, license.
//! - Accounts admitted by `WorkerOrigin` (the runtime plugs in its validator-set check) register
//!   as workers with an endpoint, a device description and a bond of `WorkerBond`.
//! - `create_model` opens a fine-tune **job**: a base model, datanet versions (pinned by merkle
//!   root through [`tributary_primitives::traits::DatanetsInspect`]), training settings and a
//!   fee held from the caller.
//! - **Assignment: drawn, not picked.** A new job (and each retry) is *scheduled*: it waits
//!   `AssignmentDelay` (≥ 2) blocks and is assigned in `on_initialize` of that later block (or of
//!   the first later block with room: at most `MaxDrawsPerBlock` draws per block, the rest carry
//!   over). The trainer and the `k` verifiers are drawn with
//!   [`tributary_primitives::draw::draw_distinct`] from the seed
//!   `blake2_256(SCALE(T::Randomness::random(SCALE(b"tributary/assign", job, attempt))))` among
//!   the *eligible* workers: active (see below), with fewer than `MaxJobsPerWorker` active jobs,
//!   in registration order; the first drawn trains, the others verify. `k` is the on-chain
//!   [`VerifiersPerJob`] (genesis value per preset, changed by `ParamsOrigin` with
//!   `set_verifiers_per_job`, at most `MaxVerifiers`). *Unpredictability:* the runtime's
//!   randomness mixes the hashes of the blocks before the drawing block, and at least one of them
//!   (the block after the job's) did not exist when the creator acted, so the creator can neither
//!   predict nor steer who is drawn; the author of the block after the creation could bias it
//!   only by withholding its block, losing the slot (a later block's hash, not a VRF). With fewer
//!   than `k + 1` eligible workers the job stays `Open` (`JobWaitingForWorkers`) until anyone
//!   calls `poke_job`, which schedules a new draw `AssignmentDelay` blocks later.
//! - **Training.** The trainer submits its result (adapter hash and size, train and eval loss)
//!   before its deadline (`TrainingPeriod`); a trainer that misses it loses `TrainerTimeoutSlash`
//!   of its bond (kind `MissedDuty`) and the job is retried.
//! - **Verification: a majority decides, the minority pays.** Each verifier reports its eval loss
//!   of the adapter *and* of the base model alone on the same held-out rows. Two losses are
//!   *close* when they differ by at most `EvalTolerance` of the smaller one; a report *agrees*
//!   when both its losses are close to the medians ([`tributary_primitives::models::median_loss`]) of all reports. The job is
//!   decided as soon as a majority (`⌊k/2⌋ + 1`) of its `k` verifiers agree, or, at the
//!   verification deadline (`poke_job`), with whoever reported if those who agree are a strict
//!   majority of them. Then:
//!   - verifiers whose report does not agree lose `VerifierSlash` (kind `WrongVerdict`); at the
//!     deadline, verifiers that reported nothing lose `VerifierSlash` (kind `MissedDuty`);
//!   - if the median adapter loss is not close to the trainer's claim, the trainer lied: its whole
//!     bond is slashed (kind `BadTrainer`), it leaves the worker set and the job is retried;
//!   - else if the adapter does not beat the base model by `MinImprovement` (median base loss −
//!     median adapter loss < `MinImprovement` × median base loss), the trainer did not do the
//!     work: it is not paid, loses `LazyTrainerSlash` (kind `BadTrainer`) but stays a worker
//!     (suspended if that takes it below the floor), and the job is retried;
//!   - otherwise the job is **accepted**: the model gets a new version with full lineage and the
//!     fee is paid out: `TrainerShare` to the trainer, the rest equally to the agreeing
//!     verifiers, rounding dust to the trainer (paid == fee).
//!
//!   At the deadline with no report at all, or without an agreeing majority of the reports, the
//!   trainer is not at fault: the job is retried (silent verifiers still pay). Verifiers that had
//!   not reported when a majority decided early are neither paid nor slashed.
//!   Every slash goes through `Config::Slashing` (pallet-rewards in the runtime, which decides
//!   where slashed funds go).
//! - **Bond floor and the validator set.** A worker is *active* when it is registered, its held
//!   bond is at least `WorkerBond` and it is in `Config::ValidatorSet` (the current authorities).
//!   Only active workers are drawn, submit results or verifications, and (through
//!   [`tributary_primitives::traits::WorkerSet::is_active`]) submit receipts and recompute in
//!   pallet-attribution. A slash here that leaves a worker below the floor emits
//!   `WorkerSuspended`; the worker tops up with `top_up_bond`. A worker whose validator left the
//!   authority set is removed, bond released, by anyone calling `remove_departed_worker` once it
//!   has no active job and no open attribution record.
//! - A worker unregisters (and gets its bond back) only when it has no active job and no
//!   attribution record that a dispute could still slash it over (`Config::OpenRecords`).
//! - After `MaxAttempts` assignments the job fails and its fee is refunded.
//! - A finished job (completed or failed) accepts nothing more, so no result is paid twice.
//! - Model owners set a price per 1k tokens, transfer ownership, or retire the model.
//! - **Off-chain worker** (see the `offchain` module): a validator with a worker key and a
//!   sidecar (`--worker-url`) trains and verifies the jobs assigned to it there, submits the
//!   results as signed transactions, and has the sidecar serve every accepted model version.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

mod features;
pub mod migrations;
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
pub trait BenchmarkHelper<AccountId> {
	/// Make a published datanet version exist (a distinct one per `index`) and name it.
	fn published_datanet_version(index: u32) -> tributary_primitives::models::DatanetVersionRef;
	/// Take `who` out of `Config::ValidatorSet` (benchmarks' workers are validators until then).
	fn leave_validator_set(who: &AccountId);
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			Contains, Randomness,
		},
	};
	use frame_system::{
		offchain::{AppCrypto, CreateSignedTransaction},
		pallet_prelude::*,
	};
	use sp_runtime::Perbill;
	use tributary_primitives::traits::{DatanetsInspect, OpenRecords, Slashing};
	use tributary_primitives::{
		models::{BaseModelId, JobId, ModelId, ModelVersionId, TrainingResult},
		training::TrainingSettings,
		ContentHash,
	};

	/// The layout of the pallet's storage. Version 0 is the layout the pallet launched with (a
	/// chain whose storage predates this attribute reads as 0 too); 1 added the rsLoRA, DoRA and
	/// early-stopping fields of `TrainingSettings` ([`migrations::v1`]). A change to a stored type
	/// bumps it, together with its migration, which the runtime lists in its `Migrations`.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
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
		frame_system::Config<RuntimeEvent: From<Event<Self>>> + CreateSignedTransaction<Call<Self>>
	{
		/// The native currency; bonds and fees are holds on it.
		type Currency: Inspect<Self::AccountId>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		type RuntimeHoldReason: From<HoldReason>;

		/// Published datanet versions (pallet-datanets in the runtime).
		type Datanets: DatanetsInspect;

		/// Who may register base models (in the runtime: root or the catalogue track).
		type BaseModelOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Who may register as a worker; yields the worker's account (the runtime checks the
		/// validator set).
		type WorkerOrigin: EnsureOrigin<Self::RuntimeOrigin, Success = Self::AccountId>;

		/// Who may change the pallet's on-chain parameters ([`VerifiersPerJob`]): in the runtime,
		/// root or the parameters track.
		type ParamsOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Randomness the job creator cannot know when it acts: the runtime mixes the hashes of
		/// the blocks before the current one. Draws are made in a block at least
		/// `AssignmentDelay` after the job's.
		type Randomness: Randomness<Self::Hash, BlockNumberFor<Self>>;

		/// The current validators (the runtime's Aura authorities). Only workers in it are
		/// active; a worker that left it is removed by `remove_departed_worker`.
		type ValidatorSet: Contains<Self::AccountId>;

		/// Slashes workers' bonds with the parameterised destination split (pallet-rewards).
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
		/// Most verifiers a job may have: the bound of [`VerifiersPerJob`] and of the stored
		/// verifier lists.
		#[pallet::constant]
		type MaxVerifiers: Get<u32>;
		/// Smallest improvement of the held-out loss over the base model an accepted adapter
		/// must show, as a share of the base model's loss.
		#[pallet::constant]
		type MinImprovement: Get<Perbill>;
		/// Taken from a verifier whose report disagrees with the majority that decided
		/// (`WrongVerdict`), or that reported nothing by the deadline (`MissedDuty`).
		#[pallet::constant]
		type VerifierSlash: Get<BalanceOf<Self>>;
		/// Taken from a trainer that submitted nothing by its training deadline (`MissedDuty`).
		#[pallet::constant]
		type TrainerTimeoutSlash: Get<BalanceOf<Self>>;
		/// Taken from a trainer whose adapter does not beat the base model by `MinImprovement`
		/// (`BadTrainer`).
		#[pallet::constant]
		type LazyTrainerSlash: Get<BalanceOf<Self>>;
		/// Blocks between scheduling a job's assignment and drawing its workers; at least 2, so
		/// the randomness of the drawing block includes a block made after the job's.
		#[pallet::constant]
		type AssignmentDelay: Get<BlockNumberFor<Self>>;
		/// Most scheduled draws `on_initialize` makes in one block; the rest wait for the next.
		#[pallet::constant]
		type MaxDrawsPerBlock: Get<u32>;
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
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
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
	pub type ModelVersions<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		ModelId,
		Twox64Concat,
		ModelVersionId,
		ModelVersionInfo<T>,
	>;

	#[pallet::storage]
	pub type NextJobId<T> = StorageValue<_, JobId, ValueQuery>;

	#[pallet::storage]
	pub type Jobs<T: Config> = StorageMap<_, Twox64Concat, JobId, JobInfo<T>>;

	#[pallet::type_value]
	pub fn DefaultVerifiersPerJob() -> u32 {
		1
	}

	/// Verifiers drawn per job (`k`), `1..=MaxVerifiers`: set at genesis per preset, changed by
	/// `ParamsOrigin`. Jobs already assigned keep their verifiers.
	#[pallet::storage]
	pub type VerifiersPerJob<T> = StorageValue<_, u32, ValueQuery, DefaultVerifiersPerJob>;

	/// Scheduled draws in the order they were scheduled (so in order of their drawing block):
	/// position → job. Positions `DrawQueueBounds.0..DrawQueueBounds.1` are occupied.
	#[pallet::storage]
	pub type DrawQueue<T> = StorageMap<_, Twox64Concat, u64, JobId>;

	/// (first occupied position, next free position) of [`DrawQueue`].
	#[pallet::storage]
	pub type DrawQueueBounds<T> = StorageValue<_, (u64, u64), ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Initial [`VerifiersPerJob`]; 0 keeps the default (1).
		pub verifiers_per_job: u32,
		/// Base models registered at genesis, ids from 0 in this order (the dev network's
		/// SmolLM2-135M-Instruct: `scripts/dev.sh` writes it from the model's manifest).
		pub base_models: alloc::vec::Vec<GenesisBaseModel>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if self.verifiers_per_job != 0 {
				assert!(
					self.verifiers_per_job <= T::MaxVerifiers::get(),
					"verifiers_per_job must be at most MaxVerifiers"
				);
				VerifiersPerJob::<T>::put(self.verifiers_per_job);
			}
			for model in &self.base_models {
				let info = model.info::<T>().unwrap_or_else(|reason| {
					panic!("genesis base model {:?}: {reason}", model.name)
				});
				Pallet::<T>::do_register_base_model(info).unwrap_or_else(|error| {
					panic!("genesis base model {:?}: {error:?}", model.name)
				});
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A base model was registered as `base_model`.
		BaseModelRegistered { base_model: BaseModelId, weights_hash: ContentHash },
		/// An account registered as a worker, holding `bond`.
		WorkerRegistered { worker: T::AccountId, bond: BalanceOf<T> },
		/// A worker left the worker set; what was still held of its bond was released.
		WorkerUnregistered { worker: T::AccountId },
		/// A model was created; the job for its first version follows (`JobCreated`).
		ModelCreated { model: ModelId, owner: T::AccountId, base_model: BaseModelId },
		/// A fine-tune job was opened for `model`, `fee` held from its owner.
		JobCreated { job: JobId, model: ModelId, fee: BalanceOf<T> },
		/// Attempt `attempt` of the job drew its trainer and verifiers; the trainer submits its
		/// result by `deadline`.
		JobAssigned {
			job: JobId,
			attempt: u32,
			trainer: T::AccountId,
			verifiers: VerifiersOf<T>,
			deadline: BlockNumberFor<T>,
		},
		/// The job's next attempt will be drawn in block `draw_at` (or the first later block with
		/// room for it).
		JobScheduled { job: JobId, attempt: u32, draw_at: BlockNumberFor<T> },
		/// Not enough eligible workers: the job is `Open` until `poke_job` schedules a new draw.
		JobWaitingForWorkers { job: JobId },
		/// The trainer submitted its result; the job is in verification.
		TrainingResultSubmitted { job: JobId, trainer: T::AccountId, result: TrainingResult },
		/// A verifier reported its held-out eval losses (parts per billion) of the adapter and of
		/// the base model.
		VerificationSubmitted {
			job: JobId,
			verifier: T::AccountId,
			eval_loss_ppb: u64,
			base_loss_ppb: u64,
		},
		/// The job's result was accepted and paid: `TrainerShare` to the trainer, the rest to
		/// the `paid_verifiers` verifiers that agreed with the majority.
		JobCompleted {
			job: JobId,
			model: ModelId,
			version: ModelVersionId,
			verified_eval_loss_ppb: u64,
			trainer_paid: BalanceOf<T>,
			each_verifier_paid: BalanceOf<T>,
			paid_verifiers: u32,
		},
		/// The verifiers' median loss was out of tolerance of the claim: the trainer's bond was
		/// slashed and it left the worker set.
		TrainingRejected {
			job: JobId,
			trainer: T::AccountId,
			claimed_eval_loss_ppb: u64,
			verified_eval_loss_ppb: u64,
			bond_slashed: BalanceOf<T>,
		},
		/// The adapter does not beat the base model by `MinImprovement` on the held-out rows:
		/// the trainer is not paid and lost `LazyTrainerSlash`; the job is retried.
		TrainingWithoutImprovement {
			job: JobId,
			trainer: T::AccountId,
			verified_eval_loss_ppb: u64,
			verified_base_loss_ppb: u64,
			slashed: BalanceOf<T>,
		},
		/// A verifier's report disagreed with the majority that decided (`WrongVerdict`).
		VerifierOutvoted { job: JobId, verifier: T::AccountId, slashed: BalanceOf<T> },
		/// An assigned worker submitted nothing by its deadline (`MissedDuty`).
		DutyMissed { job: JobId, worker: T::AccountId, slashed: BalanceOf<T> },
		/// The verification deadline passed without reports from an agreeing majority of those
		/// who reported: no verdict, the trainer is not at fault and the job is retried.
		VerificationInconclusive { job: JobId, reports: u32 },
		/// The current phase missed its deadline.
		JobTimedOut { job: JobId, attempt: u32 },
		/// The job ran out of attempts; its fee was refunded.
		JobFailed { job: JobId, refunded: BalanceOf<T> },
		/// The model's price per 1,000 tokens was set, or cleared (`None`).
		PriceSet { model: ModelId, price_per_1k_tokens: Option<BalanceOf<T>> },
		/// The model passed from `from` to `to`.
		OwnershipTransferred { model: ModelId, from: T::AccountId, to: T::AccountId },
		/// The model was retired.
		ModelRetired { model: ModelId },
		/// A slash left the worker's held bond below `WorkerBond`: it is suspended (not drawn,
		/// cannot act) until it calls `top_up_bond`.
		WorkerSuspended { worker: T::AccountId, held: BalanceOf<T> },
		/// The worker's held bond is back at `WorkerBond`.
		BondToppedUp { worker: T::AccountId, amount: BalanceOf<T> },
		/// A worker whose validator left the authority set was removed; its remaining bond was
		/// released.
		DepartedWorkerRemoved { worker: T::AccountId, released: BalanceOf<T> },
		/// `VerifiersPerJob` changed; it applies to draws from now on.
		VerifiersPerJobSet { verifiers: u32 },
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
		/// The training settings are out of range (see `TrainingSettings::validate`).
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
		/// The job's draw is already scheduled; it happens in `on_initialize`.
		DrawPending,
		/// The worker's held bond is below `WorkerBond`: it is suspended until it calls
		/// `top_up_bond`.
		BondBelowFloor,
		/// The worker's validator is no longer in the authority set: it may not act, and anyone
		/// may remove it with `remove_departed_worker` once it is idle.
		NotValidator,
		/// The worker's held bond is already at least `WorkerBond`.
		BondNotShort,
		/// The worker is still a validator; only departed validators can be removed.
		StillValidator,
		/// `VerifiersPerJob` must be between 1 and `MaxVerifiers`.
		InvalidVerifierCount,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// The pallet's invariants ([`Pallet::do_try_state`]), after each block and upgrade.
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}

		/// Draws the workers of the scheduled jobs that are due, at most `MaxDrawsPerBlock`.
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::draw_due_jobs(now)
		}

		fn offchain_worker(now: BlockNumberFor<T>) {
			Self::offchain_work(now);
		}

		fn integrity_test() {
			assert!(T::MaxVerifiers::get() >= 1, "a job needs at least one verifier");
			assert!(
				T::MaxWorkers::get() > T::MaxVerifiers::get(),
				"the worker set must fit a trainer and all verifiers"
			);
			assert!(T::MaxAttempts::get() >= 1, "a job needs at least one attempt");
			assert!(
				T::AssignmentDelay::get() >= 2u32.into(),
				"draws must use a block made after the job's"
			);
			assert!(T::MaxDrawsPerBlock::get() >= 1, "the draw queue must advance");
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register a base model. Each field is a separate argument so clients sign exactly what
		/// the metadata shows.
		///
		/// Origin: `BaseModelOrigin` (root in the runtime).
		///
		/// Emits `BaseModelRegistered`.
		///
		/// Errors: `EmptyName` if `name` is empty; `BaseModelExists` if a base model with the same
		/// `weights_hash` is already registered.
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

		/// Register the caller as a worker with its endpoint and device description, holding
		/// `WorkerBond` from it. It is drawn for jobs while it is active (see the module docs).
		///
		/// Origin: `WorkerOrigin`, which yields the worker's account (in the runtime: signed by an
		/// account among the current Aura authorities).
		///
		/// Emits `WorkerRegistered`.
		///
		/// Errors: `AlreadyRegistered` if the caller is already a worker; `TooManyWorkers` if
		/// `MaxWorkers` workers are registered; or the currency's error if the caller cannot hold
		/// `WorkerBond`.
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

		/// Leave the worker set, releasing what is still held of the bond (slashes may have taken
		/// part of it).
		///
		/// Origin: signed by a registered worker, suspended or not, validator or not.
		///
		/// Emits `WorkerUnregistered`.
		///
		/// Errors: `NotRegistered` if the caller is not a worker; `WorkerBusy` if it still has
		/// active jobs as trainer or verifier; `WorkerHasOpenRecords` if it has attribution records
		/// not yet final or rejected (`Config::OpenRecords`), over which a dispute could still
		/// slash it.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::unregister_worker())]
		pub fn unregister_worker(origin: OriginFor<T>) -> DispatchResult {
			let worker = ensure_signed(origin)?;
			Self::do_unregister_worker(worker)
		}

		/// Create a model owned by the caller and open the fine-tune job for its first version,
		/// holding `fee` from the caller. Each datanet version is pinned by its merkle root. The
		/// job's workers are drawn `AssignmentDelay` blocks later in `on_initialize`, which emits
		/// `JobAssigned` (or `JobWaitingForWorkers`).
		///
		/// Origin: signed; the caller owns the model and pays the fee.
		///
		/// Emits `ModelCreated`, `JobCreated`, then `JobScheduled`.
		///
		/// Errors: `EmptyName` if `name` is empty; `UnknownBaseModel` if no base model has the id
		/// `base_model`; `NoDatanets` if `datanets` is empty; `DuplicateDatanetVersion` if it names
		/// a datanet version twice; `UnknownDatanetVersion` if a datanet version it names is not
		/// published; `InvalidTrainingSettings` if `settings` are out of range
		/// (`TrainingSettings::validate`); `FeeTooLow` if `fee` is below `MinJobFee`; or the
		/// currency's error if the caller cannot hold `fee`.
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

		/// Report the trained adapter (hash, size) and its train and held-out eval losses. The job
		/// moves to verification, whose deadline is `VerificationPeriod` blocks later.
		///
		/// Origin: signed by the job's assigned trainer, which must be active (registered, a
		/// validator, its held bond at least `WorkerBond`).
		///
		/// Emits `TrainingResultSubmitted`.
		///
		/// Errors: `UnknownJob` if no job has this id; `WrongJobState` if the job is not in
		/// training (not assigned yet, in verification or finished); `NotTrainer` if the caller is
		/// not the job's trainer; `NotRegistered` if the caller is no longer a registered worker;
		/// `NotValidator` if it is no longer a validator; `BondBelowFloor` if its held bond is
		/// below `WorkerBond`; `DeadlinePassed` if the training deadline (`TrainingPeriod` blocks
		/// after assignment) has passed.
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

		/// Report the verifier's held-out eval loss (parts per billion) of the job's adapter and of
		/// the base model alone on the same rows. The report that makes an agreeing majority
		/// decides the job (see the module docs).
		///
		/// Origin: signed by one of the job's assigned verifiers, which must be active (as for
		/// `submit_training_result`).
		///
		/// Emits `VerificationSubmitted`. When the report decides the job: `VerifierOutvoted` per
		/// verifier whose report disagrees, then `JobCompleted`, or `TrainingRejected` or
		/// `TrainingWithoutImprovement` followed by the retry's `JobScheduled` or `JobFailed`. Each
		/// slash also emits pallet-rewards' `Slashed` (through `Config::Slashing`), and
		/// `WorkerSuspended` when it takes a worker's bond below `WorkerBond` (not for a rejected
		/// trainer, which leaves the worker set).
		///
		/// Errors: `UnknownJob` if no job has this id; `WrongJobState` if the job is not in
		/// verification; `NotVerifier` if the caller is not one of its verifiers; `AlreadyVerified`
		/// if the caller already reported for this job; `NotRegistered` if the caller is no longer
		/// a registered worker; `NotValidator` if it is no longer a validator; `BondBelowFloor` if
		/// its held bond is below `WorkerBond`; `DeadlinePassed` if the verification deadline
		/// (`VerificationPeriod` blocks after the result) has passed.
		#[pallet::call_index(5)]
		#[pallet::weight(
			T::WeightInfo::submit_verification_accepted()
				.max(T::WeightInfo::submit_verification_rejected())
		)]
		pub fn submit_verification(
			origin: OriginFor<T>,
			job: JobId,
			eval_loss_ppb: u64,
			base_loss_ppb: u64,
		) -> DispatchResult {
			let verifier = ensure_signed(origin)?;
			Self::do_submit_verification(verifier, job, eval_loss_ppb, base_loss_ppb)
		}

		/// Move a stalled job on. An `Open` job waiting for workers gets a new draw
		/// `AssignmentDelay` blocks later. Past the training deadline, the trainer loses
		/// `TrainerTimeoutSlash` and the job is retried. Past the verification deadline, each
		/// silent verifier loses `VerifierSlash` and the job is decided with whoever reported, or
		/// retried when nobody did or they have no agreeing majority. A retry once `MaxAttempts`
		/// assignments are used up fails the job and refunds its fee.
		///
		/// Origin: signed by any account.
		///
		/// Emits, for an `Open` job, `JobScheduled`. Past the training deadline: `DutyMissed`,
		/// `JobTimedOut`, then `JobScheduled` or `JobFailed`. Past the verification deadline:
		/// `DutyMissed` per silent verifier, then the events of a decision (see
		/// `submit_verification`), or `JobTimedOut` (no report) or `VerificationInconclusive` (no
		/// agreeing majority) followed by `JobScheduled` or `JobFailed`. Each slash also emits
		/// pallet-rewards' `Slashed`, and `WorkerSuspended` when it takes a worker's bond below
		/// `WorkerBond`.
		///
		/// Errors: `UnknownJob` if no job has this id; `WrongJobState` if the job is completed or
		/// failed; `DrawPending` if the `Open` job's draw is already scheduled; `NotEnoughWorkers`
		/// if fewer than `VerifiersPerJob + 1` workers are eligible for a draw; `DeadlineNotPassed`
		/// if the job is in training or verification and its deadline has not passed.
		#[pallet::call_index(6)]
		#[pallet::weight(
			T::WeightInfo::poke_job()
				.max(T::WeightInfo::submit_verification_accepted())
				.max(T::WeightInfo::submit_verification_rejected())
		)]
		pub fn poke_job(origin: OriginFor<T>, job: JobId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_poke_job(job)
		}

		/// Set the model's inference price per 1,000 tokens, or clear it (`None`: receipts for the
		/// model are refused until it has a price again).
		///
		/// Origin: signed by the model's owner.
		///
		/// Emits `PriceSet`.
		///
		/// Errors: `UnknownModel` if no model has this id; `NotModelOwner` if the caller does not
		/// own it; `ModelRetired` if the model is retired.
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

		/// Give the model to `new_owner`, who then sets its price and is paid the model owner's
		/// share of the records finalized from then on.
		///
		/// Origin: signed by the model's owner.
		///
		/// Emits `OwnershipTransferred`.
		///
		/// Errors: `UnknownModel` if no model has this id; `NotModelOwner` if the caller does not
		/// own it; `ModelRetired` if the model is retired.
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

		/// Retire the model: it keeps its versions (a job already running still adds its version)
		/// but takes no new price or owner, and receipts for it are refused.
		///
		/// Origin: signed by the model's owner.
		///
		/// Emits `ModelRetired`.
		///
		/// Errors: `UnknownModel` if no model has this id; `NotModelOwner` if the caller does not
		/// own it; `ModelRetired` if it is already retired.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::retire())]
		pub fn retire(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_retire(who, model)
		}

		/// Hold what the caller's bond lacks to reach `WorkerBond` again, ending a suspension for a
		/// low bond.
		///
		/// Origin: signed by a registered worker.
		///
		/// Emits `BondToppedUp`.
		///
		/// Errors: `NotRegistered` if the caller is not a worker; `BondNotShort` if its held bond
		/// is already at least `WorkerBond`; or the currency's error if it cannot hold the missing
		/// amount.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::top_up_bond())]
		pub fn top_up_bond(origin: OriginFor<T>) -> DispatchResult {
			let worker = ensure_signed(origin)?;
			Self::do_top_up_bond(worker)
		}

		/// Remove `worker`, whose validator left the authority set, releasing what is still held of
		/// its bond to it.
		///
		/// Origin: signed by any account.
		///
		/// Emits `DepartedWorkerRemoved`.
		///
		/// Errors: `NotRegistered` if `worker` is not a registered worker; `StillValidator` if it
		/// is still in `Config::ValidatorSet`; `WorkerBusy` if it has active jobs (they finish or
		/// time out first); `WorkerHasOpenRecords` if it has attribution records not yet final or
		/// rejected.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::remove_departed_worker())]
		pub fn remove_departed_worker(
			origin: OriginFor<T>,
			worker: T::AccountId,
		) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_remove_departed_worker(worker)
		}

		/// Set `VerifiersPerJob` (`k`) for the draws from now on; jobs already assigned keep their
		/// verifiers.
		///
		/// Origin: `ParamsOrigin` (root in the runtime).
		///
		/// Emits `VerifiersPerJobSet`.
		///
		/// Errors: `InvalidVerifierCount` if `verifiers` is not in `1..=MaxVerifiers`.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::set_verifiers_per_job())]
		pub fn set_verifiers_per_job(origin: OriginFor<T>, verifiers: u32) -> DispatchResult {
			T::ParamsOrigin::ensure_origin(origin)?;
			Self::do_set_verifiers_per_job(verifiers)
		}
	}
}
