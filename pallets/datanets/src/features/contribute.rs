//! Contributing rows.

use crate::*;
use alloc::{collections::BTreeSet, vec::Vec};
use frame_support::{pallet_prelude::*, traits::fungible::MutateHold};
use sp_runtime::{
	traits::{Saturating, Zero},
	SaturatedConversion,
};
use tributary_primitives::datanets::{DatanetId, RowStatus, Visibility};

impl<T: Config> Pallet<T> {
	/// Deposit held for a row of `byte_len` bytes.
	pub fn row_deposit(byte_len: u32) -> BalanceOf<T> {
		T::RowDepositPerByte::get()
			.saturating_mul(byte_len.saturated_into())
			.saturating_add(T::RowDepositBase::get())
	}

	/// Add rows as pending, holding each row's deposit. Every row is validated before anything is
	/// written, so either all rows are added or none.
	pub(crate) fn do_contribute(
		who: T::AccountId,
		datanet: DatanetId,
		rows: impl Iterator<Item = RowInputOf<T>>,
	) -> DispatchResult {
		let mut info = Self::datanet(datanet)?;
		if info.visibility == Visibility::Private {
			ensure!(
				Self::is_owner_or_curator(&info, &who)
					|| AllowList::<T>::contains_key(datanet, &who),
				Error::<T>::NotAllowedToContribute
			);
		}
		let rows: Vec<RowInputOf<T>> = rows.collect();
		let mut seen = BTreeSet::new();
		let mut total_deposit: BalanceOf<T> = Zero::zero();
		for input in &rows {
			ensure!(input.byte_len > 0, Error::<T>::EmptyRow);
			ensure!(
				seen.insert(input.content_hash)
					&& !RowByHash::<T>::contains_key(input.content_hash),
				Error::<T>::DuplicateRow
			);
			total_deposit = total_deposit.saturating_add(Self::row_deposit(input.byte_len));
		}
		T::Currency::hold(&HoldReason::RowDeposit.into(), &who, total_deposit)?;

		let now = frame_system::Pallet::<T>::block_number();
		for input in rows {
			let deposit = Self::row_deposit(input.byte_len);
			let row = info.next_row_id;
			info.next_row_id.saturating_inc();
			RowByHash::<T>::insert(input.content_hash, (datanet, row));
			Self::deposit_event(Event::RowContributed {
				datanet,
				row,
				contributor: who.clone(),
				content_hash: input.content_hash,
				byte_len: input.byte_len,
				deposit,
			});
			Rows::<T>::insert(
				datanet,
				row,
				RowInfo {
					contributor: who.clone(),
					content_hash: input.content_hash,
					byte_len: input.byte_len,
					label: input.label,
					deposit,
					status: RowStatus::Pending,
					contributed_at: now,
				},
			);
		}
		Datanet::<T>::insert(datanet, info);
		Ok(())
	}
}
