//! Autoregressive decoding with a key/value cache.

use crate::error::{ModelError, Result};
use crate::kv_cache::KvCache;
use crate::model::Llama;
use crate::rng::SplitMix64;
use tch::{Kind, Tensor};

/// How the next token is chosen from the logits.
#[derive(Clone, Debug, PartialEq)]
pub enum Sampling {
	/// The most likely token.
	Greedy,
	/// A draw from softmax(logits / temperature), restricted to the `top_k` most likely tokens when
	/// set, from a generator seeded with `seed` so a request can be replayed exactly.
	Temperature { temperature: f64, top_k: Option<i64>, seed: u64 },
}

/// Generates up to `max_new_tokens` after `prompt`, stopping early at any of `stop_tokens`.
/// Returns the new tokens only (including a stop token that ended decoding).
pub fn generate(
	model: &Llama,
	prompt: &[u32],
	max_new_tokens: usize,
	sampling: &Sampling,
	stop_tokens: &[u32],
) -> Result<Vec<u32>> {
	if prompt.is_empty() {
		return Err(ModelError::EmptyPrompt);
	}
	tch::no_grad(|| -> Result<Vec<u32>> {
		let device = model.device();
		let mut cache = KvCache::new(&model.config);
		let mut rng = match sampling {
			Sampling::Temperature { seed, .. } => Some(SplitMix64(*seed)),
			Sampling::Greedy => None,
		};
		let ids: Vec<i64> = prompt.iter().map(|&t| t as i64).collect();
		let mut input = Tensor::from_slice(&ids).unsqueeze(0).to_device(device);
		let mut out = Vec::with_capacity(max_new_tokens);
		for _ in 0..max_new_tokens {
			let logits = model.forward_cached(&input, &mut cache)?;
			let last = logits.select(1, -1).squeeze_dim(0).to_kind(Kind::Float);
			let next = match (sampling, rng.as_mut()) {
				(Sampling::Temperature { temperature, top_k, .. }, Some(rng)) => {
					sample(&last, *temperature, *top_k, rng)
				},
				_ => i64::try_from(last.argmax(-1, false))? as u32,
			};
			out.push(next);
			if stop_tokens.contains(&next) {
				break;
			}
			input = Tensor::from_slice(&[next as i64]).unsqueeze(0).to_device(device);
		}
		Ok(out)
	})
}

/// Inverse-CDF draw from softmax(logits / temperature) over the top-k tokens.
fn sample(logits: &Tensor, temperature: f64, top_k: Option<i64>, rng: &mut SplitMix64) -> u32 {
	sample_logits(logits, temperature, top_k, 1.0, rng)
}

/// Inverse-CDF draw from softmax(logits / temperature) over the `top_k` most likely tokens (all
/// when `None`), further cut to the smallest prefix whose probability reaches `top_p` (nucleus
/// sampling). logits: [vocab]. One draw from `rng` per token, so a seeded request replays exactly.
pub fn sample_logits(
	logits: &Tensor,
	temperature: f64,
	top_k: Option<i64>,
	top_p: f64,
	rng: &mut SplitMix64,
) -> u32 {
	let vocab = logits.size()[0];
	let k = top_k.unwrap_or(vocab).clamp(1, vocab);
	let (top_logits, top_ids) = logits.topk(k, 0, true, true);
	let probs: Vec<f64> = Vec::try_from(
		(top_logits / temperature.max(1e-6))
			.softmax(0, Kind::Double)
			.to_device(tch::Device::Cpu),
	)
	.expect("probabilities are a 1-D double tensor");
	let ids: Vec<i64> =
		Vec::try_from(top_ids.to_device(tch::Device::Cpu)).expect("ids are a 1-D i64 tensor");
	let mut kept = probs.len();
	if top_p < 1.0 {
		let mut mass = 0.0;
		for (i, p) in probs.iter().enumerate() {
			mass += p;
			if mass >= top_p {
				kept = i + 1;
				break;
			}
		}
	}
	// The nucleus is renormalised; without a cut the draw is the unscaled one.
	let total: f64 = if kept == probs.len() { 1.0 } else { probs[..kept].iter().sum() };
	let draw = rng.next_f64() * total;
	let mut cumulative = 0.0;
	for (p, id) in probs[..kept].iter().zip(&ids) {
		cumulative += p;
		if draw < cumulative {
			return *id as u32;
		}
	}
	ids[kept - 1] as u32
}
