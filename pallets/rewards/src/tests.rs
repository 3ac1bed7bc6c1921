//! Unit tests of every call and of the accrual, claim and slashing paths: exact amounts, events,
//! every `Error` variant through `assert_noop!` (which also checks that storage is unchanged),
//! the history bound, and property tests of conservation.

use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold, Mutate, MutateHold},
};
use proptest::prelude::*;
use sp_runtime::{DispatchError, Perbill, TokenError};
use tributary_primitives::traits::{OnRecordFinalized, SlashFees, Slashing};
use tributary_primitives::{
	attribution::{RowRef, PARTS_PER_BILLION},
	rewards::{ContributorShare, FinalizedRecord, SlashKind},
};

fn share(contributor: AccountId, row: u64, parts_per_billion: u32) -> ContributorShare<AccountId> {
	ContributorShare { row: RowRef { datanet: 0, row }, contributor, parts_per_billion }
}

/// What pallet-attribution does at finalization: move the fee into the pot, then hand over.
fn finalize(record: u64, fee: Balance, shares: Vec<ContributorShare<AccountId>>) {
	Balances::mint_into(&POT, fee).unwrap();
	Rewards::on_record_finalized(&FinalizedRecord {
		record,
		fee,
		model_owner: OWNER,
		worker: WORKER,
		shares,
	});
}

fn free(who: AccountId) -> Balance {
	Balances::balance(&who)
}

#[test]
fn set_params_needs_the_origin_and_a_whole_split() {
	build_and_execute(|| {
		let params = RewardParams {
			model_owner: Perbill::from_percent(20),
			contributors: Perbill::from_percent(60),
			unattributed_to: UnattributedTo::ModelOwner,
			..default_params()
		};
		assert_noop!(
			Rewards::set_params(RuntimeOrigin::signed(OWNER), params),
			DispatchError::BadOrigin
		);
		let short = RewardParams { treasury: Perbill::from_percent(4), ..params };
		assert_noop!(
			Rewards::set_params(RuntimeOrigin::root(), short),
			Error::<Test>::SplitNotWhole
		);
		let over = RewardParams { treasury: Perbill::from_parts(50_000_001), ..params };
		assert_noop!(
			Rewards::set_params(RuntimeOrigin::root(), over),
			Error::<Test>::SplitNotWhole
		);

		assert_eq!(Rewards::params(), default_params());
		assert_ok!(Rewards::set_params(RuntimeOrigin::root(), params));
		assert_eq!(Params::<Test>::get(), params);
		System::assert_last_event(Event::ParamsSet { params }.into());
	});
}

#[test]
fn finalized_fee_accrues_by_the_split_to_the_last_unit() {
	build_and_execute(|| {
		finalize(
			7,
			10_000,
			vec![share(CONTRIBUTORS[0], 1, 500_000_000), share(CONTRIBUTORS[1], 2, 250_000_000)],
		);
		// 10 % owner, 15 % worker, 5 % treasury, 70 % pool: 50 % and 25 % of the pool to the
		// contributors, the unattributed 25 % of it to the treasury.
		assert_eq!(Claimable::<Test>::get(OWNER), 1_000);
		assert_eq!(Claimable::<Test>::get(WORKER), 1_500);
		assert_eq!(Claimable::<Test>::get(CONTRIBUTORS[0]), 3_500);
		assert_eq!(Claimable::<Test>::get(CONTRIBUTORS[1]), 1_750);
		assert_eq!(Claimable::<Test>::get(TREASURY), 500 + 1_750);
		System::assert_last_event(
			Event::RecordRewarded {
				record: 7,
				fee: 10_000,
				model_owner: 1_000,
				contributors: 5_250,
				worker: 1_500,
				treasury: 500,
				unattributed: 1_750,
				penalties: 0,
				dust: 0,
			}
			.into(),
		);
		assert_eq!(
			Rewards::reward_history(&CONTRIBUTORS[0]),
			vec![RewardEntry { record: 7, role: RewardRole::Contributor, amount: 3_500 }]
		);
	});
}

