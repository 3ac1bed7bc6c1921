//! Governance on a real dev node: token holders decide by referenda on the tracks of the origins
//! each call needs, at the development preset's fast periods. Four referenda run side by side: a
//! treasury spend (treasurer track) that is then paid out, a datanet deposit (parameters track)
//! that the next datanet pays, a base model (catalogue track) that is registered, and a runtime
//! upgrade (root track) after which the chain keeps finalizing.

mod common;

use std::time::Duration;

use common::{
	calls::{bounded, create_clinic_datanet, ok},
	governance::{propose, vote_aye, wait_enacted},
	rewards::account_data,
	Node, NodeConfig,
};
use serde_json::json;
use sp_keyring::Sr25519Keyring;
use sp_runtime::traits::{BlakeTwo256, Hash};
use tributary_primitives::hex;
use tributary_runtime::{
	configs::{dynamic_params::datanets, RuntimeParameters, TreasuryAccount},
	governance::origins::Origin,
	OriginCaller, RuntimeCall, RuntimeEvent, UNIT,
};

#[test]
fn referenda_spend_the_treasury_set_a_parameter_add_a_base_model_and_upgrade_the_runtime() {
	let node = Node::start(NodeConfig {
		chain_args: vec!["--dev".into()],
		extra_args: vec![],
		name: "governance",
	});
	let node = &node;
	node.wait_until("first block", Duration::from_secs(120), || {
		(node.best_number() >= 1).then_some(())
	});
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
	// The runtime compressed as release builds ship it: a debug build's is 4.5 MB, more than the
	// 4 MiB of transactions a block author puts in a block.
	let code = hex::decode(node.rpc("state_getStorage", json!(["0x3a636f6465"])).as_str().unwrap())
		.expect("the runtime's code");
	let code = sp_maybe_compressed_blob::compress_strongly(
		&code,
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
