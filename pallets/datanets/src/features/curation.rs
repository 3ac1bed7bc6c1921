//! Approving, rejecting and withdrawing pending rows.

use crate::*;
use alloc::collections::BTreeSet;
use frame_support::{
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};
use sp_runtime::traits::{Saturating, Zero};
use tributary_primitives::traits::Slashing;
use tributary_primitives::{
	datanets::{DatanetId, RejectReason, RowId, RowStatus},
	rewards::SlashKind,
};

impl<T: Config> Pallet<T> {
	/// Check that every row of a batch exists, is pending and appears once.
	fn ensure_pending_batch(datanet: DatanetId, rows: &RowIdsOf<T>) -> DispatchResult {
		ensure!(!rows.is_empty(), Error::<T>::EmptyBatch);
		let mut seen = BTreeSet::new();
		for row in rows.iter() {
			let info = Rows::<T>::get(datanet, row).ok_or(Error::<T>::UnknownRow)?;
			// A row listed twice is not pending the second time.
			ensure!(
				info.status == RowStatus::Pending && seen.insert(*row),
				Error::<T>::RowNotPending
			);
		}
		Ok(())
	}

	pub(crate) fn do_approve(
		who: T::AccountId,
		datanet: DatanetId,
		rows: RowIdsOf<T>,
	) -> DispatchResult {
		Self::curated_datanet(&who, datanet)?;
		Self::ensure_pending_batch(datanet, &rows)?;
		let mut approved = ApprovedRows::<T>::get(datanet);
		approved
			.try_extend(rows.iter().copied())
			.map_err(|_| Error::<T>::TooManyApprovedRows)?;
		ApprovedRows::<T>::insert(datanet, approved);
		for row in rows {
			Rows::<T>::mutate(datanet, row, |info| {
				if let Some(info) = info {
					info.status = RowStatus::Approved;
					Reputation::<T>::mutate(&info.contributor, |r| r.approved.saturating_inc());
				}
			});
			Self::deposit_event(Event::RowApproved { datanet, row });
		}
		Ok(())
	}

	pub(crate) fn do_reject(
		who: T::AccountId,
		datanet: DatanetId,
		rows: RowIdsOf<T>,
		reason: RejectReason,
	) -> DispatchResult {
		Self::curated_datanet(&who, datanet)?;
		Self::ensure_pending_batch(datanet, &rows)?;
		let hold = HoldReason::RowDeposit.into();
		for row in rows {
			let Some(info) = Rows::<T>::take(datanet, row) else { continue };
			RowByHash::<T>::remove(info.content_hash);
			let to_slash = if reason == RejectReason::Spam {
				T::SpamSlashRate::get() * info.deposit
			} else {
				Zero::zero()
			};
			let slashed = if to_slash.is_zero() {
				Zero::zero()
			} else {
				T::Slashing::slash_held(
					&hold,
					&info.contributor,
					to_slash,
					SlashKind::SpamRow,
					None,
				)
			};
			// Whatever the slash did not take goes back, so no part of the deposit stays held.
			let returned = info.deposit.saturating_sub(slashed);
			if !returned.is_zero() {
				T::Currency::release(&hold, &info.contributor, returned, Precision::Exact)?;
			}
			Reputation::<T>::mutate(&info.contributor, |r| {
				r.rejected.saturating_inc();
				if !slashed.is_zero() {
					r.slashed.saturating_inc();
				}
			});
			Self::deposit_event(Event::RowRejected { datanet, row, reason, returned, slashed });
		}
		Ok(())
	}

	pub(crate) fn do_withdraw(who: T::AccountId, datanet: DatanetId, row: RowId) -> DispatchResult {
		Self::datanet(datanet)?;
		let info = Rows::<T>::get(datanet, row).ok_or(Error::<T>::UnknownRow)?;
		ensure!(info.contributor == who, Error::<T>::NotContributor);
		ensure!(info.status == RowStatus::Pending, Error::<T>::RowNotPending);
		T::Currency::release(&HoldReason::RowDeposit.into(), &who, info.deposit, Precision::Exact)?;
		Rows::<T>::remove(datanet, row);
		RowByHash::<T>::remove(info.content_hash);
		Self::deposit_event(Event::RowWithdrawn { datanet, row, returned: info.deposit });
		Ok(())
	}
}