#[test]
fn dust_goes_to_the_treasury_and_unattributed_where_the_parameter_says() {
	build_and_execute(|| {
		assert_ok!(Rewards::set_params(
			RuntimeOrigin::root(),
			RewardParams { unattributed_to: UnattributedTo::ModelOwner, ..default_params() }
		));
		// 33 units: owner 3, worker 4, treasury 1, pool 23; one third of the pool is 7, the
		// unattributed two thirds 15; dust 33 - 31 + 1 = 3.
		finalize(0, 33, vec![share(CONTRIBUTORS[0], 1, 333_333_333)]);
		assert_eq!(Claimable::<Test>::get(CONTRIBUTORS[0]), 7);
		assert_eq!(Claimable::<Test>::get(OWNER), 3 + 15);
		assert_eq!(Claimable::<Test>::get(WORKER), 4);
		assert_eq!(Claimable::<Test>::get(TREASURY), 1 + 3);
		let total: Balance = [OWNER, WORKER, TREASURY, CONTRIBUTORS[0]]
			.iter()
			.map(Claimable::<Test>::get)
			.sum();
		assert_eq!(total, 33);
	});
}

#[test]
fn penalized_contributors_lose_the_reduction_to_the_treasury() {
	build_and_execute(|| {
		// 3 of 4 decided rows slashed: 75 % > 50 % threshold. Exactly at the threshold is not
		// penalized.
		set_reputation(CONTRIBUTORS[0], 1, 3, 3);
		set_reputation(CONTRIBUTORS[1], 1, 1, 1);
		finalize(
			1,
			10_000,
			vec![share(CONTRIBUTORS[0], 1, 500_000_000), share(CONTRIBUTORS[1], 2, 500_000_000)],
		);
		assert_eq!(Claimable::<Test>::get(CONTRIBUTORS[0]), 1_750);
		assert_eq!(Claimable::<Test>::get(CONTRIBUTORS[1]), 3_500);
		assert_eq!(Claimable::<Test>::get(TREASURY), 500 + 1_750);
		assert!(Rewards::is_penalized(&CONTRIBUTORS[0], &default_params()));
		assert!(!Rewards::is_penalized(&CONTRIBUTORS[1], &default_params()));
		assert!(!Rewards::is_penalized(&CONTRIBUTORS[2], &default_params()));
	});
}

#[test]
fn claim_pays_from_the_pot_once() {
	build_and_execute(|| {
		assert_noop!(
			Rewards::claim(RuntimeOrigin::signed(OWNER), OWNER),
			Error::<Test>::NothingToClaim
		);
		finalize(0, 10_000, vec![share(CONTRIBUTORS[0], 1, PARTS_PER_BILLION)]);
		let before = free(CONTRIBUTORS[0]);
		assert_ok!(Rewards::claim(RuntimeOrigin::signed(CONTRIBUTORS[0]), CONTRIBUTORS[0]));
		assert_eq!(free(CONTRIBUTORS[0]), before + 7_000);
		System::assert_last_event(
			Event::Claimed { beneficiary: CONTRIBUTORS[0], amount: 7_000 }.into(),
		);
		assert_noop!(
			Rewards::claim(RuntimeOrigin::signed(CONTRIBUTORS[0]), CONTRIBUTORS[0]),
			Error::<Test>::NothingToClaim
		);
		// Anyone may sweep the treasury's accrual to it.
		let treasury_before = free(TREASURY);
		assert_ok!(Rewards::claim(RuntimeOrigin::signed(WORKER), TREASURY));
		assert_eq!(free(TREASURY), treasury_before + 500);
		for who in [OWNER, WORKER] {
			assert_ok!(Rewards::claim(RuntimeOrigin::signed(who), who));
		}
		assert_eq!(free(POT), POT_FLOOR);
		assert_noop!(Rewards::claim(RuntimeOrigin::none(), OWNER), DispatchError::BadOrigin);
	});
}

#[test]
fn claim_never_pays_more_than_the_pot_holds() {
	new_test_ext().execute_with(|| {
		// An accrual whose fee never reached the pot (not something attribution does) cannot be
		// paid: balances are never created.
		Rewards::on_record_finalized(&FinalizedRecord {
			record: 0,
			fee: 1_000,
			model_owner: OWNER,
			worker: WORKER,
			shares: vec![],
		});
		assert_noop!(
			Rewards::claim(RuntimeOrigin::signed(OWNER), OWNER),
			TokenError::FundsUnavailable
		);
		// `try_state` sees the pot short of what is claimable.
		assert_eq!(
			try_state::broken(),
			format!("pot {POT:?}: can pay out 0, less than the 1000 claimable in all")
		);
	});
}

#[test]
fn history_keeps_the_latest_entries() {
	build_and_execute(|| {
		for record in 0..5 {
			finalize(record, 1_000, vec![]);
		}
		let records: Vec<u64> =
			Rewards::reward_history(&OWNER).iter().map(|entry| entry.record).collect();
		assert_eq!(records, vec![2, 3, 4]);
		assert_eq!(History::<Test>::get(OWNER).len() as u32, MAX_HISTORY);
		assert_eq!(Claimable::<Test>::get(OWNER), 500);
	});
}

