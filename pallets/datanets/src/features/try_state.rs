//! The pallet's invariants, checked by `try_state` (try-runtime) and after every unit test.

use crate::*;
use alloc::{
	collections::{BTreeMap, BTreeSet},
	format,
	vec::Vec,
};
use frame_support::traits::fungible::InspectHold;
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchError, TryRuntimeError,
};
use tributary_primitives::datanets::{merkle_root, DatanetId, RowStatus};
use tributary_primitives::invariants::{ensure_invariant, invariant_broken};

/// Add `amount` to `who`'s total in `totals`.
fn add_to<AccountId: Ord, Balance: Saturating + Zero + Copy>(
	totals: &mut BTreeMap<AccountId, Balance>,
	who: AccountId,
	amount: Balance,
) {
	let total = totals.entry(who).or_insert_with(Zero::zero);
	*total = total.saturating_add(amount);
}

impl<T: Config> Pallet<T> {
	/// Check the pallet's invariants; the error names the broken one and its key.
	///
	/// - **Datanets**: every id is below `NextDatanetId`; `DatanetIdByName` holds exactly one
	///   entry per datanet, under its owner and name; names are not empty; curators are distinct
	///   and do not include the owner; versions `1..=version_count` exist and no other; allow-list
	///   entries belong to existing datanets.
	/// - **Rows**: each belongs to an existing datanet, below its `next_row_id`, with at least one
	///   byte; `RowByHash` maps each row's content hash to it, and nothing else; an approved row is
	///   listed in `ApprovedRows` (which lists only approved rows, once each); a published row is
	///   in its version's rows; a slashed row holds no deposit.
	/// - **Versions**: each has its row list, in strictly increasing row order, with `row_count`
	///   rows of that version (published or since slashed), whose byte lengths sum to
	///   `total_bytes` and whose content hashes give `merkle_root`.
	/// - **Challenges**: each is against an approved or published row whose deposit is still
	///   held, with a bond.
	/// - **Reputation**: slashed rows never outnumber decided ones, and a contributor has at least
	///   as many approvals as rows still on the chain that were approved.
	/// - **Holds**: each account holds exactly the deposits of the datanets it owns
	///   (`DatanetDeposit`), the deposits of its rows (`RowDeposit`) and the bonds of its open
	///   challenges (`ChallengeBond`).
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let next_datanet = NextDatanetId::<T>::get();
		let mut datanet_deposits = BTreeMap::<T::AccountId, BalanceOf<T>>::new();
		for (datanet, info) in Datanet::<T>::iter() {
			ensure_invariant(datanet < next_datanet, || {
				format!("Datanet {datanet}: id not below NextDatanetId {next_datanet}")
			})?;
			ensure_invariant(!info.name.is_empty(), || format!("Datanet {datanet}: empty name"))?;
			ensure_invariant(
				DatanetIdByName::<T>::get(&info.owner, &info.name) == Some(datanet),
				|| {
					format!(
						"Datanet {datanet}: DatanetIdByName does not map its owner and name to it"
					)
				},
			)?;
			let curators: BTreeSet<&T::AccountId> = info.curators.iter().collect();
			ensure_invariant(
				curators.len() == info.curators.len() && !curators.contains(&info.owner),
				|| format!("Datanet {datanet}: curators repeat or include the owner"),
			)?;
			for version in 1..=info.version_count {
				ensure_invariant(Versions::<T>::contains_key(datanet, version), || {
					format!(
						"Datanet {datanet}: version {version} of {} missing",
						info.version_count
					)
				})?;
			}
			add_to(&mut datanet_deposits, info.owner, info.deposit);
		}
		for (owner, name, datanet) in DatanetIdByName::<T>::iter() {
			ensure_invariant(
				Datanet::<T>::get(datanet)
					.is_some_and(|info| info.owner == owner && info.name == name),
				|| {
					format!(
						"DatanetIdByName ({owner:?}, {name:?}): datanet {datanet} is not theirs"
					)
				},
			)?;
		}
		for (datanet, who) in AllowList::<T>::iter_keys() {
			ensure_invariant(Datanet::<T>::contains_key(datanet), || {
				format!("AllowList ({datanet}, {who:?}): unknown datanet")
			})?;
		}

