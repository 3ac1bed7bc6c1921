//! # Attribution pallet (Proof of Attribution, on-chain side)
//!
//! - **Receipts.** A user signs an
//!   [`InferenceReceipt`](tributary_primitives::receipts::InferenceReceipt) for each paid answer
//!   (sr25519 through the runtime's signature type, over its `signing_payload`). The serving
//!   worker submits receipts in bounded batches (`submit_receipts`), each with its attribution
//!   claim: the method, the record's top-K (datanet, row) → score and the commitment of the full
//!   canonical [`tributary_primitives::attribution::AttributionRecord`].
//! - **Per-receipt outcome, not an atomic batch.** Each receipt is checked and stored in its own
//!   storage layer: an accepted one emits `ReceiptAccepted`, a refused one `ReceiptRefused` with
//!   its own error and leaves no trace in storage. One user's bad signature or empty wallet does
//!   not cost the worker the other users' receipts. The call itself fails only when the caller is
//!   not a worker or the batch is empty.
//! - Checks per receipt: the submitter is the receipt's worker, the receipt has not expired, the
//!   user's signature verifies, the nonce was never used by that user, the model version exists,
//!   is not retired, has a price and its adapter is the receipt's; the top scores are non-zero,
//!   canonical and sum to at most 100 %; every row is published in a datanet version of the model
//!   version's lineage and not slashed. Then the fee — `ceil(price_per_1k × tokens / 1000)`,
//!   capped by the receipt's `max_fee` — is held from the user.
//! - **Claims are bound to commitments.** A claim names the method, the top and the hash of the
//!   record's body (inputs and full score list); the chain derives the commitment
//!   `blake2_256(SCALE(method, body, top))` itself
//!   ([`tributary_primitives::attribution::commitment_of`]), so a worker cannot pair an honest
//!   body with a forged `top`: the commitment changes, an honest recomputation disagrees, and
//!   whoever holds the body proves the forgery at once with `prove_top_mismatch`.
//! - **The chain fixes the method's parameters** ([`Params`]' `methods`): span and influence
//!   parameters must be the chain's, a RAG record's query must be the signed prompt.
//! - **Receipts are bound to this chain**: users sign over the genesis hash (see
//!   [`tributary_primitives::receipts::InferenceReceipt::signing_payload`]); a signature made the
//!   polkadot.js way (`<Bytes>` wrapped) is accepted too.
//! - **Disputes.** Until `ChallengeWindow` blocks after submission anyone but the worker may
//!   `dispute` a record with `ChallengeBond` and their recomputed commitment (or
//!   [`tributary_primitives::attribution::TEXT_UNAVAILABLE`] when the worker withholds the
//!   answer's text). The recomputers are **drawn later**: `draw_delay` blocks after the dispute,
//!   in `on_initialize`, `recomputers` (k, a [`Params`] value) active workers other than the
//!   record's worker and the challenger are drawn from `T::Randomness` — randomness of blocks
//!   the challenger could not see when it disputed — and get `recompute_period` blocks to submit
//!   their recomputed commitments. As soon as more than half of the drawn recomputers agree,
//!   the majority decides. Each recomputer in the majority is paid `RecomputerReward` out of the
//!   loser's slash; each one in the minority loses `RecomputerSlash` of its bond:
//!   - on the record's commitment: the challenger's bond is slashed through
//!     [`tributary_primitives::traits::Slashing`] (the worker is the beneficiary) and the record
//!     stands;
//!   - on the challenger's commitment: `WorkerSlash` of the worker's bond is slashed with the
//!     challenger as beneficiary, the challenger's bond returned, the user's fee refunded and the
//!     record rejected;
//!   - on anything else: the record is wrong but so was the challenger: the worker is slashed
//!     all the same (no beneficiary: the treasury's share), the challenger's bond is returned
//!     without reward, the fee refunded and the record rejected.
//!
//!   Without a majority by the deadline anyone may `resolve_dispute`: the record stands, the
//!   bond is returned, and each drawn recomputer that submitted nothing loses `RecomputerSlash`
//!   (`RecomputationMissed`).
//! - **Suspended workers** (bond below the required bond, or no longer a validator: see
//!   [`tributary_primitives::traits::WorkerSet::is_active`]) submit no receipts and are not
//!   drawn; they still answer for their records.
//! - **Finalization.** A record whose window has closed undisputed, or whose dispute upheld it,
//!   is final: its fee moves to the rewards pot and the record is handed to
//!   [`tributary_primitives::traits::OnRecordFinalized`] (pallet-rewards), once. This happens
//!   automatically in `on_idle`: each accepted record is queued for the block after its window
//!   (an upheld one for the next block), and idle block weight works through the queue in block
//!   order, a `finalize` weight per record. Anyone may also `finalize` a record by hand, which is
//!   the fallback when blocks stay full or a block's queue (`MaxDuePerBlock`) overflowed.
//!   Aggregates (per row and per contributor cumulative score, per model version inference
//!   count) count finalized records only.
//! - **Open records.** Each worker's records that are not yet final or rejected (pending,
//!   disputed, upheld) are counted; through
//!   [`tributary_primitives::traits::OpenRecords`] pallet-models keeps the bond of a worker
//!   with any, so no worker escapes a dispute by unregistering.
//! - **Used nonces are forgotten after expiry.** A receipt is refused after its `expiry` block,
//!   so its nonce only has to be remembered until then: each used nonce is indexed by its
//!   receipt's expiry, and `on_idle` (after finalization, with the weight left) removes the nonces
//!   of expiry blocks before the current one, a bounded number per block. Replay stays impossible:
//!   the receipt's signature covers its expiry, so a forgotten nonce can only come back in a
//!   receipt that is refused as expired.
//!
//! Every call validates before it writes; a failed call leaves storage as it was.

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
pub trait BenchmarkHelper<AccountId, Signature> {
	/// The account of user number `user` and its signature over `payload`.
	fn sign(user: u32, payload: &[u8]) -> (AccountId, Signature);
	/// Make a priced, active model version exist whose lineage publishes at least `rows` rows;
	/// returns the version, its adapter hash and `rows` distinct rows of its lineage.
	fn model_version_with_rows(
		rows: u32,
	) -> (
		tributary_primitives::models::ModelId,
		tributary_primitives::models::ModelVersionId,
		tributary_primitives::ContentHash,
		alloc::vec::Vec<tributary_primitives::attribution::RowRef>,
	);
	/// Make `count` registered workers exist and return them.
	fn workers(count: u32) -> alloc::vec::Vec<AccountId>;
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			Randomness,
		},
	};
	use frame_system::{
		offchain::{AppCrypto, CreateSignedTransaction},
		pallet_prelude::*,
	};
	use sp_runtime::traits::{IdentifyAccount, Verify};
	use tributary_primitives::traits::{
		ModelsInspect, OnRecordFinalized, RowsInspect, SlashFees, Slashing, WorkerSet,
	};
	use tributary_primitives::{
		attribution::RecordBody,
		models::{ModelId, ModelVersionId},
		rewards::RecordId,
		ContentHash,
	};

	/// The layout of the pallet's storage. Version 0 is the layout the pallet launched with: no
	/// migration has run yet, and a chain whose storage predates this attribute reads as version 0
	/// too, so try-runtime's post-upgrade check (on-chain version equals in-code version) holds
	/// without a migration. A change to a stored type bumps it, together with its migration.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why the pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// An inference fee, held from the user until its record is final or rejected.
		InferenceFee,
		/// A challenger's bond, held until the dispute is decided.
		ChallengeBond,
	}

	#[pallet::config]
	pub trait Config:
		frame_system::Config<RuntimeEvent: From<Event<Self>>> + CreateSignedTransaction<Call<Self>>
	{
		/// The native currency; fees and bonds are holds on it.
		type Currency: Inspect<Self::AccountId>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		type RuntimeHoldReason: From<HoldReason>;

		/// The signature users sign receipts with (`MultiSignature` in the runtime; receipts are
		/// signed with sr25519).
		type ReceiptSignature: Verify<Signer: IdentifyAccount<AccountId = Self::AccountId>>
			+ Parameter
			+ MaxEncodedLen;

		/// Model versions: owner, price, retirement, adapter, lineage (pallet-models).
		type Models: ModelsInspect<Self::AccountId, BalanceOf<Self>>;
		/// Datanet rows: contributor and status (pallet-datanets).
		type Rows: RowsInspect<Self::AccountId>;
		/// The bonded worker set (pallet-models' workers).
		type Workers: WorkerSet<Self::AccountId>;
		/// The hold reason of the workers' bonds (pallet-models' `WorkerBond`): a worker whose
		/// record a dispute overturns loses `WorkerSlash` of that hold through `Slashing`.
		type WorkerBondReason: Get<Self::RuntimeHoldReason>;
		/// Slashes held funds with the parameterised destination split, after paying the
		/// majority's recomputers out of them (pallet-rewards).
		type Slashing: Slashing<Self::AccountId, BalanceOf<Self>, Self::RuntimeHoldReason>
			+ SlashFees<Self::AccountId, BalanceOf<Self>, Self::RuntimeHoldReason>;
		/// Receives finalized records and their fees (pallet-rewards).
		type OnFinalized: OnRecordFinalized<Self::AccountId, BalanceOf<Self>>;

		/// Sets [`Params`] (root now; a governance track later).
		type ParamsOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// [`Params`] until genesis or `set_params` writes them.
		type DefaultParams: Get<AttributionParams<BlockNumberFor<Self>>>;
		/// Randomness for drawing recomputers: it must depend on blocks after the dispute (the
		/// runtime mixes recent block hashes; see the threat model).
		type Randomness: Randomness<Self::Hash, BlockNumberFor<Self>>;

		/// Held from a challenger.
		#[pallet::constant]
		type ChallengeBond: Get<BalanceOf<Self>>;
		/// Slashed from a worker's bond when a dispute overturns its record.
		#[pallet::constant]
		type WorkerSlash: Get<BalanceOf<Self>>;
		/// Paid to each recomputer in a dispute's majority out of the loser's slash (the
		/// challenger's bond or `WorkerSlash`), before the rest is slashed; the first paid get it
		/// whole while the slash lasts.
		#[pallet::constant]
		type RecomputerReward: Get<BalanceOf<Self>>;
		/// Slashed from the bond of a drawn recomputer that submitted a commitment other than the
		/// deciding majority's, or nothing by the deadline of a dispute that reached none.
		#[pallet::constant]
		type RecomputerSlash: Get<BalanceOf<Self>>;
		/// Blocks after submission during which a record can be disputed.
		#[pallet::constant]
		type ChallengeWindow: Get<BlockNumberFor<Self>>;
		/// Most recomputers a dispute can draw (bounds [`Params`]' `recomputers`).
		#[pallet::constant]
		type MaxRecomputers: Get<u32>;
		/// Disputes whose recomputers are drawn in one block; more wait for the next blocks.
		#[pallet::constant]
		type MaxDrawsPerBlock: Get<u32>;
		/// Scores a revealed record body may list (`prove_top_mismatch`).
		#[pallet::constant]
		type MaxScores: Get<u32>;
		/// Receipts per `submit_receipts`.
		#[pallet::constant]
		type MaxBatchSize: Get<u32>;
		/// Scores per record (`K` of the top-K).
		#[pallet::constant]
		type MaxTopK: Get<u32>;
		/// Records queued for automatic finalization per block; records beyond it wait for a
		/// `finalize` call.
		#[pallet::constant]
		type MaxDuePerBlock: Get<u32>;

		type WeightInfo: WeightInfo;

		/// Signs the off-chain worker's receipt batches with the validator's worker key.
		type WorkerSigner: AppCrypto<Self::Public, Self::Signature>;

		/// Signs receipts and creates models, rows and workers for benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId, Self::ReceiptSignature>;
	}

	/// The dispute and method parameters in force.
	#[pallet::storage]
	pub type Params<T: Config> =
		StorageValue<_, AttributionParams<BlockNumberFor<T>>, ValueQuery, T::DefaultParams>;

	/// Id the next accepted record gets.
	#[pallet::storage]
	pub type NextRecordId<T> = StorageValue<_, RecordId, ValueQuery>;

	/// Disputes whose recomputers are drawn in a block (`on_initialize`), in dispute order.
	#[pallet::storage]
	pub type PendingDraws<T: Config> =
		StorageMap<_, Twox64Concat, BlockNumberFor<T>, DrawListOf<T>, ValueQuery>;

	/// Every accepted record, whatever became of it (the audit trail).
	#[pallet::storage]
	pub type Records<T: Config> = StorageMap<_, Twox64Concat, RecordId, RecordInfo<T>>;

	/// Nonces each user has used in accepted receipts whose expiry has not been pruned yet.
	#[pallet::storage]
	pub type UsedNonces<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, u64, RecordId>;

	/// The entries of `UsedNonces` by the expiry block of the receipt that used them, which is
	/// the last block that nonce must be remembered.
	#[pallet::storage]
	pub type NoncesByExpiry<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		Blake2_128Concat,
		(T::AccountId, u64),
		(),
	>;

	/// The first expiry block whose nonces `on_idle` has not finished forgetting.
	#[pallet::storage]
	pub type NoncePruneCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Per worker, its records not yet final or rejected (pending, disputed or upheld).
	#[pallet::storage]
	pub type OpenRecordCount<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Open disputes, with the recomputers assigned to them.
	#[pallet::storage]
	pub type Disputes<T: Config> = StorageMap<_, Twox64Concat, RecordId, DisputeInfo<T>>;

	/// Records that become finalizable in a block, in acceptance order: the `on_idle` queue.
	#[pallet::storage]
	pub type DueRecords<T: Config> =
		StorageMap<_, Twox64Concat, BlockNumberFor<T>, DueListOf<T>, ValueQuery>;

	/// The first block whose due records `on_idle` has not finished.
	#[pallet::storage]
	pub type FinalizeCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Sum of a row's scores (parts per billion) over finalized records.
	#[pallet::storage]
	pub type RowAttribution<T> = StorageDoubleMap<
		_,
		Twox64Concat,
		tributary_primitives::datanets::DatanetId,
		Twox64Concat,
		tributary_primitives::datanets::RowId,
		u64,
		ValueQuery,
	>;

	/// Sum of a contributor's rows' scores (parts per billion) over finalized records.
	#[pallet::storage]
	pub type ContributorAttribution<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u64, ValueQuery>;

	/// Finalized (paid) inferences per model version.
	#[pallet::storage]
	pub type ModelInferences<T> =
		StorageDoubleMap<_, Twox64Concat, ModelId, Twox64Concat, ModelVersionId, u64, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The chain's parameters from genesis (each preset its own); `None` keeps
		/// `DefaultParams`.
		pub params: Option<AttributionParams<BlockNumberFor<T>>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(params) = &self.params {
				Pallet::<T>::check_params(params).expect("genesis attribution params are valid");
				Params::<T>::put(params);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A receipt was accepted as record `record`, committing to `commitment`; `fee` is held
		/// from `user` until the record is final or rejected.
		ReceiptAccepted {
			record: RecordId,
			user: T::AccountId,
			nonce: u64,
			worker: T::AccountId,
			fee: BalanceOf<T>,
			commitment: ContentHash,
		},
		/// Receipt number `index` of a batch was refused; nothing of it was stored.
		ReceiptRefused { index: u32, user: T::AccountId, nonce: u64, error: DispatchError },
		/// A record was disputed; its recomputers are drawn in block `draw_at`.
		Disputed {
			record: RecordId,
			challenger: T::AccountId,
			commitment: ContentHash,
			draw_at: BlockNumberFor<T>,
		},
		/// A dispute's recomputers were drawn; they submit until `deadline`.
		RecomputersDrawn {
			record: RecordId,
			recomputers: RecomputersOf<T>,
			deadline: BlockNumberFor<T>,
		},
		/// A drawn recomputer submitted its commitment for a disputed record.
		RecomputationSubmitted {
			record: RecordId,
			recomputer: T::AccountId,
			commitment: ContentHash,
		},
		/// A majority recomputed the record's commitment: the challenger's bond was slashed
		/// (`slashed` in all, of which `recomputers_paid` went to the majority's recomputers).
		DisputeLostByChallenger {
			record: RecordId,
			challenger: T::AccountId,
			slashed: BalanceOf<T>,
			recomputers_paid: BalanceOf<T>,
		},
		/// The record was found wrong (by a majority of recomputers, or by a revealed body that
		/// does not give its top): the worker's bond was slashed (`worker_slashed` in all, of which
		/// `recomputers_paid` went to the majority's recomputers) and the fee refunded.
		/// `challenger_rewarded` says whether the majority matched the challenger's commitment
		/// (the challenger is then the slash's beneficiary).
		RecordOverturned {
			record: RecordId,
			recomputed: ContentHash,
			worker_slashed: BalanceOf<T>,
			recomputers_paid: BalanceOf<T>,
			refunded: BalanceOf<T>,
			challenger_rewarded: bool,
		},
		/// A drawn recomputer submitted a commitment other than the deciding majority's and lost
		/// `slashed` of its bond.
		RecomputerOutvoted { record: RecordId, recomputer: T::AccountId, slashed: BalanceOf<T> },
		/// A drawn recomputer submitted nothing by the deadline of a dispute that reached no
		/// majority and lost `slashed` of its bond (noted before `DisputeDismissed`).
		RecomputationMissed { record: RecordId, recomputer: T::AccountId, slashed: BalanceOf<T> },
		/// [`Params`] changed.
		ParamsSet { params: AttributionParams<BlockNumberFor<T>> },
		/// No majority by the deadline (or no active worker left to draw): the record stands and
		/// the bond was returned.
		DisputeDismissed { record: RecordId },
		/// The record became final: its `fee` moved to the rewards pot and the record went to
		/// rewards.
		RecordFinalized { record: RecordId, fee: BalanceOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// Only registered workers submit receipts.
		NotWorker,
		/// The worker is suspended (its bond fell below the required bond, or it is no longer a
		/// validator): it submits no receipts until it tops up its bond.
		WorkerSuspended,
		/// The record's method uses parameters other than the chain's (`Params.methods`).
		MethodNotAllowed,
		/// A RAG record's query must be the signed prompt (`query == prompt_hash`).
		RagQueryNotPrompt,
		/// A batch needs at least one receipt.
		EmptyBatch,
		/// The receipt names another worker; only the serving worker may submit it.
		WrongWorker,
		/// The receipt's expiry block has passed.
		ReceiptExpired,
		/// The user's signature does not verify over the receipt's signing payload.
		BadSignature,
		/// The user already used this nonce in an accepted receipt (a replay).
		NonceUsed,
		/// No such model version.
		UnknownModelVersion,
		/// The model is retired.
		ModelRetired,
		/// The model's owner has set no price.
		ModelNotPriced,
		/// The receipt's adapter is not the model version's adapter.
		AdapterMismatch,
		/// A score is zero.
		ZeroScore,
		/// The scores add up to more than 100 %.
		ScoresExceedOne,
		/// The scores are not in canonical order (highest first, ties by row) or list a row twice.
		ScoresNotCanonical,
		/// A scored row does not exist.
		UnknownRow,
		/// A scored row is not published in a datanet version of the model's lineage.
		RowOutsideLineage,
		/// A scored row was slashed.
		RowSlashed,
		/// No such record.
		UnknownRecord,
		/// Only a record that is pending (not disputed, decided or final) can be disputed.
		RecordNotDisputable,
		/// The record's challenge window has closed.
		ChallengeWindowClosed,
		/// The worker cannot dispute its own record.
		OwnRecord,
		/// The challenger's commitment equals the record's: there is nothing to dispute.
		SameCommitment,
		/// No active worker other than the record's worker and the challenger could recompute.
		NotEnoughRecomputers,
		/// Every block a dispute could be drawn in soon is full (`MaxDrawsPerBlock`); try later.
		TooManyDisputes,
		/// The dispute's recomputers are not drawn yet.
		NotDrawnYet,
		/// The revealed body does not hash to the record's body.
		WrongBody,
		/// The revealed body gives exactly the record's top: nothing to prove.
		TopMatches,
		/// Parameters out of range: `recomputers` must be between 1 and `MaxRecomputers`,
		/// `draw_delay` at least 2 blocks, `recompute_period` at least 1 block, and the methods
		/// workable (`MethodSettings::unworkable`).
		InvalidParams,
		/// The record has no open dispute.
		NoDispute,
		/// The caller is not assigned to recompute this record.
		NotRecomputer,
		/// This recomputer already submitted.
		AlreadyRecomputed,
		/// The recomputation deadline has passed.
		RecomputeDeadlinePassed,
		/// The recomputation deadline has not passed yet.
		RecomputeDeadlineNotPassed,
		/// The record's challenge window is still open.
		ChallengeWindowOpen,
		/// Only a pending record past its window or an upheld record can be finalized.
		RecordNotFinalizable,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// The pallet's invariants ([`Pallet::do_try_state`]), after each block and upgrade.
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}

		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::draw_due(now)
		}

		fn on_idle(now: BlockNumberFor<T>, remaining_weight: Weight) -> Weight {
			let finalizing = Self::finalize_due(now, remaining_weight);
			let pruning =
				Self::prune_expired_nonces(now, remaining_weight.saturating_sub(finalizing));
			finalizing.saturating_add(pruning)
		}

		fn offchain_worker(now: BlockNumberFor<T>) {
			Self::offchain_work(now);
		}

		fn integrity_test() {
			assert!(
				Self::check_params(&T::DefaultParams::get()).is_ok(),
				"the default params must be valid"
			);
			assert!(T::MaxDrawsPerBlock::get() >= 1, "a block must fit one draw");
			assert!(T::MaxBatchSize::get() >= 1, "a batch must fit one receipt");
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Submit signed receipts with their attribution claims. Each receipt is checked and stored
		/// on its own: accepted, its fee held from the user and its record queued for finalization,
		/// or refused with nothing stored (see the module docs for the checks).
		///
		/// Origin: signed by an active worker (registered, its held bond at least the required
		/// bond, a validator); each receipt must name it as the serving worker.
		///
		/// Emits per receipt `ReceiptAccepted`, or `ReceiptRefused` with the receipt's error:
		/// `WrongWorker` if the receipt names another worker; `ReceiptExpired` if its expiry block
		/// has passed; `BadSignature` if the user's signature does not verify; `NonceUsed` if the
		/// user already used the nonce in an accepted receipt (also earlier in the batch);
		/// `UnknownModelVersion`, `ModelRetired`, `ModelNotPriced` or `AdapterMismatch` if the
		/// model version does not exist, is retired, has no price or has another adapter;
		/// `MethodNotAllowed` or `RagQueryNotPrompt` if the claim's method is not the chain's;
		/// `ZeroScore`, `ScoresExceedOne` or `ScoresNotCanonical` if its top is malformed;
		/// `UnknownRow`, `RowSlashed` or `RowOutsideLineage` if a scored row does not exist, was
		/// slashed or is not published in the model version's lineage; or the currency's error if
		/// the user cannot hold the fee.
		///
		/// Errors of the call itself: `NotWorker` if the caller is not a registered worker;
		/// `WorkerSuspended` if it is registered but not active; `EmptyBatch` if `batch` is empty.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::submit_receipts(batch.len() as u32, T::MaxTopK::get()))]
		pub fn submit_receipts(origin: OriginFor<T>, batch: ReceiptBatchOf<T>) -> DispatchResult {
			let worker = ensure_signed(origin)?;
			Self::do_submit_receipts(worker, batch)
		}

		/// Dispute a pending record within its challenge window, holding `ChallengeBond` from the
		/// caller, with the caller's recomputed commitment (or `TEXT_UNAVAILABLE` when the answer's
		/// text cannot be had). The recomputers are drawn `draw_delay` blocks later in
		/// `on_initialize`, which emits `RecomputersDrawn` (or `DisputeDismissed` when no active
		/// worker is left to draw).
		///
		/// Origin: signed by any account but the record's worker.
		///
		/// Emits `Disputed`, naming the block the recomputers are drawn in.
		///
		/// Errors: `UnknownRecord` if no record has this id; `RecordNotDisputable` if the record is
		/// not pending (already disputed, decided or final); `ChallengeWindowClosed` if more than
		/// `ChallengeWindow` blocks have passed since its submission; `OwnRecord` if the caller is
		/// the record's worker; `SameCommitment` if `commitment` is the record's;
		/// `NotEnoughRecomputers` if no active worker other than the record's worker and the caller
		/// could recompute; `TooManyDisputes` if the draw lists of the 16 blocks from the draw
		/// block on are all full (`MaxDrawsPerBlock`); or the currency's error if the caller cannot
		/// hold the bond.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::dispute())]
		pub fn dispute(
			origin: OriginFor<T>,
			record: RecordId,
			commitment: ContentHash,
		) -> DispatchResult {
			let challenger = ensure_signed(origin)?;
			Self::do_dispute(challenger, record, commitment)
		}

		/// Submit a drawn recomputer's commitment for a disputed record. Once more than half of the
		/// drawn recomputers have submitted the same commitment, that majority decides the dispute
		/// (see the module docs).
		///
		/// Origin: signed by one of the recomputers drawn for the dispute.
		///
		/// Emits `RecomputationSubmitted`. When it makes a majority: `RecomputerOutvoted` per
		/// recomputer that submitted another commitment, then `DisputeLostByChallenger` (the
		/// majority recomputed the record's commitment) or `RecordOverturned` (it did not), with
		/// pallet-rewards' `SlashFeePaid` and `Slashed` for the slashes (through
		/// `Config::Slashing`).
		///
		/// Errors: `NoDispute` if the record has no open dispute; `NotDrawnYet` if its recomputers
		/// are not drawn yet; `NotRecomputer` if the caller is not one of them; `AlreadyRecomputed`
		/// if the caller already submitted; `RecomputeDeadlinePassed` if the recomputation deadline
		/// (`recompute_period` blocks after the draw) has passed.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::submit_recomputation())]
		pub fn submit_recomputation(
			origin: OriginFor<T>,
			record: RecordId,
			commitment: ContentHash,
		) -> DispatchResult {
			let recomputer = ensure_signed(origin)?;
			Self::do_submit_recomputation(recomputer, record, commitment)
		}

		/// Dismiss a dispute that reached no majority by its deadline: the record stands (upheld,
		/// finalizable from now on), the bond is returned, and each drawn recomputer that submitted
		/// nothing loses `RecomputerSlash`.
		///
		/// Origin: signed by any account.
		///
		/// Emits `RecomputationMissed` per silent recomputer (with pallet-rewards' `Slashed`), then
		/// `DisputeDismissed`.
		///
		/// Errors: `NoDispute` if the record has no open dispute; `NotDrawnYet` if its recomputers
		/// are not drawn yet; `RecomputeDeadlineNotPassed` if the recomputation deadline has not
		/// passed.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::resolve_dispute())]
		pub fn resolve_dispute(origin: OriginFor<T>, record: RecordId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_resolve_dispute(record)
		}

		/// Finalize a record whose challenge window closed undisputed, or that its dispute left
		/// standing: its fee moves to the rewards pot, the attribution aggregates count it and it
		/// is handed to `Config::OnFinalized` (pallet-rewards), once. Records are finalized
		/// automatically in `on_idle`; this call is the fallback.
		///
		/// Origin: signed by any account.
		///
		/// Emits `RecordFinalized`, and pallet-rewards' `RecordRewarded` (through
		/// `Config::OnFinalized`).
		///
		/// Errors: `UnknownRecord` if no record has this id; `ChallengeWindowOpen` if the record is
		/// pending and its challenge window has not closed; `RecordNotFinalizable` if it is
		/// disputed, rejected or already final.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::finalize(T::MaxTopK::get()))]
		pub fn finalize(origin: OriginFor<T>, record: RecordId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_finalize(record)
		}

		/// Prove that a record's `top` is not the top of the body it commits to: reveal the body.
		/// When it hashes to the record's body and is not canonical or gives another top, the
		/// record is overturned at once: the worker loses `WorkerSlash` with the caller as
		/// beneficiary, the fee is refunded, and an open dispute of it ends with its bond returned.
		/// No bond is needed: a wrong proof fails and changes nothing.
		///
		/// Origin: signed by any account but the record's worker, while the record is pending (in
		/// or past its window, not yet final) or disputed.
		///
		/// Emits `RecordOverturned`, with pallet-rewards' `Slashed` (and `SlashFeePaid` to the
		/// recomputers of an open dispute who submitted the honest commitment) through
		/// `Config::Slashing`.
		///
		/// Errors: `UnknownRecord` if no record has this id; `RecordNotDisputable` if the record is
		/// upheld, final or rejected; `OwnRecord` if the caller is the record's worker; `WrongBody`
		/// if `body` does not hash to the record's body; `TopMatches` if `body` is canonical and
		/// gives exactly the record's top.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::prove_top_mismatch(body.scores.len() as u32))]
		pub fn prove_top_mismatch(
			origin: OriginFor<T>,
			record: RecordId,
			body: RecordBody<BoundedVec<tributary_primitives::attribution::RowScore, T::MaxScores>>,
		) -> DispatchResult {
			let prover = ensure_signed(origin)?;
			Self::do_prove_top_mismatch(prover, record, body)
		}

		/// Set the dispute and method parameters. Disputes already drawn keep their recomputers and
		/// deadline.
		///
		/// Origin: `ParamsOrigin` (root in the runtime).
		///
		/// Emits `ParamsSet`.
		///
		/// Errors: `InvalidParams` if `recomputers` is not between 1 and `MaxRecomputers`,
		/// `draw_delay` is under 2 blocks, `recompute_period` is under 1 block, or the methods are
		/// unworkable (`MethodSettings::unworkable`).
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::set_params())]
		pub fn set_params(
			origin: OriginFor<T>,
			params: AttributionParams<BlockNumberFor<T>>,
		) -> DispatchResult {
			T::ParamsOrigin::ensure_origin(origin)?;
			Self::do_set_params(params)
		}
	}
}
