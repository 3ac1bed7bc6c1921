//! The local model registry: which adapter(s) a model id served by `/v1/*` stands for.
//!
//! A model id maps to one adapter hash (a fine-tuned model version) or to several weighted ones
//! (an ensemble). The adapter's PEFT config (rank, alpha, target modules) is kept next to its hash,
//! because the hash covers only the weights file. The registry lives in `<data_dir>/registry.json`
//! and is rewritten atomically on every change. Entries come from `POST /v1/adapters`, from merges
//! and ensembles, and from finished train jobs; the chain integration feeds the same endpoint.
//! An id registered by the chain's off-chain worker also records which on-chain model version it
//! serves ([`ChainModel`]); inference receipts name that version.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use tributary_model::peft::AdapterConfig;
pub use tributary_sidecar_api::adapters::{ChainModel, CorpusRow, Member};
use tributary_sidecar_api::wire::Hash32;

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
	#[error("model {0:?} is not registered")]
	UnknownModel(String),
	#[error("adapter {0} has no registered config")]
	UnknownAdapter(Hash32),
	#[error("model id {0:?} is already registered with different adapters")]
	Conflict(String),
	#[error("model id {id:?} already serves chain model {} version {}; it cannot serve {} version {} too", .existing.model, .existing.version, .requested.model, .requested.version)]
	ChainMismatch { id: String, existing: ChainModel, requested: ChainModel },
	#[error("chain model {} version {} is already served as {other:?}", .chain.model, .chain.version)]
	ChainTaken { chain: ChainModel, other: String },
	#[error("invalid model entry: {0}")]
	Invalid(String),
	#[error("registry file {path}: {source}")]
	File { path: PathBuf, source: std::io::Error },
	#[error("registry file {path} does not parse: {source}")]
	Corrupt { path: PathBuf, source: serde_json::Error },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelEntry {
	pub members: Vec<Member>,
	/// Seconds since the Unix epoch.
	pub created: u64,
	/// Set when the id serves an on-chain model version.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub chain: Option<ChainModel>,
}

#[derive(Default, Serialize, Deserialize)]
struct Contents {
	models: BTreeMap<String, ModelEntry>,
	adapter_configs: BTreeMap<Hash32, AdapterConfig>,
	/// The rows each adapter was trained on, when known.
	#[serde(default)]
	adapter_corpora: BTreeMap<Hash32, Vec<CorpusRow>>,
}

pub struct Registry {
	path: PathBuf,
	contents: RwLock<Contents>,
}

/// A model id resolved for the engine: each adapter's hash, config and weight.
pub type Resolved = Vec<(Hash32, AdapterConfig, f64)>;

impl Registry {
	pub fn open(data_dir: &Path) -> Result<Registry, RegistryError> {
		let path = data_dir.join("registry.json");
		let contents = match std::fs::read_to_string(&path) {
			Ok(text) => serde_json::from_str(&text)
				.map_err(|source| RegistryError::Corrupt { path: path.clone(), source })?,
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => Contents::default(),
			Err(source) => return Err(RegistryError::File { path, source }),
		};
		Ok(Registry { path, contents: RwLock::new(contents) })
	}

	fn persist(&self, contents: &Contents) -> Result<(), RegistryError> {
		let text = serde_json::to_string_pretty(contents).expect("the registry always serializes");
		let partial = self.path.with_extension("json.partial");
		let file_error = |source| RegistryError::File { path: self.path.clone(), source };
		std::fs::write(&partial, text).map_err(file_error)?;
		std::fs::rename(&partial, &self.path).map_err(file_error)
	}

