//! A two-validator local network: Alice and Bob author and finalize.

use std::time::Duration;

use serde_json::{json, Value};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

use tributary_runtime::genesis_config_presets::dev_validator;

use super::{Node, NodeConfig};

/// The exported `local` chain spec with Alice and Bob as its only validators (`session.keys`), so
/// two nodes author and finalize (GRANDPA needs more than 2/3 of the voters).
pub fn two_validator_spec(dir: &std::path::Path) -> std::path::PathBuf {
	let output = std::process::Command::new(env!("CARGO_BIN_EXE_tributary-node"))
		.args(["export-chain-spec", "--chain", "local"])
		.output()
		.expect("run export-chain-spec");
	assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
	let mut spec: Value = serde_json::from_slice(&output.stdout).expect("chain spec JSON");
	let patch = &mut spec["genesis"]["runtimeGenesis"]["patch"];
	assert!(patch.is_object(), "exported spec has a genesis patch: {spec}");
	let keys: Vec<Value> = [
		dev_validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
		dev_validator(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
	]
	.into_iter()
	.map(|(who, keys)| json!([who, who, keys]))
	.collect();
	patch["session"]["keys"] = json!(keys);
	let path = dir.join("two-validators.json");
	std::fs::write(&path, serde_json::to_vec_pretty(&spec).unwrap()).unwrap();
	path
}

/// Alice's and Bob's validator nodes, peered, each with its `extra_args`; Alice's serves the
/// test's RPC calls.
pub fn start_two_validators(spec: &str, test: &str, extra_args: [&[String]; 2]) -> (Node, Node) {
	// Validators on a non-dev chain need a persistent network key; a fixed one also gives Alice a
	// known peer id for Bob's bootnode address.
	let alice_key = "0000000000000000000000000000000000000000000000000000000000000001";
	let bob_key = "0000000000000000000000000000000000000000000000000000000000000002";
	let alice_peer_id = "12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp";
	let alice = Node::start(NodeConfig {
		chain_args: vec!["--chain".into(), spec.into()],
		extra_args: [
			vec!["--alice".into(), "--node-key".into(), alice_key.into()],
			extra_args[0].to_vec(),
		]
		.concat(),
		name: &format!("{test}-alice"),
	});
	let bob = Node::start(NodeConfig {
		chain_args: vec!["--chain".into(), spec.into()],
		extra_args: vec![
			"--bob".into(),
			"--node-key".into(),
			bob_key.into(),
			"--bootnodes".into(),
			format!("/ip4/127.0.0.1/tcp/{}/p2p/{alice_peer_id}", alice.p2p_port),
		]
		.into_iter()
		.chain(extra_args[1].iter().cloned())
		.collect(),
		name: &format!("{test}-bob"),
	});
	bob.wait_until("bob peers with alice", Duration::from_secs(60), || {
		(bob.rpc("system_health", json!([]))["peers"].as_u64() >= Some(1)).then_some(())
	});
	alice.wait_until(
		"both validators author and finality reaches block 2",
		Duration::from_secs(180),
		|| (alice.finalized_number() >= 2).then_some(()),
	);
	(alice, bob)
}
