//! Signed calls as polkadot.js would send them, applied on a node, with their outcome.

use pallet_datanets::RowInput;
use sp_keyring::Sr25519Keyring;
use sp_runtime::DispatchError;
use tributary_primitives::{
	content_hash,
	training::{TargetModules, TrainingMethod, TrainingSettings},
	ContentHash,
};
use tributary_runtime::{
	signing::sign_extrinsic, Runtime, RuntimeCall, RuntimeEvent, UncheckedExtrinsic,
};

use super::{to_hex, Node};

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
	RowInput { content_hash: content_hash(text.as_bytes()), byte_len: text.len() as u32, label: None }
}

pub fn hex(hash: &ContentHash) -> String {
	to_hex(hash)
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
	}
}
