//! Registering and unregistering workers, their standing (bond floor, validator set), slashing
//! their bonds, topping bonds up, and removing workers whose validator left.

use crate::*;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{InspectHold, MutateHold},
		tokens::Precision,
		Contains,
	},
};
use sp_runtime::traits::{Saturating, Zero};
use tributary_primitives::rewards::SlashKind;
use tributary_primitives::traits::{OpenRecords, Slashing};

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
		Self::release_idle_worker(&worker)?;
		Self::deposit_event(Event::WorkerUnregistered { worker });
		Ok(())
	}

	pub(crate) fn do_remove_departed_worker(worker: T::AccountId) -> DispatchResult {
		ensure!(Workers::<T>::contains_key(&worker), Error::<T>::NotRegistered);
		ensure!(!T::ValidatorSet::contains(&worker), Error::<T>::StillValidator);
		let released = Self::release_idle_worker(&worker)?;
		Self::deposit_event(Event::DepartedWorkerRemoved { worker, released });
		Ok(())
	}

	/// Remove a registered worker with no active job and no open attribution record, releasing
	/// what is still held of its bond (returned).
	fn release_idle_worker(worker: &T::AccountId) -> Result<BalanceOf<T>, DispatchError> {
		ensure!(Workers::<T>::contains_key(worker), Error::<T>::NotRegistered);
		ensure!(WorkerJobs::<T>::decode_len(worker).unwrap_or(0) == 0, Error::<T>::WorkerBusy);
		ensure!(!T::OpenRecords::has_open_records(worker), Error::<T>::WorkerHasOpenRecords);
		// What is still held: slashes (here or by other pallets) may have taken part of the bond,
		// so `info.bond` can be more than remains.
		let held = T::Currency::balance_on_hold(&HoldReason::WorkerBond.into(), worker);
		T::Currency::release(&HoldReason::WorkerBond.into(), worker, held, Precision::Exact)?;
		Self::remove_worker(worker);
		Ok(held)
	}

	pub(crate) fn do_top_up_bond(worker: T::AccountId) -> DispatchResult {
		let mut info = Workers::<T>::get(&worker).ok_or(Error::<T>::NotRegistered)?;
		let reason = HoldReason::WorkerBond.into();
		let required = T::WorkerBond::get();
		let amount = required.saturating_sub(T::Currency::balance_on_hold(&reason, &worker));
		ensure!(!amount.is_zero(), Error::<T>::BondNotShort);
		T::Currency::hold(&reason, &worker, amount)?;
		info.bond = required;
		Workers::<T>::insert(&worker, info);
		Self::deposit_event(Event::BondToppedUp { worker, amount });
		Ok(())
	}

	/// Why `who` may not act as a worker now, if it may not: it must be registered, a validator
	/// and hold at least `WorkerBond`.
	pub(crate) fn ensure_active(who: &T::AccountId) -> DispatchResult {
		ensure!(Workers::<T>::contains_key(who), Error::<T>::NotRegistered);
		ensure!(T::ValidatorSet::contains(who), Error::<T>::NotValidator);
		ensure!(
			T::Currency::balance_on_hold(&HoldReason::WorkerBond.into(), who)
				>= T::WorkerBond::get(),
			Error::<T>::BondBelowFloor
		);
		Ok(())
	}

	/// Slash up to `amount` of the worker's held bond through `Config::Slashing`; returns what
	/// was taken. Emits `WorkerSuspended` when this takes a registered worker below the floor.
	pub(crate) fn slash_bond(
		worker: &T::AccountId,
		amount: BalanceOf<T>,
		kind: SlashKind,
	) -> BalanceOf<T> {
		let reason = HoldReason::WorkerBond.into();
		let before = T::Currency::balance_on_hold(&reason, worker);
		let amount = amount.min(before);
		if amount.is_zero() {
			return Zero::zero();
		}
		let slashed = T::Slashing::slash_held(&reason, worker, amount, kind, None);
		let held = T::Currency::balance_on_hold(&reason, worker);
		let floor = T::WorkerBond::get();
		if before >= floor && held < floor && Workers::<T>::contains_key(worker) {
			Self::deposit_event(Event::WorkerSuspended { worker: worker.clone(), held });
		}
		slashed
	}

	/// Drop a worker from the set (its bond is handled by the caller).
	pub(crate) fn remove_worker(worker: &T::AccountId) {
		Workers::<T>::remove(worker);
		WorkerList::<T>::mutate(|list| list.retain(|w| w != worker));
	}
}