#[test]
fn slashing_splits_between_beneficiary_and_treasury() {
	build_and_execute(|| {
		assert_ok!(Balances::hold(&TestHoldReason::Bond, &OFFENDER, 1_000));
		let (winner_before, treasury_before) = (free(WINNER), free(TREASURY));
		let taken = Rewards::slash_held(
			&TestHoldReason::Bond,
			&OFFENDER,
			600,
			SlashKind::LyingWorker,
			Some(&WINNER),
		);
		assert_eq!(taken, 600);
		assert_eq!(free(WINNER), winner_before + 240);
		assert_eq!(free(TREASURY), treasury_before + 360);
		assert_eq!(Balances::balance_on_hold(&TestHoldReason::Bond, &OFFENDER), 400);
		System::assert_last_event(
			Event::Slashed {
				offender: OFFENDER,
				kind: SlashKind::LyingWorker,
				amount: 600,
				beneficiary: Some(WINNER),
				to_beneficiary: 240,
			}
			.into(),
		);
		// More than is held: capped; no beneficiary: all to the treasury.
		let taken =
			Rewards::slash_held(&TestHoldReason::Bond, &OFFENDER, 5_000, SlashKind::SpamRow, None);
		assert_eq!(taken, 400);
		assert_eq!(free(TREASURY), treasury_before + 760);
		assert_eq!(Rewards::slash_record(&OFFENDER), SlashRecord { count: 2, total: 1_000 });
		// Nothing held: nothing taken, nothing recorded.
		assert_eq!(
			Rewards::slash_held(&TestHoldReason::Bond, &OFFENDER, 1, SlashKind::SpamRow, None),
			0
		);
		assert_eq!(Rewards::slash_record(&OFFENDER).count, 2);
	});
}

#[test]
fn slash_fees_are_paid_whole_and_counted_as_slashed() {
	build_and_execute(|| {
		assert_ok!(Balances::hold(&TestHoldReason::Bond, &OFFENDER, 1_000));
		let (winner_before, treasury_before) = (free(WINNER), free(TREASURY));
		let paid = Rewards::pay_from_held(
			&TestHoldReason::Bond,
			&OFFENDER,
			&WINNER,
			300,
			SlashKind::LyingWorker,
		);
		assert_eq!(paid, 300);
		assert_eq!(free(WINNER), winner_before + 300);
		assert_eq!(free(TREASURY), treasury_before);
		assert_eq!(Balances::balance_on_hold(&TestHoldReason::Bond, &OFFENDER), 700);
		System::assert_last_event(
			Event::SlashFeePaid {
				offender: OFFENDER,
				kind: SlashKind::LyingWorker,
				payee: WINNER,
				amount: 300,
			}
			.into(),
		);
		assert_eq!(Rewards::slash_record(&OFFENDER), SlashRecord { count: 0, total: 300 });
		// More than is held: capped at what is held.
		assert_eq!(
			Rewards::pay_from_held(
				&TestHoldReason::Bond,
				&OFFENDER,
				&WINNER,
				5_000,
				SlashKind::LyingWorker
			),
			700
		);
		assert_eq!(Rewards::slash_record(&OFFENDER).total, 1_000);
		// Nothing held: nothing paid, no event.
		System::reset_events();
		assert_eq!(
			Rewards::pay_from_held(
				&TestHoldReason::Bond,
				&OFFENDER,
				&WINNER,
				1,
				SlashKind::LyingWorker
			),
			0
		);
		assert!(System::events().is_empty());
	});
}

prop_compose! {
	/// Four shares summing to exactly one, from three random cut points.
	fn whole_params()(mut cuts in proptest::array::uniform3(0..=PARTS_PER_BILLION),
		to_owner in any::<bool>(), threshold in 0..=PARTS_PER_BILLION, reduction in 0..=PARTS_PER_BILLION)
		-> RewardParams {
		cuts.sort_unstable();
		RewardParams {
			model_owner: Perbill::from_parts(cuts[0]),
			contributors: Perbill::from_parts(cuts[1] - cuts[0]),
			worker: Perbill::from_parts(cuts[2] - cuts[1]),
			treasury: Perbill::from_parts(PARTS_PER_BILLION - cuts[2]),
			unattributed_to: if to_owner { UnattributedTo::ModelOwner } else { UnattributedTo::Treasury },
			penalty_threshold: Perbill::from_parts(threshold),
			penalty_reduction: Perbill::from_parts(reduction),
			slash_beneficiary_share: Perbill::from_percent(40),
		}
	}
}

