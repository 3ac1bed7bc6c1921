//! Retrieval-augmented answers that cite their rows. A request asks with `"attribution": "rag"`
//! and/or `"rag": {"retrieve": k}`; the model's adapter must have a registered corpus. BM25
//! (tributary-attribution's `bm25` with the chain's constants, by default k1 = 1.2, b = 0.75) retrieves up to
//! `k` rows of that corpus for the query — the prompt the receipt signs (a chat's templated
//! conversation), as the chain requires; the rows go into the prompt
//! in the template of [`ground_completion`] / [`ground_chat`]; the answer's record has method
//! `Rag(params)` crediting the retrieved rows by BM25 score, and the response lists them as
//! `citations`.

use super::attribution::{failed, fetch_missing_rows, from_influence};
use super::error::ApiError;
use super::responses::CitationView;
use super::AppState;
use serde::Deserialize;
use tributary_attribution::bm25::{Bm25Index, Bm25Params};
use tributary_engine::registry::CorpusRow as RegisteredRow;
use tributary_jobs::influence::verified_corpus;
use tributary_model::chat::Message;
use tributary_primitives::attribution::{AttributionMethod, RagParams, RagSettings, RowRef};
use tributary_primitives::content_hash;

/// Rows retrieved when the request says `"attribution": "rag"` without `rag.retrieve` (fewer
/// when the chain allows fewer).
pub const DEFAULT_RETRIEVE: u32 = 3;

/// The request's `rag` extension.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RagRequest {
	/// How many rows to retrieve (at most) and put into the prompt.
	pub retrieve: u32,
}

/// Checks a requested row count against the chain's bound (`settings.max_retrieved`).
pub fn check_retrieve(retrieve: u32, settings: &RagSettings) -> Result<u32, ApiError> {
	let most = settings.max_retrieved;
	if (1..=most).contains(&retrieve) {
		Ok(retrieve)
	} else {
		Err(ApiError::invalid(
			"rag",
			format!("rag.retrieve must be between 1 and {most}, got {retrieve}"),
		))
	}
}

/// One retrieved row, as the prompt and the response's `citations` show it.
#[derive(Clone, Debug)]
pub struct Citation {
	pub row: RowRef,
	/// The row's bytes as text (invalid UTF-8 replaced by U+FFFD).
	pub text: String,
}

/// The response's `citations`: the retrieved rows, best first.
pub fn citation_views(citations: &[Citation]) -> Vec<CitationView> {
	citations
		.iter()
		.map(|c| CitationView { datanet: c.row.datanet, row: c.row.row, text: c.text.clone() })
		.collect()
}

/// The record method of a RAG answer retrieving up to `retrieve` rows for `query` with the
/// chain's BM25 constants.
pub fn method_for(query: &str, retrieve: u32, settings: &RagSettings) -> AttributionMethod {
	AttributionMethod::Rag(RagParams {
		query: content_hash(query.as_bytes()),
		retrieved: retrieve,
		k1_milli: settings.k1_milli,
		b_milli: settings.b_milli,
	})
}

/// Retrieves up to `retrieve` rows of `corpus` for `query` with the chain's BM25 constants, best
/// first (rows this worker lacks come from its peers). The answer's record later credits exactly
/// these rows.
pub async fn retrieve(
	state: &AppState,
	corpus: &[RegisteredRow],
	query: &str,
	retrieve: u32,
	settings: &RagSettings,
) -> Result<Vec<Citation>, ApiError> {
	fetch_missing_rows(state, corpus).await?;
	let bm25 = Bm25Params { k1_milli: settings.k1_milli, b_milli: settings.b_milli };
	let turn = state.attribution_queue.enter().await?;
	let (state, rows, query) = (state.clone(), corpus.to_vec(), query.as_bytes().to_vec());
	tokio::task::spawn_blocking(move || {
		let _turn = turn;
		let corpus = verified_corpus(&state.store, &rows).map_err(from_influence)?;
		let index = Bm25Index::build(&corpus);
		index
			.search(&query, bm25, retrieve as usize)
			.into_iter()
			.map(|hit| {
				let row = corpus
					.rows()
					.iter()
					.find(|row| row.row == hit.row)
					.ok_or_else(|| failed("BM25 returned a row outside the corpus"))?;
				Ok(Citation {
					row: hit.row,
					text: String::from_utf8_lossy(&row.bytes).into_owned(),
				})
			})
			.collect()
	})
	.await
	.expect("retrieval does not panic")
}

/// The sources block: `Sources:` then one `[i] <row text>` line per row, best first.
fn sources(citations: &[Citation]) -> String {
	let mut block = String::from("Sources:");
	for (i, citation) in citations.iter().enumerate() {
		block.push_str(&format!("\n[{}] {}", i + 1, citation.text));
	}
	block
}

/// A completion's grounded prompt: the sources block, a blank line, then the prompt. Without
/// retrieved rows the prompt is unchanged.
pub fn ground_completion(citations: &[Citation], prompt: &str) -> String {
	if citations.is_empty() {
		return prompt.to_string();
	}
	format!("{}\n\n{prompt}", sources(citations))
}

/// A chat's grounded messages: a first `system` message holding the sources block, then the
/// conversation. Without retrieved rows the messages are unchanged.
pub fn ground_chat(citations: &[Citation], messages: &[Message]) -> Vec<Message> {
	let mut grounded = Vec::with_capacity(messages.len() + 1);
	if !citations.is_empty() {
		grounded.push(Message::new("system", &sources(citations)));
	}
	grounded.extend_from_slice(messages);
	grounded
}
