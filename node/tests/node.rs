//! The real `tributary-node` binary on loopback: block production and finality, a signed
//! transfer, the `tributary_nodeInfo` RPC, refused bad extrinsics, and a two-validator network.

mod common;

use std::time::Duration;
use tributary_primitives::hex;

use common::{
	network::{start_two_validators, two_validator_spec},
	Node, NodeConfig,
};
use serde_json::{json, Value};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use tributary_runtime::{signing::sign_extrinsic, Address, BalancesCall, RuntimeCall, UNIT};

fn dev_node(name: &str) -> Node {
	Node::start(NodeConfig { chain_args: vec!["--dev".into()], extra_args: vec![], name })
}

fn transfer(
	from: Sr25519Keyring,
	to: Sr25519Keyring,
	amount: u128,
	node: &Node,
) -> tributary_runtime::UncheckedExtrinsic {
	let call = RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
		dest: Address::Id(to.to_account_id()),
		value: amount,
	});
	let nonce = node.account_nonce(&from.to_account_id());
	sign_extrinsic(call, &from.pair(), nonce, node.genesis_hash())
}

#[test]
fn dev_node_produces_and_finalizes_blocks_and_applies_a_signed_transfer() {
	let node = dev_node("dev-transfer");

	node.wait_until("3 blocks produced and 1 finalized", Duration::from_secs(120), || {
		(node.best_number() >= 3 && node.finalized_number() >= 1).then_some(())
	});

	let info = node.rpc("tributary_nodeInfo", json!([]));
	assert_eq!(info["chain"], "Tributary Development");
	assert_eq!(info["specName"], "tributary");
	assert_eq!(info["specVersion"], tributary_runtime::VERSION.spec_version);
	assert!(info["bestNumber"].as_u64().unwrap() >= 3, "{info}");
	assert!(info["finalizedNumber"].as_u64().unwrap() >= 1, "{info}");
	assert!(info["bestHash"].as_str().unwrap().starts_with("0x"), "{info}");

	let alice = Sr25519Keyring::Alice.to_account_id();
	let bob = Sr25519Keyring::Bob.to_account_id();
	let alice_before = node.free_balance(&alice);
	let bob_before = node.free_balance(&bob);
	let amount = 42 * UNIT;

	let xt = transfer(Sr25519Keyring::Alice, Sr25519Keyring::Bob, amount, &node);
	let xt_hex = hex::encode_0x(&codec::Encode::encode(&xt));
	let tx_hash = node.submit(&xt).unwrap_or_else(|e| panic!("transfer refused: {e}"));
	assert!(tx_hash.as_str().is_some_and(|h| h.starts_with("0x")), "{tx_hash}");

	let included_in =
		node.wait_until("transfer included in a block", Duration::from_secs(60), || {
			node.block_containing(&xt_hex, 5)
		});
	assert!(included_in >= 1);
	node.wait_until("balances updated at best block", Duration::from_secs(30), || {
		(node.free_balance(&bob) == bob_before + amount).then_some(())
	});
	let fee = alice_before - amount - node.free_balance(&alice);
	assert!(fee > 0, "the sender paid no fee");
	assert!(fee < UNIT, "fee {fee} is implausibly high for a transfer");
	assert_eq!(node.account_nonce(&alice), 1);
}

#[test]
fn bad_extrinsics_are_refused_and_the_node_keeps_producing_blocks() {
	let node = dev_node("dev-bad-input");
	node.wait_until("first block", Duration::from_secs(120), || {
		(node.best_number() >= 1).then_some(())
	});

	// Not an extrinsic at all.
	let malformed = node.try_rpc("author_submitExtrinsic", json!(["0x1234ff"]));
	let error = malformed.expect_err("a malformed extrinsic must be refused");
	assert!(error["message"].is_string(), "{error}");

	// Signed by Bob but claiming to come from Alice: the signature does not verify.
	let mut forged = transfer(Sr25519Keyring::Bob, Sr25519Keyring::Charlie, UNIT, &node);
	if let sp_runtime::generic::Preamble::Signed(ref mut address, _, _) = forged.0.preamble {
		*address = Address::Id(Sr25519Keyring::Alice.to_account_id());
	}
	let error = node.submit(&forged).expect_err("a forged signature must be refused");
	let text = error.to_string();
	assert!(
		text.contains("Invalid") || text.contains("BadProof") || text.contains("bad signature"),
		"{text}"
	);

	// Still alive and producing.
	let before = node.best_number();
	node.wait_until("two more blocks after the bad input", Duration::from_secs(60), || {
		(node.best_number() >= before + 2).then_some(())
	});
	assert_eq!(node.account_nonce(&Sr25519Keyring::Alice.to_account_id()), 0);
}