		let mut row_deposits = BTreeMap::<T::AccountId, BalanceOf<T>>::new();
		// Per datanet, its rows with status `Approved`.
		let mut approved_rows = BTreeMap::<DatanetId, usize>::new();
		// Per contributor, its rows on the chain that were approved.
		let mut approvals = BTreeMap::<T::AccountId, u32>::new();
		for (datanet, row, info) in Rows::<T>::iter() {
			let next_row = Datanet::<T>::get(datanet).map(|d| d.next_row_id);
			ensure_invariant(next_row.is_some_and(|next| row < next), || {
				format!("Rows ({datanet}, {row}): no datanet, or id not below its next_row_id")
			})?;
			ensure_invariant(info.byte_len > 0, || format!("Rows ({datanet}, {row}): no bytes"))?;
			ensure_invariant(
				RowByHash::<T>::get(info.content_hash) == Some((datanet, row)),
				|| {
					format!(
						"Rows ({datanet}, {row}): RowByHash does not map its content hash to it"
					)
				},
			)?;
			match info.status {
				RowStatus::Pending => {},
				RowStatus::Approved => {
					*approved_rows.entry(datanet).or_default() += 1;
				},
				RowStatus::Published(version) => {
					let listed = VersionRows::<T>::get(datanet, version)
						.is_some_and(|rows| rows.binary_search(&row).is_ok());
					ensure_invariant(listed, || {
						format!("Rows ({datanet}, {row}): published in version {version}, not in its rows")
					})?;
				},
				RowStatus::Slashed => {
					ensure_invariant(info.deposit.is_zero(), || {
						format!("Rows ({datanet}, {row}): slashed but still holds a deposit")
					})?;
				},
			}
			if info.status != RowStatus::Pending {
				let count = approvals.entry(info.contributor.clone()).or_default();
				*count = count.saturating_add(1);
			}
			add_to(&mut row_deposits, info.contributor, info.deposit);
		}
		for (hash, (datanet, row)) in RowByHash::<T>::iter() {
			ensure_invariant(
				Rows::<T>::get(datanet, row).is_some_and(|info| info.content_hash == hash),
				|| format!("RowByHash {hash:?}: row ({datanet}, {row}) does not hold it"),
			)?;
		}
		for (datanet, rows) in ApprovedRows::<T>::iter() {
			let distinct: BTreeSet<_> = rows.iter().collect();
			ensure_invariant(distinct.len() == rows.len(), || {
				format!("ApprovedRows {datanet}: a row is listed twice")
			})?;
			for row in rows.iter() {
				ensure_invariant(
					Rows::<T>::get(datanet, row)
						.is_some_and(|info| info.status == RowStatus::Approved),
					|| format!("ApprovedRows {datanet}: row {row} is not an approved row"),
				)?;
			}
			ensure_invariant(approved_rows.remove(&datanet).unwrap_or(0) == rows.len(), || {
				format!("ApprovedRows {datanet}: does not list all of the datanet's approved rows")
			})?;
		}
		if let Some((datanet, count)) = approved_rows.first_key_value() {
			return Err(DispatchError::Other(invariant_broken(format!(
				"ApprovedRows {datanet}: missing while the datanet has {count} approved rows"
			))));
		}

