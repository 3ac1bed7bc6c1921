//! What happens to one row's logits [vocab] between the model and the token choice: OpenAI's
//! penalties and biases, and the log-probabilities reported to the caller; and a prompt's
//! hidden states pooled into its embedding.

use crate::constraint::Mask;
use crate::request::{Pooling, SamplingParams, TokenLogprob};
use std::collections::HashMap;
use tch::{Kind, Tensor};

/// `logits` [vocab] with the penalties for the tokens generated so far (`counts`: token →
/// occurrences) and the biases applied, as OpenAI defines them:
/// `logit[j] -= count[j] * frequency_penalty + (count[j] > 0) * presence_penalty`, then
/// `logit[j] += logit_bias[j]`; then the tokens `mask` does not allow set to -inf.
pub(crate) fn adjusted(
	logits: &Tensor,
	sampling: &SamplingParams,
	counts: &HashMap<u32, u32>,
	mask: Option<&Mask>,
) -> Tensor {
	let mut values =
		Vec::<f32>::try_from(logits.to_kind(Kind::Float)).expect("logits are a 1-D tensor");
	let penalised = sampling.presence_penalty != 0.0 || sampling.frequency_penalty != 0.0;
	if penalised {
		for (&token, &count) in counts {
			if let Some(value) = values.get_mut(token as usize) {
				*value -= count as f32 * sampling.frequency_penalty + sampling.presence_penalty;
			}
		}
	}
	for &(token, bias) in &sampling.logit_bias {
		if let Some(value) = values.get_mut(token as usize) {
			*value += bias;
		}
	}
	if let Some(mask) = mask {
		mask.apply(&mut values);
	}
	Tensor::from_slice(&values)
}

/// The log-probability of `token` in the distribution of `logits` [vocab] and the `top` likeliest
/// tokens with theirs.
pub(crate) fn token_logprob(logits: &Tensor, token: u32, top: usize) -> TokenLogprob {
	let logprobs = logits.log_softmax(-1, Kind::Float);
	let logprob = logprobs.double_value(&[token as i64]) as f32;
	TokenLogprob { token, logprob, top: likeliest(&logprobs, top) }
}

/// The log-probability of each prompt token after the first, from the prompt's logits
/// [t, vocab] (position i predicts token i + 1).
pub(crate) fn prompt_logprobs(logits: &Tensor, prompt: &[u32], top: usize) -> Vec<TokenLogprob> {
	let t = prompt.len() as i64;
	if t < 2 {
		return Vec::new();
	}
	let logprobs = logits.narrow(0, 0, t - 1).log_softmax(-1, Kind::Float);
	let next: Vec<i64> = prompt[1..].iter().map(|&token| token as i64).collect();
	let chosen = logprobs
		.gather(1, &Tensor::from_slice(&next).unsqueeze(1), false)
		.squeeze_dim(1);
	let chosen = Vec::<f32>::try_from(chosen).expect("a 1-D float tensor");
	prompt[1..]
		.iter()
		.zip(chosen)
		.enumerate()
		.map(|(position, (&token, logprob))| TokenLogprob {
			token,
			logprob,
			top: likeliest(&logprobs.get(position as i64), top),
		})
		.collect()
}

/// The unit-length embedding of a prompt's final hidden states [t, hidden].
pub(crate) fn pooled(hidden: &Tensor, pooling: Pooling) -> Vec<f32> {
	let pooled = match pooling {
		Pooling::Mean => hidden.mean_dim(0, false, Kind::Float),
		Pooling::Last => hidden.get(-1),
	};
	let norm = pooled.norm().double_value(&[]).max(1e-12);
	Vec::<f32>::try_from(pooled / norm).expect("a 1-D float tensor")
}

/// The `k` likeliest tokens of `logprobs` [vocab], best first.
fn likeliest(logprobs: &Tensor, k: usize) -> Vec<(u32, f32)> {
	if k == 0 {
		return Vec::new();
	}
	let k = (k as i64).min(logprobs.size()[0]);
	let (values, ids) = logprobs.topk(k, 0, true, true);
	let values = Vec::<f32>::try_from(values).expect("a 1-D float tensor");
	let ids = Vec::<i64>::try_from(ids).expect("a 1-D i64 tensor");
	ids.into_iter().map(|id| id as u32).zip(values).collect()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn penalties_lower_generated_tokens_and_biases_add() {
		let logits = Tensor::from_slice(&[1.0f32, 2.0, 3.0, 4.0]);
		let counts = HashMap::from([(1, 2), (3, 1)]);
		let sampling = SamplingParams {
			presence_penalty: 0.5,
			frequency_penalty: 0.25,
			logit_bias: vec![(0, 10.0), (9, 5.0)],
			..SamplingParams::greedy()
		};
		let adjusted = Vec::<f32>::try_from(adjusted(&logits, &sampling, &counts, None)).unwrap();
		assert_eq!(adjusted, vec![11.0, 2.0 - 0.5 - 0.5, 3.0, 4.0 - 0.25 - 0.5]);
	}

	#[test]
	fn embeddings_pool_and_have_unit_length() {
		let hidden = Tensor::from_slice(&[3.0f32, 0.0, 1.0, 0.0, 0.0, 4.0]).view([3, 2]);
		assert_eq!(pooled(&hidden, Pooling::Last), vec![0.0, 1.0]);
		// The mean (4/3, 4/3) scaled to unit length.
		let mean = pooled(&hidden, Pooling::Mean);
		assert!(mean.iter().all(|v| (v - 0.5f32.sqrt()).abs() < 1e-6), "{mean:?}");
	}

	#[test]
	fn logprobs_are_the_log_softmax_with_the_likeliest_first() {
		let logits = Tensor::from_slice(&[0.0f32, 1.0, 2.0]);
		let total = (1.0f32 + 1f32.exp() + 2f32.exp()).ln();
		let reported = token_logprob(&logits, 0, 2);
		assert!((reported.logprob - (0.0 - total)).abs() < 1e-6);
		assert_eq!(reported.top.iter().map(|(id, _)| *id).collect::<Vec<_>>(), vec![2, 1]);
		assert!((reported.top[0].1 - (2.0 - total)).abs() < 1e-6);

		// Two positions predicting tokens 2 and 0 of the prompt [1, 2, 0].
		let rows = Tensor::stack(&[logits.shallow_clone(), logits.flip([0])], 0);
		let prompt = prompt_logprobs(&rows, &[1, 2, 0], 1);
		assert_eq!(prompt.len(), 2);
		assert_eq!((prompt[0].token, prompt[1].token), (2, 0));
		assert!((prompt[0].logprob - (2.0 - total)).abs() < 1e-6);
		assert!((prompt[1].logprob - (2.0 - total)).abs() < 1e-6);
		assert_eq!(prompt[1].top.len(), 1);
		assert_eq!(prompt[1].top[0].0, 0);
		assert!((prompt[1].top[0].1 - (2.0 - total)).abs() < 1e-6);
		assert!(prompt_logprobs(&rows, &[1], 1).is_empty());
	}
}
