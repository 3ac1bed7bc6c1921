//! Governance on a real dev node: token holders decide by referenda on the tracks of the origins
//! each call needs, at the development preset's fast periods. Four referenda run side by side: a
//! treasury spend (treasurer track) that is then paid out, a datanet deposit (parameters track)
//! that the next datanet pays, a base model (catalogue track) that is registered, and a runtime
//! upgrade (root track) after which the chain keeps finalizing. Beside them, the validator set:
//! a second node's validator is added by referendum (validator-admin track), authors once its
//! session comes and registers its worker; removed by another, it stops authoring, Alice
//! finalizes alone, and its worker is removed.

mod common;

use std::time::Duration;

use codec::Decode;
use common::{
	calls::{bounded, create_clinic_datanet, fails, ok, register_worker},
	governance::{decide, propose, vote_aye, wait_enacted},
	rewards::account_data,
	Node, NodeConfig,
};
use serde_json::{json, Value};
use sp_core::crypto::AccountId32;
use sp_io::hashing::twox_128;
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use sp_runtime::{
	traits::{BlakeTwo256, Hash},
	DigestItem, DispatchError,
};
use tributary_primitives::hex;
use tributary_runtime::{
	configs::{dynamic_params::datanets, RuntimeParameters, TreasuryAccount},
	governance::origins::Origin,
	signing::session_keys_with_proof,
	OriginCaller, RuntimeCall, RuntimeEvent, UNIT,
};

#[test]
fn referenda_spend_the_treasury_set_a_parameter_add_a_base_model_and_upgrade_the_runtime() {
	let node = &Node::start_dev("governance");
	let (alice, charlie, dave) =
		(Sr25519Keyring::Alice, Sr25519Keyring::Charlie, Sr25519Keyring::Dave);
	let proposer = Sr25519Keyring::AliceStash;
	ok(
		node,
		alice,
		RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
			dest: TreasuryAccount::get().into(),
			value: 1_000 * UNIT,
		}),
	);
	// The node's own runtime (the chain's `:code`), compressed as release builds ship it: a debug
	// build's is 8 MB with the EVM, more than the 4 MiB of transactions a block author puts in a
	// block (and, hex-encoded, than the 15 MiB an RPC answer may hold).
	let code = tributary_runtime::WASM_BINARY.expect("the runtime is built with its wasm");
	let code = sp_maybe_compressed_blob::compress_strongly(
		code,
		sp_maybe_compressed_blob::CODE_BLOB_BOMB_LIMIT,
	)
	.expect("the runtime compresses");
	let from = node.best_number();

	let spend = propose(
		node,
		proposer,
		Origin::Treasurer.into(),
		RuntimeCall::Treasury(pallet_treasury::Call::spend {
			asset_kind: Box::new(()),
			amount: 250 * UNIT,
			beneficiary: Box::new(dave.to_account_id()),
			valid_from: None,
		}),
	);
	let deposit = propose(
		node,
		proposer,
		Origin::ParameterAdmin.into(),
		RuntimeCall::Parameters(pallet_parameters::Call::set_parameter {
			key_value: RuntimeParameters::Datanets(datanets::Parameters::DatanetDeposit(
				datanets::DatanetDeposit,
				Some(3 * UNIT),
			)),
		}),
	);
	let base_model = propose(
		node,
		proposer,
		Origin::Catalogue.into(),
		RuntimeCall::Models(pallet_models::Call::register_base_model {
			name: bounded(b"smollm2-135m-instruct"),
			architecture: bounded(b"llama"),
			weights_hash: [1; 32],
			config_hash: [2; 32],
			tokenizer_hash: [3; 32],
			parameter_count: 134_515_008,
			license: bounded(b"Apache-2.0"),
		}),
	);
	// The root track authorizes the new code by its hash; the code itself (too big for a
	// preimage) is then applied by anyone. The same code again: the spec version stays.
	let upgrade = propose(
		node,
		proposer,
		OriginCaller::system(frame_system::RawOrigin::Root),
		RuntimeCall::System(frame_system::Call::authorize_upgrade_without_checks {
			code_hash: BlakeTwo256::hash(&code),
		}),
	);
	vote_aye(node, &[spend, deposit, base_model, upgrade]);
	let within = Duration::from_secs(120);

	wait_enacted(node, spend, from, within);
	let dave_before = account_data(node, &dave.to_account_id()).free;
	ok(node, proposer, RuntimeCall::Treasury(pallet_treasury::Call::payout { index: 0 }));
	assert_eq!(account_data(node, &dave.to_account_id()).free, dave_before + 250 * UNIT);

	wait_enacted(node, deposit, from, within);
	let held_before = account_data(node, &charlie.to_account_id()).reserved;
	ok(node, charlie, create_clinic_datanet());
	assert_eq!(account_data(node, &charlie.to_account_id()).reserved, held_before + 3 * UNIT);

	let registered_in = wait_enacted(node, base_model, from, within);
	let registered = node
		.events_at(&node.rpc("chain_getBlockHash", json!([registered_in])))
		.into_iter()
		.any(|record| {
			matches!(
				record.event,
				RuntimeEvent::Models(pallet_models::Event::BaseModelRegistered { .. })
			)
		});
	assert!(registered, "the catalogue referendum registers the base model");

	wait_enacted(node, upgrade, from, within);
	let events = ok(
		node,
		proposer,
		RuntimeCall::System(frame_system::Call::apply_authorized_upgrade { code }),
	);
	assert!(
		events.iter().any(|event| matches!(
			event,
			RuntimeEvent::System(frame_system::Event::CodeUpdated { .. })
		)),
		"{events:?}"
	);
	let upgraded_at = node.best_number();
	node.wait_until(
		"the chain keeps finalizing after the upgrade",
		Duration::from_secs(60),
		|| (node.finalized_number() >= upgraded_at + 3).then_some(()),
	);
}

