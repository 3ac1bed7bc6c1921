//! Benchmarks of both calls in their worst case: a set one short of full (adding) or full
//! (removing), the account looked up at its end.

use super::*;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	EnsureOrigin, Get,
};
use frame_system::RawOrigin;
use sp_runtime::traits::StaticLookup;

/// Fill the set with made-up validators up to `len` (they need no keys for these calls).
fn fill<T: Config>(len: u32) {
	let mut validators = Validators::<T>::get();
	let mut i = 0;
	while (validators.len() as u32) < len {
		validators.try_push(account("validator", i, 0)).expect("len <= MaxValidators");
		i += 1;
	}
	Validators::<T>::put(validators);
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn add_validator() -> Result<(), BenchmarkError> {
		fill::<T>(T::MaxValidators::get() - 1);
		let who: T::AccountId = account("candidate", 0, 0);
		// The existential deposit keeps the account alive while the key deposit is held.
		let existential = <T as pallet_session::Config>::Currency::minimum_balance();
		<T as pallet_session::Config>::Currency::mint_into(&who, existential)?;
		pallet_session::Pallet::<T>::ensure_can_pay_key_deposit(&who)?;
		let (keys, proof) = T::BenchmarkHelper::session_keys(&who);
		pallet_session::Pallet::<T>::set_keys(RawOrigin::Signed(who.clone()).into(), keys, proof)?;
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, T::Lookup::unlookup(who.clone()));

		assert_eq!(Validators::<T>::get().last(), Some(&who));
		Ok(())
	}

	#[benchmark]
	fn remove_validator() -> Result<(), BenchmarkError> {
		fill::<T>(T::MaxValidators::get());
		let who = Validators::<T>::get().last().cloned().expect("a full set");
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, T::Lookup::unlookup(who.clone()));

		let remaining: Vec<_> = Validators::<T>::get().into_inner();
		assert!(!remaining.contains(&who));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
