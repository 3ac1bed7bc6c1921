//! PEFT adapters as the engine's loader reads them from the store or a peer:
//! `adapter_config.json` parsed as the registration carries it, then
//! [`LoadedAdapter::parse`] of the safetensors bytes against a small base model.
//!
//! Input: a little-endian u16 `n`, `n` bytes of `adapter_config.json`, then the safetensors bytes.
//! A config that does not parse is replaced by a valid rank-4 one, so the fuzzer reaches the
//! weights parser with any config bytes.

use tributary_engine::adapters::LoadedAdapter;
use tributary_model::peft::AdapterConfig;
use tributary_model::{LlamaConfig, LoraSpec, TargetModules};
use tributary_primitives::content_hash;

/// The largest rank the fuzzed engine serves.
pub const MAX_RANK: i64 = 16;

/// The base model adapters are checked against: 2 layers, hidden 16, 4 heads of which 2 for
/// keys and values.
pub fn base() -> LlamaConfig {
	LlamaConfig::tiny(64, 16, 2, 4, 2)
}

/// Splits an input into the config bytes and the weights bytes.
pub fn split(data: &[u8]) -> (&[u8], &[u8]) {
	let Some((length, rest)) = data.split_first_chunk::<2>() else { return (&[], data) };
	rest.split_at(usize::from(u16::from_le_bytes(*length)).min(rest.len()))
}

/// An input of `config` and `weights` in the layout [`split`] reads.
pub fn join(config: &[u8], weights: &[u8]) -> Vec<u8> {
	let length = u16::try_from(config.len()).expect("a config under 64 KiB");
	[&length.to_le_bytes()[..], config, weights].concat()
}

pub fn run(data: &[u8]) {
	let (config_bytes, weights) = split(data);
	let config = serde_json::from_slice::<AdapterConfig>(config_bytes).unwrap_or_else(|_| {
		let spec = LoraSpec::plain(4, 8.0, TargetModules::QV);
		AdapterConfig::new(&spec, "fuzz-base")
	});
	let base = base();
	let Ok(adapter) =
		LoadedAdapter::parse(&content_hash(weights), weights, &config, &base, MAX_RANK)
	else {
		return;
	};
	// What parses is what the device slots take: a positive rank within the limit, a finite
	// scale, and per module type A [layers, r, in] and B [layers, out, r].
	assert!((1..=MAX_RANK).contains(&adapter.rank), "rank {} was accepted", adapter.rank);
	assert!(adapter.scale.is_finite(), "scale {} was accepted", adapter.scale);
	for (module, a, b) in &adapter.modules {
		let (layers, r) = (base.num_hidden_layers, adapter.rank);
		let (a_size, b_size) = (a.size(), b.size());
		assert!(a_size.len() == 3 && a_size[..2] == [layers, r], "{module:?} A is {a_size:?}");
		assert!(
			b_size.len() == 3 && b_size[0] == layers && b_size[2] == r,
			"{module:?} B is {b_size:?}"
		);
	}
}