/// The Aura authorities in the state of block `hash`, as accounts (the dev validators' Aura keys
/// are their accounts' keys).
fn aura_authorities(node: &Node, hash: &Value) -> Vec<AccountId32> {
	let key = [twox_128(b"Aura"), twox_128(b"Authorities")].concat();
	let stored = node.rpc("state_getStorage", json!([hex::encode_0x(&key), hash]));
	let raw = hex::decode(stored.as_str().expect("Aura has authorities")).expect("hex");
	Vec::<[u8; 32]>::decode(&mut &raw[..])
		.expect("a list of sr25519 keys")
		.into_iter()
		.map(Into::into)
		.collect()
}

/// Who authored block `number`: the authority whose turn the slot in its Aura pre-runtime
/// digest was, among the authorities of its parent's state.
fn author_of(node: &Node, number: u64) -> AccountId32 {
	let header =
		node.rpc("chain_getHeader", json!([node.rpc("chain_getBlockHash", json!([number]))]));
	let slot = header["digest"]["logs"]
		.as_array()
		.expect("a digest")
		.iter()
		.find_map(|log| {
			let item = DigestItem::decode(&mut &hex::decode(log.as_str()?).ok()?[..]).ok()?;
			item.pre_runtime_try_to::<u64>(b"aura")
		})
		.expect("an Aura pre-runtime digest");
	let authorities = aura_authorities(node, &header["parentHash"]);
	authorities[(slot % authorities.len() as u64) as usize].clone()
}

/// Waits for a block from `from` on authored by `who`; its number.
fn wait_authored_by(node: &Node, who: &AccountId32, from: u64, timeout: Duration) -> u64 {
	let mut next = from;
	node.wait_until(&format!("a block authored by {who}"), timeout, || {
		let best = node.best_number();
		let found = (next..=best).find(|&number| author_of(node, number) == *who);
		next = best + 1;
		found
	})
}

#[test]
fn a_validator_added_by_referendum_authors_and_its_worker_registers_until_it_is_removed() {
	let node = &Node::start_dev("validators-alice");
	// Charlie's node: the same dev chain, its keystore holding //Charlie's session keys.
	let peer_id = node.rpc("system_localPeerId", json!([]));
	let charlie_node = Node::start(NodeConfig {
		chain_args: vec!["--chain".into(), "dev".into()],
		extra_args: vec![
			"--charlie".into(),
			// A validator's node needs a persistent network key.
			"--node-key".into(),
			"0000000000000000000000000000000000000000000000000000000000000003".into(),
			"--bootnodes".into(),
			format!("/ip4/127.0.0.1/tcp/{}/p2p/{}", node.p2p_port, peer_id.as_str().unwrap()),
		],
		name: "validators-charlie",
	});
	let (charlie, dave) = (Sr25519Keyring::Charlie, Sr25519Keyring::Dave);
	let worker_endpoint = "http://127.0.0.1:8080";
	assert_eq!(
		fails(node, charlie, register_worker(worker_endpoint)),
		DispatchError::BadOrigin,
		"no worker before its validator validates"
	);

	let (keys, proof) = session_keys_with_proof(
		&charlie.pair(),
		&Ed25519Keyring::Charlie.pair(),
		&charlie.to_account_id(),
	);
	ok(node, charlie, RuntimeCall::Session(pallet_session::Call::set_keys { keys, proof }));
	let from = node.best_number();
	let add = decide(
		node,
		Origin::ValidatorAdmin,
		RuntimeCall::Validators(pallet_validators::Call::add_validator {
			who: charlie.to_account_id().into(),
		}),
	);
	let enacted = wait_enacted(node, add, from, Duration::from_secs(120));
	// In force from the session after next: at most two 10-block sessions.
	let authored =
		wait_authored_by(node, &charlie.to_account_id(), enacted, Duration::from_secs(150));
	node.wait_until("both validators finalize Charlie's block", Duration::from_secs(60), || {
		(node.finalized_number() >= authored).then_some(())
	});
	ok(node, charlie, register_worker(worker_endpoint));

	let from = node.best_number();
	let remove = decide(
		node,
		Origin::ValidatorAdmin,
		RuntimeCall::Validators(pallet_validators::Call::remove_validator {
			who: charlie.to_account_id().into(),
		}),
	);
	wait_enacted(node, remove, from, Duration::from_secs(120));
	let alone = node.wait_until("Alice validates alone", Duration::from_secs(150), || {
		let best = node.best_number();
		let hash = node.rpc("chain_getBlockHash", json!([best]));
		(aura_authorities(node, &hash) == [Sr25519Keyring::Alice.to_account_id()]).then_some(best)
	});
	node.wait_until("Alice finalizes alone", Duration::from_secs(90), || {
		(node.finalized_number() >= alone + 3).then_some(())
	});
	for number in alone + 1..=node.best_number() {
		assert_eq!(author_of(node, number), Sr25519Keyring::Alice.to_account_id());
	}
	let events = ok(
		node,
		dave,
		RuntimeCall::Models(pallet_models::Call::remove_departed_worker {
			worker: charlie.to_account_id(),
		}),
	);
	assert!(
		events.iter().any(|event| matches!(
			event,
			RuntimeEvent::Models(pallet_models::Event::DepartedWorkerRemoved { .. })
		)),
		"{events:?}"
	);
	drop(charlie_node);
}
