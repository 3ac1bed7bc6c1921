//! The whole system on loopback, driven only through its public interfaces: two validators
//! (Alice and Bob), each with its worker sidecar (`tributary-worker`) reached by its off-chain
//! workers through `--worker-url`.
//!
//! Contributors upload rows to the sidecars' stores and register them in a datanet (a duplicate
//! is refused; one row's length is declared short, to pay less deposit); the owner publishes
//! version 1; a referendum on the catalogue track registers the base model made by
//! `tributary-trainer pretrain` (and one on the parameters track changes the fee split, which the
//! answer's payout follows); a builder opens a fine-tune job. From there no test code touches
//! the chain for the workers: the trainer's off-chain worker trains on its sidecar (killed and
//! restarted mid-training here: the job resumes from its last checkpoint under the same id and
//! is trained once and paid once; the row declared
//! short is reported on chain by a worker whose job assembled it), the verifier's
//! sidecar fetches the adapter from its peer and reproduces the eval loss, the model version is
//! served, a user's completion carries attribution and a receipt the user signs, the off-chain
//! worker brings the receipt on chain, the record finalizes after the challenge window, and
//! every beneficiary's claim matches the fee split to the last unit. Last, a worker that claims
//! the honest record's body with a forged top (all credit to one row) is disputed; the other
//! validator is drawn as recomputer from a later block's randomness, its off-chain worker
//! recomputes the record on its sidecar (from the answer's text, fetched from the serving
//! sidecar), and the majority overturns the record, slashes the worker (which is then suspended
//! from submitting receipts) and pays the challenger.

mod common;

use std::time::{Duration, Instant};
use tributary_primitives::hex;

use codec::{Decode, Encode};
use common::{
	calls::{
		create_clinic_datanet, create_clinic_model, fails, ok, register_base_model, register_worker,
	},
	governance::{decide, parameter, propose, vote_aye, wait_enacted, VOTERS},
	network::{start_two_validators, two_validator_spec},
	rewards::{
		account_data, balance_growth, balance_string, claimable, ss58, ExpectedSplit, Shares,
	},
	sidecar::{pretrain_base, Sidecar},
	Node,
};
use serde_json::{json, Value};
use sp_core::Pair;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::Get, MultiSignature, Perbill};
use tributary_primitives::{
	attribution::{AttributionClaim, AttributionRecord, RowRef, RowScore},
	content_hash,
	datanets::ChallengeKind,
	receipts::{InferenceReceipt, SignedReceipt},
	training::{TargetModules, TrainingMethod, TrainingSettings},
};
use tributary_runtime::{
	configs::parameters::{dynamic_params::attribution, RuntimeParametersKey},
	configs::{DefaultRewardParams, TreasuryAccount},
	governance::origins::Origin,
	AccountId, Balance, BlockNumber, Runtime, RuntimeCall, RuntimeError, RuntimeEvent, UNIT,
};

/// The row Dave declares 10 bytes shorter than it is.
const UNDERSTATED_ROW: u64 = 4;
/// Rows 0-3 are Charlie's, 4-7 Dave's; Dave declares row 4 shorter than it is
/// ([`UNDERSTATED_ROW`]).
const ROWS: [&str; 8] = [
	"Q: What lowers fever in adults? A: Paracetamol or ibuprofen at label doses, with fluids and rest.",
	"Q: How long should a sprain rest? A: Usually two to three days before gentle movement begins.",
	"Q: What is a normal resting heart rate? A: Between sixty and one hundred beats per minute.",
	"Q: When should a cut be seen by a doctor? A: When it gapes, bleeds after pressure, or is dirty.",
	"Q: How much water should adults drink? A: About two litres a day, more in heat or exercise.",
	"Q: What helps a mild burn? A: Cool running water for twenty minutes, then a clean dressing.",
	"Q: How is a nosebleed stopped? A: Lean forward and pinch the soft part of the nose for ten minutes.",
	"Q: When is a fever dangerous? A: Above forty degrees, or with a stiff neck, rash or confusion.",
];

