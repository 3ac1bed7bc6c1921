//! The answer being attributed, and the canonical record every method builds from its scores.

use tributary_primitives::{
	attribution::{AttributionMethod, AttributionRecord, RowScore},
	ContentHash,
};

use crate::corpus::output_hash;

/// The answer being attributed: which model produced which tokens.
#[derive(Clone, Copy, Debug)]
pub struct Answer<'a> {
	pub model: ContentHash,
	pub adapter: Option<ContentHash>,
	/// Output token ids, in the model's tokenizer.
	pub output: &'a [u32],
}

/// The canonical record of `answer` with `scores` (sorted as the method sorts them) over the
/// corpus `corpus`: its `top` is the first `top_k` scores.
pub(crate) fn assemble(
	method: AttributionMethod,
	corpus: ContentHash,
	answer: &Answer,
	scores: Vec<RowScore>,
	top_k: u32,
) -> AttributionRecord {
	let top = AttributionRecord::top_of(&scores, top_k);
	AttributionRecord {
		method,
		model: answer.model,
		adapter: answer.adapter,
		corpus,
		output: output_hash(answer.output),
		scores,
		top_k,
		top,
	}
}
