//! Proof of Attribution and rewards end to end on a real two-validator local network (Alice and
//! Bob author and finalize): a datanet is curated and published, a model is fine-tuned on it by
//! the two validators' workers and priced; a user's signed inference receipts are submitted in one
//! batch in which every bad receipt is refused with its own error; the accepted records finalize
//! on their own once the challenge window has passed, and the claimed rewards match the fee split
//! to the last unit.

mod common;

use std::time::Duration;
use tributary_primitives::hex;

use common::{
	calls::{
		create_clinic_datanet, create_clinic_model, fails, lora_settings, ok, register_base_model,
		register_worker, row,
	},
	governance::{decide, parameter, wait_enacted},
	network::{start_two_validators, two_validator_spec},
	rewards::{account_data, balance_growth, claimable, ss58, ExpectedSplit, Shares},
	Node,
};
use frame_system::Phase;
use serde_json::{json, Value};
use sp_core::Pair;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::Get, MultiSignature, Perbill};
use tributary_primitives::{
	attribution::{AttributionMethod, AttributionRecord, RowRef, RowScore},
	content_hash,
	models::TrainingResult,
	receipts::{InferenceReceipt, SignedReceipt},
	ContentHash,
};
use tributary_runtime::{
	configs::parameters::{dynamic_params::attribution, RuntimeParametersKey},
	configs::{RewardsPot, TreasuryAccount},
	governance::origins::Origin,
	AccountId, Balance, BlockNumber, Runtime, RuntimeCall, RuntimeError, RuntimeEvent,
	EXISTENTIAL_DEPOSIT, UNIT,
};

fn record_json(node: &Node, record: u64) -> Value {
	node.rpc("tributary_attributionRecord", json!([record]))
}

// ---------------------------------------------------------------------------------------------
// Receipts.
// ---------------------------------------------------------------------------------------------

type Receipt = InferenceReceipt<AccountId, Balance, BlockNumber>;
type SignedReceiptOf = pallet_attribution::SignedReceiptOf<Runtime>;

/// The worker's claim for an answer: the canonical record over `scores` (any order), claimed by
/// its top and body hash, as the attribution engine would produce it.
fn attribution_claim(
	scores: &[RowScore],
	base_weights: ContentHash,
	adapter: ContentHash,
	output: &[u8],
) -> tributary_primitives::attribution::AttributionClaim<pallet_attribution::TopOf<Runtime>> {
	let mut sorted = scores.to_vec();
	sorted.sort_by_key(|score| score.row);
	let top_k = 16;
	let record = AttributionRecord {
		method: AttributionMethod::Influence(
			tributary_primitives::attribution::InfluenceParams::DEFAULT,
		),
		model: base_weights,
		adapter: Some(adapter),
		corpus: content_hash(b"clinic-faq v1 corpus"),
		output: content_hash(output),
		top: AttributionRecord::top_of(&sorted, top_k),
		scores: sorted,
		top_k,
	};
	let claim = record.claim();
	tributary_primitives::attribution::AttributionClaim {
		method: claim.method,
		top: claim.top.try_into().expect("at most MaxTopK scores"),
		body: claim.body,
	}
}

/// `receipt` signed by `signer` (sr25519 over its signing payload for the chain `genesis`) on
/// behalf of `user`.
fn sign_receipt(
	genesis: &[u8; 32],
	receipt: Receipt,
	signer: Sr25519Keyring,
	user: &AccountId,
	claim: tributary_primitives::attribution::AttributionClaim<pallet_attribution::TopOf<Runtime>>,
) -> SignedReceiptOf {
	let signature = MultiSignature::Sr25519(signer.pair().sign(&receipt.signing_payload(genesis)));
	SignedReceipt { receipt, user: user.clone(), signature, claim }
}

fn score(datanet: u32, row: u64, parts_per_billion: u32) -> RowScore {
	RowScore { row: RowRef { datanet, row }, parts_per_billion }
}

/// The documented fee: `ceil(price_per_1k × (tokens_in + tokens_out) / 1000)`, capped by `max_fee`.
fn expected_fee(price_per_1k: Balance, receipt: &Receipt) -> Balance {
	let tokens = Balance::from(receipt.tokens_in) + Balance::from(receipt.tokens_out);
	(price_per_1k * tokens).div_ceil(1000).min(receipt.max_fee)
}