/// Enough steps that the test can kill the trainer's sidecar while it trains.
fn settings() -> TrainingSettings {
	TrainingSettings {
		method: TrainingMethod::Lora,
		rank: 8,
		alpha: 16,
		dropout_ppm: 0,
		target_modules: TargetModules::QV,
		learning_rate_ppb: 500_000,
		batch_size: 2,
		sequence_length: 64,
		epochs: 60,
		max_steps: 0,
		seed: 7,
		eval_fraction_ppm: 250_000,
		..TrainingSettings::default()
	}
}

fn job(node: &Node) -> Value {
	node.rpc("tributary_job", json!([0]))
}

/// The narration `scripts/demo.sh` shows: a step's title, then the project pallets' events since
/// the previous step. Returns the block the next step's events start at.
fn narrate(node: &Node, started: Instant, events_from: u64, title: &str) -> u64 {
	let best = node.best_number();
	for (number, event) in node.events_since(events_from) {
		if matches!(
			event,
			RuntimeEvent::Datanets(_)
				| RuntimeEvent::Models(_)
				| RuntimeEvent::Attribution(_)
				| RuntimeEvent::Rewards(_)
		) {
			println!("     block #{number}: {event:?}");
		}
	}
	println!("\n[{:>4.0?}] {title}", started.elapsed());
	best + 1
}

