//! Signed calls as polkadot.js would send them, applied on a node, with their outcome.

use pallet_datanets::RowInput;
use sp_keyring::Sr25519Keyring;
use sp_runtime::DispatchError;
use tributary_primitives::{
	content_hash,
	training::{TargetModules, TrainingMethod, TrainingSettings},
	ContentHash,
};
use tributary_primitives::{datanets::Visibility, models::DatanetVersionRef};
use tributary_runtime::{
	signing::sign_extrinsic, Runtime, RuntimeCall, RuntimeEvent, UncheckedExtrinsic,
};

use super::Node;

pub fn bounded<B: TryFrom<Vec<u8>>>(bytes: &[u8]) -> B {
	B::try_from(bytes.to_vec()).unwrap_or_else(|_| panic!("{bytes:?} fits its bound"))
}

pub fn signed(node: &Node, who: Sr25519Keyring, call: RuntimeCall) -> UncheckedExtrinsic {
	let nonce = node.account_nonce(&who.to_account_id());
	sign_extrinsic(call, &who.pair(), nonce, node.genesis_hash())
}

/// Apply a call that must succeed; its events.
pub fn ok(node: &Node, who: Sr25519Keyring, call: RuntimeCall) -> Vec<RuntimeEvent> {
	let what = format!("{call:?}");
	node.apply(&signed(node, who, call))
		.unwrap_or_else(|e| panic!("{what} signed by {who:?} failed: {e:?}"))
}

/// Apply a call that must fail; its error.
pub fn fails(node: &Node, who: Sr25519Keyring, call: RuntimeCall) -> DispatchError {
	let what = format!("{call:?}");
	match node.apply(&signed(node, who, call)) {
		Ok(events) => panic!("{what} signed by {who:?} succeeded: {events:?}"),
		Err(error) => error,
	}
}

pub fn row(text: &str) -> RowInput<pallet_datanets::LabelOf<Runtime>> {
	RowInput {
		content_hash: content_hash(text.as_bytes()),
		byte_len: text.len() as u32,
		label: None,
	}
}

/// The LoRA settings the node tests open their fine-tune jobs with.
pub fn lora_settings() -> TrainingSettings {
	TrainingSettings {
		method: TrainingMethod::Lora,
		rank: 8,
		alpha: 16,
		dropout_ppm: 50_000,
		target_modules: TargetModules::QV,
		learning_rate_ppb: 200_000,
		batch_size: 4,
		sequence_length: 128,
		epochs: 2,
		max_steps: 0,
		seed: 7,
		eval_fraction_ppm: 100_000,
		..TrainingSettings::default()
	}
}

/// Create a public CC-BY-4.0 question-and-answer datanet about `topic`.
pub fn create_qa_datanet(name: &str, summary: &str, description: &str, topic: &str) -> RuntimeCall {
	RuntimeCall::Datanets(pallet_datanets::Call::create_datanet {
		name: bounded(name.as_bytes()),
		summary: bounded(summary.as_bytes()),
		description: bounded(description.as_bytes()),
		tags: vec![bounded(topic.as_bytes()), bounded(b"qa")].try_into().unwrap(),
		license: bounded(b"CC-BY-4.0"),
		visibility: Visibility::Public,
	})
}

/// Create the tests' public "clinic-faq" datanet.
pub fn create_clinic_datanet() -> RuntimeCall {
	create_qa_datanet(
		"clinic-faq",
		"Short medical questions and answers",
		"# Clinic FAQ\nAnswers reviewed by the clinic's nurses.",
		"medical",
	)
}

/// Registers a small llama base model by the hashes of its files: a call for the catalogue track
/// (`common::governance::decide`), or for the sudo key of a `--dev` node.
pub fn register_base_model(
	weights_hash: ContentHash,
	config_hash: ContentHash,
	tokenizer_hash: ContentHash,
) -> RuntimeCall {
	RuntimeCall::Models(pallet_models::Call::register_base_model {
		name: bounded(b"tributary-tiny"),
		architecture: bounded(b"llama"),
		weights_hash,
		config_hash,
		tokenizer_hash,
		parameter_count: 4_000_000,
		license: bounded(b"Apache-2.0"),
	})
}

/// `call` dispatched as root through the sudo key (Alice on a `--dev` node).
pub fn sudo(call: RuntimeCall) -> RuntimeCall {
	RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(call) })
}

pub fn register_worker(endpoint: &str) -> RuntimeCall {
	RuntimeCall::Models(pallet_models::Call::register_worker {
		endpoint: bounded(endpoint.as_bytes()),
		device: bounded(b"cpu"),
	})
}

/// Create the tests' "clinic-assistant" model on version 1 of datanet 0, paying `fee` for its job.
pub fn create_clinic_model(
	settings: TrainingSettings,
	fee: tributary_runtime::Balance,
) -> RuntimeCall {
	RuntimeCall::Models(pallet_models::Call::create_model {
		name: bounded(b"clinic-assistant"),
		base_model: 0,
		datanets: vec![DatanetVersionRef { datanet: 0, version: 1 }].try_into().unwrap(),
		settings,
		fee,
	})
}
