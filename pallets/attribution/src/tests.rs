//! Unit tests of every call and of a record's life: receipts accepted and refused one by one
//! (each refusal leaves the storage root unchanged), exact fee holds and refunds, disputes won,
//! lost and dismissed, finalization handing each record to rewards exactly once, every `Error`
//! variant (call errors through `assert_noop!`, per-receipt errors through `ReceiptRefused` plus a
//! storage-root comparison), bounds, the recomputer assignment, the queries, and a property test
//! that nothing is paid without a finalized record.

use crate::{mock::*, *};
use codec::Encode;
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect, InspectHold, MutateHold},
		Hooks,
	},
	weights::{RuntimeDbWeight, Weight},
};
use proptest::prelude::*;
use sp_core::Pair;
use sp_runtime::{DispatchError, MultiSignature, StateVersion, TokenError};
use tributary_primitives::traits::OpenRecords;
use tributary_primitives::{
	attribution::RowScore,
	datanets::RowStatus,
	receipts::{InferenceReceipt, ModelVersionFacts},
	rewards::{RecordId, SlashKind},
	ContentHash,
};

type Receipt = InferenceReceipt<AccountId, Balance, u64>;

/// Fee of the default receipt: ceil(1500 × 333 / 1000).
const FEE: Balance = 500;

fn top() -> Vec<RowScore> {
	vec![score(0, 0, 500_000_000), score(1, 0, 250_000_000)]
}

fn batch(receipts: Vec<SignedReceiptOf<Test>>) -> ReceiptBatchOf<Test> {
	receipts.try_into().expect("at most MaxBatchSize receipts")
}

fn submit(receipts: Vec<SignedReceiptOf<Test>>) {
	assert_ok!(Attribution::submit_receipts(RuntimeOrigin::signed(worker()), batch(receipts)));
}

/// Submit user 0's default receipt with `nonce`; returns its record id.
fn accepted(nonce: u64) -> RecordId {
	let id = NextRecordId::<Test>::get();
	submit(vec![signed(0, receipt(nonce), top())]);
	assert_eq!(Records::<Test>::get(id).map(|info| info.nonce), Some(nonce));
	id
}

fn free(who: &AccountId) -> Balance {
	Balances::balance(who)
}

fn held(reason: HoldReason, who: &AccountId) -> Balance {
	Balances::balance_on_hold(&reason.into(), who)
}

fn status(record: RecordId) -> RecordStatus {
	Records::<Test>::get(record).unwrap().status
}

fn commitment(record: RecordId) -> ContentHash {
	Records::<Test>::get(record).unwrap().commitment
}

fn refused_errors() -> Vec<DispatchError> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Attribution(Event::ReceiptRefused { error, .. }) => Some(error),
			_ => None,
		})
		.collect()
}

/// Submit one receipt that must be refused; check the storage root (events aside) is unchanged
/// and return the error.
fn refusal(signed_receipt: SignedReceiptOf<Test>) -> DispatchError {
	System::reset_events();
	let before = sp_io::storage::root(StateVersion::V1);
	let (user, nonce) = (signed_receipt.user.clone(), signed_receipt.receipt.nonce);
	submit(vec![signed_receipt]);
	let errors = refused_errors();
	assert_eq!(errors.len(), 1, "exactly one refusal");
	System::assert_last_event(
		Event::ReceiptRefused { index: 0, user, nonce, error: errors[0] }.into(),
	);
	System::reset_events();
	assert_eq!(sp_io::storage::root(StateVersion::V1), before, "a refused receipt changed storage");
	errors[0]
}

/// Move to `block`, running `on_initialize` (the recomputer draws) of every block on the way;
/// a block at or before the current one is just set.
fn run_to(block: u64) {
	let mut now = System::block_number();
	if block <= now {
		go_to_block(block);
		return;
	}
	while now < block {
		now += 1;
		go_to_block(now);
		// Each block has its own parent hash, so each draw its own randomness.
		System::set_parent_hash(sp_core::H256::from(sp_io::hashing::blake2_256(&now.encode())));
		Attribution::on_initialize(now);
		check_invariants();
	}
}

/// Dispute `record` as the challenger with `[0xcc; 32]` and run to the draw: the recomputers.
fn disputed(record: RecordId) -> Vec<AccountId> {
	assert_ok!(Attribution::dispute(RuntimeOrigin::signed(challenger()), record, [0xcc; 32]));
	run_to(Disputes::<Test>::get(record).unwrap().draw_at);
	Disputes::<Test>::get(record).unwrap().recomputers.into_inner()
}

/// The last block a disputed record's recomputers may submit in.
fn deadline(record: RecordId) -> u64 {
	Disputes::<Test>::get(record).unwrap().deadline
}

#[test]
fn receipt_is_accepted_and_its_fee_held() {
	build_and_execute(|| {
		let before = free(&user(0));
		let signed_receipt = signed(0, receipt(7), top());
		let expected_commitment = signed_receipt.claim.commitment();
		submit(vec![signed_receipt]);
		System::assert_last_event(
			Event::ReceiptAccepted {
				record: 0,
				user: user(0),
				nonce: 7,
				worker: worker(),
				fee: FEE,
				commitment: expected_commitment,
			}
			.into(),
		);
		assert_eq!(held(HoldReason::InferenceFee, &user(0)), FEE);
		assert_eq!(free(&user(0)), before - FEE);
		assert_eq!(UsedNonces::<Test>::get(user(0), 7), Some(0));
		assert_eq!(NextRecordId::<Test>::get(), 1);
		let info = Records::<Test>::get(0).unwrap();
		assert_eq!(info.status, RecordStatus::Pending);
		assert_eq!(info.challenge_ends, 1 + CHALLENGE_WINDOW);
		assert_eq!(info.top.into_inner(), top());
		assert_eq!((info.tokens_in, info.tokens_out, info.fee), (100, 233, FEE));
	});
}

#[test]
fn fee_is_capped_by_max_fee_and_rounds_up() {
	build_and_execute(|| {
		assert_eq!(Attribution::inference_fee(1_500, 100, 233), 500);
		assert_eq!(Attribution::inference_fee(1_000, 1, 0), 1);
		assert_eq!(Attribution::inference_fee(1_000, 500, 500), 1_000);
		assert_eq!(Attribution::inference_fee(0, 500, 500), 0);
		assert_eq!(Attribution::inference_fee(u64::MAX, u32::MAX, u32::MAX), u64::MAX / 1_000 + 1);
		let expensive = Receipt { tokens_in: 10_000, tokens_out: 10_000, ..receipt(1) };
		submit(vec![signed(0, expensive, top())]);
		assert_eq!(Records::<Test>::get(0).unwrap().fee, 1_000);
		assert_eq!(held(HoldReason::InferenceFee, &user(0)), 1_000);
	});
}

#[test]
fn free_model_holds_nothing_and_finalizes() {
	build_and_execute(|| {
		set_model_version(
			3,
			1,
			ModelVersionFacts {
				owner: owner(),
				price_per_1k_tokens: Some(0),
				retired: false,
				adapter: ADAPTER,
				lineage: vec![],
			},
		);
		submit(vec![signed(0, Receipt { model: 3, ..receipt(1) }, vec![])]);
		assert_eq!(Records::<Test>::get(0).unwrap().fee, 0);
		assert_eq!(held(HoldReason::InferenceFee, &user(0)), 0);
		run_to(2 + CHALLENGE_WINDOW);
		assert_ok!(Attribution::finalize(RuntimeOrigin::signed(owner()), 0));
		assert_eq!(finalized()[0].fee, 0);
	});
}

#[test]
fn each_receipt_of_a_batch_stands_alone() {
	build_and_execute(|| {
		let mut forged = signed(1, receipt(2), top());
		forged.user = user(2);
		let batch_of_four = vec![
			signed(0, receipt(1), top()),
			forged,
			signed(3, receipt(3), top()),
			// The same nonce again within one batch: the first use wins.
			signed(0, receipt(1), top()),
		];
		assert_eq!(batch_of_four.len() as u32, MAX_BATCH);
		submit(batch_of_four);
		let events: Vec<Event<Test>> = System::events()
			.into_iter()
			.filter_map(|record| match record.event {
				RuntimeEvent::Attribution(event) => Some(event),
				_ => None,
			})
			.collect();
		assert!(matches!(events[0], Event::ReceiptAccepted { record: 0, .. }));
		assert_eq!(
			events[1],
			Event::ReceiptRefused {
				index: 1,
				user: user(2),
				nonce: 2,
				error: Error::<Test>::BadSignature.into()
			}
		);
		assert!(matches!(events[2], Event::ReceiptAccepted { record: 1, .. }));
		assert_eq!(
			events[3],
			Event::ReceiptRefused {
				index: 3,
				user: user(0),
				nonce: 1,
				error: Error::<Test>::NonceUsed.into()
			}
		);
		assert_eq!(NextRecordId::<Test>::get(), 2);
		assert_eq!(held(HoldReason::InferenceFee, &user(0)), FEE);
		assert_eq!(held(HoldReason::InferenceFee, &user(2)), 0);
		assert_eq!(held(HoldReason::InferenceFee, &user(3)), FEE);
	});
}

