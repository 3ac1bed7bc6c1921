//! `IRewards` (`contracts/interfaces/IRewards.sol`): pallet-rewards for Solidity.

use alloc::vec::Vec;
use core::num::NonZero;
use pallet_revive::precompiles::{
	alloy::{self, sol_types::SolCall},
	AddressMatcher, Error, Ext, Precompile,
};

use super::{account_of, charge_reads, dispatch_as_caller, to_wei};
use crate::{Runtime, RuntimeCall};

alloy::sol!("../contracts/interfaces/IRewards.sol");
use IRewards::IRewardsCalls as Call;

/// `IRewards` at `0x0000000000000000000000000000000054030000`.
pub struct RewardsPrecompile;

impl Precompile for RewardsPrecompile {
	type T = Runtime;
	type Interface = Call;
	const MATCHER: AddressMatcher = AddressMatcher::Fixed(NonZero::new(0x5403).unwrap());
	const HAS_CONTRACT_INFO: bool = false;

	fn call(
		_address: &[u8; 20],
		input: &Self::Interface,
		env: &mut impl Ext<T = Self::T>,
	) -> Result<Vec<u8>, Error> {
		match input {
			Call::claimable(IRewards::claimableCall { account }) => {
				charge_reads(env, 1)?;
				let amount = pallet_rewards::Claimable::<Runtime>::get(account_of(account));
				Ok(IRewards::claimableCall::abi_encode_returns(&to_wei(amount)))
			},
			Call::claim(IRewards::claimCall { beneficiary }) => {
				let call = pallet_rewards::Call::claim { beneficiary: account_of(beneficiary) };
				dispatch_as_caller(env, RuntimeCall::Rewards(call))?;
				Ok(Vec::new())
			},
		}
	}
}
