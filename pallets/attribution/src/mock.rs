//! A test runtime: System, Balances and Attribution with `AccountId32` accounts and
//! `MultiSignature` receipts (as in the real runtime), and in-memory stand-ins for model versions,
//! datanet rows, the worker set, slashing and rewards.

use crate as pallet_attribution;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	derive_impl, parameter_types,
	traits::{
		fungible::{Inspect, InspectHold, Mutate, MutateHold},
		ConstU32, ConstU64, VariantCount,
	},
};
use scale_info::TypeInfo;
use sp_core::{sr25519, Pair};
use sp_runtime::{traits::IdentityLookup, AccountId32, BuildStorage, MultiSignature};
use std::{cell::RefCell, collections::BTreeMap};
use tributary_primitives::traits::{ModelsInspect, OnRecordFinalized, RowsInspect, WorkerSet};
use tributary_primitives::{
	attribution::{AttributionClaim, AttributionMethod, RecordBody, RowRef, RowScore},
	datanets::{DatanetId, RowId, RowStatus},
	models::{DatanetVersionRef, ModelId, ModelVersionId},
	receipts::{InferenceReceipt, ModelVersionFacts, RowFacts, SignedReceipt},
	rewards::FinalizedRecord,
	ContentHash,
};

type Block = frame_system::mocking::MockBlock<Test>;
pub type Extrinsic =
	sp_runtime::generic::UncheckedExtrinsic<AccountId, RuntimeCall, MultiSignature, ()>;
pub type AccountId = AccountId32;
pub type Balance = u64;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Attribution: pallet_attribution,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

/// Why funds are held in this test runtime: the pallet's own reasons, and the workers' bonds that
/// pallet-models holds in the real runtime.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum TestHoldReason {
	Attribution(pallet_attribution::HoldReason),
	WorkerBond,
}

impl From<pallet_attribution::HoldReason> for TestHoldReason {
	fn from(reason: pallet_attribution::HoldReason) -> Self {
		TestHoldReason::Attribution(reason)
	}
}

impl VariantCount for TestHoldReason {
	const VARIANT_COUNT: u32 = 3;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type RuntimeHoldReason = TestHoldReason;
}

/// A plain account (no key).
pub fn account(byte: u8) -> AccountId {
	AccountId32::new([byte; 32])
}

/// The sr25519 key of test user number `index`.
pub fn user_pair(index: u8) -> sr25519::Pair {
	sr25519::Pair::from_seed(&[index.wrapping_add(100); 32])
}

pub fn user(index: u8) -> AccountId {
	user_pair(index).public().into()
}

pub fn owner() -> AccountId {
	account(1)
}
pub fn challenger() -> AccountId {
	account(2)
}
/// Has no funds.
pub fn pauper() -> AccountId {
	account(3)
}
pub fn contributor(index: u8) -> AccountId {
	account(20 + index)
}
pub fn treasury() -> AccountId {
	account(98)
}
pub fn pot() -> AccountId {
	account(99)
}
/// Registered workers; the first serves answers in most tests.
pub fn workers() -> Vec<AccountId> {
	(10..16).map(account).collect()
}
pub fn worker() -> AccountId {
	workers()[0].clone()
}

pub const INITIAL_BALANCE: Balance = 1_000_000;
pub const CHALLENGE_BOND: Balance = 500;
pub const WORKER_SLASH: Balance = 2_000;
/// Paid to each recomputer of a dispute's majority out of the loser's slash.
pub const RECOMPUTER_REWARD: Balance = 100;
/// Held from each worker, more than `WORKER_SLASH`.
pub const WORKER_BOND: Balance = 5_000;
pub const CHALLENGE_WINDOW: u64 = 10;
pub const RECOMPUTE_PERIOD: u64 = 5;
pub const RECOMPUTERS: u32 = 3;
/// Blocks from a dispute to the draw of its recomputers.
pub const DRAW_DELAY: u64 = 2;
/// Lost by a recomputer outvoted by the majority or silent at the deadline.
pub const RECOMPUTER_SLASH: Balance = 300;
pub const MAX_RECOMPUTERS: u32 = 5;
pub const MAX_DRAWS_PER_BLOCK: u32 = 2;
pub const MAX_SCORES: u32 = 8;
pub const MAX_BATCH: u32 = 4;
pub const MAX_TOP_K: u32 = 4;
pub const MAX_DUE_PER_BLOCK: u32 = 5;

/// Model 0 version 1: priced at `PRICE_PER_1K`, trained on datanet 0 version 1 and datanet 1
/// version 2. Model 1 version 1 is retired; model 2 version 1 has no price.
pub const PRICE_PER_1K: Balance = 1_500;
pub const ADAPTER: ContentHash = [0xad; 32];

