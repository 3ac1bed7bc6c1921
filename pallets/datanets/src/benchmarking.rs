//! Benchmarks of every call in its worst case: inputs at their bounds, a private datanet with a
//! full curator list (so the contributor check scans it and then reads the allow-list), full
//! batches whose rows each have a distinct contributor (so approving and rejecting touch one
//! reputation, hold and slash tally per row), a full list of approved rows, and slashes that
//! move funds.

use super::*;
use crate::Pallet as Datanets;
use alloc::{format, vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate},
		EnsureOrigin, Get,
	},
	BoundedVec,
};
use frame_system::RawOrigin;
use sp_runtime::traits::{Bounded, Saturating};
use tributary_primitives::{
	content_hash,
	datanets::{ChallengeKind, DatanetId, RejectReason, RowId, RowStatus, VersionId, Visibility},
};

/// Row length used in benchmarks; weights do not depend on it, deposits do.
const ROW_BYTES: u32 = 1_000;

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	T::Currency::set_balance(&who, BalanceOf::<T>::max_value() / 1024u32.into());
	who
}

fn ensure_treasury_exists<T: Config>() {
	let treasury = T::TreasuryAccount::get();
	if T::Currency::balance(&treasury) < T::Currency::minimum_balance() {
		T::Currency::set_balance(&treasury, T::Currency::minimum_balance());
	}
}

fn filled<S: Get<u32>>(byte: u8) -> BoundedVec<u8, S> {
	vec![byte; S::get() as usize].try_into().expect("exactly at the bound")
}

fn max_tags<T: Config>() -> TagsOf<T> {
	(0..T::MaxTags::get())
		.map(|_| filled::<T::MaxTagLen>(b't'))
		.collect::<Vec<_>>()
		.try_into()
		.expect("exactly at the bound")
}

fn max_row<T: Config>(seed: u32) -> RowInputOf<T> {
	RowInput {
		content_hash: content_hash(format!("benchmark row {seed}").as_bytes()),
		byte_len: ROW_BYTES,
		label: Some(filled::<T::MaxLabelLen>(b'l')),
	}
}

/// A private datanet of `owner` with the most curators, at the bounds of every text field.
fn datanet_with_curators<T: Config>(owner: &T::AccountId, curators: u32) -> DatanetId {
	ensure_treasury_exists::<T>();
	let datanet = NextDatanetId::<T>::get();
	Datanets::<T>::do_create_datanet(
		owner.clone(),
		filled(b'n'),
		filled(b's'),
		filled(b'd'),
		max_tags::<T>(),
		filled(b'l'),
		Visibility::Private,
	)
	.expect("funded owner creates a datanet");
	for i in 0..curators {
		Datanets::<T>::do_add_curator(owner.clone(), datanet, funded::<T>("curator", i))
			.expect("below MaxCurators");
	}
	datanet
}

fn full_datanet<T: Config>(owner: &T::AccountId) -> DatanetId {
	datanet_with_curators::<T>(owner, T::MaxCurators::get())
}

/// `count` pending rows of `contributor`, seeded from `first_seed`.
fn pending_rows<T: Config>(
	contributor: &T::AccountId,
	datanet: DatanetId,
	first_seed: u32,
	count: u32,
) -> Vec<RowId> {
	let first = Datanets::<T>::datanet(datanet).expect("datanet exists").next_row_id;
	Datanets::<T>::do_contribute(
		contributor.clone(),
		datanet,
		(first_seed..first_seed + count).map(max_row::<T>),
	)
	.expect("funded allowed contributor");
	(first..first + count as u64).collect()
}

/// `count` rows approved for the next version (written directly, as `approve` is bounded by
/// `MaxBatchSize`).
fn approved_rows<T: Config>(
	contributor: &T::AccountId,
	datanet: DatanetId,
	first_seed: u32,
	count: u32,
) -> Vec<RowId> {
	let ids = pending_rows::<T>(contributor, datanet, first_seed, count);
	mark_approved::<T>(datanet, &ids);
	ids
}

/// Approve pending `rows` as curation does, without the curator's call.
fn mark_approved<T: Config>(datanet: DatanetId, rows: &[RowId]) {
	for row in rows {
		Rows::<T>::mutate(datanet, row, |info| {
			info.as_mut().expect("just contributed").status = RowStatus::Approved
		});
	}
	let mut approved = ApprovedRows::<T>::get(datanet);
	approved.try_extend(rows.iter().copied()).expect("within MaxRowsPerVersion");
	ApprovedRows::<T>::insert(datanet, approved);
}

