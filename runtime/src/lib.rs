//! Tributary's FRAME runtime.
//!
//! Layout follows polkadot-sdk's solochain template: pallet configuration lives in
//! [`configs`], runtime API implementations in [`apis`], genesis presets in
//! [`genesis_config_presets`].

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime`-style macros expand to deeply recursive types.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

// The runtime macros below expand to code that names `Vec` unqualified.
use alloc::vec::Vec;

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod genesis_config_presets;
pub mod governance;
pub mod precompiles;
#[cfg(feature = "std")]
pub mod signing;
#[cfg(test)]
mod tests;

use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::{runtime_version, RuntimeVersion};

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Opaque types: what the node needs to know about blocks without knowing the runtime's calls.
pub mod opaque {
	use super::*;
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as sp_runtime::traits::Hash>::Output;
}

/// The worker key (`trwk`) as a session key, so `--alice` and `author_rotateKeys` make one.
pub struct WorkerKey;

impl sp_runtime::BoundToRuntimeAppPublic for WorkerKey {
	type Public = tributary_primitives::worker_crypto::Public;
}

impl_opaque_keys! {
	/// The keys a validator holds: Aura for authoring, GRANDPA for finality, and the worker key
	/// its off-chain workers sign job results and receipt batches with.
	pub struct SessionKeys {
		pub aura: Aura,
		pub grandpa: Grandpa,
		pub worker: WorkerKey,
	}
}

#[runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("tributary"),
	impl_name: alloc::borrow::Cow::Borrowed("tributary"),
	authoring_version: 1,
	spec_version: 103,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// Target block time. Three seconds keeps the dev chain and the integration tests responsive;
/// the slot duration can never change after genesis, so this is fixed for a chain's life.
pub const MILLI_SECS_PER_BLOCK: u64 = 3000;
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

/// Time measured in blocks.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
pub const HOURS: BlockNumber = MINUTES * 60;

/// Balance units: TRIB has 12 decimals.
pub const UNIT: Balance = 1_000_000_000_000;
pub const MILLI_UNIT: Balance = UNIT / 1_000;

/// An account's balance can not fall below this without the account being reaped.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

/// Signature of a transaction: sr25519, ed25519 or ecdsa, as polkadot.js and the eth adapter expect.
pub type Signature = MultiSignature;
/// An account on the chain: the public key of the signing scheme (`AccountId32`).
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Balance of an account.
pub type Balance = u128;
/// Index of a transaction in the chain.
pub type Nonce = u32;
/// A hash of some data used by the chain.
pub type Hash = sp_core::H256;
/// An index to a block.
pub type BlockNumber = u32;
/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// The transaction extensions every signed extrinsic carries, in order.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	// Turns the origin of a converted Ethereum transaction into its sender's (after every
	// extension that needs the signed origin); inert in substrate transactions.
	pallet_revive::evm::tx_extension::SetOrigin<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// Unchecked extrinsic type as expected by this runtime: the generic one, which also accepts
/// `Revive::eth_transact` carrying a signed Ethereum transaction (turned into a signed extrinsic
/// of its sender by `configs::EthExtraImpl`).
pub type UncheckedExtrinsic =
	pallet_revive::evm::runtime::UncheckedExtrinsic<Address, Signature, configs::EthExtraImpl>;
/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Migrations to run on the next runtime upgrade; each runs only from the storage version it
/// migrates, so a chain already past it skips it.
type Migrations = (pallet_models::migrations::v1::MigrateV0ToV1<Runtime>,);

/// Executive: dispatches to the various pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	/// Sessions hand their validators to Aura and GRANDPA (declared before them, so their
	/// genesis authorities come from the session genesis keys).
	#[runtime::pallet_index(8)]
	pub type Session = pallet_session;

	/// The validator set, pallet-session's session manager (after Session: its genesis copies
	/// Session's).
	#[runtime::pallet_index(9)]
	pub type Validators = pallet_validators;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(6)]
	pub type Utility = pallet_utility;

	/// Dev governance until on-chain voting replaces it.
	#[runtime::pallet_index(7)]
	pub type Sudo = pallet_sudo;

	#[runtime::pallet_index(10)]
	pub type Datanets = pallet_datanets;

	#[runtime::pallet_index(11)]
	pub type Models = pallet_models;

	#[runtime::pallet_index(12)]
	pub type Attribution = pallet_attribution;

	#[runtime::pallet_index(13)]
	pub type Rewards = pallet_rewards;

	// Governance: referenda on tracks (`governance::tracks`) decide every admin call.
	#[runtime::pallet_index(20)]
	pub type Preimage = pallet_preimage;

	#[runtime::pallet_index(21)]
	pub type Scheduler = pallet_scheduler;

	#[runtime::pallet_index(22)]
	pub type ConvictionVoting = pallet_conviction_voting;

	#[runtime::pallet_index(23)]
	pub type Referenda = pallet_referenda;

	/// The origins of the non-root tracks, and the periods' speed.
	#[runtime::pallet_index(24)]
	pub type Governance = crate::governance::pallet_governance;

	#[runtime::pallet_index(25)]
	pub type Whitelist = pallet_whitelist;

	#[runtime::pallet_index(26)]
	pub type TechnicalCommittee = pallet_collective<Instance1>;

	#[runtime::pallet_index(27)]
	pub type TechnicalMembership = pallet_membership<Instance1>;

	#[runtime::pallet_index(28)]
	pub type Treasury = pallet_treasury;

	/// The project pallets' economics (`configs::parameters`).
	#[runtime::pallet_index(29)]
	pub type Parameters = pallet_parameters;

	/// The EVM: Solidity contracts, Ethereum transactions and the project pallets as
	/// precompiles (`configs::revive`). eth-rpc finds it by this name.
	#[runtime::pallet_index(30)]
	pub type Revive = pallet_revive;
}