parameter_types! {
	pub const ChallengeBond: Balance = CHALLENGE_BOND;
	pub const WorkerSlash: Balance = WORKER_SLASH;
	pub const RecomputerReward: Balance = RECOMPUTER_REWARD;
	pub const RecomputerSlash: Balance = RECOMPUTER_SLASH;
	pub const DefaultParams: crate::AttributionParams<u64> = crate::AttributionParams {
		recomputers: RECOMPUTERS,
		draw_delay: DRAW_DELAY,
		recompute_period: RECOMPUTE_PERIOD,
		methods: tributary_primitives::attribution::MethodSettings::DEFAULT,
	};
	pub const WorkerBondReason: TestHoldReason = TestHoldReason::WorkerBond;
}

thread_local! {
	static MODEL_VERSIONS: RefCell<BTreeMap<(ModelId, ModelVersionId), ModelVersionFacts<AccountId, Balance>>> =
		const { RefCell::new(BTreeMap::new()) };
	static ROWS: RefCell<BTreeMap<(DatanetId, RowId), RowFacts<AccountId>>> =
		const { RefCell::new(BTreeMap::new()) };
	static WORKERS: RefCell<Vec<AccountId>> = const { RefCell::new(Vec::new()) };
	static FINALIZED: RefCell<Vec<FinalizedRecord<AccountId, Balance>>> = const { RefCell::new(Vec::new()) };
}

/// Stand-in for pallet-models' versions.
pub struct ModelVersions;

impl ModelsInspect<AccountId, Balance> for ModelVersions {
	fn model_version(
		model: ModelId,
		version: ModelVersionId,
	) -> Option<ModelVersionFacts<AccountId, Balance>> {
		MODEL_VERSIONS.with(|versions| versions.borrow().get(&(model, version)).cloned())
	}
}

pub fn set_model_version(
	model: ModelId,
	version: ModelVersionId,
	facts: ModelVersionFacts<AccountId, Balance>,
) {
	MODEL_VERSIONS.with(|versions| versions.borrow_mut().insert((model, version), facts));
}

/// Stand-in for pallet-datanets' rows.
pub struct DatanetRows;

impl RowsInspect<AccountId> for DatanetRows {
	fn row(datanet: DatanetId, row: RowId) -> Option<RowFacts<AccountId>> {
		ROWS.with(|rows| rows.borrow().get(&(datanet, row)).cloned())
	}
}

pub fn set_row(datanet: DatanetId, row: RowId, contributor: AccountId, status: RowStatus) {
	ROWS.with(|rows| rows.borrow_mut().insert((datanet, row), RowFacts { contributor, status }));
}

/// Stand-in for pallet-models' worker set.
pub struct Workers;

impl WorkerSet<AccountId> for Workers {
	fn is_worker(who: &AccountId) -> bool {
		WORKERS.with(|workers| workers.borrow().contains(who))
	}
	fn is_active(who: &AccountId) -> bool {
		Self::is_worker(who)
			&& Balances::balance_on_hold(&WorkerBondReason::get(), who) >= WORKER_BOND
	}
	fn workers() -> Vec<AccountId> {
		WORKERS.with(|workers| workers.borrow().clone())
	}
}

/// Make `list` the worker set, holding `WORKER_BOND` from each worker that has no bond yet (the
/// way pallet-models holds it at registration).
pub fn set_workers(list: Vec<AccountId>) {
	for worker in &list {
		if Balances::balance_on_hold(&TestHoldReason::WorkerBond, worker) == 0 {
			if Balances::balance(worker) <= WORKER_BOND {
				Balances::set_balance(worker, INITIAL_BALANCE);
			}
			Balances::hold(&TestHoldReason::WorkerBond, worker, WORKER_BOND).expect("funded above");
		}
	}
	WORKERS.with(|workers| *workers.borrow_mut() = list);
}

parameter_types! {
	pub TreasuryAccount: AccountId = treasury();
}

/// pallet-rewards' recording slasher: everything to the beneficiary (or the treasury), fees to
/// their payees.
pub type SlashToBeneficiary =
	pallet_rewards::testing::SlashToBeneficiary<Balances, TreasuryAccount>;
pub type SlashCall = pallet_rewards::testing::SlashCall<AccountId, Balance, TestHoldReason>;
pub type SlashFeeCall = pallet_rewards::testing::SlashFeeCall<AccountId, Balance, TestHoldReason>;

pub fn slashes() -> Vec<SlashCall> {
	pallet_rewards::testing::slashes()
}

pub fn slash_fees() -> Vec<SlashFeeCall> {
	pallet_rewards::testing::slash_fees()
}

/// Stand-in for pallet-rewards: remembers what was handed over.
pub struct RecordFinalized;

