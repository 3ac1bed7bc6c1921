//! # Datanets pallet
//!
//! Communities collect domain data in **datanets**. The chain keeps each row's blake2-256 content
//! hash, byte length, contributor, deposit and status; the bytes live in the workers' content store.
//!
//! - An owner creates a datanet (name unique per owner and immutable, summary, markdown
//!   description, tags, license, visibility), holding a creation deposit. The owner edits the
//!   metadata, manages curators and the allow-list of a private datanet, and may hand the datanet
//!   to another account (who then holds the creation deposit instead).
//! - Contributors add rows one by one or in bounded batches, holding a per-row deposit of
//!   `RowDepositBase + RowDepositPerByte × byte_len`. A content hash already present anywhere on the
//!   chain is refused (`DuplicateRow`; the `row_by_content_hash` query names the existing row).
//! - The owner or a curator approves or rejects pending rows in bounded batches. A rejected row's
//!   deposit is returned, except that `SpamSlashRate` of it is slashed when the reason is `Spam`.
//!   A contributor may withdraw a row that is still pending.
//! - `publish_version` turns the approved rows into version N: a merkle root over their content
//!   hashes in row order ([`tributary_primitives::datanets::merkle_root`]), row count and total
//!   bytes. The publisher pays `PublishFeeBase + PublishFeePerByte × total_bytes` to the treasury.
//!   Versions are immutable and stay addressable.
//! - **Challenges.** Anyone may challenge an approved or published row whose deposit is still
//!   held (`challenge_row`: duplicate, spam, adversarial), holding a bond. An active worker
//!   (`Config::Workers`) may report what it saw when a job assembled the row (`report_row`): the
//!   stored bytes are not `byte_len` long, or no store serves them. The chain cannot see row bytes
//!   and `byte_len` is self-declared, so this is how a lie about it is caught; a report is a
//!   challenge like any other, with the same bond and the same reward. The bond is not waived for
//!   workers: a free report would let any worker lock a contributor's deposit and take the
//!   judge's time at no cost, while the bond (the row's deposit, small beside a worker's stake)
//!   does not deter an honest report, which the reward pays for. At most one challenge per row is
//!   open at a time.
//! - **Reports from jobs.** The sidecar checks each row a job assembles against its declared
//!   `byte_len` and notes the rows no store serves (`GET /rows/reports`); this pallet's off-chain
//!   worker submits `report_row` for each of them that the chain can still act on (see
//!   [`offchain`]).
//! - **A neutral judge with a deadline.** Only `Config::ChallengeOrigin` (root now, governance
//!   later) decides a challenge (`resolve_challenge`), within `ChallengeDecisionPeriod` blocks of
//!   its opening. The datanet's owner and curators do not judge: they approve the rows in the
//!   first place and could hold rows of their own, so they are an interested party. A challenge
//!   not decided by its deadline can be closed by anyone (`expire_challenge`): it is dismissed,
//!   the bond returned whole and nobody slashed, so a judge's silence costs neither side. A
//!   frivolous challenge that is left to expire delays the contributor's `release_deposit` by at
//!   most `ChallengeDecisionPeriod`, and locks the challenger's bond for as long.
//!   - *Upheld*: the row is slashed (status `Slashed`). `ChallengeRewardRate` of its deposit is
//!     paid to the challenger out of the held deposit (`SlashFees`), the rest is slashed through
//!     `Slashing` with no beneficiary (all to the treasury), and the bond is returned.
//!   - *Rejected*: the whole bond is slashed through `Slashing` with the wrongly accused
//!     contributor as beneficiary (pallet-rewards splits it between the contributor and the
//!     treasury). The judge, the owner and the curators get nothing from it, so nobody who decides
//!     or approves the row profits from a losing bond; the contributor is compensated for an
//!     accusation it could neither cause nor decide (challenging its own row to collect its own
//!     slashed bond returns at most the bond).
//! - **Bond and reward sizes.** A challenge of a row with deposit `D` holds the bond
//!   `B = max(ChallengeBondRate × D, MinChallengeBond)`; an upheld one pays the reward
//!   `R = ChallengeRewardRate × D` on top of the returned bond. With `r = ChallengeRewardRate`
//!   and `b = ChallengeBondRate`:
//!   - *challenging spam pays*: `R / B = r·D / max(b·D, MinChallengeBond)`, which is `r / b`
//!     whenever the floor does not bind and never below
//!     `r·D_min / max(b·D_min, MinChallengeBond)` with `D_min = RowDepositBase +
//!     RowDepositPerByte` (the smallest row's deposit); `integrity_test` checks that the smallest
//!     row's reward is above zero;
//!   - *self-challenge loses*: a contributor challenging its own row (from any account) gets
//!     `R` back out of its own slashed deposit `D`, and `R < D` because `r < 100 %`
//!     (`integrity_test`), so it loses `D − R = (1 − r)·D > 0`; the bond comes back, the rest of
//!     the deposit goes to the treasury whatever pallet-rewards' beneficiary share is.
//! - **Slashing** goes through `Config::Slashing`
//!   ([`tributary_primitives::traits::Slashing`], pallet-rewards in the runtime), the one place
//!   that decides where slashed funds go (a share to the beneficiary, the rest to the treasury);
//!   the challenger's reward is paid through the same place
//!   ([`tributary_primitives::traits::SlashFees`]) and counts as slashed from the contributor.
//!   This pallet decides only how much is slashed: `SpamSlashRate` of a spam row's deposit, the
//!   whole deposit of a row a challenge proved bad, the whole bond of a failed challenge.
//! - A published row's deposit is released to its contributor once `ChallengePeriod` blocks have
//!   passed since publication and no challenge is open (`release_deposit`).
//! - Curation outcomes feed per-contributor reputation counters, readable through
//!   [`tributary_primitives::traits::ContributorReputationInspect`].
//!
//! Every call validates before it writes; a failed call leaves storage as it was.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

