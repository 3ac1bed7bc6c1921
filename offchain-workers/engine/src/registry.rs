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
use std::collections::{btree_map, BTreeMap};
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
	#[error(
		"adapter {adapter} is already registered with another {what}; an adapter's {what} never \
		 changes (register the adapter it was trained as, or a new adapter)"
	)]
	AdapterConflict { adapter: Hash32, what: &'static str },
	#[error("model id {id:?} already serves chain model {} version {}; it cannot serve {} version {} too", .existing.model, .existing.version, .requested.model, .requested.version)]
	ChainMismatch { id: String, existing: ChainModel, requested: ChainModel },
	#[error("chain model {} version {} is already served as {other:?}", .chain.model, .chain.version)]
	ChainTaken { chain: ChainModel, other: String },
	#[error("invalid model entry: {0}")]
	Invalid(String),
	#[error("registry file {path}: {source}")]
	File { path: PathBuf, source: std::io::Error },
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

/// What a registration says of one adapter: its PEFT config and, when known, the rows it was
/// trained on (empty: unknown). Both are fixed by the first registration that gives them.
pub struct AdapterFacts {
	pub hash: Hash32,
	pub config: AdapterConfig,
	pub corpus: Vec<CorpusRow>,
}

impl Registry {
	/// Opens `<data_dir>/registry.json`. A file that does not parse is quarantined (with a log
	/// line) and the registry starts empty: the chain's off-chain worker registers its models
	/// again.
	pub fn open(data_dir: &Path) -> Result<Registry, RegistryError> {
		let path = data_dir.join("registry.json");
		let file_error = |source| RegistryError::File { path: path.clone(), source };
		tributary_durable::remove_partials(data_dir).map_err(file_error)?;
		let contents = match std::fs::read_to_string(&path) {
			Ok(text) => match serde_json::from_str(&text) {
				Ok(contents) => contents,
				Err(error) => {
					let why = format!("not a model registry: {error}");
					tributary_durable::quarantine(&path, &why).map_err(file_error)?;
					Contents::default()
				},
			},
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => Contents::default(),
			Err(source) => return Err(file_error(source)),
		};
		Ok(Registry { path, contents: RwLock::new(contents) })
	}

	fn persist(&self, contents: &Contents) -> Result<(), RegistryError> {
		let text = serde_json::to_string_pretty(contents).expect("the registry always serializes");
		tributary_durable::write(&self.path, text.as_bytes())
			.map_err(|source| RegistryError::File { path: self.path.clone(), source })
	}

	/// Registers `id` → `members`, recording what `adapters` says of each adapter and, with
	/// `chain`, the on-chain model version the id serves. Registering the same entry again is a
	/// no-op (the chain's off-chain worker retries); a different entry under a taken id is refused.
	/// An adapter's config and training rows, once known, never change: other ids serve the same
	/// adapter, and attribution credits its rows. A chain version may be added to an id registered
	/// without one, never changed, and is served by one id only. Nothing is changed unless the
	/// whole registration is accepted.
	pub fn register(
		&self,
		id: &str,
		members: Vec<Member>,
		adapters: Vec<AdapterFacts>,
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
		for facts in &adapters {
			let adapter = facts.hash;
			facts
				.config
				.spec()
				.map_err(|reason| RegistryError::Invalid(format!("adapter {adapter}: {reason}")))?;
			if contents
				.adapter_configs
				.get(&adapter)
				.is_some_and(|known| *known != facts.config)
			{
				return Err(RegistryError::AdapterConflict { adapter, what: "config" });
			}
			let known_corpus = contents.adapter_corpora.get(&adapter);
			if !facts.corpus.is_empty() && known_corpus.is_some_and(|known| *known != facts.corpus)
			{
				return Err(RegistryError::AdapterConflict { adapter, what: "training corpus" });
			}
		}
		let known = |adapter: &Hash32| {
			contents.adapter_configs.contains_key(adapter)
				|| adapters.iter().any(|facts| facts.hash == *adapter)
		};
		if let Some(member) = members.iter().find(|m| !known(&m.adapter)) {
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
		let existing = contents.models.get(id).cloned();
		if let Some(existing) = &existing {
			if existing.members != members {
				return Err(RegistryError::Conflict(id.to_string()));
			}
			if let (Some(known), Some(requested)) = (existing.chain, chain) {
				if known != requested {
					return Err(RegistryError::ChainMismatch {
						id: id.to_string(),
						existing: known,
						requested,
					});
				}
			}
		}
		// Accepted: record only what is new.
		let mut changed = false;
		for facts in adapters {
			if let btree_map::Entry::Vacant(entry) = contents.adapter_configs.entry(facts.hash) {
				entry.insert(facts.config);
				changed = true;
			}
			if !facts.corpus.is_empty() && !contents.adapter_corpora.contains_key(&facts.hash) {
				contents.adapter_corpora.insert(facts.hash, facts.corpus);
				changed = true;
			}
		}
		let entry = match existing {
			Some(mut entry) => {
				if entry.chain.is_none() && chain.is_some() {
					entry.chain = chain;
					contents.models.insert(id.to_string(), entry.clone());
					changed = true;
				}
				entry
			},
			None => {
				let created = std::time::SystemTime::now()
					.duration_since(std::time::UNIX_EPOCH)
					.map(|d| d.as_secs())
					.unwrap_or_default();
				let entry = ModelEntry { members, created, chain };
				contents.models.insert(id.to_string(), entry.clone());
				changed = true;
				entry
			},
		};
		if changed {
			self.persist(&contents)?;
		}
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

#[cfg(test)]
mod tests {
	use super::*;
	use tributary_model::{LoraSpec, TargetModules};

	fn config(rank: i64) -> AdapterConfig {
		let spec = LoraSpec::plain(rank, 16.0, TargetModules::QV);
		AdapterConfig::new(&spec, "base")
	}

	fn corpus(rows: u64) -> Vec<CorpusRow> {
		(0..rows)
			.map(|row| CorpusRow { datanet: 1, row, hash: Hash32([row as u8; 32]) })
			.collect()
	}

	fn one(hash: Hash32) -> Vec<Member> {
		vec![Member { adapter: hash, weight: 1.0 }]
	}

	#[test]
	fn an_adapters_config_and_corpus_never_change_once_registered() {
		let dir = tempfile::tempdir().unwrap();
		let registry = Registry::open(dir.path()).unwrap();
		let adapter = Hash32([7; 32]);
		let facts =
			|rank, rows| AdapterFacts { hash: adapter, config: config(rank), corpus: corpus(rows) };
		registry.register("river", one(adapter), vec![facts(4, 3)], None).unwrap();
		let error = registry.register("other", one(adapter), vec![facts(8, 3)], None).unwrap_err();
		assert!(matches!(error, RegistryError::AdapterConflict { what: "config", .. }), "{error}");
		let error = registry.register("river", one(adapter), vec![facts(4, 2)], None).unwrap_err();
		assert!(matches!(error, RegistryError::AdapterConflict { what: "training corpus", .. }));
		assert!(registry.models().iter().all(|(id, _)| id == "river"), "nothing was registered");
		// The same facts again, or no corpus, are accepted and change nothing.
		registry.register("river", one(adapter), vec![facts(4, 3)], None).unwrap();
		registry.register("alias", one(adapter), vec![facts(4, 0)], None).unwrap();
		let reopened = Registry::open(dir.path()).unwrap();
		assert_eq!(reopened.adapter_config(adapter), Some(config(4)));
		assert_eq!(reopened.corpus_of(adapter), Some(corpus(3)));
		assert_eq!(reopened.models().len(), 2);
	}

	#[test]
	fn a_refused_registration_records_nothing() {
		let dir = tempfile::tempdir().unwrap();
		let registry = Registry::open(dir.path()).unwrap();
		let (first, second) = (Hash32([1; 32]), Hash32([2; 32]));
		let facts = |hash| AdapterFacts { hash, config: config(4), corpus: corpus(2) };
		registry.register("river", one(first), vec![facts(first)], None).unwrap();
		// A taken id with other adapters: the new adapter's facts are not kept either.
		let error = registry.register("river", one(second), vec![facts(second)], None).unwrap_err();
		assert!(matches!(error, RegistryError::Conflict(_)), "{error}");
		assert_eq!(registry.adapter_config(second), None);
		assert_eq!(registry.corpus_of(second), None);
	}

	#[test]
	fn a_damaged_registry_is_quarantined_and_the_worker_starts_empty() {
		let dir = tempfile::tempdir().unwrap();
		let registry = Registry::open(dir.path()).unwrap();
		let adapter = Hash32([3; 32]);
		let facts = AdapterFacts { hash: adapter, config: config(4), corpus: corpus(1) };
		registry.register("river", one(adapter), vec![facts], None).unwrap();
		let path = dir.path().join("registry.json");
		let text = std::fs::read(&path).unwrap();
		std::fs::write(&path, &text[..text.len() / 2]).unwrap();
		let reopened = Registry::open(dir.path()).unwrap();
		assert!(reopened.models().is_empty());
		let quarantined: Vec<_> =
			std::fs::read_dir(dir.path().join("quarantine")).unwrap().collect();
		assert_eq!(quarantined.len(), 1, "the damaged file is kept for a human");
	}
}
