//! The datanets and model registry pallets on a real dev node: signed extrinsics as polkadot.js
//! would send them, and the `tributary_*` RPC queries a worker uses to find its data and jobs.

mod common;

use tributary_primitives::hex;

use common::{
	calls::{
		create_clinic_datanet, create_clinic_model, fails, lora_settings, ok, register_base_model,
		register_worker, row, sudo,
	},
	Node,
};
use serde_json::{json, Value};
use sp_keyring::Sr25519Keyring;
use sp_runtime::DispatchError;
use tributary_primitives::{content_hash, datanets::merkle_root};
use tributary_runtime::{RuntimeCall, RuntimeError, RuntimeEvent, UNIT};

const ROWS: [&str; 3] = [
	"Q: What lowers fever in adults? A: Paracetamol or ibuprofen at label doses.",
	"Q: How long should a sprain rest? A: Usually 48 to 72 hours before gentle movement.",
	"Q: What is a normal resting heart rate? A: Between 60 and 100 beats per minute.",
];

#[test]
fn dev_node_runs_datanet_curation_and_opens_a_fine_tune_job() {
	let node = Node::start_dev("datanets-models");
	let (alice, bob, charlie, dave, eve) = (
		Sr25519Keyring::Alice,
		Sr25519Keyring::Bob,
		Sr25519Keyring::Charlie,
		Sr25519Keyring::Dave,
		Sr25519Keyring::Eve,
	);

	// Alice creates a public datanet.
	let events = ok(&node, alice, create_clinic_datanet());
	assert!(
		events.iter().any(|e| matches!(
			e,
			RuntimeEvent::Datanets(pallet_datanets::Event::DatanetCreated { datanet: 0, .. })
		)),
		"{events:?}"
	);
	let datanet = node.rpc("tributary_datanet", json!([0]));
	assert_eq!(datanet["name"], "clinic-faq");
	assert_eq!(datanet["visibility"], "public");
	assert_eq!(datanet["tags"], json!(["medical", "qa"]));
	assert_eq!(datanet["owner"], alice.to_account_id().to_string());
	assert_eq!(datanet["creationDeposit"], (10 * UNIT).to_string());
	assert_eq!(node.rpc("tributary_datanet", json!([7])), Value::Null);

	// Bob contributes one row, Charlie a batch of two; Dave's copy of Bob's row is refused.
	ok(
		&node,
		bob,
		RuntimeCall::Datanets(pallet_datanets::Call::contribute { datanet: 0, row: row(ROWS[0]) }),
	);
	ok(
		&node,
		charlie,
		RuntimeCall::Datanets(pallet_datanets::Call::contribute_batch {
			datanet: 0,
			rows: vec![row(ROWS[1]), row(ROWS[2])].try_into().unwrap(),
		}),
	);
	let duplicate = fails(
		&node,
		dave,
		RuntimeCall::Datanets(pallet_datanets::Call::contribute { datanet: 0, row: row(ROWS[0]) }),
	);
	assert!(
		matches!(
			RuntimeError::from_dispatch_error(duplicate),
			Some(RuntimeError::Datanets(pallet_datanets::Error::DuplicateRow))
		),
		"{duplicate:?}"
	);
	assert_eq!(
		node.rpc(
			"tributary_rowByContentHash",
			json!([hex::encode_0x(&content_hash(ROWS[0].as_bytes()))])
		),
		json!({ "datanet": 0, "row": 0 }),
		"the duplicate's original is found by its hash"
	);

	// Alice approves all three and publishes version 1.
	ok(
		&node,
		alice,
		RuntimeCall::Datanets(pallet_datanets::Call::approve {
			datanet: 0,
			rows: vec![0, 1, 2].try_into().unwrap(),
		}),
	);
	ok(&node, alice, RuntimeCall::Datanets(pallet_datanets::Call::publish_version { datanet: 0 }));

	let hashes: Vec<[u8; 32]> = ROWS.iter().map(|r| content_hash(r.as_bytes())).collect();
	let versions = node.rpc("tributary_datanetVersions", json!([0]));
	assert_eq!(versions.as_array().unwrap().len(), 1, "{versions}");
	assert_eq!(versions[0]["version"], 1);
	assert_eq!(versions[0]["rowCount"], 3);
	assert_eq!(versions[0]["totalBytes"], ROWS.iter().map(|r| r.len()).sum::<usize>());
	assert_eq!(versions[0]["merkleRoot"], hex::encode_0x(&merkle_root(&hashes)));
	let page = node.rpc("tributary_versionRows", json!([0, 1, 1, 2]));
	assert_eq!(
		page,
		json!([
			{ "row": 1, "contentHash": hex::encode_0x(&hashes[1]) },
			{ "row": 2, "contentHash": hex::encode_0x(&hashes[2]) },
		])
	);
	let too_many = node.try_rpc("tributary_versionRows", json!([0, 1, 0, 5000])).unwrap_err();
	assert!(too_many["message"].as_str().unwrap().contains("1000"), "{too_many}");

	// Root (the dev chain's sudo key) registers the project's base model.
	let weights_hash = content_hash(b"tiny-llama weights");
	ok(
		&node,
		alice,
		sudo(register_base_model(
			weights_hash,
			content_hash(b"tiny-llama config"),
			content_hash(b"tiny-llama tokenizer"),
		)),
	);

	// Only validators register as workers.
	let not_validator = fails(&node, bob, register_worker("http://127.0.0.1:8080"));
	assert_eq!(not_validator, DispatchError::BadOrigin);
	ok(&node, alice, register_worker("http://127.0.0.1:8080"));

	// Eve opens a fine-tune job on version 1. One worker cannot be trainer and verifier, so the
	// job waits, open, for a second validator.
	let settings = lora_settings();
	ok(&node, eve, create_clinic_model(settings, 5 * UNIT));

	let job = node.rpc("tributary_job", json!([0]));
	assert_eq!(job["state"], "open", "{job}");
	assert_eq!(job["owner"], eve.to_account_id().to_string());
	assert_eq!(job["fee"], (5 * UNIT).to_string());
	assert_eq!(job["baseWeightsHash"], hex::encode_0x(&weights_hash));
	assert_eq!(
		job["datanets"],
		json!([{ "datanet": 0, "version": 1, "merkleRoot": hex::encode_0x(&merkle_root(&hashes)), "rowCount": 3 }])
	);
	assert_eq!(job["settings"]["method"], "lora");
	assert_eq!(job["settings"]["targetModules"], json!(["q_proj", "v_proj"]));
	assert_eq!(job["settings"]["learningRatePpb"], 200_000);
	assert_eq!(job["trainer"], Value::Null);
	assert_eq!(
		node.rpc("tributary_jobsForWorker", json!([alice.to_account_id().to_string()])),
		json!([])
	);
	assert_eq!(node.rpc("tributary_modelVersions", json!([0])), json!([]));
	let bad_account =
		node.try_rpc("tributary_jobsForWorker", json!(["not-an-address"])).unwrap_err();
	assert!(bad_account["message"].as_str().unwrap().contains("SS58"), "{bad_account}");
}