#[test]
fn batch_errors_change_nothing() {
	build_and_execute(|| {
		assert_noop!(
			Attribution::submit_receipts(
				RuntimeOrigin::signed(owner()),
				batch(vec![signed(0, receipt(1), top())])
			),
			Error::<Test>::NotWorker
		);
		assert_noop!(
			Attribution::submit_receipts(RuntimeOrigin::signed(worker()), batch(vec![])),
			Error::<Test>::EmptyBatch
		);
		assert_noop!(
			Attribution::submit_receipts(RuntimeOrigin::none(), batch(vec![])),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn forged_signatures_are_refused() {
	build_and_execute(|| {
		// Signed by another key than the paying account.
		let mut other_key = signed(1, receipt(1), top());
		other_key.user = user(0);
		assert_eq!(refusal(other_key), Error::<Test>::BadSignature.into());
		// A field changed after signing.
		let mut tampered = signed(0, receipt(1), top());
		tampered.receipt.max_fee += 1;
		assert_eq!(refusal(tampered), Error::<Test>::BadSignature.into());
		// A signature over the bare encoding, without the domain prefix.
		let mut undomained = signed(0, receipt(1), top());
		undomained.signature = MultiSignature::Sr25519(user_pair(0).sign(&receipt(1).encode()));
		assert_eq!(refusal(undomained), Error::<Test>::BadSignature.into());
	});
}

#[test]
fn replayed_nonce_is_refused() {
	build_and_execute(|| {
		let original = signed(0, receipt(5), top());
		submit(vec![original.clone()]);
		assert_eq!(refusal(original), Error::<Test>::NonceUsed.into());
		// Another user may use the same number.
		submit(vec![signed(1, receipt(5), top())]);
		assert_eq!(NextRecordId::<Test>::get(), 2);
	});
}

#[test]
fn every_receipt_check_has_its_error() {
	build_and_execute(|| {
		let cases: Vec<(SignedReceiptOf<Test>, DispatchError)> = vec![
			(
				signed(0, Receipt { worker: workers()[1].clone(), ..receipt(1) }, top()),
				Error::<Test>::WrongWorker.into(),
			),
			(
				signed(0, Receipt { model: 7, ..receipt(1) }, top()),
				Error::<Test>::UnknownModelVersion.into(),
			),
			(
				signed(0, Receipt { version: 2, ..receipt(1) }, top()),
				Error::<Test>::UnknownModelVersion.into(),
			),
			(
				signed(0, Receipt { model: 1, ..receipt(1) }, top()),
				Error::<Test>::ModelRetired.into(),
			),
			(
				signed(0, Receipt { model: 2, ..receipt(1) }, top()),
				Error::<Test>::ModelNotPriced.into(),
			),
			(
				signed(0, Receipt { adapter: [1; 32], ..receipt(1) }, top()),
				Error::<Test>::AdapterMismatch.into(),
			),
			(signed(0, receipt(1), vec![score(0, 0, 0)]), Error::<Test>::ZeroScore.into()),
			(
				signed(0, receipt(1), vec![score(0, 0, 600_000_000), score(0, 1, 400_000_001)]),
				Error::<Test>::ScoresExceedOne.into(),
			),
			(
				signed(0, receipt(1), vec![score(0, 0, 1), score(0, 1, 2)]),
				Error::<Test>::ScoresNotCanonical.into(),
			),
			(
				signed(0, receipt(1), vec![score(0, 0, 2), score(0, 0, 1)]),
				Error::<Test>::ScoresNotCanonical.into(),
			),
			(signed(0, receipt(1), vec![score(0, 77, 1)]), Error::<Test>::UnknownRow.into()),
			(signed(0, receipt(1), vec![score(5, 0, 1)]), Error::<Test>::UnknownRow.into()),
			// Published, but in datanet 1's version 1 while the lineage has version 2.
			(signed(0, receipt(1), vec![score(1, 1, 1)]), Error::<Test>::RowOutsideLineage.into()),
			// Not published at all.
			(signed(0, receipt(1), vec![score(0, 9, 1)]), Error::<Test>::RowOutsideLineage.into()),
			(signed(0, receipt(1), vec![score(0, 8, 1)]), Error::<Test>::RowSlashed.into()),
			// Has no funds for the fee.
			(signed(5, receipt(1), top()), TokenError::FundsUnavailable.into()),
		];
		for (bad, error) in cases {
			assert_eq!(refusal(bad), error);
		}
		// Expiry: valid in its last block, refused after.
		run_to(20);
		submit(vec![signed(0, receipt(1), top())]);
		run_to(21);
		assert_eq!(refusal(signed(0, receipt(2), top())), Error::<Test>::ReceiptExpired.into());
	});
}

#[test]
fn scores_at_one_hundred_percent_and_top_k_at_its_bound_are_accepted() {
	build_and_execute(|| {
		let full: Vec<RowScore> =
			(0..MAX_TOP_K as u64).map(|row| score(0, row, 250_000_000)).collect();
		submit(vec![signed(0, receipt(1), full.clone())]);
		assert_eq!(Records::<Test>::get(0).unwrap().top.into_inner(), full);
		let too_many: Vec<RowScore> = (0..=MAX_TOP_K as u64).map(|row| score(0, row, 1)).collect();
		assert!(TopOf::<Test>::try_from(too_many).is_err());
		let too_long: Vec<SignedReceiptOf<Test>> =
			(0..=MAX_BATCH as u64).map(|nonce| signed(0, receipt(nonce), top())).collect();
		assert!(ReceiptBatchOf::<Test>::try_from(too_long).is_err());
	});
}

#[test]
fn record_finalizes_once_after_its_window() {
	build_and_execute(|| {
		let record = accepted(1);
		let pot_before = free(&pot());
		assert_noop!(
			Attribution::finalize(RuntimeOrigin::signed(owner()), 9),
			Error::<Test>::UnknownRecord
		);
		run_to(1 + CHALLENGE_WINDOW);
		assert_noop!(
			Attribution::finalize(RuntimeOrigin::signed(owner()), record),
			Error::<Test>::ChallengeWindowOpen
		);
		assert!(finalized().is_empty());
		run_to(2 + CHALLENGE_WINDOW);
		assert_ok!(Attribution::finalize(RuntimeOrigin::signed(owner()), record));
		System::assert_last_event(Event::RecordFinalized { record, fee: FEE }.into());
		assert_eq!(status(record), RecordStatus::Final);
		assert_eq!(held(HoldReason::InferenceFee, &user(0)), 0);
		assert_eq!(free(&pot()), pot_before + FEE);
		let handed = finalized();
		assert_eq!(handed.len(), 1);
		assert_eq!(handed[0].record, record);
		assert_eq!(handed[0].fee, FEE);
		assert_eq!(handed[0].model_owner, owner());
		assert_eq!(handed[0].worker, worker());
		let contributors: Vec<(AccountId, u32)> = handed[0]
			.shares
			.iter()
			.map(|share| (share.contributor.clone(), share.parts_per_billion))
			.collect();
		assert_eq!(
			contributors,
			vec![(contributor(0), 500_000_000), (contributor(5), 250_000_000)]
		);
		assert_eq!(Attribution::row_attribution(0, 0), 500_000_000);
		assert_eq!(Attribution::contributor_attribution(&contributor(5)), 250_000_000);
		assert_eq!(Attribution::model_inferences(0, 1), 1);
		assert_noop!(
			Attribution::finalize(RuntimeOrigin::signed(owner()), record),
			Error::<Test>::RecordNotFinalizable
		);
		assert_noop!(
			Attribution::dispute(RuntimeOrigin::signed(challenger()), record, [0xcc; 32]),
			Error::<Test>::RecordNotDisputable
		);
	});
}

#[test]
fn row_slashed_after_submission_earns_nothing() {
	build_and_execute(|| {
		let record = accepted(1);
		set_row(1, 0, contributor(5), RowStatus::Slashed);
		run_to(2 + CHALLENGE_WINDOW);
		assert_ok!(Attribution::finalize(RuntimeOrigin::signed(owner()), record));
		let shares = &finalized()[0].shares;
		assert_eq!(shares.len(), 1);
		assert_eq!(shares[0].contributor, contributor(0));
		assert_eq!(Attribution::contributor_attribution(&contributor(5)), 0);
	});
}

#[test]
fn recomputers_are_drawn_later_from_randomness_the_challenger_cannot_see() {
	build_and_execute(|| {
		let record = accepted(1);
		assert_ok!(Attribution::dispute(RuntimeOrigin::signed(challenger()), record, [0xcc; 32]));
		let draw_at = 1 + DRAW_DELAY;
		System::assert_last_event(
			Event::Disputed { record, challenger: challenger(), commitment: [0xcc; 32], draw_at }
				.into(),
		);
		// Nobody is assigned yet: what the challenger's block says decides nothing.
		assert!(Disputes::<Test>::get(record).unwrap().recomputers.is_empty());
		assert_eq!(PendingDraws::<Test>::get(draw_at).into_inner(), vec![record]);
		assert_noop!(
			Attribution::submit_recomputation(
				RuntimeOrigin::signed(workers()[1].clone()),
				record,
				[1; 32]
			),
			Error::<Test>::NotDrawnYet
		);

		// The draw is a function of the draw block's randomness (the mock's: its parent hash):
		// another parent hash there, another draw.
		let draw_with = |parent: [u8; 32]| {
			frame_support::storage::with_transaction(|| {
				go_to_block(draw_at);
				System::set_parent_hash(parent.into());
				Attribution::on_initialize(draw_at);
				let drawn = Disputes::<Test>::get(record).unwrap().recomputers.into_inner();
				sp_runtime::TransactionOutcome::Rollback(Ok::<_, DispatchError>(drawn))
			})
			.unwrap()
		};
		let draws: std::collections::BTreeSet<Vec<AccountId>> =
			(0u8..8).map(|i| draw_with([i; 32])).collect();
		assert!(draws.len() > 1, "the later block's randomness decides the draw");

		let parent = [7u8; 32];
		let drawn = draw_with(parent);
		let eligible: Vec<AccountId> = workers().into_iter().filter(|w| *w != worker()).collect();
		let mut subject = (b"tributary/recompute", record).encode();
		subject.extend_from_slice(&parent);
		let seed = sp_io::hashing::blake2_256(&subject);
		let expected: Vec<AccountId> =
			tributary_primitives::draw::draw_distinct(&seed, eligible.len(), RECOMPUTERS as usize)
				.into_iter()
				.map(|index| eligible[index].clone())
				.collect();
		assert_eq!(drawn, expected, "the documented rule");
		assert!(!drawn.contains(&worker()) && !drawn.contains(&challenger()));

		go_to_block(draw_at);
		System::set_parent_hash(parent.into());
		Attribution::on_initialize(draw_at);
		let deadline = draw_at + RECOMPUTE_PERIOD;
		System::assert_last_event(
			Event::RecomputersDrawn {
				record,
				recomputers: drawn.clone().try_into().unwrap(),
				deadline,
			}
			.into(),
		);
		assert_eq!(held(HoldReason::ChallengeBond, &challenger()), CHALLENGE_BOND);
		assert_eq!(status(record), RecordStatus::Disputed);
		assert_eq!(Attribution::recompute_assignments(&drawn[0]), vec![record]);
		assert_eq!(Attribution::pending_disputes()[0].recomputers, drawn);
		assert!(PendingDraws::<Test>::get(draw_at).is_empty());
	});
}

#[test]
fn suspended_workers_are_not_drawn_and_submit_no_receipts() {
	build_and_execute(|| {
		let record = accepted(1);
		// Two of the five other workers are slashed below the required bond.
		let suspended = [workers()[1].clone(), workers()[2].clone()];
		for who in &suspended {
			assert_ok!(<Balances as MutateHold<AccountId>>::release(
				&TestHoldReason::WorkerBond,
				who,
				1,
				frame_support::traits::tokens::Precision::Exact
			));
		}
		for parent in 0u8..6 {
			let drawn = frame_support::storage::with_transaction(|| {
				let _ =
					Attribution::dispute(RuntimeOrigin::signed(challenger()), record, [0xcc; 32]);
				let draw_at = Disputes::<Test>::get(record).unwrap().draw_at;
				go_to_block(draw_at);
				System::set_parent_hash([parent; 32].into());
				Attribution::on_initialize(draw_at);
				let drawn = Disputes::<Test>::get(record).unwrap().recomputers.into_inner();
				sp_runtime::TransactionOutcome::Rollback(Ok::<_, DispatchError>(drawn))
			})
			.unwrap();
			assert_eq!(drawn.len(), RECOMPUTERS as usize);
			assert!(drawn.iter().all(|who| !suspended.contains(who)), "{drawn:?}");
		}
		assert_noop!(
			Attribution::submit_receipts(
				RuntimeOrigin::signed(suspended[0].clone()),
				batch(vec![signed(
					0,
					InferenceReceipt { worker: suspended[0].clone(), ..receipt(7) },
					top()
				)])
			),
			Error::<Test>::WorkerSuspended
		);
	});
}

#[test]
fn dispute_errors_change_nothing() {
	build_and_execute(|| {
		let record = accepted(1);
		let dispute =
			|who: AccountId, id, c| Attribution::dispute(RuntimeOrigin::signed(who), id, c);
		assert_noop!(dispute(challenger(), 9, [0xcc; 32]), Error::<Test>::UnknownRecord);
		assert_noop!(dispute(worker(), record, [0xcc; 32]), Error::<Test>::OwnRecord);
		assert_noop!(
			dispute(challenger(), record, commitment(record)),
			Error::<Test>::SameCommitment
		);
		assert_noop!(dispute(pauper(), record, [0xcc; 32]), TokenError::FundsUnavailable);
		set_workers(vec![worker()]);
		assert_noop!(
			dispute(challenger(), record, [0xcc; 32]),
			Error::<Test>::NotEnoughRecomputers
		);
		set_workers(workers());
		run_to(2 + CHALLENGE_WINDOW);
		assert_noop!(
			dispute(challenger(), record, [0xcc; 32]),
			Error::<Test>::ChallengeWindowClosed
		);
		run_to(1 + CHALLENGE_WINDOW);
		assert_ok!(dispute(challenger(), record, [0xcc; 32]));
		assert_noop!(dispute(owner(), record, [0xdd; 32]), Error::<Test>::RecordNotDisputable);
		assert_noop!(
			Attribution::finalize(RuntimeOrigin::signed(owner()), record),
			Error::<Test>::RecordNotFinalizable
		);
	});
}

#[test]
fn recomputation_errors_change_nothing() {
	build_and_execute(|| {
		let record = accepted(1);
		let recompute = |who: &AccountId, id, c| {
			Attribution::submit_recomputation(RuntimeOrigin::signed(who.clone()), id, c)
		};
		assert_noop!(recompute(&workers()[1], record, [1; 32]), Error::<Test>::NoDispute);
		let recomputers = disputed(record);
		assert_noop!(recompute(&worker(), record, [1; 32]), Error::<Test>::NotRecomputer);
		assert_ok!(recompute(&recomputers[0], record, [1; 32]));
		assert_noop!(recompute(&recomputers[0], record, [2; 32]), Error::<Test>::AlreadyRecomputed);
		run_to(deadline(record) + 1);
		assert_noop!(
			recompute(&recomputers[1], record, [1; 32]),
			Error::<Test>::RecomputeDeadlinePassed
		);
	});
}

#[test]
fn majority_for_the_record_slashes_the_challenger() {
	build_and_execute(|| {
		let record = accepted(1);
		let recomputers = disputed(record);
		let worker_before = free(&worker());
		let original = commitment(record);
		assert_ok!(Attribution::submit_recomputation(
			RuntimeOrigin::signed(recomputers[0].clone()),
			record,
			original
		));
		System::assert_last_event(
			Event::RecomputationSubmitted {
				record,
				recomputer: recomputers[0].clone(),
				commitment: original,
			}
			.into(),
		);
		assert_eq!(status(record), RecordStatus::Disputed);
		assert_ok!(Attribution::submit_recomputation(
			RuntimeOrigin::signed(recomputers[1].clone()),
			record,
			original
		));
		let majority_paid = 2 * RECOMPUTER_REWARD;
		System::assert_last_event(
			Event::DisputeLostByChallenger {
				record,
				challenger: challenger(),
				slashed: CHALLENGE_BOND,
				recomputers_paid: majority_paid,
			}
			.into(),
		);
		// The two recomputers of the majority are paid out of the bond, then the rest is slashed.
		assert_eq!(
			slash_fees(),
			recomputers[..2]
				.iter()
				.map(|recomputer| SlashFeeCall {
					reason: HoldReason::ChallengeBond.into(),
					offender: challenger(),
					payee: recomputer.clone(),
					amount: RECOMPUTER_REWARD,
					kind: SlashKind::LosingChallenger,
				})
				.collect::<Vec<_>>()
		);
		assert_eq!(
			slashes(),
			vec![SlashCall {
				reason: HoldReason::ChallengeBond.into(),
				offender: challenger(),
				amount: CHALLENGE_BOND - majority_paid,
				kind: SlashKind::LosingChallenger,
				beneficiary: Some(worker()),
			}]
		);
		assert_eq!(held(HoldReason::ChallengeBond, &challenger()), 0);
		assert_eq!(free(&worker()), worker_before + CHALLENGE_BOND - majority_paid);
		assert!(Disputes::<Test>::get(record).is_none());
		assert_eq!(status(record), RecordStatus::Upheld);
		// Upheld: final at once, even inside the window.
		assert_ok!(Attribution::finalize(RuntimeOrigin::signed(owner()), record));
		assert_eq!(finalized().len(), 1);
	});
}

#[test]
fn majority_against_the_record_slashes_the_worker_and_refunds_the_user() {
	build_and_execute(|| {
		let record = accepted(1);
		let user_before = free(&user(0));
		let challenger_before = free(&challenger());
		let recomputers = disputed(record);
		let recomputed = [0xcc; 32];
		let recomputer_before = free(&recomputers[2]);
		// The first recomputer disagrees with the majority: it is not paid, and loses its slash.
		assert_ok!(Attribution::submit_recomputation(
			RuntimeOrigin::signed(recomputers[2].clone()),
			record,
			commitment(record)
		));
		for recomputer in &recomputers[..2] {
			assert_ok!(Attribution::submit_recomputation(
				RuntimeOrigin::signed(recomputer.clone()),
				record,
				recomputed
			));
		}
		let majority_paid = 2 * RECOMPUTER_REWARD;
		System::assert_last_event(
			Event::RecordOverturned {
				record,
				recomputed,
				worker_slashed: WORKER_SLASH,
				recomputers_paid: majority_paid,
				refunded: FEE,
				challenger_rewarded: true,
			}
			.into(),
		);
		assert_eq!(
			slash_fees()
				.iter()
				.map(|fee| (fee.payee.clone(), fee.amount, fee.kind))
				.collect::<Vec<_>>(),
			recomputers[..2]
				.iter()
				.map(|recomputer| (recomputer.clone(), RECOMPUTER_REWARD, SlashKind::LyingWorker))
				.collect::<Vec<_>>()
		);
		assert_eq!(free(&recomputers[2]), recomputer_before);
		assert_eq!(status(record), RecordStatus::Rejected);
		assert_eq!(free(&user(0)), user_before + FEE);
		assert_eq!(held(HoldReason::InferenceFee, &user(0)), 0);
		assert_eq!(held(HoldReason::ChallengeBond, &challenger()), 0);
		// Bond back (it was taken from free balance at `disputed`) plus the worker's slash less
		// the recomputers' pay.
		assert_eq!(free(&challenger()), challenger_before + WORKER_SLASH - majority_paid);
		assert_eq!(
			slashes(),
			vec![
				SlashCall {
					reason: TestHoldReason::WorkerBond,
					offender: recomputers[2].clone(),
					amount: RECOMPUTER_SLASH,
					kind: SlashKind::WrongVerdict,
					beneficiary: None,
				},
				SlashCall {
					reason: TestHoldReason::WorkerBond,
					offender: worker(),
					amount: WORKER_SLASH - majority_paid,
					kind: SlashKind::LyingWorker,
					beneficiary: Some(challenger()),
				}
			]
		);
		assert_eq!(
			Balances::balance_on_hold(&TestHoldReason::WorkerBond, &recomputers[2]),
			WORKER_BOND - RECOMPUTER_SLASH
		);
		assert_eq!(
			Balances::balance_on_hold(&TestHoldReason::WorkerBond, &worker()),
			WORKER_BOND - WORKER_SLASH
		);
		run_to(2 + CHALLENGE_WINDOW);
		assert_noop!(
			Attribution::finalize(RuntimeOrigin::signed(owner()), record),
			Error::<Test>::RecordNotFinalizable
		);
		assert!(finalized().is_empty());
		assert_eq!(Attribution::model_inferences(0, 1), 0);
	});
}

#[test]
fn dispute_without_majority_is_dismissed_after_the_deadline() {
	build_and_execute(|| {
		let record = accepted(1);
		assert_noop!(
			Attribution::resolve_dispute(RuntimeOrigin::signed(owner()), record),
			Error::<Test>::NoDispute
		);
		let recomputers = disputed(record);
		for (index, recomputer) in recomputers.iter().enumerate() {
			assert_ok!(Attribution::submit_recomputation(
				RuntimeOrigin::signed(recomputer.clone()),
				record,
				[index as u8; 32]
			));
		}
		assert_eq!(status(record), RecordStatus::Disputed);
		run_to(deadline(record));
		assert_noop!(
			Attribution::resolve_dispute(RuntimeOrigin::signed(owner()), record),
			Error::<Test>::RecomputeDeadlineNotPassed
		);
		run_to(deadline(record) + 1);
		assert_ok!(Attribution::resolve_dispute(RuntimeOrigin::signed(owner()), record));
		System::assert_last_event(Event::DisputeDismissed { record }.into());
		assert_eq!(held(HoldReason::ChallengeBond, &challenger()), 0);
		assert_eq!(status(record), RecordStatus::Upheld);
		assert!(Attribution::pending_disputes().is_empty());
		assert!(slashes().is_empty());
	});
}

#[test]
fn recomputers_that_submit_nothing_by_the_deadline_are_slashed() {
	build_and_execute(|| {
		let record = accepted(1);
		let recomputers = disputed(record);
		assert_ok!(Attribution::submit_recomputation(
			RuntimeOrigin::signed(recomputers[1].clone()),
			record,
			[7; 32]
		));
		run_to(deadline(record) + 1);
		System::reset_events();
		assert_ok!(Attribution::resolve_dispute(RuntimeOrigin::signed(owner()), record));
		let missed: Vec<AccountId> = System::events()
			.into_iter()
			.filter_map(|record| match record.event {
				RuntimeEvent::Attribution(Event::RecomputationMissed { recomputer, .. }) => {
					Some(recomputer)
				},
				_ => None,
			})
			.collect();
		assert_eq!(missed, vec![recomputers[0].clone(), recomputers[2].clone()]);
		System::assert_last_event(Event::DisputeDismissed { record }.into());
		for silent in [&recomputers[0], &recomputers[2]] {
			assert_eq!(
				Balances::balance_on_hold(&TestHoldReason::WorkerBond, silent),
				WORKER_BOND - RECOMPUTER_SLASH,
				"a silent recomputer loses RecomputerSlash"
			);
		}
		assert_eq!(
			Balances::balance_on_hold(&TestHoldReason::WorkerBond, &recomputers[1]),
			WORKER_BOND
		);
	});
}

/// Weight `on_idle` needs to finalize `records` records (the mock's database weight is zero).
fn idle_weight_for(records: u64) -> Weight {
	<() as WeightInfo>::finalize(MAX_TOP_K).saturating_mul(records)
}

fn idle(weight: Weight) -> Weight {
	Attribution::on_idle(System::block_number(), weight)
}

#[test]
fn records_finalize_on_idle_after_their_window() {
	build_and_execute(|| {
		submit(vec![signed(0, receipt(1), top()), signed(1, receipt(1), top())]);
		let due = 2 + CHALLENGE_WINDOW;
		assert_eq!(DueRecords::<Test>::get(due).into_inner(), vec![0, 1]);
		run_to(due - 1);
		idle(Weight::MAX);
		assert_eq!((status(0), status(1)), (RecordStatus::Pending, RecordStatus::Pending));
		assert_eq!(FinalizeCursor::<Test>::get(), due);
		run_to(due);
		assert_eq!(idle(Weight::MAX), idle_weight_for(2));
		assert_eq!((status(0), status(1)), (RecordStatus::Final, RecordStatus::Final));
		assert_eq!(finalized().len(), 2);
		assert!(!DueRecords::<Test>::contains_key(due));
		assert_eq!(FinalizeCursor::<Test>::get(), due + 1);
		assert_eq!(Attribution::model_inferences(0, 1), 2);
	});
}

#[test]
fn on_idle_stops_at_its_weight_limit_and_resumes() {
	build_and_execute(|| {
		submit(vec![
			signed(0, receipt(1), top()),
			signed(1, receipt(1), top()),
			signed(2, receipt(1), top()),
		]);
		let due = 2 + CHALLENGE_WINDOW;
		run_to(due + 3);
		assert_eq!(idle(idle_weight_for(1) + idle_weight_for(1) / 2), idle_weight_for(1));
		assert_eq!(finalized().len(), 1);
		assert_eq!(DueRecords::<Test>::get(due).into_inner(), vec![1, 2]);
		assert_eq!(FinalizeCursor::<Test>::get(), due);
		assert_eq!(idle(Weight::zero()), Weight::zero());
		assert_eq!(finalized().len(), 1);
		idle(Weight::MAX);
		assert_eq!(finalized().len(), 3);
		assert_eq!(FinalizeCursor::<Test>::get(), due + 4);
	});
}

#[test]
fn disputed_record_leaves_the_queue_and_returns_when_upheld() {
	build_and_execute(|| {
		let record = accepted(1);
		disputed(record);
		let due = 2 + CHALLENGE_WINDOW;
		run_to(due);
		idle(Weight::MAX);
		assert_eq!(status(record), RecordStatus::Disputed);
		assert!(!DueRecords::<Test>::contains_key(due));
		// Dismissed (no recomputer answered by the deadline): queued for the next block.
		assert_ok!(Attribution::resolve_dispute(RuntimeOrigin::signed(owner()), record));
		assert_eq!(DueRecords::<Test>::get(due + 1).into_inner(), vec![record]);
		run_to(due + 1);
		idle(Weight::MAX);
		assert_eq!(status(record), RecordStatus::Final);
		assert_eq!(finalized().len(), 1);
	});
}

#[test]
fn overflowing_queue_leaves_records_to_finalize() {
	build_and_execute(|| {
		submit((0..4).map(|index| signed(index, receipt(1), top())).collect());
		submit((0..2).map(|index| signed(index, receipt(2), top())).collect());
		let due = 2 + CHALLENGE_WINDOW;
		assert_eq!(DueRecords::<Test>::get(due).len() as u32, MAX_DUE_PER_BLOCK);
		run_to(due);
		idle(Weight::MAX);
		assert_eq!(finalized().len(), MAX_DUE_PER_BLOCK as usize);
		assert_eq!(status(5), RecordStatus::Pending);
		assert_ok!(Attribution::finalize(RuntimeOrigin::signed(owner()), 5));
		assert_eq!(status(5), RecordStatus::Final);
	});
}

/// The serving worker's open-record counter and what pallet-models sees of it.
fn open_records() -> (u32, bool) {
	(OpenRecordCount::<Test>::get(worker()), Attribution::has_open_records(&worker()))
}

#[test]
fn open_records_are_counted_until_final_or_rejected() {
	build_and_execute(|| {
		assert_eq!(open_records(), (0, false));
		let overturned = accepted(1);
		let upheld = accepted(2);
		let dismissed = accepted(3);
		let unchallenged = accepted(4);
		assert_eq!(open_records(), (4, true));

		// Overturned: rejected, no longer open.
		let recomputers = disputed(overturned);
		assert_eq!(open_records(), (4, true));
		for recomputer in &recomputers[..2] {
			assert_ok!(Attribution::submit_recomputation(
				RuntimeOrigin::signed(recomputer.clone()),
				overturned,
				[0xcc; 32]
			));
		}
		assert_eq!(status(overturned), RecordStatus::Rejected);
		assert_eq!(open_records(), (3, true));

		// Upheld by a majority: still open until it is final.
		let recomputers = disputed(upheld);
		for recomputer in &recomputers[..2] {
			assert_ok!(Attribution::submit_recomputation(
				RuntimeOrigin::signed(recomputer.clone()),
				upheld,
				commitment(upheld)
			));
		}
		assert_eq!(status(upheld), RecordStatus::Upheld);
		assert_eq!(open_records(), (3, true));
		assert_ok!(Attribution::finalize(RuntimeOrigin::signed(owner()), upheld));
		assert_eq!(open_records(), (2, true));

		// A failed finalization changes nothing.
		assert_noop!(
			Attribution::finalize(RuntimeOrigin::signed(owner()), unchallenged),
			Error::<Test>::ChallengeWindowOpen
		);

		// Dismissed for want of a majority: upheld, then final through `on_idle` — together with
		// the unchallenged one, whose window has closed by then.
		disputed(dismissed);
		run_to(deadline(dismissed) + 1);
		assert!(System::block_number() > 1 + CHALLENGE_WINDOW);
		assert_ok!(Attribution::resolve_dispute(RuntimeOrigin::signed(owner()), dismissed));
		assert_eq!(open_records(), (2, true));
		run_to(System::block_number() + 1);
		idle(Weight::MAX);
		assert_eq!(status(dismissed), RecordStatus::Final);
		assert_eq!(status(unchallenged), RecordStatus::Final);
		assert_eq!(open_records(), (0, false));
		assert!(!OpenRecordCount::<Test>::contains_key(worker()));
	});
}

#[test]
fn used_nonces_are_forgotten_after_expiry_and_replay_stays_refused() {
	build_and_execute(|| {
		let original = signed(0, receipt(5), top());
		let expiry = original.receipt.expiry;
		submit(vec![original.clone()]);
		assert!(NoncesByExpiry::<Test>::contains_key(expiry, (user(0), 5)));

		// Up to and including its expiry block the receipt could still be accepted: remembered.
		run_to(expiry);
		idle(Weight::MAX);
		assert_eq!(UsedNonces::<Test>::get(user(0), 5), Some(0));
		assert_eq!(refusal(original.clone()), Error::<Test>::NonceUsed.into());

		run_to(expiry + 1);
		idle(Weight::MAX);
		assert_eq!(UsedNonces::<Test>::get(user(0), 5), None);
		assert_eq!(NoncesByExpiry::<Test>::iter().count(), 0);
		assert_eq!(NoncePruneCursor::<Test>::get(), expiry + 1);
		// The replay is still refused: the signed receipt has expired.
		assert_eq!(refusal(original), Error::<Test>::ReceiptExpired.into());
	});
}

#[test]
fn nonce_pruning_stops_at_its_weight_limit_and_resumes() {
	build_and_execute(|| {
		submit((0..3).map(|index| signed(index, receipt(5), top())).collect());
		let expiry = receipt(5).expiry;
		let now = expiry + 1;
		run_to(now);
		// Unit costs: the cursor (1 read, 1 write) = 2, each expiry block looked at = 1, each
		// nonce removed (1 read, 2 writes) = 3. Blocks 0..=expiry cost expiry + 1.
		let db = RuntimeDbWeight { read: 1, write: 1 };
		let two_nonces = Weight::from_parts(2 + (expiry + 1) + 2 * 3, 0);
		let limit = two_nonces.saturating_add(Weight::from_parts(2, 0));
		assert_eq!(Attribution::prune_expired_nonces_at(now, limit, db), two_nonces);
		assert_eq!(NoncesByExpiry::<Test>::iter_prefix(expiry).count(), 1);
		assert_eq!(
			(0..3).filter(|index| UsedNonces::<Test>::contains_key(user(*index), 5)).count(),
			1
		);
		assert_eq!(NoncePruneCursor::<Test>::get(), expiry);

		assert_eq!(
			Attribution::prune_expired_nonces_at(now, Weight::from_parts(1, 0), db),
			Weight::zero()
		);
		assert_eq!(NoncesByExpiry::<Test>::iter_prefix(expiry).count(), 1);

		let rest = Weight::from_parts(2 + 1 + 3, 0);
		assert_eq!(Attribution::prune_expired_nonces_at(now, Weight::MAX, db), rest);
		assert_eq!(NoncesByExpiry::<Test>::iter().count(), 0);
		assert_eq!(UsedNonces::<Test>::iter().count(), 0);
		assert_eq!(NoncePruneCursor::<Test>::get(), now);
	});
}

#[test]
fn record_view_mirrors_storage() {
	build_and_execute(|| {
		let record = accepted(1);
		let view = Attribution::record_view(record).unwrap();
		assert_eq!((view.id, view.user, view.fee, view.top), (record, user(0), FEE, top()));
		assert_eq!(view.status, RecordStatus::Pending);
		assert!(Attribution::record_view(9).is_none());
	});
}

/// An action of the property test; indexes wrap around the records that exist.
#[derive(Clone, Debug)]
enum Action {
	Submit {
		user: u8,
		nonce: u64,
	},
	Advance(u64),
	/// Run `on_idle` with room for this many finalizations.
	Idle(u64),
	Dispute(usize),
	Recompute {
		record: usize,
		recomputer: usize,
		honest: bool,
	},
	Resolve(usize),
	Finalize(usize),
}

fn action() -> impl Strategy<Value = Action> {
	prop_oneof![
		3 => (0..4u8, 0..6u64).prop_map(|(user, nonce)| Action::Submit { user, nonce }),
		2 => (1..8u64).prop_map(Action::Advance),
		1 => (0..3u64).prop_map(Action::Idle),
		1 => any::<usize>().prop_map(Action::Dispute),
		2 => (any::<usize>(), 0..3usize, any::<bool>())
			.prop_map(|(record, recomputer, honest)| Action::Recompute { record, recomputer, honest }),
		1 => any::<usize>().prop_map(Action::Resolve),
		2 => any::<usize>().prop_map(Action::Finalize),
	]
}

/// A record is handed to rewards (and its fee moved to the pot) exactly when it is final, at most
/// once; fees of undecided records stay held from their users; rejected records hold nothing.
fn check_payouts(pot_start: Balance) -> Result<(), TestCaseError> {
	let handed = finalized();
	let mut paid_to_pot = 0;
	let mut held_per_user = std::collections::BTreeMap::<AccountId, Balance>::new();
	let mut final_records = 0;
	for (id, info) in Records::<Test>::iter() {
		let times = handed.iter().filter(|record| record.record == id).count();
		prop_assert_eq!(times, usize::from(info.status == RecordStatus::Final));
		match info.status {
			RecordStatus::Final => {
				paid_to_pot += info.fee;
				final_records += 1;
			},
			RecordStatus::Rejected => {},
			_ => *held_per_user.entry(info.user.clone()).or_default() += info.fee,
		}
	}
	prop_assert_eq!(handed.len(), final_records);
	let open = Records::<Test>::iter()
		.filter(|(_, info)| !matches!(info.status, RecordStatus::Final | RecordStatus::Rejected))
		.count() as u32;
	prop_assert_eq!(OpenRecordCount::<Test>::get(worker()), open);
	prop_assert_eq!(free(&pot()), pot_start + paid_to_pot);
	for index in 0..4 {
		let expected = held_per_user.get(&user(index)).copied().unwrap_or(0);
		prop_assert_eq!(held(HoldReason::InferenceFee, &user(index)), expected);
	}
	Ok(())
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(256))]

	/// Whatever happens, a record is handed to rewards (and its fee moved to the pot) exactly
	/// when it is final, at most once; fees of undecided records stay held from their users, and
	/// rejected records' fees return to them.
	#[test]
	fn no_payout_without_a_finalized_record(actions in proptest::collection::vec(action(), 1..40)) {
		build_and_execute(|| {
			let pot_start = free(&pot());
			for action in actions {
				let records = NextRecordId::<Test>::get() as usize;
				let pick = |index: usize| (index % records.max(1)) as RecordId;
				let origin = RuntimeOrigin::signed(owner());
				// Calls may fail (that is part of the test); a failure must change nothing, which
				// the invariants below check indirectly.
				let _ = match action {
					Action::Submit { user: index, nonce } => {
						let expiry = System::block_number() + 5;
						Attribution::submit_receipts(
							RuntimeOrigin::signed(worker()),
							batch(vec![signed(index, Receipt { expiry, ..receipt(nonce) }, top())]),
						)
					},
					Action::Advance(blocks) => {
						run_to(System::block_number() + blocks);
						Ok(())
					},
					Action::Idle(records) => {
						idle(idle_weight_for(records));
						Ok(())
					},
					Action::Dispute(index) =>
						Attribution::dispute(RuntimeOrigin::signed(challenger()), pick(index), [0xcc; 32]),
					Action::Recompute { record, recomputer, honest } => {
						let id = pick(record);
						match Disputes::<Test>::get(id).filter(|dispute| !dispute.recomputers.is_empty()) {
							Some(dispute) => {
								let answer = if honest { commitment(id) } else { [0xcc; 32] };
								Attribution::submit_recomputation(
									// Fewer may be drawn once slashes suspended some workers.
									RuntimeOrigin::signed(dispute.recomputers[recomputer % dispute.recomputers.len()].clone()),
									id,
									answer,
								)
							},
							None => Ok(()),
						}
					},
					Action::Resolve(index) => Attribution::resolve_dispute(origin, pick(index)),
					Action::Finalize(index) => Attribution::finalize(origin, pick(index)),
				};

				check_payouts(pot_start)?;
			}
			// Then let every window and deadline pass and settle everything: each record ends
			// final (paid once) or rejected (refunded), and no fee stays held.
			run_to(System::block_number() + CHALLENGE_WINDOW + DRAW_DELAY + RECOMPUTE_PERIOD + 1);
			for id in 0..NextRecordId::<Test>::get() {
				let _ = Attribution::resolve_dispute(RuntimeOrigin::signed(owner()), id);
				let _ = Attribution::finalize(RuntimeOrigin::signed(owner()), id);
			}
			check_payouts(pot_start)?;
			for (_, info) in Records::<Test>::iter() {
				prop_assert!(matches!(info.status, RecordStatus::Final | RecordStatus::Rejected));
			}
			for index in 0..4 {
				prop_assert_eq!(held(HoldReason::InferenceFee, &user(index)), 0);
			}
			Ok(())
		})?;
	}
}

/// The off-chain worker against a scripted sidecar: every HTTP request it makes is expected in
/// order (an unexpected one fails the test) and answered with the given JSON.
mod offchain_worker {
	use super::*;
	use codec::Encode;
	use frame_support::traits::Hooks;
	use serde_json::json;
	use sp_keystore::{testing::MemoryKeystore, Keystore, KeystoreExt};
	use tributary_primitives::hex;
	use tributary_primitives::WORKER_KEY_TYPE;
	use tributary_worker_client::api::receipts::PENDING_PAGE;
	use tributary_worker_client::testing::Testbed;

	/// Test externalities with a scripted sidecar and a worker key in the keystore; the key's
	/// account.
	fn offchain_ext() -> (sp_io::TestExternalities, Testbed, AccountId) {
		let mut ext = new_test_ext();
		let sidecar = Testbed::install(&mut ext);
		let keystore = MemoryKeystore::new();
		let key = keystore.sr25519_generate_new(WORKER_KEY_TYPE, Some("//ocw-worker")).unwrap();
		ext.register_extension(KeystoreExt::new(keystore));
		(ext, sidecar, key.into())
	}

	/// A record of `worker()` disputed, with `me` among the drawn recomputers (the record's worker
	/// and the challenger are excluded: the other three recompute).
	fn disputed_for(me: &AccountId) -> RecordId {
		set_workers(vec![worker(), me.clone(), account(11), account(12)]);
		let record = accepted(1);
		assert!(disputed(record).contains(me));
		record
	}

	/// The recompute request of a disputed record, as the off-chain worker posts it.
	fn recompute_request(record: RecordId) -> serde_json::Value {
		let info = Records::<Test>::get(record).unwrap();
		json!({
			"chain": { "model": info.model, "version": info.version },
			"output_hash": hex::encode(&info.output_hash),
			"method_scale": hex::encode_0x(&info.method.encode()),
		})
	}

	/// One entry of the sidecar's receipt queue, holding the SCALE bytes `scale`.
	fn queued(id: &str, scale: &[u8]) -> serde_json::Value {
		queued_at(0, id, scale)
	}

	/// [`queued`] at queue position `sequence`.
	fn queued_at(sequence: u64, id: &str, scale: &[u8]) -> serde_json::Value {
		json!({
			"id": id, "sequence": sequence, "user": hex::encode_0x(&[1; 32]), "nonce": 1,
			"scale": hex::encode_0x(scale),
		})
	}

	/// What the off-chain worker asks the sidecar for its receipt queue, naming this chain and
	/// its methods.
	fn pending_path() -> String {
		format!(
			"/receipts/pending?genesis=0x{}&methods=0x{}",
			hex::encode(&Attribution::genesis_hash()),
			hex::encode(&Params::<Test>::get().methods.encode())
		)
	}

	#[test]
	fn receipts_waiting_out_a_backoff_do_not_hide_the_ones_behind_them() {
		let (mut ext, sidecar, me) = offchain_ext();
		ext.execute_with(|| {
			set_workers(vec![me.clone()]);
			let mine =
				|nonce| signed(0, InferenceReceipt { worker: me.clone(), ..receipt(nonce) }, top());
			// A full page of receipts, each submitted at block 2 and waiting out its backoff.
			let stuck: Vec<_> = (0..PENDING_PAGE as u64)
				.map(|i| {
					let id = format!("stuck-{i}");
					sp_runtime::offchain::storage::StorageValueRef::persistent(
						&crate::offchain::receipt_key(&id),
					)
					.set(&(2u64, 1u32));
					queued_at(i, &id, &mine(100 + i).encode())
				})
				.collect();
			let good = mine(1);
			sidecar.expect("GET", &pending_path(), None, json!({ "receipts": stuck }));
			sidecar.expect(
				"GET",
				&format!("{}&after={}", pending_path(), PENDING_PAGE - 1),
				None,
				json!({ "receipts": [queued_at(PENDING_PAGE as u64, "good", &good.encode())] }),
			);
			run_offchain_worker(3);
			assert_eq!(
				sidecar.submitted::<crate::mock::Extrinsic>(),
				vec![(
					Some(me.clone()),
					RuntimeCall::Attribution(Call::submit_receipts { batch: batch(vec![good]) })
				)]
			);
		});
	}

	fn run_offchain_worker(block: u64) {
		go_to_block(block);
		Attribution::offchain_worker(block);
	}

	#[test]
	fn pending_receipts_are_submitted_and_the_ones_that_cannot_land_acknowledged() {
		let (mut ext, sidecar, me) = offchain_ext();
		ext.execute_with(|| {
			set_workers(vec![worker(), me.clone()]);
			let mine =
				|nonce| signed(0, InferenceReceipt { worker: me.clone(), ..receipt(nonce) }, top());
			// Nonce 2 already landed in an earlier batch.
			assert_ok!(Attribution::submit_receipts(
				RuntimeOrigin::signed(me.clone()),
				batch(vec![mine(2)])
			));
			// sr25519 signatures are randomized: sign each receipt once.
			let fresh = mine(1);
			let served_by_other = signed(1, receipt(3), top());
			sidecar.expect(
				"GET",
				&pending_path(),
				None,
				json!({ "receipts": [
					queued("fresh", &fresh.encode()),
					queued("landed", &mine(2).encode()),
					queued("other-worker", &served_by_other.encode()),
					queued("garbage", &[0x00, 0xff]),
				] }),
			);
			sidecar.expect(
				"POST",
				"/receipts/ack",
				Some(&json!({ "ids": ["landed", "garbage"] })),
				json!({ "removed": 2 }),
			);
			run_offchain_worker(2);
			assert_eq!(
				sidecar.submitted::<crate::mock::Extrinsic>(),
				vec![(
					Some(me.clone()),
					RuntimeCall::Attribution(Call::submit_receipts {
						batch: batch(vec![fresh.clone()])
					})
				)]
			);

			// The next block: the fresh receipt waits for its backoff, nothing is submitted twice.
			sidecar.expect(
				"GET",
				&pending_path(),
				None,
				json!({ "receipts": [queued("fresh", &fresh.encode())] }),
			);
			run_offchain_worker(3);
			assert_eq!(sidecar.submitted::<crate::mock::Extrinsic>().len(), 1);
			check_invariants();
		});
	}

	#[test]
	fn the_sidecar_is_told_the_methods_in_force_every_block() {
		let (mut ext, sidecar, me) = offchain_ext();
		ext.execute_with(|| {
			set_workers(vec![me.clone()]);
			let mut params = Params::<Test>::get();
			params.methods.span.min_span_len = 6;
			assert_ok!(Attribution::set_params(RuntimeOrigin::root(), params));
			let path = format!(
				"/receipts/pending?genesis=0x{}&methods=0x{}",
				hex::encode(&Attribution::genesis_hash()),
				hex::encode(&params.methods.encode())
			);
			assert_eq!(path, pending_path());
			sidecar.expect("GET", &path, None, json!({ "receipts": [] }));
			run_offchain_worker(2);
			assert!(sidecar.submitted::<crate::mock::Extrinsic>().is_empty());
			check_invariants();
		});
	}

	#[test]
	fn an_assigned_recomputer_submits_the_sidecars_commitment() {
		let (mut ext, sidecar, me) = offchain_ext();
		ext.execute_with(|| {
			let record = disputed_for(&me);
			let recomputed = [0xcc; 32];
			sidecar.expect("GET", &pending_path(), None, json!({ "receipts": [] }));
			sidecar.expect(
				"POST",
				"/attribution/recompute",
				Some(&recompute_request(record)),
				json!({ "state": "done", "commitment": hex::encode(&recomputed), "record_scale": "0x00", "top": [] }),
			);
			run_offchain_worker(System::block_number());
			assert_eq!(
				sidecar.submitted::<crate::mock::Extrinsic>(),
				vec![(
					Some(me.clone()),
					RuntimeCall::Attribution(Call::submit_recomputation {
						record,
						commitment: recomputed
					})
				)]
			);
			check_invariants();
		});
	}

	#[test]
	fn a_long_recomputation_is_polled_until_done() {
		let (mut ext, sidecar, me) = offchain_ext();
		ext.execute_with(|| {
			let record = disputed_for(&me);
			let now = System::block_number();
			let request = recompute_request(record);
			sidecar.expect("GET", &pending_path(), None, json!({ "receipts": [] }));
			sidecar.expect(
				"POST",
				"/attribution/recompute",
				Some(&request),
				json!({ "state": "running" }),
			);
			run_offchain_worker(now);
			assert!(
				sidecar.submitted::<crate::mock::Extrinsic>().is_empty(),
				"nothing to submit while it runs"
			);
			sidecar.expect("GET", &pending_path(), None, json!({ "receipts": [] }));
			sidecar.expect(
				"POST",
				"/attribution/recompute",
				Some(&request),
				json!({ "state": "done", "commitment": hex::encode(&[0xcc; 32]), "record_scale": "0x00", "top": [] }),
			);
			run_offchain_worker(now + 1);
			assert_eq!(
				sidecar.submitted::<crate::mock::Extrinsic>(),
				vec![(
					Some(me.clone()),
					RuntimeCall::Attribution(Call::submit_recomputation {
						record,
						commitment: [0xcc; 32]
					})
				)]
			);
			check_invariants();
		});
	}

	#[test]
	fn a_withheld_text_is_reported_after_half_the_period() {
		let (mut ext, sidecar, me) = offchain_ext();
		ext.execute_with(|| {
			let record = disputed_for(&me);
			let deadline = Disputes::<Test>::get(record).unwrap().deadline;
			let unavailable =
				json!({ "error": { "message": "in no store", "type": "invalid_request_error", "code": "output_unavailable" } });
			let request = recompute_request(record);
			sidecar.expect("GET", &pending_path(), None, json!({ "receipts": [] }));
			sidecar.expect("POST", "/attribution/recompute", Some(&request), unavailable.clone());
			run_offchain_worker(System::block_number());
			assert!(
				sidecar.submitted::<crate::mock::Extrinsic>().is_empty(),
				"the serving worker gets time to come back"
			);
			sidecar.expect("GET", &pending_path(), None, json!({ "receipts": [] }));
			sidecar.expect("POST", "/attribution/recompute", Some(&request), unavailable);
			run_offchain_worker(deadline - RECOMPUTE_PERIOD / 2);
			assert_eq!(
				sidecar.submitted::<crate::mock::Extrinsic>(),
				vec![(
					Some(me.clone()),
					RuntimeCall::Attribution(Call::submit_recomputation {
						record,
						commitment: tributary_primitives::attribution::TEXT_UNAVAILABLE
					})
				)]
			);
			check_invariants();
		});
	}
}

/// Adversarial tests: each attack of the threat model against this pallet, each showing the
/// attacker ends with less than it started and the honest parties whole.
mod attacks {
	use super::*;
	use frame_support::{
		traits::{tokens::Precision, ConstU32},
		BoundedVec,
	};
	use tributary_primitives::attribution::{
		AttributionMethod, InfluenceParams, MethodSettings, RagParams, RecordBody, SpanParams,
	};

	/// The honest record of the default receipt: rows 0 and 1 of datanet 0, top 2.
	fn honest_body() -> RecordBody<Vec<RowScore>> {
		body_for(&receipt(1), &[score(0, 0, 600_000_000), score(0, 1, 300_000_000)])
	}

	/// `body` as `prove_top_mismatch` takes it.
	fn revealed(
		body: &RecordBody<Vec<RowScore>>,
	) -> RecordBody<BoundedVec<RowScore, ConstU32<MAX_SCORES>>> {
		RecordBody {
			model: body.model,
			adapter: body.adapter,
			corpus: body.corpus,
			output: body.output,
			scores: body.scores.clone().try_into().expect("at most MaxScores scores"),
			top_k: body.top_k,
		}
	}

	fn bonded(who: &AccountId) -> Balance {
		Balances::balance_on_hold(&TestHoldReason::WorkerBond, who)
	}

	/// Everything the accounts of this test hold, free and held: it never changes.
	fn total_issuance() -> Balance {
		Balances::total_issuance()
	}

	#[test]
	fn forged_top_over_an_honest_body_is_disputable_and_loses() {
		build_and_execute(|| {
			let issuance = total_issuance();
			let honest = honest_body();
			let honest_top = honest.canonical_top().unwrap();
			// The worker claims the honest body's hash with a top crediting a row of its friend.
			let forged_top = vec![score(0, 4, 1_000_000_000)];
			let worker_start = free(&worker()) + bonded(&worker());
			submit(vec![signed_with_body(0, receipt(1), forged_top.clone(), honest.hash())]);
			let record = 0;
			assert_eq!(status(record), RecordStatus::Pending);
			// The chain derived the commitment from what it stores: it is not the honest one, so
			// the challenger's honest commitment is no longer `SameCommitment`.
			let method = AttributionMethod::Influence(InfluenceParams::DEFAULT);
			let honest_commitment = tributary_primitives::attribution::commitment_of(
				&method,
				&honest.hash(),
				&honest_top,
			);
			assert_ne!(commitment(record), honest_commitment);
			let recomputers = {
				assert_ok!(Attribution::dispute(
					RuntimeOrigin::signed(challenger()),
					record,
					honest_commitment
				));
				run_to(Disputes::<Test>::get(record).unwrap().draw_at);
				Disputes::<Test>::get(record).unwrap().recomputers.into_inner()
			};
			let challenger_start = free(&challenger()) + CHALLENGE_BOND;
			// Honest recomputers recompute the honest record.
			for recomputer in &recomputers[..2] {
				assert_ok!(Attribution::submit_recomputation(
					RuntimeOrigin::signed(recomputer.clone()),
					record,
					honest_commitment
				));
			}
			assert_eq!(status(record), RecordStatus::Rejected);
			assert!(free(&worker()) + bonded(&worker()) < worker_start, "the forger lost");
			assert_eq!(bonded(&worker()), WORKER_BOND - WORKER_SLASH);
			assert!(free(&challenger()) > challenger_start, "the challenger was paid");
			assert_eq!(held(HoldReason::InferenceFee, &user(0)), 0, "the user's fee is back");
			assert_eq!(total_issuance(), issuance);
		});
	}

	#[test]
	fn a_revealed_body_proves_a_forged_top_at_once() {
		build_and_execute(|| {
			let honest = honest_body();
			let forged_top = vec![score(0, 4, 1_000_000_000)];
			submit(vec![signed_with_body(0, receipt(1), forged_top, honest.hash())]);
			let record = 0;
			let prove = |who: AccountId, body: RecordBody<Vec<RowScore>>| {
				Attribution::prove_top_mismatch(RuntimeOrigin::signed(who), record, revealed(&body))
			};
			assert_noop!(prove(worker(), honest.clone()), Error::<Test>::OwnRecord);
			let mut other = honest.clone();
			other.corpus = [1; 32];
			assert_noop!(prove(challenger(), other), Error::<Test>::WrongBody);
			let challenger_start = free(&challenger());
			assert_ok!(prove(challenger(), honest.clone()));
			assert_eq!(status(record), RecordStatus::Rejected);
			assert_eq!(bonded(&worker()), WORKER_BOND - WORKER_SLASH);
			assert_eq!(
				free(&challenger()),
				challenger_start + WORKER_SLASH,
				"the prover is the beneficiary"
			);
			assert_eq!(held(HoldReason::InferenceFee, &user(0)), 0);

			// The slashed worker is suspended until it tops its bond up again.
			let top = honest.canonical_top().unwrap();
			assert_noop!(
				Attribution::submit_receipts(
					RuntimeOrigin::signed(worker()),
					batch(vec![signed_with_body(0, receipt(2), top.clone(), honest.hash())])
				),
				Error::<Test>::WorkerSuspended
			);
			assert_ok!(Balances::hold(&TestHoldReason::WorkerBond, &worker(), WORKER_SLASH));
			// An honest record cannot be "proven" wrong with its own body.
			submit(vec![signed_with_body(0, receipt(2), top, honest.hash())]);
			assert_noop!(
				Attribution::prove_top_mismatch(
					RuntimeOrigin::signed(challenger()),
					1,
					revealed(&honest)
				),
				Error::<Test>::TopMatches
			);
		});
	}

	#[test]
	fn a_proof_during_a_dispute_ends_it_and_returns_the_bond() {
		build_and_execute(|| {
			let honest = honest_body();
			submit(vec![signed_with_body(
				0,
				receipt(1),
				vec![score(0, 4, 1_000_000_000)],
				honest.hash(),
			)]);
			disputed(0);
			assert_eq!(held(HoldReason::ChallengeBond, &challenger()), CHALLENGE_BOND);
			assert_ok!(Attribution::prove_top_mismatch(
				RuntimeOrigin::signed(owner()),
				0,
				revealed(&honest)
			));
			assert_eq!(status(0), RecordStatus::Rejected);
			assert_eq!(held(HoldReason::ChallengeBond, &challenger()), 0);
			assert!(Disputes::<Test>::get(0).is_none());
		});
	}

	#[test]
	fn a_majority_for_neither_side_slashes_the_worker_but_pays_no_challenger() {
		build_and_execute(|| {
			let record = accepted(1);
			let challenger_start = free(&challenger());
			let recomputers = disputed(record);
			for recomputer in &recomputers[..2] {
				assert_ok!(Attribution::submit_recomputation(
					RuntimeOrigin::signed(recomputer.clone()),
					record,
					[0xee; 32]
				));
			}
			assert_eq!(status(record), RecordStatus::Rejected);
			System::assert_has_event(
				Event::RecordOverturned {
					record,
					recomputed: [0xee; 32],
					worker_slashed: WORKER_SLASH,
					recomputers_paid: 2 * RECOMPUTER_REWARD,
					refunded: FEE,
					challenger_rewarded: false,
				}
				.into(),
			);
			assert_eq!(free(&challenger()), challenger_start, "bond back, no reward");
			assert_eq!(
				slashes().last().unwrap().beneficiary,
				None,
				"the worker's slash goes to the treasury"
			);
		});
	}

	#[test]
	fn a_colluding_recomputer_alone_cannot_slash_an_honest_worker() {
		build_and_execute(|| {
			let record = accepted(1);
			let worker_bond = bonded(&worker());
			let recomputers = disputed(record);
			let (colluder, honest) = (&recomputers[0], &recomputers[1..]);
			assert_ok!(Attribution::submit_recomputation(
				RuntimeOrigin::signed(colluder.clone()),
				record,
				[0xcc; 32]
			));
			assert_eq!(status(record), RecordStatus::Disputed, "one vote of three decides nothing");
			for recomputer in honest {
				assert_ok!(Attribution::submit_recomputation(
					RuntimeOrigin::signed(recomputer.clone()),
					record,
					commitment(record)
				));
			}
			assert_eq!(status(record), RecordStatus::Upheld);
			assert_eq!(bonded(&worker()), worker_bond, "the honest worker keeps its bond");
			assert_eq!(bonded(colluder), WORKER_BOND - RECOMPUTER_SLASH, "the colluder pays");
			assert_eq!(held(HoldReason::ChallengeBond, &challenger()), 0);
		});
	}

	#[test]
	fn withheld_text_loses_the_dispute() {
		build_and_execute(|| {
			let record = accepted(1);
			use tributary_primitives::attribution::TEXT_UNAVAILABLE;
			assert_ok!(Attribution::dispute(
				RuntimeOrigin::signed(challenger()),
				record,
				TEXT_UNAVAILABLE
			));
			run_to(Disputes::<Test>::get(record).unwrap().draw_at);
			let recomputers = Disputes::<Test>::get(record).unwrap().recomputers;
			for recomputer in recomputers.iter().take(2) {
				assert_ok!(Attribution::submit_recomputation(
					RuntimeOrigin::signed(recomputer.clone()),
					record,
					TEXT_UNAVAILABLE
				));
			}
			assert_eq!(status(record), RecordStatus::Rejected);
			assert_eq!(bonded(&worker()), WORKER_BOND - WORKER_SLASH);
		});
	}

	#[test]
	fn a_receipt_signed_for_another_chain_is_refused() {
		build_and_execute(|| {
			let pair = user_pair(0);
			let mut replayed = signed(0, receipt(1), top());
			let other_chain = [0x42u8; 32];
			replayed.signature =
				MultiSignature::Sr25519(pair.sign(&replayed.receipt.signing_payload(&other_chain)));
			assert_eq!(refusal(replayed), Error::<Test>::BadSignature.into());
			// The same receipt signed the polkadot.js way for this chain is accepted.
			let mut wallet = signed(0, receipt(1), top());
			let payload = wallet.receipt.signing_payload(&Attribution::genesis_hash());
			wallet.signature = MultiSignature::Sr25519(
				pair.sign(&tributary_primitives::receipts::wrapped_for_wallets(&payload)),
			);
			submit(vec![wallet]);
			assert_eq!(status(0), RecordStatus::Pending);
		});
	}

	#[test]
	fn method_parameters_are_the_chains() {
		build_and_execute(|| {
			let with_method = |nonce, method| {
				let mut signed = signed(0, receipt(nonce), top());
				signed.claim.method = method;
				signed
			};
			let settings = MethodSettings::DEFAULT;
			let loose = SpanParams { min_span_len: 1, max_span_occurrences: u32::MAX };
			assert_eq!(
				refusal(with_method(1, AttributionMethod::SuffixSpan(loose))),
				Error::<Test>::MethodNotAllowed.into()
			);
			let seeded = InfluenceParams { projection_seed: 99, ..settings.influence };
			assert_eq!(
				refusal(with_method(1, AttributionMethod::Influence(seeded))),
				Error::<Test>::MethodNotAllowed.into()
			);
			let rag = RagParams {
				query: receipt(1).prompt_hash,
				retrieved: 3,
				k1_milli: 1200,
				b_milli: 750,
			};
			let own_rows =
				RagParams { query: tributary_primitives::content_hash(b"rows I own"), ..rag };
			assert_eq!(
				refusal(with_method(1, AttributionMethod::Rag(own_rows))),
				Error::<Test>::RagQueryNotPrompt.into()
			);
			submit(vec![
				with_method(1, AttributionMethod::Rag(rag)),
				with_method(2, AttributionMethod::SuffixSpan(settings.span)),
			]);
			assert_eq!(NextRecordId::<Test>::get(), 2);
		});
	}

	#[test]
	fn params_are_set_by_their_origin_and_checked() {
		build_and_execute(|| {
			let mut params = Params::<Test>::get();
			params.recomputers = 5;
			assert_noop!(
				Attribution::set_params(RuntimeOrigin::signed(owner()), params),
				DispatchError::BadOrigin
			);
			for bad in [
				AttributionParams { recomputers: 0, ..params },
				AttributionParams { recomputers: MAX_RECOMPUTERS + 1, ..params },
				AttributionParams { draw_delay: 1, ..params },
				AttributionParams { recompute_period: 0, ..params },
				AttributionParams {
					methods: MethodSettings {
						influence: InfluenceParams {
							projection_dim: 100_000,
							..params.methods.influence
						},
						..params.methods
					},
					..params
				},
				AttributionParams {
					methods: MethodSettings {
						span: SpanParams { min_span_len: 0, ..params.methods.span },
						..params.methods
					},
					..params
				},
			] {
				assert_noop!(
					Attribution::set_params(RuntimeOrigin::root(), bad),
					Error::<Test>::InvalidParams
				);
			}
			assert_ok!(Attribution::set_params(RuntimeOrigin::root(), params));
			System::assert_last_event(Event::ParamsSet { params }.into());
			let record = accepted(1);
			assert_eq!(disputed(record).len(), 5, "k follows the parameter");
		});
	}

	#[test]
	fn draws_beyond_a_blocks_capacity_move_to_the_next_block() {
		build_and_execute(|| {
			let records: Vec<RecordId> =
				(1..=MAX_DRAWS_PER_BLOCK as u64 + 1).map(accepted).collect();
			for record in &records {
				assert_ok!(Attribution::dispute(
					RuntimeOrigin::signed(challenger()),
					*record,
					[0xcc; 32]
				));
			}
			let draw_at = |record| Disputes::<Test>::get(record).unwrap().draw_at;
			assert_eq!(draw_at(records[0]), 1 + DRAW_DELAY);
			assert_eq!(draw_at(*records.last().unwrap()), 2 + DRAW_DELAY);
			run_to(2 + DRAW_DELAY);
			assert!(records
				.iter()
				.all(|record| !Disputes::<Test>::get(record).unwrap().recomputers.is_empty()));
		});
	}

	#[test]
	fn a_dispute_with_nobody_left_to_draw_is_dismissed() {
		build_and_execute(|| {
			let record = accepted(1);
			assert_ok!(Attribution::dispute(
				RuntimeOrigin::signed(challenger()),
				record,
				[0xcc; 32]
			));
			// Every other worker falls below the floor before the draw.
			for who in workers().iter().skip(1) {
				assert_ok!(<Balances as MutateHold<AccountId>>::release(
					&TestHoldReason::WorkerBond,
					who,
					1,
					Precision::Exact
				));
			}
			run_to(1 + DRAW_DELAY);
			assert_eq!(status(record), RecordStatus::Upheld);
			assert_eq!(held(HoldReason::ChallengeBond, &challenger()), 0);
		});
	}

	/// One recomputer's behaviour in a random dispute game.
	#[derive(Clone, Copy, Debug)]
	enum Recomputer {
		Honest,
		Lying,
		Silent,
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(128))]

		/// Random dispute games: a worker honest or lying, a challenger honest or not, k = 3
		/// recomputers each honest, lying (siding with the liar) or silent. While a majority of
		/// the recomputers is honest, an honest worker is never slashed and a lying one always
		/// is; whatever happens, no balance is created or lost.
		#[test]
		fn dispute_games(
			worker_lies in any::<bool>(),
			challenger_honest in any::<bool>(),
			behaviour in proptest::collection::vec(
				prop_oneof![Just(Recomputer::Honest), Just(Recomputer::Lying), Just(Recomputer::Silent)],
				3,
			),
		) {
			build_and_execute(|| {
				let issuance = total_issuance();
				let honest = honest_body();
				let honest_top = honest.canonical_top().unwrap();
				let method = AttributionMethod::Influence(InfluenceParams::DEFAULT);
				let honest_commitment =
					tributary_primitives::attribution::commitment_of(&method, &honest.hash(), &honest_top);
				let claimed_top = if worker_lies { vec![score(0, 4, 1_000_000_000)] } else { honest_top.clone() };
				submit(vec![signed_with_body(0, receipt(1), claimed_top, honest.hash())]);
				let record = 0;
				let claimed = commitment(record);
				// A dishonest challenger disputes an honest record with a made-up commitment; an
				// honest one disputes only a lie.
				let challenge = if challenger_honest { honest_commitment } else { [0xcc; 32] };
				if Attribution::dispute(RuntimeOrigin::signed(challenger()), record, challenge).is_err() {
					// An honest challenger has nothing to dispute in an honest record.
					prop_assert!(challenger_honest && !worker_lies);
					return Ok(());
				}
				run_to(Disputes::<Test>::get(record).unwrap().draw_at);
				let recomputers = Disputes::<Test>::get(record).unwrap().recomputers;
				for (recomputer, behaviour) in recomputers.iter().zip(&behaviour) {
					let answer = match behaviour {
						Recomputer::Honest => honest_commitment,
						// A lying recomputer sides with whoever is lying.
						Recomputer::Lying => if worker_lies { claimed } else { challenge },
						Recomputer::Silent => continue,
					};
					if Disputes::<Test>::contains_key(record) {
						assert_ok!(Attribution::submit_recomputation(RuntimeOrigin::signed(recomputer.clone()), record, answer));
					}
				}
				if Disputes::<Test>::contains_key(record) {
					run_to(deadline(record) + 1);
					assert_ok!(Attribution::resolve_dispute(RuntimeOrigin::signed(owner()), record));
				}
				let honest_majority = behaviour.iter().filter(|b| matches!(b, Recomputer::Honest)).count() >= 2;
				let worker_slashed = bonded(&worker()) < WORKER_BOND;
				if honest_majority {
					prop_assert_eq!(worker_slashed, worker_lies, "honest majority: slashed iff lying");
				}
				if !worker_lies {
					prop_assert!(!worker_slashed || !honest_majority);
				}
				prop_assert_eq!(total_issuance(), issuance);
				prop_assert_eq!(held(HoldReason::ChallengeBond, &challenger()), 0);
				Ok(())
			})?;
		}
	}
}