impl OnRecordFinalized<AccountId, Balance> for RecordFinalized {
	fn fee_pot() -> AccountId {
		pot()
	}
	fn on_record_finalized(record: &FinalizedRecord<AccountId, Balance>) {
		FINALIZED.with(|finalized| finalized.borrow_mut().push(record.clone()));
	}
}

pub fn finalized() -> Vec<FinalizedRecord<AccountId, Balance>> {
	FINALIZED.with(|finalized| finalized.borrow().clone())
}

#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkSetup;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_attribution::BenchmarkHelper<AccountId, MultiSignature> for BenchmarkSetup {
	fn sign(user: u32, payload: &[u8]) -> (AccountId, MultiSignature) {
		let pair = sr25519::Pair::from_seed(&sp_io::hashing::blake2_256(&user.to_le_bytes()));
		(pair.public().into(), MultiSignature::Sr25519(pair.sign(payload)))
	}
	fn model_version_with_rows(rows: u32) -> (ModelId, ModelVersionId, ContentHash, Vec<RowRef>) {
		let refs: Vec<RowRef> = (0..rows as u64).map(|row| RowRef { datanet: 7, row }).collect();
		for row in &refs {
			set_row(row.datanet, row.row, account(77), RowStatus::Published(1));
		}
		set_model_version(
			9,
			1,
			ModelVersionFacts {
				owner: owner(),
				price_per_1k_tokens: Some(PRICE_PER_1K),
				retired: false,
				adapter: ADAPTER,
				lineage: vec![DatanetVersionRef { datanet: 7, version: 1 }],
			},
		);
		(9, 1, ADAPTER, refs)
	}
	fn workers(count: u32) -> Vec<AccountId> {
		let list: Vec<AccountId> = (0..count)
			.map(|index| AccountId32::new(sp_io::hashing::blake2_256(&(b"worker", index).encode())))
			.collect();
		set_workers(list.clone());
		list
	}
}

impl frame_system::offchain::SigningTypes for Test {
	type Public = sp_runtime::MultiSigner;
	type Signature = MultiSignature;
}

impl<C> frame_system::offchain::CreateTransactionBase<C> for Test
where
	RuntimeCall: From<C>,
{
	type Extrinsic = Extrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<C> frame_system::offchain::CreateSignedTransaction<C> for Test
where
	RuntimeCall: From<C>,
{
	/// Signs the call and nonce (the mock has no transaction extensions).
	fn create_signed_transaction<
		A: frame_system::offchain::AppCrypto<Self::Public, Self::Signature>,
	>(
		call: RuntimeCall,
		public: sp_runtime::MultiSigner,
		account: AccountId,
		nonce: <Self as frame_system::Config>::Nonce,
	) -> Option<Extrinsic> {
		let signature = A::sign(&(&call, nonce).encode(), public)?;
		Some(Extrinsic::new_signed(call, account, signature, ()))
	}
}

impl pallet_attribution::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = TestHoldReason;
	type ReceiptSignature = MultiSignature;
	type Models = ModelVersions;
	type Rows = DatanetRows;
	type Workers = Workers;
	type WorkerBondReason = WorkerBondReason;
	type Slashing = SlashToBeneficiary;
	type OnFinalized = RecordFinalized;
	type ParamsOrigin = frame_system::EnsureRoot<AccountId>;
	type DefaultParams = DefaultParams;
	type Randomness = pallet_rewards::testing::ParentHashRandomness<Test>;
	type ChallengeBond = ChallengeBond;
	type WorkerSlash = WorkerSlash;
	type RecomputerReward = RecomputerReward;
	type RecomputerSlash = RecomputerSlash;
	type ChallengeWindow = ConstU64<CHALLENGE_WINDOW>;
	type MaxRecomputers = ConstU32<MAX_RECOMPUTERS>;
	type MaxDrawsPerBlock = ConstU32<MAX_DRAWS_PER_BLOCK>;
	type MaxScores = ConstU32<MAX_SCORES>;
	type MaxBatchSize = ConstU32<MAX_BATCH>;
	type MaxTopK = ConstU32<MAX_TOP_K>;
	type MaxDuePerBlock = ConstU32<MAX_DUE_PER_BLOCK>;
	type WeightInfo = ();
	type WorkerSigner = tributary_worker_client::WorkerSigner;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkSetup;
}

