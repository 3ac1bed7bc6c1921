//! Registering and unregistering workers.

use crate::*;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{InspectHold, MutateHold},
		tokens::Precision,
	},
};
use tributary_primitives::disputes::OpenRecords;

impl<T: Config> Pallet<T> {
	pub(crate) fn do_register_worker(
		worker: T::AccountId,
		endpoint: EndpointOf<T>,
		device: DeviceOf<T>,
	) -> DispatchResult {
		ensure!(!Workers::<T>::contains_key(&worker), Error::<T>::AlreadyRegistered);
		let mut list = WorkerList::<T>::get();
		list.try_push(worker.clone()).map_err(|_| Error::<T>::TooManyWorkers)?;
		let bond = T::WorkerBond::get();
		T::Currency::hold(&HoldReason::WorkerBond.into(), &worker, bond)?;
		WorkerList::<T>::put(list);
		Workers::<T>::insert(
			&worker,
			WorkerInfo {
				endpoint,
				device,
				bond,
				registered_at: frame_system::Pallet::<T>::block_number(),
			},
		);
		Self::deposit_event(Event::WorkerRegistered { worker, bond });
		Ok(())
	}

	pub(crate) fn do_unregister_worker(worker: T::AccountId) -> DispatchResult {
		ensure!(Workers::<T>::contains_key(&worker), Error::<T>::NotRegistered);
		ensure!(WorkerJobs::<T>::decode_len(&worker).unwrap_or(0) == 0, Error::<T>::WorkerBusy);
		ensure!(!T::OpenRecords::has_open_records(&worker), Error::<T>::WorkerHasOpenRecords);
		// What is still held: other pallets may have slashed part of the bond (a worker whose
		// attribution a dispute overturned), so `info.bond` can be more than remains.
		let held = T::Currency::balance_on_hold(&HoldReason::WorkerBond.into(), &worker);
		T::Currency::release(&HoldReason::WorkerBond.into(), &worker, held, Precision::Exact)?;
		Self::remove_worker(&worker);
		Self::deposit_event(Event::WorkerUnregistered { worker });
		Ok(())
	}

	/// Drop a worker from the set (its bond is handled by the caller).
	pub(crate) fn remove_worker(worker: &T::AccountId) {
		Workers::<T>::remove(worker);
		WorkerList::<T>::mutate(|list| list.retain(|w| w != worker));
	}
}