		for (datanet, version, info) in Versions::<T>::iter() {
			let version_count = Datanet::<T>::get(datanet).map_or(0, |d| d.version_count);
			ensure_invariant((1..=version_count).contains(&version), || {
				format!("Versions ({datanet}, {version}): beyond the datanet's {version_count} versions")
			})?;
			let rows = VersionRows::<T>::get(datanet, version).ok_or_else(|| {
				DispatchError::Other(invariant_broken(format!(
					"Versions ({datanet}, {version}): no VersionRows"
				)))
			})?;
			ensure_invariant(rows.len() == info.row_count as usize, || {
				format!(
					"Versions ({datanet}, {version}): {} rows listed, row_count {}",
					rows.len(),
					info.row_count
				)
			})?;
			ensure_invariant(rows.windows(2).all(|pair| pair[0] < pair[1]), || {
				format!("VersionRows ({datanet}, {version}): not in strictly increasing row order")
			})?;
			let mut hashes = Vec::with_capacity(rows.len());
			let mut total_bytes: u64 = 0;
			for row in rows.iter() {
				let row_info = Rows::<T>::get(datanet, row).filter(|row_info| {
					matches!(row_info.status, RowStatus::Published(v) if v == version)
						|| row_info.status == RowStatus::Slashed
				});
				let row_info = row_info.ok_or_else(|| {
					DispatchError::Other(invariant_broken(format!(
						"VersionRows ({datanet}, {version}): row {row} is not of this version"
					)))
				})?;
				hashes.push(row_info.content_hash);
				total_bytes = total_bytes.saturating_add(row_info.byte_len.into());
			}
			ensure_invariant(total_bytes == info.total_bytes, || {
				let recorded = info.total_bytes;
				format!(
					"Versions ({datanet}, {version}): total_bytes {recorded}, rows {total_bytes}"
				)
			})?;
			ensure_invariant(merkle_root(&hashes) == info.merkle_root, || {
				format!("Versions ({datanet}, {version}): merkle_root is not the root of its rows")
			})?;
		}
		for (datanet, version) in VersionRows::<T>::iter_keys() {
			ensure_invariant(Versions::<T>::contains_key(datanet, version), || {
				format!("VersionRows ({datanet}, {version}): no such version")
			})?;
		}

		let mut bonds = BTreeMap::<T::AccountId, BalanceOf<T>>::new();
		for (datanet, row, challenge) in Challenges::<T>::iter() {
			let challengeable = Rows::<T>::get(datanet, row).is_some_and(|info| {
				matches!(info.status, RowStatus::Approved | RowStatus::Published(_))
					&& !info.deposit.is_zero()
			});
			ensure_invariant(challengeable, || {
				format!(
					"Challenges ({datanet}, {row}): the row is not approved or published with its \
					 deposit held"
				)
			})?;
			ensure_invariant(!challenge.bond.is_zero(), || {
				format!("Challenges ({datanet}, {row}): no bond")
			})?;
			add_to(&mut bonds, challenge.challenger, challenge.bond);
		}

		for (who, reputation) in Reputation::<T>::iter() {
			ensure_invariant(
				reputation.slashed <= reputation.approved.saturating_add(reputation.rejected),
				|| format!("Reputation {who:?}: more slashed rows than decided ones"),
			)?;
			let on_chain = approvals.remove(&who).unwrap_or(0);
			ensure_invariant(reputation.approved >= on_chain, || {
				format!(
					"Reputation {who:?}: {} approvals, but {on_chain} of its rows were approved",
					reputation.approved
				)
			})?;
		}
		if let Some((who, count)) = approvals.first_key_value() {
			return Err(DispatchError::Other(invariant_broken(format!(
				"Reputation {who:?}: none, but {count} of its rows were approved"
			))));
		}

		for (reason, name, totals) in [
			(HoldReason::DatanetDeposit, "DatanetDeposit", datanet_deposits),
			(HoldReason::RowDeposit, "RowDeposit", row_deposits),
			(HoldReason::ChallengeBond, "ChallengeBond", bonds),
		] {
			let reason = reason.into();
			for (who, recorded) in totals {
				let held = T::Currency::balance_on_hold(&reason, &who);
				ensure_invariant(held == recorded, || {
					format!("{name} hold of {who:?}: {held:?} held, {recorded:?} recorded")
				})?;
			}
		}
		Ok(())
	}
}