#[test]
fn rows_to_trained_model_to_attributed_answer_to_paid_contributors() {
	let started = Instant::now();
	let dir = tempfile::tempdir().unwrap();
	let (alice, bob, charlie, dave, eve, ferdie) = (
		Sr25519Keyring::Alice,
		Sr25519Keyring::Bob,
		Sr25519Keyring::Charlie,
		Sr25519Keyring::Dave,
		Sr25519Keyring::Eve,
		Sr25519Keyring::Ferdie,
	);
	let (alice_id, charlie_id, dave_id, eve_id, ferdie_id) = (
		alice.to_account_id(),
		charlie.to_account_id(),
		dave.to_account_id(),
		eve.to_account_id(),
		ferdie.to_account_id(),
	);

	// ---- The system: base model, two sidecars peered with each other, two validators ---------

	let base = pretrain_base(dir.path(), &ROWS.join("\n\n").repeat(4));
	let (alice_port, bob_port) = (Sidecar::reserve_port(), Sidecar::reserve_port());
	let mut alice_sidecar = Sidecar::start(
		"alice-sidecar",
		dir.path(),
		&base,
		alice_port,
		&[bob_port],
		&ss58(&alice_id),
	);
	let mut bob_sidecar = Sidecar::start(
		"bob-sidecar",
		dir.path(),
		&base,
		bob_port,
		&[alice_port],
		&ss58(&bob.to_account_id()),
	);
	let spec = two_validator_spec(dir.path()).to_string_lossy().into_owned();
	let (node, _bob_node) = start_two_validators(
		&spec,
		"e2e",
		[
			&["--worker-url".into(), alice_sidecar.url()],
			&["--worker-url".into(), bob_sidecar.url()],
		],
	);
	let node = &node;
	let mut from = narrate(
		node,
		started,
		0,
		"Two validators (Alice, Bob) author blocks; each node's off-chain workers drive its own sidecar",
	);

	// ---- Governance: two referenda the token holders pass while the data is prepared ---------

	let proposed_at_start = node.best_number();
	let file_hash = |name: &str| content_hash(&std::fs::read(base.join(name)).unwrap());
	let base_model_referendum = propose(
		node,
		VOTERS[0],
		Origin::Catalogue.into(),
		register_base_model(
			file_hash("model.safetensors"),
			file_hash("config.json"),
			file_hash("tokenizer.json"),
		),
	);
	let fee_split = pallet_rewards::RewardParams {
		model_owner: Perbill::from_percent(25),
		contributors: Perbill::from_percent(50),
		worker: Perbill::from_percent(15),
		treasury: Perbill::from_percent(10),
		..DefaultRewardParams::get()
	};
	let fee_split_referendum = propose(
		node,
		VOTERS[0],
		Origin::ParameterAdmin.into(),
		RuntimeCall::Rewards(pallet_rewards::Call::set_params { params: fee_split }),
	);
	vote_aye(node, &[base_model_referendum, fee_split_referendum]);
	from = narrate(
		node,
		started,
		from,
		"Token holders vote on two referenda: a base model (catalogue track) and a new fee split, 25/50/15/10 (parameters track)",
	);

	// ---- Data: upload, contribute, a duplicate refused, curate, publish -----------------------

	from = narrate(
		node,
		started,
		from,
		"Charlie and Dave upload 8 rows to the sidecars' stores and contribute them to a datanet",
	);

	ok(node, alice, create_clinic_datanet());
	// Charlie uploads to Alice's sidecar, Dave to Bob's: each trainer fetches the rest from its peer.
	for (contributor, sidecar, rows) in
		[(charlie, &alice_sidecar, &ROWS[..4]), (dave, &bob_sidecar, &ROWS[4..])]
	{
		let mut inputs = Vec::new();
		for text in rows {
			let declared =
				if *text == ROWS[UNDERSTATED_ROW as usize] { text.len() - 10 } else { text.len() };
			let (status, body) = sidecar.put("/store", text.as_bytes());
			assert!(status == 200 || status == 201, "upload answered {status}: {body}");
			let hash = content_hash(text.as_bytes());
			assert_eq!(
				body["hash"].as_str().map(|h| h.trim_start_matches("0x").to_string()),
				Some(hex::encode_0x(&hash)[2..].to_string()),
				"{body}"
			);
			inputs.push(pallet_datanets::RowInput {
				content_hash: hash,
				byte_len: declared as u32,
				label: None,
			});
		}
		ok(
			node,
			contributor,
			RuntimeCall::Datanets(pallet_datanets::Call::contribute_batch {
				datanet: 0,
				rows: inputs.try_into().unwrap(),
			}),
		);
	}
	let duplicate = fails(
		node,
		eve,
		RuntimeCall::Datanets(pallet_datanets::Call::contribute {
			datanet: 0,
			row: common::calls::row(ROWS[2]),
		}),
	);
	assert!(
		matches!(
			RuntimeError::from_dispatch_error(duplicate),
			Some(RuntimeError::Datanets(pallet_datanets::Error::DuplicateRow))
		),
		"Eve's copy of Charlie's row is refused as a duplicate: {duplicate:?}"
	);
	ok(
		node,
		alice,
		RuntimeCall::Datanets(pallet_datanets::Call::approve {
			datanet: 0,
			rows: (0..8).collect::<Vec<u64>>().try_into().unwrap(),
		}),
	);
	ok(node, alice, RuntimeCall::Datanets(pallet_datanets::Call::publish_version { datanet: 0 }));

	// ---- Base model, workers, the fine-tune job ------------------------------------------------

	from = narrate(node, started, from, "Eve's copy of a row was refused; Alice approved and published version 1. The catalogue referendum registers the base model, the validators register as workers, Eve opens a fine-tune job");

	wait_enacted(node, base_model_referendum, proposed_at_start, Duration::from_secs(180));
	for (worker, sidecar) in [(alice, &alice_sidecar), (bob, &bob_sidecar)] {
		ok(node, worker, register_worker(&sidecar.public_url()));
	}
	let job_opened_at = node.best_number();
	ok(node, eve, create_clinic_model(settings(), 5 * UNIT));
	assert_eq!(
		job(node)["state"],
		"open",
		"workers are drawn AssignmentDelay blocks later: {}",
		job(node)
	);
	let assigned = node.wait_until("the job's workers are drawn", Duration::from_secs(60), || {
		let job = job(node);
		(job["state"] == "training").then_some(job)
	});
	let trainer_is_alice = assigned["trainer"] == ss58(&alice_id);
	from = narrate(
		node,
		started,
		from,
		&format!(
			"Job 0 is assigned: {} trains, the other verifies",
			if trainer_is_alice { "Alice" } else { "Bob" }
		),
	);

	// ---- Fault: the trainer's sidecar dies mid-training -----------------------------------------

	let chain_tag = hex::encode(&node.genesis_hash().as_bytes()[..4]);
	let train_id = format!("{chain_tag}-job0-a1-train");
	let trainer_sidecar = if trainer_is_alice { &mut alice_sidecar } else { &mut bob_sidecar };
	let killed_at = node.wait_until(
		"the off-chain worker starts training on the sidecar",
		Duration::from_secs(120),
		|| {
			let (_, record) = trainer_sidecar.get(&format!("/jobs/{train_id}"));
			let step = record["progress"]["step"].as_u64().filter(|step| *step >= 1);
			if record["status"] == "running" {
				step
			} else {
				None
			}
		},
	);
	trainer_sidecar.restart_during_train_job(&train_id);
	from = narrate(
		node,
		started,
		from,
		&format!("The trainer's sidecar was killed at step {killed_at} and restarted: its job resumes from its last checkpoint"),
	);

	// ---- Training, verification, acceptance: all by the off-chain workers ---------------------

	let versions = node.wait_until(
		"the job is trained, verified and accepted",
		Duration::from_secs(600),
		|| {
			let versions = node.rpc("tributary_modelVersions", json!([0]));
			(versions.as_array().map(Vec::len) == Some(1)).then_some(versions)
		},
	);
	from = narrate(node, started, from, "Trained, verified (the verifier's sidecar fetched the adapter from its peer) and accepted: model 0 version 1");
	let adapter = trainer_sidecar.resumed_train_job_adapter(&train_id);
	assert_eq!(versions[0]["result"]["adapterHash"], format!("0x{adapter}"), "{versions}");
	let events = node.events_since(job_opened_at);
	let submitted = events
		.iter()
		.filter(|(_, e)| {
			matches!(e, RuntimeEvent::Models(pallet_models::Event::TrainingResultSubmitted { .. }))
		})
		.count();
	let completed: Vec<_> = events
		.iter()
		.filter_map(|(_, e)| match e {
			RuntimeEvent::Models(pallet_models::Event::JobCompleted { trainer_paid, .. }) => {
				Some(*trainer_paid)
			},
			_ => None,
		})
		.collect();
	assert_eq!(submitted, 1, "one training result reached the chain");
	assert_eq!(completed.len(), 1, "the job completed and was paid once: {completed:?}");
	assert_eq!(job(node)["state"], "completed", "{}", job(node));

	// ---- The understated row: measured when the job assembled it, reported by a worker ---------

	let (reporter, kind) =
		node.wait_until("a worker reports the row declared short", Duration::from_secs(60), || {
			node.events_since(job_opened_at).into_iter().find_map(|(_, event)| match event {
				RuntimeEvent::Datanets(pallet_datanets::Event::RowChallenged {
					datanet: 0,
					row,
					challenger,
					kind,
					..
				}) if row == UNDERSTATED_ROW => Some((challenger, kind)),
				_ => None,
			})
		});
	assert_eq!(
		kind,
		ChallengeKind::ByteLenMismatch { observed: ROWS[UNDERSTATED_ROW as usize].len() as u32 }
	);
	assert!(
		[alice_id.clone(), bob.to_account_id()].contains(&reporter),
		"a validator's worker reports it: {reporter}"
	);
	let (_, reports) = trainer_sidecar.get("/rows/reports");
	assert_eq!(reports["reports"][0]["row"], UNDERSTATED_ROW, "{reports}");
	assert_eq!(reports["reports"][0]["kind"], "byte_len_mismatch", "{reports}");
	from = narrate(node, started, from, "The trainer's job measured Dave's understated row; a validator's worker reported it on chain (challenge open for the judge)");

	// ---- Anti-gaming: a one-byte copy of an approved row is challenged by the workers ----------

	// Eve's exact copy was refused by hash; a copy with one byte changed is a new hash. The
	// curator approves it anyway; the sidecars, handed every contributed row by the off-chain
	// workers, find it repeats Charlie's row 2, and a worker reports it.
	let copy = ROWS[2].replacen("sixty", "sixtx", 1);
	let (status, body) = bob_sidecar.put("/store", copy.as_bytes());
	assert!(status == 200 || status == 201, "upload answered {status}: {body}");
	ok(
		node,
		eve,
		RuntimeCall::Datanets(pallet_datanets::Call::contribute {
			datanet: 0,
			row: common::calls::row(&copy),
		}),
	);
	const COPY_ROW: u64 = 8;
	ok(
		node,
		alice,
		RuntimeCall::Datanets(pallet_datanets::Call::approve {
			datanet: 0,
			rows: vec![COPY_ROW].try_into().unwrap(),
		}),
	);
	let (copy_reporter, kind) =
		node.wait_until("a worker reports Eve's near-duplicate", Duration::from_secs(90), || {
			node.events_since(job_opened_at).into_iter().find_map(|(_, event)| match event {
				RuntimeEvent::Datanets(pallet_datanets::Event::RowChallenged {
					datanet: 0,
					row: COPY_ROW,
					challenger,
					kind,
					..
				}) => Some((challenger, kind)),
				_ => None,
			})
		});
	let ChallengeKind::NearDuplicate { original_datanet, original, similarity_ppm } = kind else {
		panic!("Eve's copy is reported as a near-duplicate, not {kind:?}");
	};
	assert_eq!(
		(original_datanet, original),
		(0, 2),
		"the copy names Charlie's row as its original"
	);
	assert!(similarity_ppm >= 800_000, "{similarity_ppm} ppm");
	let (_, check) = bob_sidecar.get(&format!("/rows/0/{COPY_ROW}"));
	assert_eq!(check["near_duplicate"], true, "curators see it too: {check}");
	assert_eq!(check["closest"]["original"], 2, "{check}");
	let (_, check) = bob_sidecar.get("/rows/0/2");
	assert_eq!(check["near_duplicate"], false, "the original is not a copy: {check}");
	// Moderation is the catalogue track's: token holders uphold the worker's report.
	let proposed_at = node.best_number();
	let upholding = decide(
		node,
		Origin::Catalogue,
		RuntimeCall::Datanets(pallet_datanets::Call::resolve_challenge {
			datanet: 0,
			row: COPY_ROW,
			uphold: true,
		}),
	);
	let enacted_in = wait_enacted(node, upholding, proposed_at, Duration::from_secs(180));
	let upheld: Vec<RuntimeEvent> = node
		.events_at(&node.rpc("chain_getBlockHash", json!([enacted_in])))
		.into_iter()
		.map(|record| record.event)
		.collect();
	let (reward, slashed) = upheld
		.iter()
		.find_map(|event| match event {
			RuntimeEvent::Datanets(pallet_datanets::Event::ChallengeUpheld {
				datanet: 0,
				row: COPY_ROW,
				challenger,
				reward,
				slashed,
			}) if *challenger == copy_reporter => Some((*reward, *slashed)),
			_ => None,
		})
		.expect("the judge upholds the worker's report");
	assert!(reward > 0 && slashed > 0, "Eve's deposit pays the worker and the treasury");
	assert!(
		!node.events_since(job_opened_at).into_iter().any(|(_, event)| matches!(
			event,
			RuntimeEvent::Datanets(pallet_datanets::Event::RowChallenged {
				datanet: 0,
				row: 2,
				..
			})
		)),
		"Charlie's original is never challenged"
	);
	from = narrate(node, started, from, "Eve's one-byte copy of Charlie's row was found by the sidecars, reported by a worker as a near-duplicate, and slashed when a catalogue referendum upheld it");

	// ---- Serving: the accepted version on Alice's sidecar --------------------------------------

	node.wait_until("Alice's sidecar serves model-0-v1", Duration::from_secs(120), || {
		let (_, models) = alice_sidecar.get("/v1/models");
		models["data"].as_array()?.iter().any(|m| m["id"] == "model-0-v1").then_some(())
	});
	from = narrate(node, started, from, "Alice's sidecar serves model-0-v1; Eve sets a price");
	let price: Balance = 7_777_777_777;
	ok(
		node,
		eve,
		RuntimeCall::Models(pallet_models::Call::set_price {
			model: 0,
			price_per_1k_tokens: Some(price),
		}),
	);

	// ---- A paid, attributed answer -------------------------------------------------------------

	// The fee split the token holders voted for is in force before the answer is paid for.
	wait_enacted(node, fee_split_referendum, proposed_at_start, Duration::from_secs(60));
	let shares = Shares::in_force(node);
	assert_eq!(
		(shares.owner, shares.contributors, shares.worker, shares.treasury),
		(
			fee_split.model_owner.deconstruct(),
			fee_split.contributors.deconstruct(),
			fee_split.worker.deconstruct(),
			fee_split.treasury.deconstruct()
		),
		"the parameters referendum set the fee split"
	);

	let expiry = node.best_number() + 400;
	let (status, answer) = alice_sidecar.post(
		"/v1/completions",
		&json!({
			"model": "model-0-v1",
			"prompt": "Q: What lowers fever in adults? A:",
			"max_tokens": 24,
			"temperature": 0.0,
			"receipt": { "user": ss58(&ferdie_id), "nonce": 1, "max_fee": UNIT.to_string(), "expiry": expiry },
		}),
	);
	assert_eq!(status, 200, "{answer}");
	println!("     prompt: \"Q: What lowers fever in adults? A:\"");
	println!("     answer: {}", answer["choices"][0]["text"]);
	println!(
		"     attribution ({}): {}",
		answer["attribution"]["method"], answer["attribution"]["top"]
	);
	let receipt = &answer["receipt"];
	let payload =
		hex::decode(receipt["signing_payload"].as_str().expect("a receipt to sign")).expect("hex");
	let signature = ferdie.pair().sign(&payload);
	let (status, queued) = alice_sidecar.post(
		"/v1/receipts",
		&json!({ "id": receipt["id"], "signature": hex::encode_0x(&signature.0) }),
	);
	assert_eq!(status, 202, "{queued}");

	// ---- The receipt lands, finalizes, and pays out ---------------------------------------------

	from = narrate(
		node,
		started,
		from,
		"Ferdie signed the answer's receipt; Alice's off-chain worker submits it",
	);

	let record = node.wait_until(
		"Alice's off-chain worker submits the receipt",
		Duration::from_secs(120),
		|| {
			let record = node.rpc("tributary_attributionRecord", json!([0]));
			(!record.is_null()).then_some(record)
		},
	);
	assert_eq!(record["user"], ss58(&ferdie_id), "{record}");
	assert_eq!(record["worker"], ss58(&alice_id), "{record}");
	let answer_record = AttributionRecord::decode(
		&mut &hex::decode(
			answer["attribution"]["record_scale"]
				.as_str()
				.expect("the answer's canonical record"),
		)
		.expect("hex")[..],
	)
	.expect("the canonical record decodes");
	assert_eq!(
		record["commitment"],
		hex::encode_0x(&answer_record.commitment()),
		"the chain holds the commitment of the answer's record: {record}"
	);
	node.wait_until("the sidecar's receipt queue is acknowledged", Duration::from_secs(60), || {
		let (_, pending) = alice_sidecar.get("/receipts/pending");
		(pending["receipts"].as_array().map(Vec::len) == Some(0)).then_some(())
	});
	let record = node.wait_until("record 0 is final", Duration::from_secs(180), || {
		let record = node.rpc("tributary_attributionRecord", json!([0]));
		(record["status"] == "final").then_some(record)
	});
	from = narrate(
		node,
		started,
		from,
		&format!("Record 0 is final after the challenge window: {record}"),
	);
	let fee = balance_string(&record["fee"]);
	let scored: Vec<(AccountId, u32)> = record["top"]
		.as_array()
		.unwrap()
		.iter()
		.map(|score| {
			assert_eq!(score["datanet"], 0, "{record}");
			let row = score["row"].as_u64().unwrap();
			let contributor = if row < 4 { charlie_id.clone() } else { dave_id.clone() };
			(contributor, score["partsPerBillion"].as_u64().unwrap() as u32)
		})
		.collect();
	assert!(!scored.is_empty(), "the answer is attributed to at least one row: {record}");
	let split = ExpectedSplit::compute(fee, &Shares::in_force(node), &scored);
	println!("     fee {fee}, split: {split:?}");
	let contributor_total = |who: &AccountId| -> Balance {
		split
			.contributors
			.iter()
			.filter(|(c, _)| c == who)
			.map(|(_, amount)| amount)
			.sum()
	};
	let owed: Vec<(&str, AccountId, Balance)> = vec![
		("Eve (model owner)", eve_id.clone(), split.owner),
		("Charlie (contributor)", charlie_id.clone(), contributor_total(&charlie_id)),
		("Dave (contributor)", dave_id.clone(), contributor_total(&dave_id)),
		("Alice (serving worker)", alice_id.clone(), split.worker),
		("the treasury", TreasuryAccount::get(), split.treasury + split.unattributed + split.dust),
	];
	assert_eq!(
		owed.iter().map(|(_, _, amount)| amount).sum::<Balance>(),
		fee,
		"the beneficiaries are owed the fee"
	);
	for (name, who, amount) in owed.iter().filter(|(_, _, amount)| *amount > 0) {
		assert_eq!(claimable(node, who), *amount, "tributary_claimable of {name}");
		let before = node.best_number();
		ok(
			node,
			ferdie,
			RuntimeCall::Rewards(pallet_rewards::Call::claim { beneficiary: who.clone() }),
		);
		assert_eq!(
			balance_growth(node, who, before, node.best_number()),
			*amount,
			"{name}'s claim paid exactly its share"
		);
	}
	from = narrate(node, started, from, "Every beneficiary claimed exactly its share of the fee");

	// ---- Fault: a worker forges the top of an honest record, is disputed, and is slashed --------

	let (status, answer) = alice_sidecar.post(
		"/v1/completions",
		&json!({
			"model": "model-0-v1",
			"prompt": "Q: How is a nosebleed stopped? A:",
			"max_tokens": 24,
			"temperature": 0.0,
			"receipt": { "user": ss58(&ferdie_id), "nonce": 2, "max_fee": UNIT.to_string(), "expiry": node.best_number() + 400 },
		}),
	);
	assert_eq!(status, 200, "{answer}");
	let genesis: [u8; 32] = node.genesis_hash().0;
	assert_eq!(
		answer["receipt"]["genesis"],
		hex::encode_0x(&genesis),
		"the sidecar signs receipts for this chain: {answer}"
	);
	let payload =
		hex::decode(answer["receipt"]["signing_payload"].as_str().expect("a receipt to sign"))
			.expect("hex");
	let receipt = InferenceReceipt::<AccountId, Balance, BlockNumber>::from_signing_payload(
		&payload, &genesis,
	)
	.expect("the signing payload is the domain, this chain's genesis hash and the SCALE receipt");
	let honest = AttributionRecord::decode(
		&mut &hex::decode(answer["attribution"]["record_scale"].as_str().unwrap()).expect("hex")[..],
	)
	.unwrap();
	// Alice's worker keeps the honest body (so its claim names the honest record's inputs and
	// scores) but claims the answer drew on Dave's row 6 alone.
	let forged_top =
		vec![RowScore { row: RowRef { datanet: 0, row: 6 }, parts_per_billion: 1_000_000_000 }];
	assert_ne!(forged_top, honest.top, "the forged top is not the honest one");
	let lie = AttributionClaim {
		method: honest.method,
		top: forged_top.try_into().unwrap(),
		body: honest.body().hash(),
	};
	let forged = SignedReceipt {
		receipt: receipt.clone(),
		user: ferdie_id.clone(),
		signature: MultiSignature::Sr25519(ferdie.pair().sign(&payload)),
		claim: lie,
	};
	ok(
		node,
		alice,
		RuntimeCall::Attribution(pallet_attribution::Call::submit_receipts {
			batch: vec![forged].try_into().unwrap(),
		}),
	);
	let lying = node.rpc("tributary_attributionRecord", json!([1]));
	assert_eq!(
		lying["status"], "pending",
		"the forgery is accepted like any record until disputed: {lying}"
	);
	assert_ne!(
		lying["commitment"],
		hex::encode_0x(&honest.commitment()),
		"the chain derives the commitment from the forged top, so it is not the honest one: {lying}"
	);
	// Charlie recomputes the record with Bob's sidecar (which fetches the answer's text from
	// Alice's; recomputation runs in the background, so he asks until it is done) and disputes
	// with the honest commitment.
	let recompute = json!({ "chain": { "model": 0, "version": 1 }, "output_hash": hex::encode_0x(&receipt.output_hash), "method_scale": hex::encode_0x(&honest.method.encode()) });
	let recomputed =
		node.wait_until("Bob's sidecar recomputes the record", Duration::from_secs(120), || {
			let (status, body) = bob_sidecar.post("/attribution/recompute", &recompute);
			(status != 202).then_some((status, body))
		});
	assert_eq!(recomputed.0, 200, "{}", recomputed.1);
	assert_eq!(
		hex::decode(recomputed.1["commitment"].as_str().unwrap()).expect("hex"),
		honest.commitment().to_vec(),
		"a peer recomputes the honest record byte for byte: {}",
		recomputed.1
	);
	let alice_bond_before = account_data(node, &alice_id).reserved;
	let ferdie_before = account_data(node, &ferdie_id);
	let charlie_before = node.free_balance(&charlie_id);
	ok(
		node,
		charlie,
		RuntimeCall::Attribution(pallet_attribution::Call::dispute {
			record: 1,
			commitment: honest.commitment(),
		}),
	);
	from = narrate(
		node,
		started,
		from,
		"Alice's worker claimed the honest record with a forged top; Charlie disputes it, a recomputer is drawn two blocks later",
	);
	let overturned = node.wait_until(
		"Bob is drawn, his off-chain worker recomputes and the majority decides",
		Duration::from_secs(180),
		|| {
			let record = node.rpc("tributary_attributionRecord", json!([1]));
			(record["status"] == "rejected").then_some(record)
		},
	);
	let slash: Balance = parameter(
		node,
		RuntimeParametersKey::Attribution(attribution::ParametersKey::WorkerSlash(
			attribution::WorkerSlash,
		)),
		<Runtime as pallet_attribution::Config>::WorkerSlash::get,
	);
	assert_eq!(
		alice_bond_before - account_data(node, &alice_id).reserved,
		slash,
		"the forging worker lost WorkerSlash of its bond"
	);
	let ferdie_after = account_data(node, &ferdie_id);
	assert_eq!(
		ferdie_after.reserved + balance_string(&lying["fee"]),
		ferdie_before.reserved,
		"Ferdie's held fee for the forgery is released"
	);
	assert!(
		node.free_balance(&charlie_id) > charlie_before,
		"the challenger got its bond back and a share of the slash"
	);
	// Below its required bond, Alice's worker is suspended: it submits nothing until it tops up.
	let another = InferenceReceipt { nonce: 3, ..receipt };
	let resubmitted = SignedReceipt {
		signature: MultiSignature::Sr25519(ferdie.pair().sign(&another.signing_payload(&genesis))),
		receipt: another,
		user: ferdie_id.clone(),
		claim: AttributionClaim {
			method: honest.method,
			top: honest.top.clone().try_into().unwrap(),
			body: honest.body().hash(),
		},
	};
	let refused = fails(
		node,
		alice,
		RuntimeCall::Attribution(pallet_attribution::Call::submit_receipts {
			batch: vec![resubmitted].try_into().unwrap(),
		}),
	);
	assert_eq!(
		refused,
		pallet_attribution::Error::<Runtime>::WorkerSuspended.into(),
		"{refused:?}"
	);
	narrate(
		node,
		started,
		from,
		&format!("The record is overturned, the forger slashed and suspended: {overturned}"),
	);
	println!("end-to-end flow took {:.0?}", started.elapsed());
}
