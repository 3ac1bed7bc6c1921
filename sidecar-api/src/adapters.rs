//! `POST /v1/adapters`: serve stored adapter weights under a model id. The chain's off-chain
//! worker registers every model version on chain this way, naming the fine-tune job's settings
//! (from which the adapter's config is derived as the trainer wrote it) and the corpus it was
//! trained on (which attribution records credit). The same body again is a no-op.

use crate::{jobs::JobSettings, wire::Hash32};
use alloc::{string::String, vec::Vec};
use serde::{Deserialize, Serialize};
use tributary_primitives::models::{ModelId, ModelVersionId};

/// The on-chain model version a local model id serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainModel {
	pub model: ModelId,
	pub version: ModelVersionId,
}

/// One training row of an adapter, named as the chain names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpusRow {
	pub datanet: u32,
	pub row: u64,
	/// The content hash of the row's bytes.
	pub hash: Hash32,
}

/// One weighted adapter of a served model.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Member {
	/// The content hash of `adapter_model.safetensors`.
	pub adapter: Hash32,
	pub weight: f64,
}

/// The request. `PeftConfig` is the adapter's `adapter_config.json` as the sidecar reads it; the
/// chain never sends one (it sends `settings`) and uses `()`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
	deny_unknown_fields,
	bound(serialize = "PeftConfig: Serialize", deserialize = "PeftConfig: Deserialize<'de>")
)]
pub struct AdapterRegistration<PeftConfig = ()> {
	/// Model id to serve the adapter under.
	pub id: String,
	/// Hash of `adapter_model.safetensors` (in the store or at a peer).
	pub adapter_hash: Hash32,
	/// The adapter's `adapter_config.json`; or else `settings`.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub adapter_config: Option<PeftConfig>,
	/// The fine-tune job's settings, from which the adapter's config is derived.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub settings: Option<JobSettings>,
	/// The on-chain model version this id serves; needed for inference receipts.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub chain: Option<ChainModel>,
	/// The rows it was trained on; enables attribution of its answers.
	#[serde(default)]
	pub corpus: Vec<CorpusRow>,
}

/// The answer (`201`): what the id now serves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServedModel {
	pub id: String,
	pub adapters: Vec<Member>,
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub chain: Option<ChainModel>,
}
