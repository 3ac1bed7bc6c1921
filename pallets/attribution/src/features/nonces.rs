//! Forgetting used nonces once no receipt carrying them can be accepted any more.

use crate::*;
use frame_support::{pallet_prelude::*, weights::RuntimeDbWeight};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{One, Saturating};
use tributary_primitives::rewards::RecordId;

impl<T: Config> Pallet<T> {
	/// Remember that `user` used `nonce` in a receipt that expires at `expiry`.
	pub(crate) fn note_nonce(
		user: &T::AccountId,
		nonce: u64,
		expiry: BlockNumberFor<T>,
		record: RecordId,
	) {
		UsedNonces::<T>::insert(user, nonce, record);
		NoncesByExpiry::<T>::insert(expiry, (user.clone(), nonce), ());
	}

	/// Forget the nonces of receipts that expired before `now`, oldest expiry first, within
	/// `limit`. Returns the weight used.
	pub(crate) fn prune_expired_nonces(now: BlockNumberFor<T>, limit: Weight) -> Weight {
		Self::prune_expired_nonces_at(now, limit, T::DbWeight::get())
	}

	/// [`Self::prune_expired_nonces`] with the database costs given, so tests can bound it.
	pub(crate) fn prune_expired_nonces_at(
		now: BlockNumberFor<T>,
		limit: Weight,
		db: RuntimeDbWeight,
	) -> Weight {
		// Reading and writing the cursor.
		let mut used = db.reads_writes(1, 1);
		if used.any_gt(limit) {
			return Weight::zero();
		}
		// Looking up an expiry block's (next) entry, and removing one nonce from both maps.
		let per_block = db.reads(1);
		let per_nonce = db.reads_writes(1, 2);
		let mut cursor = NoncePruneCursor::<T>::get();
		// A receipt expiring at `cursor` is accepted up to and including block `cursor`.
		'blocks: while cursor < now {
			if used.saturating_add(per_block).any_gt(limit) {
				break;
			}
			used.saturating_accrue(per_block);
			let mut expired = NoncesByExpiry::<T>::drain_prefix(cursor);
			loop {
				if used.saturating_add(per_nonce).any_gt(limit) {
					break 'blocks;
				}
				let Some(((user, nonce), ())) = expired.next() else { break };
				UsedNonces::<T>::remove(&user, nonce);
				used.saturating_accrue(per_nonce);
			}
			cursor = cursor.saturating_add(One::one());
		}
		NoncePruneCursor::<T>::put(cursor);
		used
	}
}
