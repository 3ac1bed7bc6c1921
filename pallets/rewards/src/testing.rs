//! A recording stand-in for this pallet's [`Slashing`], for the mock runtimes of the pallets that
//! slash through it: each call is recorded (see [`slashes`]), then the held amount moves whole to
//! the beneficiary, or to the treasury when there is none.

use core::{any::Any, marker::PhantomData};
use frame_support::traits::{
	fungible::{Inspect, InspectHold, MutateHold},
	tokens::{Fortitude, Precision, Restriction},
	Get,
};
use std::cell::RefCell;
use tributary_primitives::rewards::{SlashKind, Slashing};

/// One call of [`SlashToBeneficiary`], as the pallet under test made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlashCall<AccountId, Balance, Reason> {
	pub reason: Reason,
	pub offender: AccountId,
	pub amount: Balance,
	pub kind: SlashKind,
	pub beneficiary: Option<AccountId>,
}

thread_local! {
	/// The calls of this thread's test, type-erased: one mock runtime per test binary.
	static SLASHES: RefCell<Vec<Box<dyn Any>>> = RefCell::new(Vec::new());
}

/// `Slashing` for a mock runtime whose currency is `Currency` and whose treasury is `Treasury`.
pub struct SlashToBeneficiary<Currency, Treasury>(PhantomData<(Currency, Treasury)>);

impl<AccountId, Currency, Treasury>
	Slashing<AccountId, <Currency as Inspect<AccountId>>::Balance, <Currency as InspectHold<AccountId>>::Reason>
	for SlashToBeneficiary<Currency, Treasury>
where
	AccountId: Clone + 'static,
	Currency: MutateHold<AccountId>,
	<Currency as InspectHold<AccountId>>::Reason: Clone + 'static,
	Treasury: Get<AccountId>,
{
	fn slash_held(
		reason: &<Currency as InspectHold<AccountId>>::Reason,
		offender: &AccountId,
		amount: <Currency as Inspect<AccountId>>::Balance,
		kind: SlashKind,
		beneficiary: Option<&AccountId>,
	) -> <Currency as Inspect<AccountId>>::Balance {
		let call = SlashCall {
			reason: reason.clone(),
			offender: offender.clone(),
			amount,
			kind,
			beneficiary: beneficiary.cloned(),
		};
		SLASHES.with(|slashes| slashes.borrow_mut().push(Box::new(call)));
		Currency::transfer_on_hold(
			reason,
			offender,
			&beneficiary.cloned().unwrap_or_else(Treasury::get),
			amount,
			Precision::BestEffort,
			Restriction::Free,
			Fortitude::Force,
		)
		.unwrap_or_default()
	}
}

/// The slashes made so far in this test.
pub fn slashes<AccountId: Clone + 'static, Balance: Clone + 'static, Reason: Clone + 'static>(
) -> Vec<SlashCall<AccountId, Balance, Reason>> {
	SLASHES.with(|slashes| {
		slashes
			.borrow()
			.iter()
			.map(|call| {
				call.downcast_ref::<SlashCall<AccountId, Balance, Reason>>()
					.expect("one mock runtime per test thread")
					.clone()
			})
			.collect()
	})
}

/// Forget the recorded slashes (a new test's externalities).
pub fn clear_slashes() {
	SLASHES.with(|slashes| slashes.borrow_mut().clear());
}