prop_compose! {
	/// Up to 32 scores summing to at most one: random weights scaled to a random total.
	fn scores()(weights in proptest::collection::vec(1..1_000_000u64, 0..=32), total in 0..=PARTS_PER_BILLION)
		-> Vec<u32> {
		let sum: u64 = weights.iter().sum::<u64>().max(1);
		weights.iter().map(|weight| (weight * u64::from(total) / sum) as u32).collect()
	}
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(10_000))]

	/// Conservation of the split over 10,000 random records: paid + dust == fee, nobody gets
	/// more than the fee, and there is one amount per scored row.
	#[test]
	fn split_conserves_every_fee(
		fee in prop_oneof![0..1_000u128, 0..u128::from(u64::MAX), any::<u128>()],
		params in whole_params(),
		scores in scores(),
		penalized in proptest::collection::vec(any::<bool>(), 32),
	) {
		let shares: Vec<(u32, u32, bool)> =
			scores.iter().enumerate().map(|(index, score)| (index as u32, *score, penalized[index])).collect();
		let split = split_fee(fee, &params, &shares);
		prop_assert_eq!(split.paid().checked_add(split.dust), Some(fee));
		prop_assert_eq!(split.contributors.len(), shares.len());
		prop_assert!(split.contributors_total() <= params.contributors.mul_floor(fee));
		// Rounding loses at most one unit per part (four shares, each row, the unattributed part,
		// each penalty).
		prop_assert!(split.dust <= 5 + 2 * shares.len() as u128);
	}
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(1_000))]

	/// Through the pallet: 1,000 runs of 10 random records each (10,000 records). After every
	/// record the accruals equal the fees moved into the pot, and after everyone claims the pot
	/// is back at its floor.
	#[test]
	fn accruals_equal_the_fees_and_claims_empty_the_pot(
		params in whole_params(),
		records in proptest::collection::vec((0..10_000_000u64, scores()), 10),
	) {
		build_and_execute(|| {
			Rewards::set_params(RuntimeOrigin::root(), params).unwrap();
			set_reputation(CONTRIBUTORS[1], 0, 2, 2);
			let mut fees: Balance = 0;
			for (id, (fee, scores)) in records.iter().enumerate() {
				let shares = scores.iter().enumerate()
					.map(|(index, score)| share(CONTRIBUTORS[index % CONTRIBUTORS.len()], index as u64, *score))
					.collect();
				finalize(id as u64, *fee, shares);
				fees += fee;
				let accrued: Balance = Claimable::<Test>::iter_values().sum();
				assert_eq!(accrued, fees);
				assert_eq!(free(POT), POT_FLOOR + fees);
			}
			let payees: Vec<AccountId> = Claimable::<Test>::iter_keys().collect();
			for who in payees {
				Rewards::claim(RuntimeOrigin::signed(OWNER), who).unwrap();
			}
			assert_eq!(free(POT), POT_FLOOR);
		});
	}
}

/// `try_state` (run after every test here) finds a broken invariant and names it with its key.
mod try_state {
	use super::*;

	/// The invariant `do_try_state` finds broken.
	pub(super) fn broken() -> &'static str {
		match Rewards::do_try_state() {
			Err(DispatchError::Other(message)) => message,
			other => panic!("expected a broken invariant, got {other:?}"),
		}
	}

	#[test]
	fn stray_or_zero_claims_and_an_underfunded_pot_are_caught() {
		new_test_ext().execute_with(|| {
			finalize(0, 10_000, vec![share(CONTRIBUTORS[0], 1, PARTS_PER_BILLION)]);
			assert_ok!(Rewards::do_try_state());

			// An accrual no record explains: no history.
			Claimable::<Test>::insert(WINNER, 1);
			assert_eq!(
				broken(),
				format!("Claimable: {WINNER:?} has 1 claimable but no reward history")
			);
			Claimable::<Test>::insert(WINNER, 0);
			assert_eq!(broken(), format!("Claimable: {WINNER:?} has a zero entry"));
			Claimable::<Test>::remove(WINNER);
			assert_ok!(Rewards::do_try_state());

			// One unit more claimable than the pot was paid.
			Claimable::<Test>::mutate(OWNER, |claimable| *claimable += 1);
			assert_eq!(
				broken(),
				format!("pot {POT:?}: can pay out 10000, less than the 10001 claimable in all")
			);
		});
	}

	#[test]
	fn a_split_that_is_not_whole_is_caught() {
		new_test_ext().execute_with(|| {
			Params::<Test>::put(RewardParams { worker: Perbill::zero(), ..default_params() });
			assert!(broken().starts_with("Params: the shares of"), "{}", broken());
		});
	}
}