const ROWS: [&str; 3] = [
	"Q: What lowers fever in adults? A: Paracetamol or ibuprofen at label doses.",
	"Q: How long should a sprain rest? A: Usually 48 to 72 hours before gentle movement.",
	"Q: What is a normal resting heart rate? A: Between 60 and 100 beats per minute.",
];

#[test]
fn signed_receipts_are_checked_finalized_and_paid_out_to_the_last_unit() {
	let dir = tempfile::tempdir().unwrap();
	let spec = two_validator_spec(dir.path()).to_string_lossy().into_owned();
	let (node, _bob_node) = start_two_validators(&spec, "attribution", [&[], &[]]);
	let node = &node;
	let (alice, bob, charlie, dave, eve, ferdie) = (
		Sr25519Keyring::Alice,
		Sr25519Keyring::Bob,
		Sr25519Keyring::Charlie,
		Sr25519Keyring::Dave,
		Sr25519Keyring::Eve,
		Sr25519Keyring::Ferdie,
	);
	let keyring_of = |address: &str| {
		[alice, bob]
			.into_iter()
			.find(|k| k.to_account_id().to_string() == address)
			.unwrap_or_else(|| panic!("{address} is neither Alice nor Bob"))
	};

	// ---- 1. Data, model, price -------------------------------------------------------------

	// Alice creates a public datanet; Charlie contributes row 0, Dave row 1; Alice approves both
	// and publishes version 1.
	ok(node, alice, create_clinic_datanet());
	ok(
		node,
		charlie,
		RuntimeCall::Datanets(pallet_datanets::Call::contribute { datanet: 0, row: row(ROWS[0]) }),
	);
	ok(
		node,
		dave,
		RuntimeCall::Datanets(pallet_datanets::Call::contribute { datanet: 0, row: row(ROWS[1]) }),
	);
	ok(
		node,
		alice,
		RuntimeCall::Datanets(pallet_datanets::Call::approve {
			datanet: 0,
			rows: vec![0, 1].try_into().unwrap(),
		}),
	);
	ok(node, alice, RuntimeCall::Datanets(pallet_datanets::Call::publish_version { datanet: 0 }));
	// Dave's second row is published in version 2, which the model below is not trained on.
	ok(
		node,
		dave,
		RuntimeCall::Datanets(pallet_datanets::Call::contribute { datanet: 0, row: row(ROWS[2]) }),
	);
	ok(
		node,
		alice,
		RuntimeCall::Datanets(pallet_datanets::Call::approve {
			datanet: 0,
			rows: vec![2].try_into().unwrap(),
		}),
	);
	ok(node, alice, RuntimeCall::Datanets(pallet_datanets::Call::publish_version { datanet: 0 }));
	let versions = node.rpc("tributary_datanetVersions", json!([0]));
	assert_eq!(
		versions.as_array().map(Vec::len),
		Some(2),
		"datanet 0 has versions 1 and 2: {versions}"
	);
	assert_eq!(versions[0]["rowCount"], 2, "version 1 holds rows 0 and 1: {versions}");
	assert_eq!(versions[1]["rowCount"], 1, "version 2 holds row 2: {versions}");

	// A referendum on the catalogue track registers the base model.
	let base_weights = content_hash(b"tiny-llama weights");
	let proposed_at = node.best_number();
	let registering = decide(
		node,
		Origin::Catalogue,
		register_base_model(
			base_weights,
			content_hash(b"tiny-llama config"),
			content_hash(b"tiny-llama tokenizer"),
		),
	);
	wait_enacted(node, registering, proposed_at, Duration::from_secs(180));

	// Both validators register as workers; Eve creates a model on (datanet 0, version 1), whose
	// job is drawn onto them `AssignmentDelay` blocks later.
	for worker in [alice, bob] {
		ok(node, worker, register_worker("http://127.0.0.1:8080"));
	}
	ok(node, eve, create_clinic_model(lora_settings(), 5 * UNIT));
	let job = node.wait_until(
		"two registered workers: the job's workers are drawn",
		Duration::from_secs(60),
		|| {
			let job = node.rpc("tributary_job", json!([0]));
			(job["state"] == "training").then_some(job)
		},
	);
	let trainer =
		keyring_of(job["trainer"].as_str().unwrap_or_else(|| panic!("job has a trainer: {job}")));
	let verifiers = job["verifiers"]
		.as_array()
		.unwrap_or_else(|| panic!("job lists verifiers: {job}"));
	assert_eq!(verifiers.len(), 1, "VerifiersPerJob is 1 on a two-validator network: {job}");
	let verifier = keyring_of(verifiers[0].as_str().unwrap());
	assert_ne!(trainer, verifier, "trainer and verifier are different workers: {job}");

	let adapter = content_hash(b"clinic-assistant adapter, version 1");
	let eval_loss_ppb = 1_234_567_890;
	ok(
		node,
		trainer,
		RuntimeCall::Models(pallet_models::Call::submit_training_result {
			job: 0,
			result: TrainingResult {
				adapter_hash: adapter,
				adapter_bytes: 1_048_576,
				train_loss_ppb: 1_100_000_000,
				eval_loss_ppb,
			},
		}),
	);
	// The base model alone scores twice the adapter's loss: the adapter clearly improves on it.
	let base_loss_ppb = 2 * eval_loss_ppb;
	ok(
		node,
		verifier,
		RuntimeCall::Models(pallet_models::Call::submit_verification {
			job: 0,
			eval_loss_ppb,
			base_loss_ppb,
		}),
	);
	let model_versions = node.rpc("tributary_modelVersions", json!([0]));
	assert_eq!(
		model_versions.as_array().map(Vec::len),
		Some(1),
		"model 0 has version 1: {model_versions}"
	);
	assert_eq!(model_versions[0]["version"], 1, "{model_versions}");
	assert_eq!(
		model_versions[0]["result"]["adapterHash"],
		hex::encode_0x(&adapter),
		"{model_versions}"
	);
	assert_eq!(
		model_versions[0]["datanets"][0]["version"], 1,
		"lineage is datanet 0 v1: {model_versions}"
	);

	// A price with a remainder per 1,000 tokens, so fees round up and the split leaves dust.
	let price: Balance = 7_777_777_777;
	ok(
		node,
		eve,
		RuntimeCall::Models(pallet_models::Call::set_price {
			model: 0,
			price_per_1k_tokens: Some(price),
		}),
	);

	// ---- 2. One batch of receipts: two good, five bad ------------------------------------------

	let (alice_id, ferdie_id) = (alice.to_account_id(), ferdie.to_account_id());
	let (charlie_id, dave_id, eve_id) =
		(charlie.to_account_id(), dave.to_account_id(), eve.to_account_id());
	let (pot, treasury) = (RewardsPot::get(), TreasuryAccount::get());
	let expiry = node.best_number() as BlockNumber + 200;
	let genesis: [u8; 32] = node.genesis_hash().0;
	let receipt =
		|nonce: u64, tokens_in: u32, tokens_out: u32, max_fee: Balance, answer: &[u8]| Receipt {
			model: 0,
			version: 1,
			adapter,
			prompt_hash: content_hash(format!("prompt {nonce}").as_bytes()),
			output_hash: content_hash(answer),
			tokens_in,
			tokens_out,
			max_fee,
			nonce,
			worker: alice_id.clone(),
			expiry,
		};

	// Good: Charlie's row 60 %, Dave's row 30 % (10 % unattributed).
	let answer_a = b"Take paracetamol and rest.".as_slice();
	let scores_a = [score(0, 0, 600_000_000), score(0, 1, 300_000_000)];
	let receipt_a = receipt(1, 123, 457, UNIT, answer_a);
	let good_a = sign_receipt(
		&genesis,
		receipt_a.clone(),
		ferdie,
		&ferdie_id,
		attribution_claim(&scores_a, base_weights, adapter, answer_a),
	);
	// Good: Dave's row 50 %, Charlie's row 1/3; the fee is capped by the receipt's max_fee.
	let answer_b = b"Rest a sprain for two or three days.".as_slice();
	let scores_b = [score(0, 1, 500_000_000), score(0, 0, 333_333_333)];
	let receipt_b = receipt(2, 1_000, 999, 12_345_678_901, answer_b);
	let good_b = sign_receipt(
		&genesis,
		receipt_b.clone(),
		ferdie,
		&ferdie_id,
		attribution_claim(&scores_b, base_weights, adapter, answer_b),
	);
	let (fee_a, fee_b) = (expected_fee(price, &receipt_a), expected_fee(price, &receipt_b));
	assert!(fee_a < receipt_a.max_fee, "receipt A is not capped");
	assert!(
		(price * (1_000 + 999)).div_ceil(1000) > receipt_b.max_fee && fee_b == receipt_b.max_fee,
		"receipt B is capped by its max_fee"
	);

	// Forged: Ferdie signed 100 output tokens; the worker inflated them to 10,000.
	let answer_forged = b"A normal resting heart rate is 60 to 100.".as_slice();
	let mut forged = sign_receipt(
		&genesis,
		receipt(3, 50, 100, UNIT, answer_forged),
		ferdie,
		&ferdie_id,
		attribution_claim(&[score(0, 0, 100_000_000)], base_weights, adapter, answer_forged),
	);
	forged.receipt.tokens_out = 10_000;
	// Replayed: receipt A again, byte for byte.
	let replayed = good_a.clone();
	// Outside the lineage: row 2 is published, but in datanet 0 version 2.
	let answer_outside = b"Between 60 and 100 beats per minute.".as_slice();
	let outside = sign_receipt(
		&genesis,
		receipt(4, 20, 30, UNIT, answer_outside),
		ferdie,
		&ferdie_id,
		attribution_claim(&[score(0, 2, 700_000_000)], base_weights, adapter, answer_outside),
	);
	// Signed for another chain: the signature covers another genesis hash.
	let answer_elsewhere = b"Drink water and rest.".as_slice();
	let other_chain = sign_receipt(
		&[0x42; 32],
		receipt(6, 20, 30, UNIT, answer_elsewhere),
		ferdie,
		&ferdie_id,
		attribution_claim(&[score(0, 0, 100_000_000)], base_weights, adapter, answer_elsewhere),
	);
	// Over 100 %: 70 % + 40 %.
	let answer_over = b"Paracetamol, then rest.".as_slice();
	let over = sign_receipt(
		&genesis,
		receipt(5, 20, 30, UNIT, answer_over),
		ferdie,
		&ferdie_id,
		attribution_claim(
			&[score(0, 0, 700_000_000), score(0, 1, 400_000_000)],
			base_weights,
			adapter,
			answer_over,
		),
	);

	let ferdie_before = account_data(node, &ferdie_id);
	assert_eq!(ferdie_before.reserved, 0, "Ferdie holds nothing before the batch");
	assert_eq!(node.free_balance(&pot), EXISTENTIAL_DEPOSIT, "the rewards pot starts at its floor");

	let batch: pallet_attribution::ReceiptBatchOf<Runtime> =
		vec![good_a.clone(), good_b.clone(), forged, replayed, outside, over, other_chain]
			.try_into()
			.expect("seven receipts fit a batch");
	let events = ok(
		node,
		alice,
		RuntimeCall::Attribution(pallet_attribution::Call::submit_receipts { batch }),
	);

	let mut accepted = Vec::new();
	let mut refused = Vec::new();
	for event in &events {
		match event {
			RuntimeEvent::Attribution(pallet_attribution::Event::ReceiptAccepted {
				record,
				user,
				nonce,
				worker,
				fee,
				commitment,
			}) => accepted.push((*record, user.clone(), *nonce, worker.clone(), *fee, *commitment)),
			RuntimeEvent::Attribution(pallet_attribution::Event::ReceiptRefused {
				index,
				user,
				nonce,
				error,
			}) => {
				let error = RuntimeError::from_dispatch_error(*error).unwrap_or_else(|| {
					panic!("refusal {index} carries a runtime error: {error:?}")
				});
				refused.push((*index, user.clone(), *nonce, format!("{error:?}")));
			},
			_ => {},
		}
	}
	assert_eq!(
		accepted,
		vec![
			(0, ferdie_id.clone(), 1, alice_id.clone(), fee_a, good_a.claim.commitment()),
			(1, ferdie_id.clone(), 2, alice_id.clone(), fee_b, good_b.claim.commitment()),
		],
		"the two good receipts are accepted as records 0 and 1 with the documented fee; events: {events:?}"
	);
	// RuntimeError has no PartialEq: compare the errors' Debug forms.
	let attribution_error = |error: pallet_attribution::Error<Runtime>| {
		format!("{:?}", RuntimeError::Attribution(error))
	};
	assert_eq!(
		refused,
		vec![
			(2, ferdie_id.clone(), 3, attribution_error(pallet_attribution::Error::BadSignature)),
			(3, ferdie_id.clone(), 1, attribution_error(pallet_attribution::Error::NonceUsed)),
			(
				4,
				ferdie_id.clone(),
				4,
				attribution_error(pallet_attribution::Error::RowOutsideLineage)
			),
			(
				5,
				ferdie_id.clone(),
				5,
				attribution_error(pallet_attribution::Error::ScoresExceedOne)
			),
			(6, ferdie_id.clone(), 6, attribution_error(pallet_attribution::Error::BadSignature)),
		],
		"each bad receipt is refused with its own error; events: {events:?}"
	);

	// Ferdie paid exactly the two fees, held until the records are final.
	let ferdie_held = account_data(node, &ferdie_id);
	assert_eq!(
		ferdie_before.free - ferdie_held.free,
		fee_a + fee_b,
		"Ferdie's free balance fell by exactly the accepted fees"
	);
	assert_eq!(ferdie_held.reserved, fee_a + fee_b, "Ferdie's accepted fees are held");

	// The records as the RPC shows them, still pending.
	let window: BlockNumber = parameter(
		node,
		RuntimeParametersKey::Attribution(attribution::ParametersKey::ChallengeWindow(
			attribution::ChallengeWindow,
		)),
		<Runtime as pallet_attribution::Config>::ChallengeWindow::get,
	);
	let mut challenge_ends = Vec::new();
	for (id, fee, scores, commitment) in [
		(0u64, fee_a, &scores_a, good_a.claim.commitment()),
		(1, fee_b, &scores_b, good_b.claim.commitment()),
	] {
		let record = record_json(node, id);
		assert_eq!(record["id"], id, "{record}");
		assert_eq!(record["user"], ss58(&ferdie_id), "record {id}: {record}");
		assert_eq!(record["worker"], ss58(&alice_id), "record {id}: {record}");
		assert_eq!(
			(record["model"].clone(), record["version"].clone()),
			(json!(0), json!(1)),
			"record {id}: {record}"
		);
		assert_eq!(record["fee"], fee.to_string(), "record {id}: {record}");
		assert_eq!(record["method"], "influence", "record {id}: {record}");
		assert_eq!(record["commitment"], hex::encode_0x(&commitment), "record {id}: {record}");
		assert_eq!(record["status"], "pending", "record {id} is in its challenge window: {record}");
		let top: Vec<Value> = scores
			.iter()
			.map(|s| json!({ "datanet": s.row.datanet, "row": s.row.row, "partsPerBillion": s.parts_per_billion }))
			.collect();
		assert_eq!(record["top"], json!(top), "record {id}'s scores, highest first: {record}");
		let submitted = record["submittedAt"].as_u64().expect("submittedAt") as BlockNumber;
		let ends = record["challengeEnds"].as_u64().expect("challengeEnds") as BlockNumber;
		assert_eq!(
			ends,
			submitted + window,
			"record {id}'s window is ChallengeWindow blocks: {record}"
		);
		challenge_ends.push(ends);
	}
	for refused_id in [2u64, 3, 4, 5] {
		assert_eq!(
			record_json(node, refused_id),
			Value::Null,
			"refused receipts leave no record {refused_id}"
		);
	}

	// ---- 3. Finalization, split, claims --------------------------------------------------------

	let last_end = *challenge_ends.iter().max().unwrap();
	node.wait_until("records 0 and 1 are final", Duration::from_secs(180), || {
		[0u64, 1]
			.iter()
			.all(|id| record_json(node, *id)["status"] == "final")
			.then_some(())
	});
	// Not before the window closed: at the window's last block both were still pending.
	let last_open_block = node.rpc("chain_getBlockHash", json!([last_end]));
	for id in [0u64, 1] {
		let then = node.rpc("tributary_attributionRecord", json!([id, last_open_block]));
		assert_eq!(
			then["status"], "pending",
			"record {id} at block {last_end}, its window's last: {then}"
		);
	}

	// The split parameters in force are the documented defaults.
	let params = node.rpc("tributary_rewardParams", json!([]));
	assert_eq!(params["modelOwnerPpb"], 300_000_000, "{params}");
	assert_eq!(params["contributorsPpb"], 400_000_000, "{params}");
	assert_eq!(params["workerPpb"], 200_000_000, "{params}");
	assert_eq!(params["treasuryPpb"], 100_000_000, "{params}");
	assert_eq!(params["unattributedTo"], "treasury", "{params}");
	let shares = Shares::in_force(node);
	let contributor_of =
		|s: &RowScore| if s.row.row == 0 { charlie_id.clone() } else { dave_id.clone() };
	let expected: Vec<(u64, Balance, ExpectedSplit)> =
		[(0u64, fee_a, &scores_a), (1, fee_b, &scores_b)]
			.into_iter()
			.map(|(id, fee, scores)| {
				let scored: Vec<(AccountId, u32)> =
					scores.iter().map(|s| (contributor_of(s), s.parts_per_billion)).collect();
				let split = ExpectedSplit::compute(fee, &shares, &scored);
				assert_eq!(
					split.paid() + split.dust,
					fee,
					"record {id}: the formula conserves the fee"
				);
				// Cross-check the independent formula against the pallet's pure function.
				let reward_params = pallet_rewards::RewardParams {
					model_owner: Perbill::from_parts(shares.owner),
					contributors: Perbill::from_parts(shares.contributors),
					worker: Perbill::from_parts(shares.worker),
					treasury: Perbill::from_parts(shares.treasury),
					unattributed_to: pallet_rewards::UnattributedTo::Treasury,
					penalty_threshold: Perbill::from_parts(
						params["penaltyThresholdPpb"].as_u64().unwrap() as u32,
					),
					penalty_reduction: Perbill::from_parts(
						params["penaltyReductionPpb"].as_u64().unwrap() as u32,
					),
					slash_beneficiary_share: Perbill::from_parts(
						params["slashBeneficiarySharePpb"].as_u64().unwrap() as u32,
					),
				};
				let flagged: Vec<(AccountId, u32, bool)> =
					scored.iter().map(|(who, ppb)| (who.clone(), *ppb, false)).collect();
				let pallet_split = pallet_rewards::split_fee(fee, &reward_params, &flagged);
				assert_eq!(
					(
						pallet_split.model_owner,
						pallet_split.worker,
						pallet_split.treasury,
						&pallet_split.contributors
					),
					(split.owner, split.worker, split.treasury, &split.contributors),
					"record {id}: split_fee agrees with the documented formula"
				);
				assert_eq!(
					(pallet_split.unattributed, pallet_split.dust),
					(split.unattributed, split.dust),
					"record {id}"
				);
				(id, fee, split)
			})
			.collect();
	assert!(
		expected.iter().any(|(_, _, split)| split.dust > 0),
		"the chosen fees leave rounding dust: {expected:?}"
	);

	// Each record was finalized once, by on_idle after its window, and its split accrued with
	// paid + dust == fee.
	let best = node.best_number();
	let mut finalized = Vec::new();
	let mut rewarded = Vec::new();
	for number in (*challenge_ends.iter().min().unwrap() as u64)..=best {
		let hash = node.rpc("chain_getBlockHash", json!([number]));
		for event in node.events_at(&hash) {
			match event.event {
				RuntimeEvent::Attribution(pallet_attribution::Event::RecordFinalized {
					record,
					fee,
				}) => {
					assert_eq!(
						event.phase,
						Phase::Finalization,
						"record {record} finalized in on_idle"
					);
					finalized.push((record, fee, number));
				},
				RuntimeEvent::Rewards(pallet_rewards::Event::RecordRewarded {
					record,
					fee,
					model_owner,
					contributors,
					worker,
					treasury,
					unattributed,
					penalties,
					dust,
				}) => {
					assert_eq!(
						model_owner
							+ contributors + worker
							+ treasury + unattributed
							+ penalties + dust,
						fee,
						"record {record}: paid + dust == fee"
					);
					rewarded.push((
						record,
						fee,
						model_owner,
						contributors,
						worker,
						treasury,
						unattributed,
						penalties,
						dust,
					));
				},
				_ => {},
			}
		}
	}
	assert_eq!(
		finalized.iter().map(|(record, fee, _)| (*record, *fee)).collect::<Vec<_>>(),
		vec![(0, fee_a), (1, fee_b)],
		"each record finalized exactly once: {finalized:?}"
	);
	for (record, _, block) in &finalized {
		assert!(
			*block > u64::from(challenge_ends[*record as usize]),
			"record {record} finalized in block {block}, after its window ending at {}",
			challenge_ends[*record as usize]
		);
	}
	let expected_events: Vec<_> = expected
		.iter()
		.map(|(id, fee, s)| {
			let contributors: Balance = s.contributors.iter().map(|(_, amount)| amount).sum();
			(*id, *fee, s.owner, contributors, s.worker, s.treasury, s.unattributed, 0, s.dust)
		})
		.collect();
	assert_eq!(rewarded, expected_events, "RecordRewarded matches the split of every record");

	// The fees left Ferdie's hold for the pot; nothing else of Ferdie's moved.
	let ferdie_final = account_data(node, &ferdie_id);
	assert_eq!(ferdie_final.reserved, 0, "Ferdie's holds were transferred on finalization");
	assert_eq!(
		ferdie_final.free, ferdie_held.free,
		"finalization does not touch Ferdie's free balance"
	);
	assert_eq!(
		node.free_balance(&pot),
		EXISTENTIAL_DEPOSIT + fee_a + fee_b,
		"the pot holds both fees"
	);

	// What each beneficiary is owed, by role.
	let sum = |f: &dyn Fn(&ExpectedSplit) -> Balance| {
		expected.iter().map(|(_, _, s)| f(s)).sum::<Balance>()
	};
	let contributor_total = |who: &AccountId| {
		sum(&|s: &ExpectedSplit| {
			s.contributors.iter().filter(|(c, _)| c == who).map(|(_, a)| a).sum()
		})
	};
	let owed: Vec<(&str, AccountId, Balance)> = vec![
		("Eve (model owner)", eve_id.clone(), sum(&|s| s.owner)),
		("Charlie (contributor)", charlie_id.clone(), contributor_total(&charlie_id)),
		("Dave (contributor)", dave_id.clone(), contributor_total(&dave_id)),
		("Alice (worker)", alice_id.clone(), sum(&|s| s.worker)),
		("the treasury", treasury.clone(), sum(&|s| s.treasury + s.unattributed + s.dust)),
	];
	assert_eq!(
		owed.iter().map(|(_, _, amount)| amount).sum::<Balance>(),
		fee_a + fee_b,
		"the beneficiaries are owed exactly the fees"
	);
	for (name, who, amount) in &owed {
		assert_eq!(claimable(node, who), *amount, "tributary_claimable of {name}");
	}
	let history = node.rpc("tributary_rewardHistory", json!([ss58(&charlie_id)]));
	assert_eq!(
		history,
		json!([
			{ "record": 0, "role": "contributor", "amount": expected[0].2.contributors[0].1.to_string() },
			{ "record": 1, "role": "contributor", "amount": expected[1].2.contributors[1].1.to_string() },
		]),
		"Charlie's reward history"
	);
	assert_eq!(
		node.rpc("tributary_contributorAttribution", json!([ss58(&charlie_id)])),
		json!(600_000_000u64 + 333_333_333),
		"Charlie's cumulative score over finalized records"
	);
	assert_eq!(
		node.rpc("tributary_modelInferences", json!([0, 1])),
		json!(2),
		"two paid inferences of model 0 v1"
	);

	// Ferdie triggers every claim, so no beneficiary pays a transaction fee.
	let before = node.best_number();
	for (name, who, amount) in &owed {
		let events = ok(
			node,
			ferdie,
			RuntimeCall::Rewards(pallet_rewards::Call::claim { beneficiary: who.clone() }),
		);
		assert!(
			events.iter().any(|e| matches!(
				e,
				RuntimeEvent::Rewards(pallet_rewards::Event::Claimed { beneficiary, amount: paid })
					if beneficiary == who && paid == amount
			)),
			"claim for {name} pays {amount}: {events:?}"
		);
	}
	let after = node.best_number();
	for (name, who, amount) in &owed {
		assert_eq!(
			balance_growth(node, who, before, after),
			*amount,
			"{name}'s balance grew by exactly its share"
		);
		assert_eq!(claimable(node, who), 0, "{name} has nothing left to claim");
	}
	assert_eq!(
		node.free_balance(&pot),
		EXISTENTIAL_DEPOSIT,
		"the pot is back at its floor: all paid out"
	);

	// Bob served nothing: there is nothing for him to claim.
	let nothing = fails(
		node,
		ferdie,
		RuntimeCall::Rewards(pallet_rewards::Call::claim { beneficiary: bob.to_account_id() }),
	);
	assert!(
		matches!(
			RuntimeError::from_dispatch_error(nothing),
			Some(RuntimeError::Rewards(pallet_rewards::Error::NothingToClaim))
		),
		"claiming for Bob fails with NothingToClaim: {nothing:?}"
	);
}
