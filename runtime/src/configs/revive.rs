//! The EVM (`pallet-revive`): Solidity bytecode runs on its interpreter, Ethereum transactions
//! signed by MetaMask-style keys arrive through `eth-rpc` as `Revive::eth_transact`, and the
//! project pallets answer Solidity calls as precompiles (`crate::precompiles`).
//!
//! Accounts: an Ethereum key's account is its 20-byte address followed by twelve `0xEE` bytes,
//! so it holds TRIB like any other account; an sr25519 account gets the last 20 bytes of its
//! keccak hash as its Ethereum address, mapped automatically when the account is created
//! (`AutoMap`: genesis balances create the dev accounts, so they are mapped from block 0), so
//! both kinds can call and own contracts.

use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstBool, ConstU32, ConstU64},
};
use frame_system::EnsureSigned;
use pallet_revive::{
	evm::{fees::Info as FeeInfo, runtime::EthExtra, tx_extension::SetOrigin},
	AccountId32Mapper,
};
use sp_runtime::{FixedU128, Perbill};

use super::offchain::immortal_tx_extension;
use crate::{
	precompiles::TributaryPrecompiles, Address, Aura, Balance, Balances, Nonce, Runtime,
	RuntimeCall, RuntimeEvent, RuntimeHoldReason, RuntimeOrigin, Signature, Timestamp, TxExtension,
	MILLI_UNIT,
};

/// Tributary's EIP-155 chain id: "TRIB" in ASCII (0x54524942), far from every id listed on
/// chainlist.org and below MetaMask's limit of 2^52.
pub const CHAIN_ID: u64 = 0x5452_4942;

/// TRIB has 12 decimals and Ethereum's ether 18: one planck is 10^6 wei.
pub const NATIVE_TO_ETH_RATIO: u32 = 1_000_000;

parameter_types! {
	/// A contract's storage costs its deployer 0.01 TRIB per item and 10^-6 TRIB per byte,
	/// returned when the storage is cleared.
	pub const DepositPerItem: Balance = 10 * MILLI_UNIT;
	pub const DepositPerByte: Balance = MILLI_UNIT / 1_000;
	pub const DepositPerChildTrieItem: Balance = MILLI_UNIT / 10;
	/// Part of the code deposit locked while other contracts use the code by its hash.
	pub const CodeHashLockupDepositPercent: Perbill = Perbill::from_percent(30);
	/// An Ethereum transaction may use up to 90 % of an extrinsic's weight.
	pub const MaxEthExtrinsicWeight: FixedU128 = FixedU128::from_rational(9, 10);
}

/// Builds the transaction extensions of an `eth_transact`: the same pipeline as a substrate
/// transaction (nonce, weight, fee), with the origin set to the Ethereum sender.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct EthExtraImpl;

impl EthExtra for EthExtraImpl {
	type Config = Runtime;
	type ExtensionV0 = TxExtension;
	type ExtensionOtherVersions = sp_runtime::traits::InvalidVersion;

	fn get_eth_extension(nonce: Nonce, tip: Balance) -> TxExtension {
		immortal_tx_extension(nonce, tip, SetOrigin::new_from_eth_transaction())
	}
}

#[derive_impl(pallet_revive::config_preludes::TestDefaultConfig)]
impl pallet_revive::Config for Runtime {
	type Time = Timestamp;
	type Balance = Balance;
	type Currency = Balances;
	type Precompiles = TributaryPrecompiles;
	type FindAuthor = pallet_session::FindAccountFromAuthorIndex<Runtime, Aura>;
	type DepositPerByte = DepositPerByte;
	type DepositPerItem = DepositPerItem;
	type DepositPerChildTrieItem = DepositPerChildTrieItem;
	type CodeHashLockupDepositPercent = CodeHashLockupDepositPercent;
	type AddressMapper = AccountId32Mapper<Self>;
	type AllowEVMBytecode = ConstBool<true>;
	type UploadOrigin = EnsureSigned<Self::AccountId>;
	type InstantiateOrigin = EnsureSigned<Self::AccountId>;
	type WeightInfo = pallet_revive::weights::SubstrateWeight<Self>;
	type ChainId = ConstU64<CHAIN_ID>;
	type NativeToEthRatio = ConstU32<NATIVE_TO_ETH_RATIO>;
	type FeeInfo = FeeInfo<Address, Signature, EthExtraImpl>;
	type MaxEthExtrinsicWeight = MaxEthExtrinsicWeight;
	type DebugEnabled = ConstBool<false>;
	type AutoMap = ConstBool<true>;
	// Gas price 50 gwei (50 000 × the 10^6 wei of a planck), so gas figures look like Ethereum's:
	// eth_estimateGas of a plain transfer to an existing account is 20 857 (21 000 on Ethereum).
	type GasScale = ConstU32<50_000>;
}