/// Genesis with funded users 0..4, owner, challenger, workers (their bonds held), treasury and
/// pot (not `pauper`);
/// the model versions and rows described above; at block 1 so events are recorded.
///
/// Rows: datanet 0 rows 0..4 published in version 1 (contributors 0..4), datanet 1 row 0
/// published in version 2 (contributor 5) and row 1 in version 1 (not in the lineage),
/// datanet 0 row 9 pending, datanet 0 row 8 slashed.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let funded = (0..5)
		.map(user)
		.chain([owner(), challenger(), treasury(), pot()])
		.chain(workers())
		.map(|who| (who, INITIAL_BALANCE));
	pallet_balances::GenesisConfig::<Test> { balances: funded.collect(), ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		MODEL_VERSIONS.with(|versions| versions.borrow_mut().clear());
		ROWS.with(|rows| rows.borrow_mut().clear());
		pallet_rewards::testing::clear_slashes();
		FINALIZED.with(|finalized| finalized.borrow_mut().clear());
		set_workers(workers());
		let lineage = vec![
			DatanetVersionRef { datanet: 0, version: 1 },
			DatanetVersionRef { datanet: 1, version: 2 },
		];
		let facts = |price, retired| ModelVersionFacts {
			owner: owner(),
			price_per_1k_tokens: price,
			retired,
			adapter: ADAPTER,
			lineage: lineage.clone(),
		};
		set_model_version(0, 1, facts(Some(PRICE_PER_1K), false));
		set_model_version(1, 1, facts(Some(PRICE_PER_1K), true));
		set_model_version(2, 1, facts(None, false));
		for row in 0..5 {
			set_row(0, row, contributor(row as u8), RowStatus::Published(1));
		}
		set_row(1, 0, contributor(5), RowStatus::Published(2));
		set_row(1, 1, contributor(5), RowStatus::Published(1));
		set_row(0, 9, contributor(0), RowStatus::Pending);
		set_row(0, 8, contributor(0), RowStatus::Slashed);
	});
	ext
}

pub fn score(datanet: DatanetId, row: RowId, parts_per_billion: u32) -> RowScore {
	RowScore { row: RowRef { datanet, row }, parts_per_billion }
}

/// A receipt of user `index` for model 0 version 1 served by `worker()`.
pub fn receipt(nonce: u64) -> InferenceReceipt<AccountId, Balance, u64> {
	InferenceReceipt {
		model: 0,
		version: 1,
		adapter: ADAPTER,
		prompt_hash: tributary_primitives::content_hash(b"prompt"),
		output_hash: tributary_primitives::content_hash(b"output"),
		tokens_in: 100,
		tokens_out: 233,
		max_fee: 1_000,
		nonce,
		worker: worker(),
		expiry: 20,
	}
}

/// Sign `receipt` as user `index` and attach a claim with `top`.
pub fn signed(
	index: u8,
	receipt: InferenceReceipt<AccountId, Balance, u64>,
	top: Vec<RowScore>,
) -> crate::SignedReceiptOf<Test> {
	let body = body_for(&receipt, &top).hash();
	signed_with_body(index, receipt, top, body)
}

/// A record body whose top is `top` (its scores are the top's, `top_k` their count), for the
/// answer of `receipt`.
pub fn body_for(
	receipt: &InferenceReceipt<AccountId, Balance, u64>,
	top: &[RowScore],
) -> RecordBody<Vec<RowScore>> {
	let mut scores = top.to_vec();
	scores.sort_by_key(|score| score.row);
	RecordBody {
		model: [0xba; 32],
		adapter: Some(receipt.adapter),
		corpus: [0xc0; 32],
		output: receipt.output_hash,
		scores,
		top_k: top.len() as u32,
	}
}

/// Sign `receipt` as user `index` over this chain's genesis hash and attach a claim of `top`
/// over the body hashed `body`.
pub fn signed_with_body(
	index: u8,
	receipt: InferenceReceipt<AccountId, Balance, u64>,
	top: Vec<RowScore>,
	body: ContentHash,
) -> crate::SignedReceiptOf<Test> {
	let pair = user_pair(index);
	let payload = receipt.signing_payload(&Attribution::genesis_hash());
	let signature = MultiSignature::Sr25519(pair.sign(&payload));
	SignedReceipt {
		receipt,
		user: pair.public().into(),
		signature,
		claim: AttributionClaim {
			method: AttributionMethod::Influence(
				tributary_primitives::attribution::InfluenceParams::DEFAULT,
			),
			top: top.try_into().expect("at most MaxTopK scores"),
			body,
		},
	}
}

/// Run `test` in fresh externalities ([`new_test_ext`]), then check the pallet's invariants.
pub fn build_and_execute<R>(test: impl FnOnce() -> R) -> R {
	new_test_ext().execute_with(|| {
		let result = test();
		check_invariants();
		result
	})
}

/// The pallet's `try_state` checks: panics naming the broken invariant.
pub fn check_invariants() {
	if let Err(error) = Attribution::do_try_state() {
		panic!("attribution invariant broken: {error:?}");
	}
}

/// End the current block and move to `block` (no hooks run): the pallet's invariants are checked
/// at the end of every block the tests leave.
pub fn go_to_block(block: u64) {
	check_invariants();
	System::set_block_number(block);
}