#[test]
fn two_validators_on_local_chain_peer_and_finalize() {
	let dir = tempfile::tempdir().unwrap();
	let spec = two_validator_spec(dir.path()).to_string_lossy().into_owned();
	let (alice, bob) = start_two_validators(&spec, "local", [&[], &[]]);
	for node in [&alice, &bob] {
		node.wait_until("finality reaches block 5", Duration::from_secs(180), || {
			(node.finalized_number() >= 5).then_some(())
		});
	}
	// Both validators authored: Aura gives slot `s` to authority `s % 2`.
	let finalized = bob.finalized_number();
	let authors: std::collections::BTreeSet<u64> = (finalized - 3..=finalized)
		.map(|n| {
			let hash = bob.rpc("chain_getBlockHash", json!([n]));
			let header = bob.rpc("chain_getHeader", json!([hash]));
			aura_slot(&header) % 2
		})
		.collect();
	assert_eq!(authors.len(), 2, "the last 4 finalized blocks came from one author only");
}

/// The slot in a header's Aura pre-runtime digest: `0x06` (PreRuntime), engine id `aura`,
/// compact length 8, then the slot as little-endian u64.
fn aura_slot(header: &Value) -> u64 {
	let logs = header["digest"]["logs"].as_array().expect("digest logs");
	let pre_runtime = logs
		.iter()
		.map(|log| hex::decode(log.as_str().unwrap()).expect("hex"))
		.find(|bytes| bytes.starts_with(&[0x06, b'a', b'u', b'r', b'a']))
		.expect("header has an Aura pre-runtime digest");
	u64::from_le_bytes(pre_runtime[6..14].try_into().unwrap())
}

#[test]
fn key_insert_stores_session_and_worker_keys_in_the_keystore() {
	let base = tempfile::tempdir().unwrap();
	let insert = |scheme: &str, key_type: &str| {
		let output = std::process::Command::new(env!("CARGO_BIN_EXE_tributary-node"))
			.args(["key", "insert", "--chain", "dev", "--suri", "//Alice"])
			.args(["--scheme", scheme, "--key-type", key_type])
			.arg("--base-path")
			.arg(base.path())
			.output()
			.expect("run key insert");
		assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
	};
	insert("sr25519", "aura");
	insert("ed25519", "gran");
	insert("sr25519", "trwk");

	// The keystore names each file by key type (hex) followed by the public key (hex).
	let keystore = base.path().join("chains/tributary_dev/keystore");
	let names: Vec<String> = std::fs::read_dir(&keystore)
		.unwrap_or_else(|e| panic!("keystore at {}: {e}", keystore.display()))
		.map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
		.collect();
	let alice_sr = hex::encode(&Sr25519Keyring::Alice.public().0);
	let alice_ed = hex::encode(&Ed25519Keyring::Alice.public().0);
	for expected in [
		format!("{}{alice_sr}", hex::encode(b"aura")),
		format!("{}{alice_ed}", hex::encode(b"gran")),
		format!("{}{alice_sr}", hex::encode(&tributary_primitives::WORKER_KEY_TYPE.0)),
	] {
		assert!(names.contains(&expected), "{expected} not in keystore {names:?}");
	}
}

/// A validator whose sidecar accepts connections but never answers: the off-chain workers give up
/// at their deadline and say so in the log, and block production never waits for them.
#[test]
fn a_hung_sidecar_is_reported_and_never_stalls_block_production() {
	let hung = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
	let url = format!("http://{}", hung.local_addr().unwrap());
	std::thread::spawn(move || {
		// Hold every connection open without a byte of answer.
		let mut held = Vec::new();
		for connection in hung.incoming() {
			held.push(connection);
		}
	});
	let node = Node::start(NodeConfig {
		chain_args: vec!["--dev".into()],
		extra_args: vec!["--worker-url".into(), url.clone()],
		name: "hung-sidecar",
	});
	// Alice registers as a worker, so her off-chain workers poll the sidecar every block.
	let register = RuntimeCall::Models(pallet_models::Call::register_worker {
		endpoint: url.as_bytes().to_vec().try_into().unwrap(),
		device: b"cpu".to_vec().try_into().unwrap(),
	});
	let alice = Sr25519Keyring::Alice;
	node.apply(&sign_extrinsic(
		register,
		&alice.pair(),
		node.account_nonce(&alice.to_account_id()),
		node.genesis_hash(),
	))
	.expect("Alice registers as a worker");
	let registered_at = node.best_number();
	node.wait_until(
		"the off-chain worker reports the hung sidecar",
		Duration::from_secs(60),
		|| node.log_tail().contains("unreachable for receipts (Timeout)").then_some(()),
	);
	node.wait_until("blocks keep coming every slot meanwhile", Duration::from_secs(60), || {
		(node.best_number() >= registered_at + 6).then_some(())
	});
}