mod features;
pub mod offchain;
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
	/// An account that `Config::Workers` holds active (a registered, bonded worker).
	fn active_worker() -> AccountId;
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
	use sp_runtime::{traits::Zero, Perbill};
	use tributary_primitives::traits::{SlashFees, Slashing, WorkerSet};
	use tributary_primitives::{
		datanets::{
			ChallengeKind, ContributorReputation, DatanetId, RejectReason, RowId, VersionId,
			Visibility,
		},
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
		/// A datanet's creation deposit, held from its owner.
		DatanetDeposit,
		/// A row's deposit, held from its contributor.
		RowDeposit,
		/// A challenger's bond.
		ChallengeBond,
	}

	#[pallet::config]
	pub trait Config:
		frame_system::Config<RuntimeEvent: From<Event<Self>>> + CreateSignedTransaction<Call<Self>>
	{
		/// The native currency; deposits and bonds are holds on it.
		type Currency: Inspect<Self::AccountId>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		type RuntimeHoldReason: From<HoldReason>;

		/// Receives publish fees. It must exist (hold at least the existential deposit), or
		/// transfers of less than the existential deposit to it fail.
		type TreasuryAccount: Get<Self::AccountId>;

		/// Slashes held deposits and bonds with the parameterised destination split, after paying
		/// an upheld challenge's reward out of the slashed deposit (pallet-rewards).
		type Slashing: Slashing<Self::AccountId, BalanceOf<Self>, Self::RuntimeHoldReason>
			+ SlashFees<Self::AccountId, BalanceOf<Self>, Self::RuntimeHoldReason>;

		/// Decides challenges (in the runtime: root or the catalogue track). Never the datanet's owner
		/// or curators.
		type ChallengeOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The worker set (pallet-models' workers): only an active worker reports a row whose
		/// bytes do not match its `byte_len` or cannot be fetched.
		type Workers: WorkerSet<Self::AccountId>;

		/// Held from a datanet's owner.
		#[pallet::constant]
		type DatanetDeposit: Get<BalanceOf<Self>>;
		/// Fixed part of a row's deposit.
		#[pallet::constant]
		type RowDepositBase: Get<BalanceOf<Self>>;
		/// Part of a row's deposit per byte of row content.
		#[pallet::constant]
		type RowDepositPerByte: Get<BalanceOf<Self>>;
		/// Fixed part of the fee for publishing a version.
		#[pallet::constant]
		type PublishFeeBase: Get<BalanceOf<Self>>;
		/// Part of the publish fee per byte of the version's rows.
		#[pallet::constant]
		type PublishFeePerByte: Get<BalanceOf<Self>>;
		/// A challenger's bond as a share of the challenged row's deposit (`b` in the module docs).
		#[pallet::constant]
		type ChallengeBondRate: Get<Perbill>;
		/// The least bond a challenge holds, whatever the row's deposit.
		#[pallet::constant]
		type MinChallengeBond: Get<BalanceOf<Self>>;
		/// Share of a row's deposit paid to the challenger when its challenge is upheld (`r` in
		/// the module docs); the rest of the deposit goes to the treasury. Below 100 %, so a
		/// self-challenge loses money; above zero, so challenging spam pays.
		#[pallet::constant]
		type ChallengeRewardRate: Get<Perbill>;
		/// Blocks after its opening within which `ChallengeOrigin` decides a challenge; after
		/// them anyone may close it (`expire_challenge`), returning the bond.
		#[pallet::constant]
		type ChallengeDecisionPeriod: Get<BlockNumberFor<Self>>;
		/// Share of a row's deposit slashed when it is rejected as spam; the rest is returned.
		#[pallet::constant]
		type SpamSlashRate: Get<Perbill>;
		/// Blocks after publication during which a published row can still be challenged before
		/// its contributor may release the deposit.
		#[pallet::constant]
		type ChallengePeriod: Get<BlockNumberFor<Self>>;
		/// The least similarity (parts per million of the row's word bigrams found in earlier
		/// rows, as tributary-dedup measures it) a `NearDuplicate` report must claim.
		#[pallet::constant]
		type NearDuplicateThreshold: Get<u32>;

		#[pallet::constant]
		type MaxNameLen: Get<u32>;
		#[pallet::constant]
		type MaxSummaryLen: Get<u32>;
		/// Bytes of markdown description.
		#[pallet::constant]
		type MaxDescriptionLen: Get<u32>;
		#[pallet::constant]
		type MaxTagLen: Get<u32>;
		#[pallet::constant]
		type MaxTags: Get<u32>;
		#[pallet::constant]
		type MaxLicenseLen: Get<u32>;
		#[pallet::constant]
		type MaxLabelLen: Get<u32>;
		#[pallet::constant]
		type MaxCurators: Get<u32>;
		/// Rows per `contribute_batch`, `approve` and `reject`.
		#[pallet::constant]
		type MaxBatchSize: Get<u32>;
		/// Rows per version: approvals beyond it wait for a `publish_version`.
		#[pallet::constant]
		type MaxRowsPerVersion: Get<u32>;

		type WeightInfo: WeightInfo;

		/// Signs the off-chain worker's `report_row` with the validator's worker key.
		type WorkerSigner: AppCrypto<Self::Public, Self::Signature>;

		/// Creates active workers for the `report_row` benchmark.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// Id the next datanet gets.
	#[pallet::storage]
	pub type NextDatanetId<T> = StorageValue<_, DatanetId, ValueQuery>;

	#[pallet::storage]
	pub type Datanet<T: Config> = StorageMap<_, Twox64Concat, DatanetId, DatanetInfoOf<T>>;

	/// (owner, name) → datanet, which keeps names unique per owner.
	#[pallet::storage]
	pub type DatanetIdByName<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Blake2_128Concat, NameOf<T>, DatanetId>;

	/// Accounts other than the owner and curators allowed to contribute to a private datanet.
	#[pallet::storage]
	pub type AllowList<T: Config> =
		StorageDoubleMap<_, Twox64Concat, DatanetId, Blake2_128Concat, T::AccountId, ()>;

	/// Rows that are pending, approved, published or slashed. Rejected and withdrawn rows are
	/// removed.
	#[pallet::storage]
	pub type Rows<T: Config> =
		StorageDoubleMap<_, Twox64Concat, DatanetId, Twox64Concat, RowId, RowInfoOf<T>>;

	/// Content hash → the row holding it, chain-wide (duplicate refusal).
	#[pallet::storage]
	pub type RowByHash<T> = StorageMap<_, Blake2_128Concat, ContentHash, (DatanetId, RowId)>;

	/// Approved rows waiting for the next `publish_version`, in approval order.
	#[pallet::storage]
	pub type ApprovedRows<T: Config> =
		StorageMap<_, Twox64Concat, DatanetId, VersionRowsOf<T>, ValueQuery>;

	#[pallet::storage]
	pub type Versions<T: Config> =
		StorageDoubleMap<_, Twox64Concat, DatanetId, Twox64Concat, VersionId, VersionInfoOf<T>>;

	/// The rows of a version, in row order (the merkle leaf order).
	#[pallet::storage]
	pub type VersionRows<T: Config> =
		StorageDoubleMap<_, Twox64Concat, DatanetId, Twox64Concat, VersionId, VersionRowsOf<T>>;

	/// The open challenge against a row (at most one at a time), until it is decided or expires.
	#[pallet::storage]
	pub type Challenges<T: Config> =
		StorageDoubleMap<_, Twox64Concat, DatanetId, Twox64Concat, RowId, ChallengeInfoOf<T>>;

	#[pallet::storage]
	pub type Reputation<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, ContributorReputation, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A datanet was created and `DatanetDeposit` held from its owner.
		DatanetCreated { datanet: DatanetId, owner: T::AccountId, name: NameOf<T> },
		/// A datanet's summary, description and tags were replaced.
		MetadataUpdated { datanet: DatanetId },
		/// `curator` now curates the datanet.
		CuratorAdded { datanet: DatanetId, curator: T::AccountId },
		/// `curator` no longer curates the datanet.
		CuratorRemoved { datanet: DatanetId, curator: T::AccountId },
		/// The datanet was made public or private.
		VisibilitySet { datanet: DatanetId, visibility: Visibility },
		/// `who` was added to (`allowed`) or removed from the datanet's allow-list.
		ContributorAllowed { datanet: DatanetId, who: T::AccountId, allowed: bool },
		/// The datanet passed from `from` to `to`, who now holds its creation deposit.
		OwnershipTransferred { datanet: DatanetId, from: T::AccountId, to: T::AccountId },
		/// A row was added as pending, `deposit` held from its contributor.
		RowContributed {
			datanet: DatanetId,
			row: RowId,
			contributor: T::AccountId,
			content_hash: ContentHash,
			byte_len: u32,
			deposit: BalanceOf<T>,
		},
		/// A pending row was approved for the next version.
		RowApproved { datanet: DatanetId, row: RowId },
		/// `returned` went back to the contributor, `slashed` was slashed (kind `SpamRow`).
		RowRejected {
			datanet: DatanetId,
			row: RowId,
			reason: RejectReason,
			returned: BalanceOf<T>,
			slashed: BalanceOf<T>,
		},
		/// The contributor withdrew its pending row; `returned` (the whole deposit) went back to
		/// it.
		RowWithdrawn { datanet: DatanetId, row: RowId, returned: BalanceOf<T> },
		/// The approved rows were published as `version`; the publisher paid `fee` to the treasury.
		VersionPublished {
			datanet: DatanetId,
			version: VersionId,
			merkle_root: ContentHash,
			row_count: u32,
			total_bytes: u64,
			fee: BalanceOf<T>,
		},
		/// A row was challenged (or reported by a worker); `bond` is held from the challenger until
		/// the challenge is decided or expires.
		RowChallenged {
			datanet: DatanetId,
			row: RowId,
			challenger: T::AccountId,
			kind: ChallengeKind,
			bond: BalanceOf<T>,
		},
		/// The row's deposit was taken (kind `SpamRow`): `reward` paid to the challenger, `slashed`
		/// to the treasury; the challenger's bond was returned.
		ChallengeUpheld {
			datanet: DatanetId,
			row: RowId,
			challenger: T::AccountId,
			reward: BalanceOf<T>,
			slashed: BalanceOf<T>,
		},
		/// The challenger's bond was slashed (kind `LosingChallenger`, the row's contributor the
		/// beneficiary).
		ChallengeRejected {
			datanet: DatanetId,
			row: RowId,
			challenger: T::AccountId,
			bond_slashed: BalanceOf<T>,
		},
		/// A published row's deposit, `amount`, went back to its contributor.
		DepositReleased {
			datanet: DatanetId,
			row: RowId,
			contributor: T::AccountId,
			amount: BalanceOf<T>,
		},
		/// Nobody decided the challenge by its deadline: dismissed, `bond` returned to the
		/// challenger, nobody slashed.
		ChallengeExpired {
			datanet: DatanetId,
			row: RowId,
			challenger: T::AccountId,
			bond: BalanceOf<T>,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No datanet with this id.
		UnknownDatanet,
		/// Only the datanet's owner may do this.
		NotOwner,
		/// Only the datanet's owner or one of its curators may do this.
		NotOwnerOrCurator,
		/// A datanet name must not be empty.
		EmptyName,
		/// The (new) owner already has a datanet with this name.
		NameTaken,
		/// The account already curates this datanet (or owns it).
		AlreadyCurator,
		/// The account does not curate this datanet.
		NotCurator,
		/// The datanet has the maximum number of curators.
		TooManyCurators,
		/// The datanet is private and the account is not its owner, a curator or allow-listed.
		NotAllowedToContribute,
		/// A row must have at least one byte.
		EmptyRow,
		/// A row with this content hash already exists (in this or another datanet, or earlier in
		/// the same batch); query `row_by_content_hash` for it.
		DuplicateRow,
		/// A batch must not be empty.
		EmptyBatch,
		/// No row with this id in this datanet.
		UnknownRow,
		/// The row is not pending (already approved, published or slashed).
		RowNotPending,
		/// Only the row's contributor may do this.
		NotContributor,
		/// The next version is full; publish before approving more rows.
		TooManyApprovedRows,
		/// No approved rows wait for publication.
		NothingToPublish,
		/// Only approved or published rows whose deposit is still held can be challenged.
		RowNotChallengeable,
		/// The row already has an open challenge.
		ChallengeAlreadyOpen,
		/// The row has no open challenge.
		NoOpenChallenge,
		/// The row has an open challenge; its deposit stays held until it is resolved.
		ChallengeOpen,
		/// The deposit can be released only for a published row whose deposit is still held.
		DepositNotReleasable,
		/// The version's challenge period has not passed yet.
		ChallengePeriodNotOver,
		/// The challenge's decision period is over: it can only expire now.
		DecisionPeriodOver,
		/// The challenge's decision period has not passed yet: it cannot expire.
		DecisionPeriodNotOver,
		/// Only an active worker reports this kind, with `report_row`.
		ReservedForWorkers,
		/// `report_row` takes only what a worker observes (`ByteLenMismatch`, `Unfetchable`);
		/// other kinds go through `challenge_row`.
		NotAWorkerReport,
		/// The caller is not an active worker.
		NotActiveWorker,
		/// The reported length is the row's declared `byte_len`: nothing to report.
		DeclaredLengthMatches,
		/// A near-duplicate report's similarity is below `NearDuplicateThreshold` or above one
		/// million parts per million.
		SimilarityOutOfRange,
		/// A near-duplicate report must name an approved or published row (of any datanet)
		/// contributed before the reported one, with different content.
		InvalidOriginal,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// The pallet's invariants ([`Pallet::do_try_state`]), after each block and upgrade.
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}

		/// The sizes the module docs' inequalities rely on.
		fn integrity_test() {
			assert!(
				T::ChallengeRewardRate::get() < Perbill::one(),
				"a self-challenge must lose money: ChallengeRewardRate below 100 %"
			);
			let smallest_deposit = Self::row_deposit(1);
			assert!(
				!Self::challenge_reward(smallest_deposit).is_zero(),
				"challenging spam must pay: the smallest row's reward above zero"
			);
			assert!(!T::MinChallengeBond::get().is_zero(), "a challenge must hold a bond");
			assert!(
				!T::ChallengeDecisionPeriod::get().is_zero(),
				"a challenge must be decidable before it expires"
			);
		}

		fn offchain_worker(now: BlockNumberFor<T>) {
			Self::offchain_work(now);
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Create a datanet owned by the caller, holding `DatanetDeposit` from them. The name is
		/// unique per owner and cannot be changed later.
		///
		/// Origin: signed; the caller becomes the owner.
		///
		/// Emits `DatanetCreated`.
		///
		/// Errors: `EmptyName` if `name` is empty; `NameTaken` if the caller already owns a datanet
		/// with this name; or the currency's error if the caller cannot hold `DatanetDeposit`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::create_datanet())]
		pub fn create_datanet(
			origin: OriginFor<T>,
			name: NameOf<T>,
			summary: SummaryOf<T>,
			description: DescriptionOf<T>,
			tags: TagsOf<T>,
			license: LicenseOf<T>,
			visibility: Visibility,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_create_datanet(owner, name, summary, description, tags, license, visibility)
		}

		/// Replace the datanet's summary, description and tags. The name, license and visibility
		/// stay as they are (visibility has `set_visibility`).
		///
		/// Origin: signed by the datanet's owner.
		///
		/// Emits `MetadataUpdated`.
		///
		/// Errors: `UnknownDatanet` if no datanet has this id; `NotOwner` if the caller does not
		/// own the datanet.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::update_metadata())]
		pub fn update_metadata(
			origin: OriginFor<T>,
			datanet: DatanetId,
			summary: SummaryOf<T>,
			description: DescriptionOf<T>,
			tags: TagsOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_update_metadata(who, datanet, summary, description, tags)
		}

		/// Add a curator, who may then approve, reject and publish rows and manage the allow-list.
		///
		/// Origin: signed by the datanet's owner.
		///
		/// Emits `CuratorAdded`.
		///
		/// Errors: `UnknownDatanet` if no datanet has this id; `NotOwner` if the caller does not
		/// own the datanet; `AlreadyCurator` if `curator` already curates or owns the datanet;
		/// `TooManyCurators` if the datanet already has `MaxCurators` curators.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::add_curator())]
		pub fn add_curator(
			origin: OriginFor<T>,
			datanet: DatanetId,
			curator: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_add_curator(who, datanet, curator)
		}

		/// Remove a curator from the datanet.
		///
		/// Origin: signed by the datanet's owner.
		///
		/// Emits `CuratorRemoved`.
		///
		/// Errors: `UnknownDatanet` if no datanet has this id; `NotOwner` if the caller does not
		/// own the datanet; `NotCurator` if `curator` is not one of the datanet's curators.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::remove_curator())]
		pub fn remove_curator(
			origin: OriginFor<T>,
			datanet: DatanetId,
			curator: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_remove_curator(who, datanet, curator)
		}

		/// Make the datanet public (anyone may contribute) or private (only its owner, its curators
		/// and allow-listed accounts may). Rows already contributed are not affected.
		///
		/// Origin: signed by the datanet's owner.
		///
		/// Emits `VisibilitySet`.
		///
		/// Errors: `UnknownDatanet` if no datanet has this id; `NotOwner` if the caller does not
		/// own the datanet.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_visibility())]
		pub fn set_visibility(
			origin: OriginFor<T>,
			datanet: DatanetId,
			visibility: Visibility,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_visibility(who, datanet, visibility)
		}

		/// Add `contributor` to the datanet's allow-list (`allowed`) or remove it from it. The
		/// allow-list counts only while the datanet is private; it is kept while the datanet is
		/// public.
		///
		/// Origin: signed by the datanet's owner or one of its curators.
		///
		/// Emits `ContributorAllowed`, also when the entry already was as asked.
		///
		/// Errors: `UnknownDatanet` if no datanet has this id; `NotOwnerOrCurator` if the caller
		/// neither owns nor curates the datanet.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::set_contributor_allowed())]
		pub fn set_contributor_allowed(
			origin: OriginFor<T>,
			datanet: DatanetId,
			contributor: T::AccountId,
			allowed: bool,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_contributor_allowed(who, datanet, contributor, allowed)
		}

		/// Hand the datanet to `new_owner`, who then holds the creation deposit `DatanetDeposit`;
		/// the previous owner's deposit is released. A curator who becomes the owner is no longer
		/// listed as a curator.
		///
		/// Origin: signed by the datanet's owner.
		///
		/// Emits `OwnershipTransferred`.
		///
		/// Errors: `UnknownDatanet` if no datanet has this id; `NotOwner` if the caller does not
		/// own the datanet; `NameTaken` if `new_owner` already owns a datanet with this datanet's
		/// name (so also when `new_owner` is the caller); or the currency's error if `new_owner`
		/// cannot hold `DatanetDeposit`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::transfer_ownership())]
		pub fn transfer_ownership(
			origin: OriginFor<T>,
			datanet: DatanetId,
			new_owner: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_transfer_ownership(who, datanet, new_owner)
		}

		/// Contribute one row (content hash, byte length, label) as pending, holding its deposit
		/// `RowDepositBase + RowDepositPerByte × byte_len` from the caller.
		///
		/// Origin: signed; on a private datanet, by its owner, a curator or an allow-listed
		/// account.
		///
		/// Emits `RowContributed`.
		///
		/// Errors: `UnknownDatanet` if no datanet has this id; `NotAllowedToContribute` if the
		/// datanet is private and the caller is neither its owner, a curator nor allow-listed;
		/// `EmptyRow` if `byte_len` is zero; `DuplicateRow` if a row with this content hash already
		/// exists anywhere on the chain; or the currency's error if the caller cannot hold the
		/// deposit.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::contribute())]
		pub fn contribute(
			origin: OriginFor<T>,
			datanet: DatanetId,
			row: RowInputOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_contribute(who, datanet, core::iter::once(row))
		}

		/// Contribute up to `MaxBatchSize` rows at once as pending, holding the sum of their
		/// deposits. If one row is refused, none is added.
		///
		/// Origin: as `contribute`.
		///
		/// Emits `RowContributed` per row, in batch order.
		///
		/// Errors: `EmptyBatch` if `rows` is empty; otherwise those of `contribute`, with
		/// `DuplicateRow` also when two rows of the batch have the same content hash.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::contribute_batch(rows.len() as u32))]
		pub fn contribute_batch(
			origin: OriginFor<T>,
			datanet: DatanetId,
			rows: RowInputsOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!rows.is_empty(), Error::<T>::EmptyBatch);
			Self::do_contribute(who, datanet, rows.into_iter())
		}

		/// Approve pending rows for the next version; each approval counts for its contributor's
		/// reputation. Weighed as if every row had a distinct contributor.
		///
		/// Origin: signed by the datanet's owner or one of its curators.
		///
		/// Emits `RowApproved` per row.
		///
		/// Errors: `UnknownDatanet` if no datanet has this id; `NotOwnerOrCurator` if the caller
		/// neither owns nor curates the datanet; `EmptyBatch` if `rows` is empty; `UnknownRow` if a
		/// listed row is not in this datanet; `RowNotPending` if a listed row is not pending or is
		/// listed twice; `TooManyApprovedRows` if the rows waiting for the next version would
		/// exceed `MaxRowsPerVersion`.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::approve(rows.len() as u32))]
		pub fn approve(
			origin: OriginFor<T>,
			datanet: DatanetId,
			rows: RowIdsOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_approve(who, datanet, rows)
		}

		/// Reject pending rows: each is removed (its content hash may be contributed again) and its
		/// deposit returned, except that `SpamSlashRate` of it is slashed through `Slashing`, with
		/// no beneficiary, when `reason` is `Spam`. Each rejection counts for the contributor's
		/// reputation. Weighed as if every row had a distinct contributor.
		///
		/// Origin: signed by the datanet's owner or one of its curators.
		///
		/// Emits `RowRejected` per row, with pallet-rewards' `Slashed` (through `Config::Slashing`)
		/// for each spam slash.
		///
		/// Errors: `UnknownDatanet` if no datanet has this id; `NotOwnerOrCurator` if the caller
		/// neither owns nor curates the datanet; `EmptyBatch` if `rows` is empty; `UnknownRow` if a
		/// listed row is not in this datanet; `RowNotPending` if a listed row is not pending or is
		/// listed twice.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::reject(rows.len() as u32))]
		pub fn reject(
			origin: OriginFor<T>,
			datanet: DatanetId,
			rows: RowIdsOf<T>,
			reason: RejectReason,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_reject(who, datanet, rows, reason)
		}

		/// Withdraw one's own pending row: it is removed (its content hash may be contributed
		/// again) and its whole deposit returned.
		///
		/// Origin: signed by the row's contributor.
		///
		/// Emits `RowWithdrawn`.
		///
		/// Errors: `UnknownDatanet` if no datanet has this id; `UnknownRow` if the row is not in
		/// this datanet; `NotContributor` if the caller did not contribute the row; `RowNotPending`
		/// if the row is no longer pending (approved, published or slashed).
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::withdraw())]
		pub fn withdraw(origin: OriginFor<T>, datanet: DatanetId, row: RowId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw(who, datanet, row)
		}

		/// Publish the approved rows as the datanet's next version: a merkle root over their
		/// content hashes in row order, the row count and the total bytes. The publisher pays
		/// `PublishFeeBase + PublishFeePerByte × total_bytes` to the treasury (nothing is paid per
		/// contributor). Weighed for `MaxRowsPerVersion` rows, refunded to the actual count.
		///
		/// Origin: signed by the datanet's owner or one of its curators.
		///
		/// Emits `VersionPublished`.
		///
		/// Errors: `UnknownDatanet` if no datanet has this id; `NotOwnerOrCurator` if the caller
		/// neither owns nor curates the datanet; `NothingToPublish` if no approved rows wait for
		/// publication; or the currency's error if the publisher cannot pay the fee and keep its
		/// existential deposit.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::publish_version(T::MaxRowsPerVersion::get()))]
		pub fn publish_version(
			origin: OriginFor<T>,
			datanet: DatanetId,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let row_count = Self::do_publish_version(who, datanet)?;
			Ok(Some(T::WeightInfo::publish_version(row_count)).into())
		}

		/// Challenge an approved or published row whose deposit is still held, as a duplicate, spam
		/// or adversarial, holding the bond `max(ChallengeBondRate × deposit, MinChallengeBond)`
		/// from the caller until `ChallengeOrigin` decides or the challenge expires. The datanet's
		/// owner and curators may challenge like anyone.
		///
		/// Origin: signed by any account.
		///
		/// Emits `RowChallenged`.
		///
		/// Errors: `ReservedForWorkers` if `kind` is `ByteLenMismatch` or `Unfetchable` (those go
		/// through `report_row`); `UnknownDatanet` if no datanet has this id; `UnknownRow` if the
		/// row is not in this datanet; `RowNotChallengeable` if the row is not approved or
		/// published, or its deposit was already released; `ChallengeAlreadyOpen` if the row
		/// already has an open challenge; or the currency's error if the caller cannot hold the
		/// bond.
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::challenge_row())]
		pub fn challenge_row(
			origin: OriginFor<T>,
			datanet: DatanetId,
			row: RowId,
			kind: ChallengeKind,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_challenge_row(who, datanet, row, kind)
		}

		/// Decide a row's open challenge before its deadline. Upheld (`uphold`): the row is slashed
		/// (status `Slashed`, dropped from the next version if not published yet),
		/// `ChallengeRewardRate` of its deposit is paid to the challenger and the rest slashed to
		/// the treasury, and the bond is returned. Rejected: the whole bond is slashed with the
		/// row's contributor as beneficiary.
		///
		/// Origin: `ChallengeOrigin` (root in the runtime); any other origin, the datanet's owner
		/// and curators included, gets `BadOrigin`.
		///
		/// Emits `ChallengeUpheld` or `ChallengeRejected`, with pallet-rewards' `SlashFeePaid` (the
		/// reward) and `Slashed` (through `Config::Slashing`).
		///
		/// Errors: `NoOpenChallenge` if the row has no open challenge; `DecisionPeriodOver` if
		/// `ChallengeDecisionPeriod` blocks have passed since the challenge opened (it can only
		/// expire now).
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::resolve_challenge_upheld().max(T::WeightInfo::resolve_challenge_rejected()))]
		pub fn resolve_challenge(
			origin: OriginFor<T>,
			datanet: DatanetId,
			row: RowId,
			uphold: bool,
		) -> DispatchResult {
			T::ChallengeOrigin::ensure_origin(origin)?;
			Self::do_resolve_challenge(datanet, row, uphold)
		}

		/// Release a published row's deposit to its contributor once `ChallengePeriod` blocks have
		/// passed since its version was published and no challenge of it is open.
		///
		/// Origin: signed by the row's contributor.
		///
		/// Emits `DepositReleased`.
		///
		/// Errors: `UnknownDatanet` if no datanet has this id; `UnknownRow` if the row is not in
		/// this datanet; `NotContributor` if the caller did not contribute the row;
		/// `DepositNotReleasable` if the row is not published (pending, approved or slashed) or its
		/// deposit was already released; `ChallengeOpen` if the row has an open challenge;
		/// `ChallengePeriodNotOver` if fewer than `ChallengePeriod` blocks have passed since the
		/// version was published.
		#[pallet::call_index(15)]
		#[pallet::weight(T::WeightInfo::release_deposit())]
		pub fn release_deposit(
			origin: OriginFor<T>,
			datanet: DatanetId,
			row: RowId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_release_deposit(who, datanet, row)
		}

		/// Close a challenge nobody decided within `ChallengeDecisionPeriod` blocks of its opening:
		/// it is dismissed, the bond returned to the challenger whole, nobody slashed.
		///
		/// Origin: signed by any account.
		///
		/// Emits `ChallengeExpired`.
		///
		/// Errors: `NoOpenChallenge` if the row has no open challenge; `DecisionPeriodNotOver` if
		/// `ChallengeDecisionPeriod` blocks have not yet passed since the challenge opened.
		#[pallet::call_index(16)]
		#[pallet::weight(T::WeightInfo::expire_challenge())]
		pub fn expire_challenge(
			origin: OriginFor<T>,
			datanet: DatanetId,
			row: RowId,
		) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_expire_challenge(datanet, row)
		}

		/// Report what a worker saw of a row's bytes: they are not `byte_len` long
		/// (`ByteLenMismatch`), no store serves them (`Unfetchable`), or they repeat an earlier
		/// row of any datanet up to small edits (`NearDuplicate`, naming that row and the
		/// similarity, which whoever decides checks against both rows' bytes). Opens a challenge
		/// of that kind with the same bond as `challenge_row` (a report must cost something to be wrong: it
		/// locks the contributor's deposit and takes the judge's time), decided the same way;
		/// upheld, the deposit is slashed as spam and the worker paid the reward.
		///
		/// Origin: signed by an active worker of `Config::Workers` (registered, bonded at least the
		/// required bond and a validator); this pallet's off-chain worker submits it with the
		/// validator's worker key.
		///
		/// Emits `RowChallenged`.
		///
		/// Errors: `NotActiveWorker` if the caller is not an active worker; `NotAWorkerReport` if
		/// `kind` is not `ByteLenMismatch`, `Unfetchable` or `NearDuplicate`; `UnknownDatanet` if
		/// no datanet has
		/// this id; `UnknownRow` if the row is not in this datanet; `DeclaredLengthMatches` if a
		/// `ByteLenMismatch` report's `observed` length is the row's declared `byte_len`;
		/// `SimilarityOutOfRange` if a `NearDuplicate` report claims less than
		/// `NearDuplicateThreshold` (or more than a million ppm); `InvalidOriginal` if its
		/// `original` is not an approved or published row of `original_datanet` contributed before
		/// this one (an earlier block, or the same block and a lower `(datanet, row)`), with a
		/// different content hash;
		/// `RowNotChallengeable` if the row is not approved or published, or its deposit was
		/// already released; `ChallengeAlreadyOpen` if the row already has an open challenge; or
		/// the currency's error if the worker cannot hold the bond.
		#[pallet::call_index(17)]
		#[pallet::weight(T::WeightInfo::report_row())]
		pub fn report_row(
			origin: OriginFor<T>,
			datanet: DatanetId,
			row: RowId,
			kind: ChallengeKind,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_report_row(who, datanet, row, kind)
		}
	}
}
