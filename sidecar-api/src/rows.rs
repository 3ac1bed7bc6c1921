//! Rows as the sidecar sees their bytes.
//!
//! - `POST /rows/check` ([`RowsToCheck`] → [`ChecksAccepted`]): the chain's off-chain worker
//!   hands over newly contributed rows; the sidecar fetches their bytes, scores their quality and
//!   compares them with the rows contributed before them, in every datanet (tributary-dedup).
//! - `GET /rows/{datanet}/{row}` ([`RowCheck`]): what the check found, for curators before they
//!   approve.
//! - `GET /rows/reports` ([`RowReports`]): rows at odds with the chain, for pallet-datanets'
//!   `report_row`.

use crate::wire::Hash32;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

/// What a job observed about one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RowProblem {
	/// The row's bytes (which hash to the row) are `observed` long, not the `declared` `byte_len`.
	ByteLenMismatch { declared: u64, observed: u64 },
	/// Neither the sidecar's store nor any peer serves the row (every peer answered "not found").
	Unfetchable,
	/// The row repeats row `original` of datanet `original_datanet`, contributed before it:
	/// `similarity_ppm` of its word bigrams occur in earlier rows.
	NearDuplicate { original_datanet: u32, original: u64, similarity_ppm: u32 },
}

/// One reported row, named as the chain names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowReport {
	pub datanet: u32,
	pub row: u64,
	/// The row's content hash, as the job named it.
	pub hash: Hash32,
	#[serde(flatten)]
	pub problem: RowProblem,
}

/// The answer: every report, in (datanet, row) order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowReports {
	pub reports: Vec<RowReport>,
}

/// One row to check, named as the chain names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowToCheck {
	pub datanet: u32,
	pub row: u64,
	/// The row's content hash on chain.
	pub hash: Hash32,
	/// The block it was contributed in: rows are compared with the rows contributed before them
	/// (an earlier block, or the same block and a lower `(datanet, row)`), in any datanet.
	pub contributed_at: u64,
}

/// The request of `POST /rows/check`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowsToCheck {
	pub rows: Vec<RowToCheck>,
}

/// The answer: how many of the rows were new to the sidecar, and how many of all it knows
/// still wait for their bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecksAccepted {
	pub accepted: u32,
	pub waiting: u32,
}

/// Advisory quality signals of a row's bytes (shares in parts per million of its characters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RowQuality {
	pub bytes: u64,
	/// Whether the bytes are UTF-8 text (the trainer trains on text only).
	pub utf8: bool,
	pub chars: u64,
	pub words: u64,
	/// Distinct words over words: low for a row repeating itself.
	pub distinct_words_ppm: u32,
	pub letters_ppm: u32,
	pub digits_ppm: u32,
	pub whitespace_ppm: u32,
	pub punctuation_ppm: u32,
	/// Control and undecodable characters.
	pub control_ppm: u32,
	/// Perplexity under the sidecar's base model: `exp` of the mean next-token loss of the row's
	/// first 512 tokens. `null` for a row that is not UTF-8 text or has one token, or when the
	/// sidecar has no base model to score with.
	pub perplexity: Option<f64>,
}

/// The earlier row (of any datanet) closest to a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosestRow {
	pub original_datanet: u32,
	pub original: u64,
	/// Share of the row's word bigrams found in earlier rows, ppm.
	pub similarity_ppm: u32,
	/// Earlier rows sharing at least one bigram with it.
	pub sources: u32,
}

/// Where the check of a row stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
	/// Its bytes are not in this store yet and no peer served them so far.
	Waiting,
	Checked,
}

/// The answer of `GET /rows/{datanet}/{row}`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowCheck {
	pub datanet: u32,
	pub row: u64,
	pub hash: Hash32,
	pub contributed_at: u64,
	pub status: CheckStatus,
	/// Once checked.
	pub quality: Option<RowQuality>,
	/// Once checked, when any earlier row shares a word bigram with it.
	pub closest: Option<ClosestRow>,
	/// Whether `closest` reaches the sidecar's near-duplicate threshold (then the row is on
	/// `GET /rows/reports`).
	pub near_duplicate: bool,
	/// Rows checked since that are near-duplicates of this one.
	pub copies: u32,
}