/// `try_state` (run after every test and every block here) finds a broken invariant and names it
/// with its key.
mod try_state {
	use super::*;

	/// The invariant `do_try_state` finds broken.
	fn broken() -> &'static str {
		match Attribution::do_try_state() {
			Err(DispatchError::Other(message)) => message,
			other => panic!("expected a broken invariant, got {other:?}"),
		}
	}

	#[test]
	fn a_wrong_open_record_count_broken_nonce_index_or_unheld_fee_is_caught() {
		new_test_ext().execute_with(|| {
			let record = accepted(1);
			assert_ok!(Attribution::do_try_state());

			// The open-record counter does not match the worker's open records.
			OpenRecordCount::<Test>::insert(worker(), 2);
			assert_eq!(broken(), format!("OpenRecordCount {:?}: 2, but 1 open records", worker()));
			OpenRecordCount::<Test>::remove(worker());
			assert_eq!(
				broken(),
				format!("OpenRecordCount {:?}: no entry, but 1 open records", worker())
			);
			OpenRecordCount::<Test>::insert(worker(), 1);

			// A used nonce no expiry block indexes: never forgotten.
			let expiry = receipt(1).expiry;
			NoncesByExpiry::<Test>::remove(expiry, (user(0), 1));
			assert_eq!(broken(), "UsedNonces: 1 entries but NoncesByExpiry indexes 0");
			NoncesByExpiry::<Test>::insert(expiry, (user(0), 1), ());

			// A disputed record without its dispute.
			Records::<Test>::mutate(record, |info| {
				info.as_mut().unwrap().status = RecordStatus::Disputed
			});
			assert_eq!(
				broken(),
				format!("Records {record}: status Disputed but dispute open: false")
			);
			Records::<Test>::mutate(record, |info| {
				info.as_mut().unwrap().status = RecordStatus::Pending
			});

			// A fee recorded but not held.
			Records::<Test>::mutate(record, |info| info.as_mut().unwrap().fee += 1);
			assert_eq!(
				broken(),
				format!("InferenceFee hold of {:?}: {FEE:?} held, {:?} recorded", user(0), FEE + 1)
			);
		});
	}
}
