//! The project pallets as Solidity precompiles: `IDatanets`, `IModels`, `IRewards` and
//! `IAttribution`, whose interfaces live in `contracts/interfaces/` (read here by `sol!`, so the
//! Solidity files and the precompiles cannot drift apart).
//!
//! Every state-changing function is the pallet call of the same name, dispatched with the
//! caller's signed origin: it has the effect of the extrinsic, charged by the call's benchmarked
//! weight before it runs (the unused part is refunded). Views charge their storage reads first.
//! A state change in a static call reverts, and a pallet error reverts with `Error(string)`
//! naming it: "Datanets.NameTaken".

mod attribution;
pub(crate) mod datanets;
mod models;
mod rewards;

use alloc::{format, string::String};
use frame_support::{dispatch::GetDispatchInfo, traits::PalletsInfoAccess};
use pallet_revive::{
	precompiles::{
		alloy::primitives::{Address, U256},
		Error, Ext, H160,
	},
	AddressMapper,
};
use sp_runtime::{traits::Dispatchable, DispatchError, ModuleError};

use crate::{
	configs::NATIVE_TO_ETH_RATIO, AccountId, AllPalletsWithSystem, Balance, Runtime, RuntimeCall,
	RuntimeOrigin,
};

pub use attribution::AttributionPrecompile;
pub use datanets::DatanetsPrecompile;
pub use models::ModelsPrecompile;
pub use rewards::RewardsPrecompile;

/// Every project precompile, at `0x…5401_0000` to `0x…5404_0000`.
pub type TributaryPrecompiles =
	(DatanetsPrecompile, ModelsPrecompile, RewardsPrecompile, AttributionPrecompile);

/// Dispatches `call` with the caller's signed origin, as the extrinsic would be.
fn dispatch_as_caller(env: &mut impl Ext<T = Runtime>, call: RuntimeCall) -> Result<(), Error> {
	if env.is_read_only() {
		return Err(revert_with("a static call cannot change state"));
	}
	let weight = call.get_dispatch_info().call_weight;
	let charged = env.charge(weight)?;
	let caller = env.caller().account_id()?.clone();
	match call.dispatch(RuntimeOrigin::signed(caller)) {
		Ok(post_info) => {
			env.adjust_gas(charged, post_info.actual_weight.unwrap_or(weight));
			Ok(())
		},
		Err(failure) => Err(revert(failure.error)),
	}
}

/// Charges `reads` storage reads before a view reads anything.
fn charge_reads(env: &mut impl Ext<T = Runtime>, reads: u64) -> Result<(), Error> {
	let weight = <Runtime as frame_system::Config>::DbWeight::get().reads(reads);
	env.charge(weight)?;
	Ok(())
}

/// A dispatch error as a Solidity revert: "Pallet.Error" for a pallet's error, the error's
/// own words otherwise ("Token.FundsUnavailable" style names come from `DispatchError`).
fn revert(error: DispatchError) -> Error {
	let reason = match error {
		DispatchError::Module(ModuleError { index, message, .. }) => {
			let pallet = AllPalletsWithSystem::infos()
				.into_iter()
				.find(|pallet| pallet.index == index as usize)
				.map_or("UnknownPallet", |pallet| pallet.name);
			format!("{pallet}.{}", message.unwrap_or("UnknownError"))
		},
		DispatchError::Token(token) => format!("Token.{}", <&'static str>::from(token)),
		DispatchError::Arithmetic(arithmetic) => {
			format!("Arithmetic.{}", <&'static str>::from(arithmetic))
		},
		other => String::from(<&'static str>::from(other)),
	};
	Error::Revert(reason.into())
}

/// A revert with `reason` in words (`Error(string)`).
fn revert_with(reason: &str) -> Error {
	Error::Revert(reason.into())
}

/// The Ethereum address of an account (an sr25519 account's keccak-derived one, or an Ethereum
/// key's own).
fn address_of(account: &AccountId) -> Address {
	Address::from(<Runtime as pallet_revive::Config>::AddressMapper::to_address(account).0)
}

/// The account behind an Ethereum address.
fn account_of(address: &Address) -> AccountId {
	<Runtime as pallet_revive::Config>::AddressMapper::to_account_id(&H160::from(address.0 .0))
}

/// Planck as wei (the EVM's unit: 1 TRIB = 10^18 wei).
fn to_wei(amount: Balance) -> U256 {
	U256::from(amount) * U256::from(NATIVE_TO_ETH_RATIO)
}

/// Wei as planck; an amount that is not a whole number of planck is refused rather than rounded.
fn to_planck(wei: U256) -> Result<Balance, Error> {
	let ratio = U256::from(NATIVE_TO_ETH_RATIO);
	if !(wei % ratio).is_zero() {
		return Err(revert_with("amount is not a whole number of planck (10^6 wei)"));
	}
	Balance::try_from(wei / ratio).map_err(|_| revert_with("amount is out of range"))
}

/// Bytes as one of a pallet's bounded vectors, refusing what is too long.
fn bounded<B: TryFrom<alloc::vec::Vec<u8>>>(bytes: &[u8], what: &str) -> Result<B, Error> {
	B::try_from(bytes.to_vec()).map_err(|_| revert_with(&format!("{what} is too long")))
}
