//! Adding and removing validators.

use crate::*;
use frame_support::ensure;
use sp_runtime::DispatchResult;

impl<T: Config> Pallet<T> {
	/// Add `who`, checked as [`Pallet::add_validator`] documents.
	pub(crate) fn do_add_validator(who: T::AccountId) -> DispatchResult {
		let mut validators = Validators::<T>::get();
		ensure!(!validators.contains(&who), Error::<T>::AlreadyValidator);
		ensure!(pallet_session::Pallet::<T>::load_keys(&who).is_some(), Error::<T>::NoSessionKeys);
		validators.try_push(who.clone()).map_err(|_| Error::<T>::TooManyValidators)?;
		Self::store_changed_set(validators);
		Self::deposit_event(Event::ValidatorAdded {
			who,
			effective_session: Self::effective_session(),
		});
		Ok(())
	}

	/// Remove `who`, checked as [`Pallet::remove_validator`] documents.
	pub(crate) fn do_remove_validator(who: T::AccountId) -> DispatchResult {
		let mut validators = Validators::<T>::get();
		let position = validators.iter().position(|v| *v == who).ok_or(Error::<T>::NotValidator)?;
		ensure!(validators.len() > 1, Error::<T>::LastValidator);
		validators.remove(position);
		Self::store_changed_set(validators);
		Self::deposit_event(Event::ValidatorRemoved {
			who,
			effective_session: Self::effective_session(),
		});
		Ok(())
	}

	fn store_changed_set(validators: ValidatorsOf<T>) {
		Validators::<T>::put(validators);
		SetChanged::<T>::put(true);
	}

	/// The first session a change made now is in force: the next one queues it.
	fn effective_session() -> SessionIndex {
		pallet_session::CurrentIndex::<T>::get().saturating_add(2)
	}
}
