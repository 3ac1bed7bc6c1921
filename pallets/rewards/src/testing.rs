//! A recording stand-in for this pallet's [`Slashing`] and [`SlashFees`], for the mock runtimes of
//! the pallets that slash through it: each call is recorded (see [`slashes`], [`slash_fees`]), then
//! the held amount moves whole to the beneficiary (the treasury when there is none) or the payee.

use core::{any::Any, marker::PhantomData};
use frame_support::traits::{
	fungible::{Inspect, InspectHold, MutateHold},
	tokens::{Fortitude, Precision, Restriction},
	Get,
};
use std::cell::RefCell;
use tributary_primitives::rewards::SlashKind;
use tributary_primitives::traits::{SlashFees, Slashing};

/// One call of [`SlashToBeneficiary`], as the pallet under test made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlashCall<AccountId, Balance, Reason> {
	pub reason: Reason,
	pub offender: AccountId,
	pub amount: Balance,
	pub kind: SlashKind,
	pub beneficiary: Option<AccountId>,
}

/// One `pay_from_held` call of [`SlashToBeneficiary`], as the pallet under test made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlashFeeCall<AccountId, Balance, Reason> {
	pub reason: Reason,
	pub offender: AccountId,
	pub payee: AccountId,
	pub amount: Balance,
	pub kind: SlashKind,
}

thread_local! {
	/// The calls of this thread's test, type-erased: one mock runtime per test binary.
	static SLASHES: RefCell<Vec<Box<dyn Any>>> = RefCell::new(Vec::new());
	static SLASH_FEES: RefCell<Vec<Box<dyn Any>>> = RefCell::new(Vec::new());
}

/// `Slashing` and `SlashFees` for a mock runtime whose currency is `Currency` and whose treasury is
/// `Treasury`.
pub struct SlashToBeneficiary<Currency, Treasury>(PhantomData<(Currency, Treasury)>);

impl<AccountId, Currency, Treasury>
	Slashing<
		AccountId,
		<Currency as Inspect<AccountId>>::Balance,
		<Currency as InspectHold<AccountId>>::Reason,
	> for SlashToBeneficiary<Currency, Treasury>
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
		move_held::<AccountId, Currency>(
			reason,
			offender,
			&beneficiary.cloned().unwrap_or_else(Treasury::get),
			amount,
		)
	}
}

impl<AccountId, Currency, Treasury>
	SlashFees<
		AccountId,
		<Currency as Inspect<AccountId>>::Balance,
		<Currency as InspectHold<AccountId>>::Reason,
	> for SlashToBeneficiary<Currency, Treasury>
where
	AccountId: Clone + 'static,
	Currency: MutateHold<AccountId>,
	<Currency as InspectHold<AccountId>>::Reason: Clone + 'static,
{
	fn pay_from_held(
		reason: &<Currency as InspectHold<AccountId>>::Reason,
		offender: &AccountId,
		payee: &AccountId,
		amount: <Currency as Inspect<AccountId>>::Balance,
		kind: SlashKind,
	) -> <Currency as Inspect<AccountId>>::Balance {
		let call = SlashFeeCall {
			reason: reason.clone(),
			offender: offender.clone(),
			payee: payee.clone(),
			amount,
			kind,
		};
		SLASH_FEES.with(|fees| fees.borrow_mut().push(Box::new(call)));
		move_held::<AccountId, Currency>(reason, offender, payee, amount)
	}
}

/// Moves `amount` held from `from` for `reason` to `to`'s free balance, as far as it goes.
fn move_held<AccountId, Currency: MutateHold<AccountId>>(
	reason: &<Currency as InspectHold<AccountId>>::Reason,
	from: &AccountId,
	to: &AccountId,
	amount: <Currency as Inspect<AccountId>>::Balance,
) -> <Currency as Inspect<AccountId>>::Balance {
	Currency::transfer_on_hold(
		reason,
		from,
		to,
		amount,
		Precision::BestEffort,
		Restriction::Free,
		Fortitude::Force,
	)
	.unwrap_or_default()
}

/// The slashes made so far in this test.
pub fn slashes<AccountId: Clone + 'static, Balance: Clone + 'static, Reason: Clone + 'static>(
) -> Vec<SlashCall<AccountId, Balance, Reason>> {
	recorded(&SLASHES)
}

/// The fees paid out of held funds so far in this test.
pub fn slash_fees<AccountId: Clone + 'static, Balance: Clone + 'static, Reason: Clone + 'static>(
) -> Vec<SlashFeeCall<AccountId, Balance, Reason>> {
	recorded(&SLASH_FEES)
}

fn recorded<Call: Clone + 'static>(
	calls: &'static std::thread::LocalKey<RefCell<Vec<Box<dyn Any>>>>,
) -> Vec<Call> {
	calls.with(|calls| {
		calls
			.borrow()
			.iter()
			.map(|call| {
				call.downcast_ref::<Call>().expect("one mock runtime per test thread").clone()
			})
			.collect()
	})
}

/// Forget the recorded slashes and fees (a new test's externalities).
pub fn clear_slashes() {
	SLASHES.with(|slashes| slashes.borrow_mut().clear());
	SLASH_FEES.with(|fees| fees.borrow_mut().clear());
}

/// Randomness for mock runtimes: `blake2_256(subject ++ parent_hash)`, so a test picks the draw by
/// setting the parent hash (`frame_system::Pallet::set_parent_hash`). The runtime mixes several
/// recent block hashes instead.
pub struct ParentHashRandomness<T>(PhantomData<T>);

impl<T: frame_system::Config<Hash: From<[u8; 32]>>>
	frame_support::traits::Randomness<T::Hash, frame_system::pallet_prelude::BlockNumberFor<T>>
	for ParentHashRandomness<T>
{
	fn random(subject: &[u8]) -> (T::Hash, frame_system::pallet_prelude::BlockNumberFor<T>) {
		let parent = frame_system::Pallet::<T>::parent_hash();
		let mut input = subject.to_vec();
		input.extend_from_slice(parent.as_ref());
		(sp_io::hashing::blake2_256(&input).into(), frame_system::Pallet::<T>::block_number())
	}
}