/// One pending row from each of `count` distinct, allow-listed contributors, seeded from
/// `first_seed`.
fn pending_rows_of_distinct_contributors<T: Config>(
	datanet: DatanetId,
	first_seed: u32,
	count: u32,
) -> Vec<RowId> {
	(0..count)
		.map(|i| {
			let contributor = funded::<T>("distinct contributor", i);
			AllowList::<T>::insert(datanet, &contributor, ());
			pending_rows::<T>(&contributor, datanet, first_seed + i, 1)[0]
		})
		.collect()
}

/// An approved row of `contributor` under an open `Spam` challenge, with a funded challenger.
fn challenged_row<T: Config>(
	contributor: &T::AccountId,
	datanet: DatanetId,
	approved: u32,
) -> (RowId, T::AccountId) {
	// The challenged row is the last of `approved` approved rows, which an upheld challenge
	// must drop from the list.
	let row = *approved_rows::<T>(contributor, datanet, 0, approved)
		.last()
		.expect("at least one");
	let challenger = funded::<T>("challenger", 0);
	Datanets::<T>::do_challenge_row(challenger.clone(), datanet, row, ChallengeKind::Spam)
		.expect("an approved row with its deposit held");
	(row, challenger)
}

fn owner_and_contributor<T: Config>() -> (T::AccountId, T::AccountId, DatanetId) {
	let owner = funded::<T>("owner", 0);
	let contributor = funded::<T>("contributor", 0);
	let datanet = full_datanet::<T>(&owner);
	AllowList::<T>::insert(datanet, &contributor, ());
	(owner, contributor, datanet)
}

impl<T: Config> Pallet<T> {
	/// A fresh published version with `rows` rows (ids `0..rows`), for other pallets' benchmarks
	/// (the runtime's benchmark helpers call it). Distinct `index`es give distinct datanets and
	/// row contents.
	pub fn benchmark_published_version(index: u32, rows: u32) -> (DatanetId, VersionId) {
		let owner = funded::<T>("datanet owner", index);
		let datanet = datanet_with_curators::<T>(&owner, 0);
		// Seeds far above those of this pallet's own benchmarks keep the contents unique.
		let first_seed = u32::MAX / 2 + index.saturating_mul(T::MaxRowsPerVersion::get());
		// Each row of its own contributor: per-contributor work (rewards, reputation) is what
		// makes a record's finalization cost grow.
		let rows = pending_rows_of_distinct_contributors::<T>(datanet, first_seed, rows);
		mark_approved::<T>(datanet, &rows);
		Self::do_publish_version(owner, datanet).expect("approved rows within MaxRowsPerVersion");
		(datanet, 1)
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn create_datanet() {
		ensure_treasury_exists::<T>();
		let owner = funded::<T>("owner", 0);
		let name: NameOf<T> = filled(b'n');

		#[extrinsic_call]
		_(
			RawOrigin::Signed(owner.clone()),
			name.clone(),
			filled(b's'),
			filled(b'd'),
			max_tags::<T>(),
			filled(b'l'),
			Visibility::Private,
		);

		frame_system::Pallet::<T>::assert_last_event(
			Event::<T>::DatanetCreated { datanet: 0, owner, name }.into(),
		);
	}

	#[benchmark]
	fn update_metadata() {
		let owner = funded::<T>("owner", 0);
		let datanet = full_datanet::<T>(&owner);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), datanet, filled(b'S'), filled(b'D'), max_tags::<T>());

