//! Accruing a finalized record's fee: O(K) storage writes, no transfers.

use crate::*;
use alloc::vec::Vec;
use frame_support::traits::Get;
use sp_runtime::{traits::Saturating, Perbill};
use tributary_primitives::rewards::{FinalizedRecord, RecordId};
use tributary_primitives::traits::{ContributorReputationInspect, OnRecordFinalized};

impl<T: Config> Pallet<T> {
	/// Whether a contributor's penalty score (slashed ÷ decided rows) is above the threshold.
	pub fn is_penalized(who: &T::AccountId, params: &RewardParams) -> bool {
		let reputation = T::Reputation::reputation(who);
		let decided = reputation.approved.saturating_add(reputation.rejected).max(1);
		Perbill::from_rational(reputation.slashed.min(decided), decided) > params.penalty_threshold
	}

	fn accrue(who: &T::AccountId, record: RecordId, role: RewardRole, amount: BalanceOf<T>) {
		if amount == Default::default() {
			return;
		}
		Claimable::<T>::mutate(who, |claimable| *claimable = claimable.saturating_add(amount));
		History::<T>::mutate(who, |history| {
			if history.is_full() && !history.is_empty() {
				history.remove(0);
			}
			// Only fails for `MaxHistory` = 0, which keeps no history by definition.
			let _ = history.try_push(RewardEntry { record, role, amount });
		});
	}
}

impl<T: Config> OnRecordFinalized<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn fee_pot() -> T::AccountId {
		T::PotAccount::get()
	}

	fn on_record_finalized(finalized: &FinalizedRecord<T::AccountId, BalanceOf<T>>) {
		let params = Params::<T>::get();
		let shares: Vec<(T::AccountId, u32, bool)> = finalized
			.shares
			.iter()
			.map(|share| {
				let penalized = Self::is_penalized(&share.contributor, &params);
				(share.contributor.clone(), share.parts_per_billion, penalized)
			})
			.collect();
		let split = split_fee(finalized.fee, &params, &shares);
		let record = finalized.record;
		let (to_owner, to_treasury) = match split.unattributed_to {
			UnattributedTo::ModelOwner => {
				(split.model_owner.saturating_add(split.unattributed), split.treasury)
			},
			UnattributedTo::Treasury => {
				(split.model_owner, split.treasury.saturating_add(split.unattributed))
			},
		};
		Self::accrue(&finalized.model_owner, record, RewardRole::ModelOwner, to_owner);
		Self::accrue(&finalized.worker, record, RewardRole::Worker, split.worker);
		for (contributor, amount) in &split.contributors {
			Self::accrue(contributor, record, RewardRole::Contributor, *amount);
		}
		let treasury_total = to_treasury.saturating_add(split.penalties).saturating_add(split.dust);
		Self::accrue(&T::TreasuryAccount::get(), record, RewardRole::Treasury, treasury_total);
		Self::deposit_event(Event::RecordRewarded {
			record,
			fee: finalized.fee,
			model_owner: split.model_owner,
			contributors: split.contributors_total(),
			worker: split.worker,
			treasury: split.treasury,
			unattributed: split.unattributed,
			penalties: split.penalties,
			dust: split.dust,
		});
	}
}
