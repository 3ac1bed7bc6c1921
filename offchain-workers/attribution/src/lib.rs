//! Proof of Attribution engine: which datanet rows shaped an answer.
//!
//! - [`index`]: a suffix array over the token ids of a model's training rows (SA-IS, O(n)),
//!   persisted in a checksummed little-endian file ([`format`]) and memory-mapped for queries.
//! - [`span`]: infini-gram style span attribution — longest corpus matches of the output,
//!   credited to the rows containing them, weighted by length and rarity.
//! - [`bm25`]: BM25 retrieval for retrieval-augmented answers; cited rows become attribution.
//! - [`store`]: a directory of index files named by input hash; open if intact, else build.
//! - [`credit`]: credit to the first contributor — a near-duplicate row's credit goes to the
//!   earlier row it repeats.
//! - [`answer`]: the answer being attributed and the canonical record built from its scores.
//! - [`record`]: the canonical [`AttributionRecord`](tributary_primitives::attribution::AttributionRecord)
//!   of each method and [`recompute`](record::recompute), which validators run in disputes.
//!
//! - [`influence`]: gradient influence (TracIn / DataInf) on projected LoRA gradients, with
//!   per-row gradient sketches stored beside the adapter. The only module that uses tch.

pub mod answer;
pub mod bm25;
pub mod corpus;
pub mod credit;
pub mod error;
pub mod format;
pub mod index;
pub mod influence;
pub mod record;
mod sais;
pub mod span;
pub mod store;

pub use answer::Answer;
pub use corpus::{ByteTokenizer, CorpusRow, HfTokenizer, Tokenizer, VerifiedCorpus};
pub use credit::CreditOwners;
pub use error::AttributionError;
pub use index::{SuffixIndex, TokenizedCorpus};
pub use influence::{
	build_sketch, influence_record, open_or_build_sketch, AdaptedModel, InfluenceRequest,
	InfluenceScoring, InfluenceSketch, SketchParams, SketchSource,
};
pub use record::{
	check_reported, rag_record, recompute, span_record, MethodRequest, RecomputeRequest, Verdict,
};
