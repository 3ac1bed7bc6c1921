//! The session manager's side: handing the set to `pallet-session`, and the genesis set.

use crate::*;

impl<T: Config> Pallet<T> {
	/// Called by `pallet-session` as session `new_index - 1` starts: the set for session
	/// `new_index` if it changed since the last call, `None` to keep the current one.
	pub(crate) fn do_new_session(new_index: SessionIndex) -> Option<alloc::vec::Vec<T::AccountId>> {
		if !SetChanged::<T>::take() {
			return None;
		}
		let validators = Validators::<T>::get();
		Self::deposit_event(Event::ValidatorSetQueued {
			session: new_index,
			validators: validators.clone(),
		});
		Some(validators.into_inner())
	}

	/// The genesis validators are `pallet-session`'s, which its genesis build has just stored
	/// (none in a default genesis config, which names no session keys).
	pub(crate) fn copy_genesis_validators() {
		let validators = ValidatorsOf::<T>::try_from(pallet_session::Validators::<T>::get())
			.expect("more genesis validators than MaxValidators");
		Validators::<T>::put(validators);
	}
}
