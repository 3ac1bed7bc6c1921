//! The validator set's calls, and how the session pallet takes a change up two sessions later.

use crate::{mock::*, Error, Event, SetChanged};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::{testing::UintAuthorityId, DispatchError};

fn set_keys(who: AccountId) {
	assert_ok!(Session::set_keys(RuntimeOrigin::signed(who), UintAuthorityId(who), vec![]));
}

fn validators() -> Vec<AccountId> {
	crate::Validators::<Test>::get().into_inner()
}

#[test]
fn genesis_copies_the_session_genesis_validators() {
	test(|| {
		assert_eq!(validators(), GENESIS_VALIDATORS);
		assert_eq!(Authorities::get(), GENESIS_VALIDATORS);
		assert!(!SetChanged::<Test>::get());
	});
}

#[test]
fn only_the_admin_origin_changes_the_set() {
	test(|| {
		set_keys(3);
		for origin in [RuntimeOrigin::signed(1), RuntimeOrigin::signed(3), RuntimeOrigin::none()] {
			assert_noop!(Validators::add_validator(origin.clone(), 3), DispatchError::BadOrigin);
			assert_noop!(Validators::remove_validator(origin, 2), DispatchError::BadOrigin);
		}
	});
}

#[test]
fn an_added_validator_authors_from_the_session_after_next() {
	test(|| {
		set_keys(3);
		assert_ok!(Validators::add_validator(RuntimeOrigin::root(), 3));
		System::assert_last_event(Event::ValidatorAdded { who: 3, effective_session: 2 }.into());
		assert_eq!(validators(), [1, 2, 3]);

		run_to_session(1);
		System::assert_has_event(
			Event::ValidatorSetQueued { session: 2, validators: vec![1, 2, 3].try_into().unwrap() }
				.into(),
		);
		assert_eq!(Authorities::get(), [1, 2], "queued, not yet in force");
		run_to_session(2);
		assert_eq!(Authorities::get(), [1, 2, 3]);
		assert_eq!(Session::validators(), [1, 2, 3]);
	});
}

#[test]
fn a_removed_validator_stops_from_the_session_after_next() {
	test(|| {
		assert_ok!(Validators::remove_validator(RuntimeOrigin::root(), 1));
		System::assert_last_event(Event::ValidatorRemoved { who: 1, effective_session: 2 }.into());
		run_to_session(1);
		assert_eq!(Authorities::get(), [1, 2]);
		run_to_session(2);
		assert_eq!(Authorities::get(), [2]);
	});
}

#[test]
fn an_unchanged_set_is_not_handed_over_again() {
	test(|| {
		set_keys(3);
		assert_ok!(Validators::add_validator(RuntimeOrigin::root(), 3));
		run_to_session(1);
		assert!(!SetChanged::<Test>::get());
		System::reset_events();
		run_to_session(3);
		assert!(System::events().iter().all(|record| !matches!(
			record.event,
			RuntimeEvent::Validators(Event::ValidatorSetQueued { .. })
		)));
		assert_eq!(Authorities::get(), [1, 2, 3]);
	});
}

#[test]
fn adding_needs_session_keys_and_room() {
	test(|| {
		assert_noop!(
			Validators::add_validator(RuntimeOrigin::root(), 3),
			Error::<Test>::NoSessionKeys
		);
		assert_noop!(
			Validators::add_validator(RuntimeOrigin::root(), 2),
			Error::<Test>::AlreadyValidator
		);
		for who in 3..=4 {
			set_keys(who);
			assert_ok!(Validators::add_validator(RuntimeOrigin::root(), who));
		}
		set_keys(5);
		assert_eq!(validators().len() as u32, MAX_VALIDATORS);
		assert_noop!(
			Validators::add_validator(RuntimeOrigin::root(), 5),
			Error::<Test>::TooManyValidators
		);
	});
}

#[test]
fn removing_needs_a_validator_and_never_empties_the_set() {
	test(|| {
		assert_noop!(
			Validators::remove_validator(RuntimeOrigin::root(), 3),
			Error::<Test>::NotValidator
		);
		assert_ok!(Validators::remove_validator(RuntimeOrigin::root(), 1));
		assert_noop!(
			Validators::remove_validator(RuntimeOrigin::root(), 2),
			Error::<Test>::LastValidator
		);
		assert_eq!(validators(), [2]);
	});
}

#[test]
fn a_validator_removed_and_added_back_within_a_session_stays() {
	test(|| {
		assert_ok!(Validators::remove_validator(RuntimeOrigin::root(), 1));
		assert_ok!(Validators::add_validator(RuntimeOrigin::root(), 1));
		run_to_session(2);
		assert_eq!(Authorities::get(), [2, 1]);
	});
}