		frame_system::Pallet::<T>::assert_last_event(
			Event::<T>::MetadataUpdated { datanet }.into(),
		);
	}

	#[benchmark]
	fn add_curator() {
		let owner = funded::<T>("owner", 0);
		let datanet = datanet_with_curators::<T>(&owner, T::MaxCurators::get().saturating_sub(1));
		let curator: T::AccountId = account("new curator", 0, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), datanet, curator.clone());

		frame_system::Pallet::<T>::assert_last_event(
			Event::<T>::CuratorAdded { datanet, curator }.into(),
		);
	}

	#[benchmark]
	fn remove_curator() {
		let owner = funded::<T>("owner", 0);
		let datanet = full_datanet::<T>(&owner);
		let curator = Datanets::<T>::datanet(datanet).unwrap().curators.last().cloned().unwrap();

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), datanet, curator.clone());

		frame_system::Pallet::<T>::assert_last_event(
			Event::<T>::CuratorRemoved { datanet, curator }.into(),
		);
	}

	#[benchmark]
	fn set_visibility() {
		let owner = funded::<T>("owner", 0);
		let datanet = full_datanet::<T>(&owner);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), datanet, Visibility::Public);

		frame_system::Pallet::<T>::assert_last_event(
			Event::<T>::VisibilitySet { datanet, visibility: Visibility::Public }.into(),
		);
	}

	#[benchmark]
	fn set_contributor_allowed() {
		let owner = funded::<T>("owner", 0);
		let datanet = full_datanet::<T>(&owner);
		// The last curator acts: the owner-or-curator check scans the whole list.
		let curator = Datanets::<T>::datanet(datanet).unwrap().curators.last().cloned().unwrap();
		let contributor: T::AccountId = account("contributor", 0, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(curator), datanet, contributor.clone(), true);

		frame_system::Pallet::<T>::assert_last_event(
			Event::<T>::ContributorAllowed { datanet, who: contributor, allowed: true }.into(),
		);
	}

	#[benchmark]
	fn transfer_ownership() {
		let owner = funded::<T>("owner", 0);
		let datanet = full_datanet::<T>(&owner);
		// A curator becomes the owner: the curator list is rewritten.
		let new_owner = Datanets::<T>::datanet(datanet).unwrap().curators.last().cloned().unwrap();

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), datanet, new_owner.clone());

		frame_system::Pallet::<T>::assert_last_event(
			Event::<T>::OwnershipTransferred { datanet, from: owner, to: new_owner }.into(),
		);
	}

	#[benchmark]
	fn contribute() {
		let (_, contributor, datanet) = owner_and_contributor::<T>();
		let input = max_row::<T>(0);
		let content_hash = input.content_hash;

		#[extrinsic_call]
		_(RawOrigin::Signed(contributor.clone()), datanet, input);

		frame_system::Pallet::<T>::assert_last_event(
			Event::<T>::RowContributed {
				datanet,
				row: 0,
				contributor,
				content_hash,
				byte_len: ROW_BYTES,
				deposit: Datanets::<T>::row_deposit(ROW_BYTES),
			}
			.into(),
		);
	}

	#[benchmark]
	fn contribute_batch(n: Linear<1, { T::MaxBatchSize::get() }>) {
		let (_, contributor, datanet) = owner_and_contributor::<T>();
		let rows: RowInputsOf<T> = (0..n).map(max_row::<T>).collect::<Vec<_>>().try_into().unwrap();

		#[extrinsic_call]
		_(RawOrigin::Signed(contributor), datanet, rows);

		assert_eq!(Datanets::<T>::datanet(datanet).unwrap().next_row_id, n as u64);
	}

	/// `n` rows, each of a distinct contributor.
	#[benchmark]
	fn approve(n: Linear<1, { T::MaxBatchSize::get() }>) {
		let (owner, contributor, datanet) = owner_and_contributor::<T>();
		let already = T::MaxRowsPerVersion::get().saturating_sub(n);
		approved_rows::<T>(&contributor, datanet, 0, already);
		let ids = pending_rows_of_distinct_contributors::<T>(datanet, already, n);
		let batch: RowIdsOf<T> = ids.clone().try_into().unwrap();

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), datanet, batch);

		assert_eq!(ApprovedRows::<T>::decode_len(datanet), Some((already + n) as usize));
	}

	/// `n` rows, each of a distinct contributor.
	#[benchmark]
	fn reject(n: Linear<1, { T::MaxBatchSize::get() }>) {
		let (owner, _, datanet) = owner_and_contributor::<T>();
		let ids = pending_rows_of_distinct_contributors::<T>(datanet, 0, n);
		let batch: RowIdsOf<T> = ids.clone().try_into().unwrap();

		// Spam: part of each deposit is slashed through `Config::Slashing`, the rest is released:
		// one hold, account and slash tally per contributor.
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), datanet, batch, RejectReason::Spam);

		assert!(ids.iter().all(|row| Rows::<T>::get(datanet, row).is_none()));
		assert!((0..n).all(|i| {
			let contributor: T::AccountId = account("distinct contributor", i, 0);
			Reputation::<T>::get(&contributor).rejected == 1
		}));
	}

	#[benchmark]
	fn withdraw() {
		let (_, contributor, datanet) = owner_and_contributor::<T>();
		let row = pending_rows::<T>(&contributor, datanet, 0, 1)[0];

		#[extrinsic_call]
		_(RawOrigin::Signed(contributor), datanet, row);

		frame_system::Pallet::<T>::assert_last_event(
			Event::<T>::RowWithdrawn {
				datanet,
				row,
				returned: Datanets::<T>::row_deposit(ROW_BYTES),
			}
			.into(),
		);
	}

	#[benchmark]
	fn publish_version(n: Linear<1, { T::MaxRowsPerVersion::get() }>) {
		let (owner, contributor, datanet) = owner_and_contributor::<T>();
		approved_rows::<T>(&contributor, datanet, 0, n);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), datanet);

		assert_eq!(Versions::<T>::get(datanet, 1).unwrap().row_count, n);
	}

	#[benchmark]
	fn challenge_row() {
		let (_, contributor, datanet) = owner_and_contributor::<T>();
		let row = approved_rows::<T>(&contributor, datanet, 0, 1)[0];
		let challenger = funded::<T>("challenger", 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(challenger.clone()), datanet, row, ChallengeKind::Adversarial);

		frame_system::Pallet::<T>::assert_last_event(
			Event::<T>::RowChallenged {
				datanet,
				row,
				challenger,
				kind: ChallengeKind::Adversarial,
				bond: Datanets::<T>::challenge_bond(Datanets::<T>::row_deposit(ROW_BYTES)),
			}
			.into(),
		);
	}

	/// The heaviest report: a near-duplicate, which also reads the original row.
	#[benchmark]
	fn report_row() {
		let (_, contributor, datanet) = owner_and_contributor::<T>();
		let rows = approved_rows::<T>(&contributor, datanet, 0, 2);
		let (original, row) = (rows[0], rows[1]);
		let worker = T::BenchmarkHelper::active_worker();
		let kind = ChallengeKind::NearDuplicate {
			original_datanet: datanet,
			original,
			similarity_ppm: T::NearDuplicateThreshold::get(),
		};

		#[extrinsic_call]
		_(RawOrigin::Signed(worker.clone()), datanet, row, kind);

		frame_system::Pallet::<T>::assert_last_event(
			Event::<T>::RowChallenged {
				datanet,
				row,
				challenger: worker,
				kind,
				bond: Datanets::<T>::challenge_bond(Datanets::<T>::row_deposit(ROW_BYTES)),
			}
			.into(),
		);
	}

	#[benchmark]
	fn resolve_challenge_upheld() -> Result<(), BenchmarkError> {
		let (_, contributor, datanet) = owner_and_contributor::<T>();
		let (row, _) = challenged_row::<T>(&contributor, datanet, T::MaxRowsPerVersion::get());
		let origin =
			T::ChallengeOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		// The reward is paid out of the deposit, the rest slashed, the bond released.
		#[extrinsic_call]
		resolve_challenge(origin as T::RuntimeOrigin, datanet, row, true);

		assert_eq!(Rows::<T>::get(datanet, row).unwrap().status, RowStatus::Slashed);
		Ok(())
	}

	#[benchmark]
	fn resolve_challenge_rejected() -> Result<(), BenchmarkError> {
		let (_, contributor, datanet) = owner_and_contributor::<T>();
		let (row, challenger) = challenged_row::<T>(&contributor, datanet, 1);
		let bond = Challenges::<T>::get(datanet, row).expect("just opened").bond;
		let origin =
			T::ChallengeOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		resolve_challenge(origin as T::RuntimeOrigin, datanet, row, false);

		frame_system::Pallet::<T>::assert_last_event(
			Event::<T>::ChallengeRejected { datanet, row, challenger, bond_slashed: bond }.into(),
		);
		Ok(())
	}

	#[benchmark]
	fn expire_challenge() {
		let (_, contributor, datanet) = owner_and_contributor::<T>();
		let (row, challenger) = challenged_row::<T>(&contributor, datanet, 1);
		let ChallengeInfo { bond, deadline, .. } =
			Challenges::<T>::get(datanet, row).expect("just opened");
		frame_system::Pallet::<T>::set_block_number(deadline);
		let anyone = funded::<T>("anyone", 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(anyone), datanet, row);

		frame_system::Pallet::<T>::assert_last_event(
			Event::<T>::ChallengeExpired { datanet, row, challenger, bond }.into(),
		);
	}

	#[benchmark]
	fn release_deposit() {
		let (owner, contributor, datanet) = owner_and_contributor::<T>();
		let row = approved_rows::<T>(&contributor, datanet, 0, 1)[0];
		Datanets::<T>::do_publish_version(owner, datanet).unwrap();
		let now = frame_system::Pallet::<T>::block_number();
		frame_system::Pallet::<T>::set_block_number(now.saturating_add(T::ChallengePeriod::get()));

		#[extrinsic_call]
		_(RawOrigin::Signed(contributor.clone()), datanet, row);

		frame_system::Pallet::<T>::assert_last_event(
			Event::<T>::DepositReleased {
				datanet,
				row,
				contributor,
				amount: Datanets::<T>::row_deposit(ROW_BYTES),
			}
			.into(),
		);
	}

	impl_benchmark_test_suite!(Datanets, crate::mock::new_test_ext(), crate::mock::Test);
}