	/// Registers `id` → `members`, recording each adapter's config and, with `chain`, the on-chain
	/// model version the id serves. Registering the same entry again is a no-op (the chain's
	/// off-chain worker retries); a different entry under a taken id is refused. A chain version
	/// may be added to an id registered without one, never changed, and is served by one id only.
	pub fn register(
		&self,
		id: &str,
		members: Vec<Member>,
		configs: Vec<(Hash32, AdapterConfig)>,
		chain: Option<ChainModel>,
	) -> Result<ModelEntry, RegistryError> {
		if id.is_empty() || id.len() > 256 || id.chars().any(|c| c.is_control() || c == '/') {
			return Err(RegistryError::Invalid(format!(
				"model id {id:?} must be 1-256 printable characters without '/'"
			)));
		}
		if members.is_empty() {
			return Err(RegistryError::Invalid("a model needs at least one adapter".into()));
		}
		if let Some(member) = members.iter().find(|m| !m.weight.is_finite()) {
			return Err(RegistryError::Invalid(format!(
				"weight of {} is not a finite number",
				member.adapter
			)));
		}
		let mut contents = self.contents.write().expect("registry lock");
		for (hash, config) in configs {
			config
				.spec()
				.map_err(|reason| RegistryError::Invalid(format!("adapter {hash}: {reason}")))?;
			contents.adapter_configs.insert(hash, config);
		}
		if let Some(member) =
			members.iter().find(|m| !contents.adapter_configs.contains_key(&m.adapter))
		{
			return Err(RegistryError::UnknownAdapter(member.adapter));
		}
		if let Some(requested) = chain {
			let served_by_another = contents
				.models
				.iter()
				.find(|(other, entry)| *other != id && entry.chain == chain);
			if let Some((other, _)) = served_by_another {
				return Err(RegistryError::ChainTaken { chain: requested, other: other.clone() });
			}
		}
		if let Some(existing) = contents.models.get_mut(id) {
			if existing.members != members {
				return Err(RegistryError::Conflict(id.to_string()));
			}
			match (existing.chain, chain) {
				(_, None) => return Ok(existing.clone()),
				(Some(known), Some(requested)) if known == requested => return Ok(existing.clone()),
				(Some(known), Some(requested)) => {
					return Err(RegistryError::ChainMismatch {
						id: id.to_string(),
						existing: known,
						requested,
					})
				},
				(None, Some(_)) => existing.chain = chain,
			}
			let entry = existing.clone();
			self.persist(&contents)?;
			return Ok(entry);
		}
		let created = std::time::SystemTime::now()
			.duration_since(std::time::UNIX_EPOCH)
			.map(|d| d.as_secs())
			.unwrap_or_default();
		let entry = ModelEntry { members, created, chain };
		contents.models.insert(id.to_string(), entry.clone());
		self.persist(&contents)?;
		Ok(entry)
	}

	/// The on-chain model version `id` serves, if it was registered with one.
	pub fn chain_of(&self, id: &str) -> Option<ChainModel> {
		self.contents
			.read()
			.expect("registry lock")
			.models
			.get(id)
			.and_then(|entry| entry.chain)
	}

	/// The model id serving on-chain model version `chain`, if this worker serves it.
	pub fn model_serving(&self, chain: ChainModel) -> Option<String> {
		let contents = self.contents.read().expect("registry lock");
		contents
			.models
			.iter()
			.find(|(_, entry)| entry.chain == Some(chain))
			.map(|(id, _)| id.clone())
	}

	pub fn resolve(&self, id: &str) -> Result<Resolved, RegistryError> {
		let contents = self.contents.read().expect("registry lock");
		let entry = contents
			.models
			.get(id)
			.ok_or_else(|| RegistryError::UnknownModel(id.to_string()))?;
		entry
			.members
			.iter()
			.map(|m| {
				let config = contents
					.adapter_configs
					.get(&m.adapter)
					.ok_or(RegistryError::UnknownAdapter(m.adapter))?;
				Ok((m.adapter, config.clone(), m.weight))
			})
			.collect()
	}

	/// Records the training rows of adapter `hash`.
	pub fn record_corpus(&self, hash: Hash32, corpus: Vec<CorpusRow>) -> Result<(), RegistryError> {
		let mut contents = self.contents.write().expect("registry lock");
		if !contents.adapter_configs.contains_key(&hash) {
			return Err(RegistryError::UnknownAdapter(hash));
		}
		contents.adapter_corpora.insert(hash, corpus);
		self.persist(&contents)
	}

	pub fn corpus_of(&self, hash: Hash32) -> Option<Vec<CorpusRow>> {
		self.contents.read().expect("registry lock").adapter_corpora.get(&hash).cloned()
	}

	pub fn adapter_config(&self, hash: Hash32) -> Option<AdapterConfig> {
		self.contents.read().expect("registry lock").adapter_configs.get(&hash).cloned()
	}

	pub fn models(&self) -> Vec<(String, ModelEntry)> {
		let contents = self.contents.read().expect("registry lock");
		contents.models.iter().map(|(id, entry)| (id.clone(), entry.clone())).collect()
	}
}
