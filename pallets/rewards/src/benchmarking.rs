//! Benchmarks of every call in its worst case: `claim` pays a beneficiary whose account does not
//! exist yet (the transfer creates it).

use super::*;
use crate::Pallet as Rewards;
use alloc::vec;
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	EnsureOrigin, Get,
};
use frame_system::RawOrigin;
use sp_runtime::{
	traits::{Bounded, Saturating},
	Perbill,
};
use tributary_primitives::traits::OnRecordFinalized;
use tributary_primitives::{
	attribution::{RowRef, PARTS_PER_BILLION},
	rewards::{ContributorShare, FinalizedRecord},
};

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn set_params() -> Result<(), BenchmarkError> {
		let origin =
			T::ParamsOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let params = RewardParams {
			model_owner: Perbill::from_percent(25),
			contributors: Perbill::from_percent(25),
			worker: Perbill::from_percent(25),
			treasury: Perbill::from_percent(25),
			unattributed_to: UnattributedTo::ModelOwner,
			penalty_threshold: Perbill::from_percent(10),
			penalty_reduction: Perbill::from_percent(90),
			slash_beneficiary_share: Perbill::from_percent(50),
		};

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, params);

		assert_eq!(Params::<T>::get(), params);
		Ok(())
	}

	#[benchmark]
	fn claim() {
		let contributor: T::AccountId = account("contributor", 0, 0);
		let fee = BalanceOf::<T>::max_value() / 1024u32.into();
		let pot = T::PotAccount::get();
		T::Currency::set_balance(&pot, fee.saturating_add(T::Currency::minimum_balance()));
		Rewards::<T>::on_record_finalized(&FinalizedRecord {
			record: 0,
			fee,
			model_owner: account("owner", 0, 0),
			worker: account("worker", 0, 0),
			shares: vec![ContributorShare {
				row: RowRef { datanet: 0, row: 0 },
				contributor: contributor.clone(),
				parts_per_billion: PARTS_PER_BILLION,
			}],
		});
		let amount = Claimable::<T>::get(&contributor);
		let caller: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), contributor.clone());

		assert_eq!(T::Currency::balance(&contributor), amount);
	}

	impl_benchmark_test_suite!(Rewards, crate::mock::new_test_ext(), crate::mock::Test);
}
