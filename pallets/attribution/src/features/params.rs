//! The chain's dispute and method parameters.

use crate::*;
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::One;

impl<T: Config> Pallet<T> {
	/// Whether `params` are usable: 1 ≤ `recomputers` ≤ `MaxRecomputers`, `draw_delay` ≥ 2
	/// (the draw must not depend only on the dispute's own block, whose author may be the
	/// challenger's accomplice), `recompute_period` ≥ 1.
	pub fn check_params(params: &AttributionParams<BlockNumberFor<T>>) -> DispatchResult {
		let two = BlockNumberFor::<T>::one() + One::one();
		ensure!(
			(1..=T::MaxRecomputers::get()).contains(&params.recomputers)
				&& params.draw_delay >= two
				&& params.recompute_period >= One::one()
				&& params.methods.unworkable().is_none(),
			Error::<T>::InvalidParams
		);
		Ok(())
	}

	pub(crate) fn do_set_params(params: AttributionParams<BlockNumberFor<T>>) -> DispatchResult {
		Self::check_params(&params)?;
		Params::<T>::put(params);
		Self::deposit_event(Event::ParamsSet { params });
		Ok(())
	}
}
