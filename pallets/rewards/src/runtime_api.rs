//! Runtime API the node's RPC uses to read rewards. The runtime implements it by calling the
//! pallet's query functions (`claimable`, `reward_history`, `params`, `slash_record`).

use crate::{RewardEntry, RewardParams, SlashRecord};
use alloc::vec::Vec;
use codec::Codec;

sp_api::decl_runtime_apis! {
	pub trait RewardsApi<AccountId, Balance>
	where
		AccountId: Codec,
		Balance: Codec,
	{
		/// Accrued and not yet claimed.
		fn claimable(who: AccountId) -> Balance;
		/// The account's latest rewards, oldest first.
		fn reward_history(who: AccountId) -> Vec<RewardEntry<Balance>>;
		/// The split parameters in force.
		fn params() -> RewardParams;
		/// Slashes the account suffered.
		fn slash_record(who: AccountId) -> SlashRecord<Balance>;
	}
}
