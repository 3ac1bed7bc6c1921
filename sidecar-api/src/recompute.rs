//! `POST /attribution/recompute`: a drawn recomputer's sidecar computes a disputed record again
//! from the answer's text (its own store or its peers'), with the method the record names.

use crate::{
	adapters::ChainModel,
	wire::{Hash32, HexBytes},
};
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecomputeRequest {
	/// The on-chain model version the receipt names.
	pub chain: ChainModel,
	/// blake2-256 of the answer's text bytes.
	pub output_hash: Hash32,
	/// The SCALE encoding of the record's `AttributionMethod`.
	pub method_scale: HexBytes,
}

/// A row's share of the credit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoredRow {
	pub datanet: u32,
	pub row: u64,
	pub parts_per_billion: u32,
}

/// The answer: `202` while running (ask again), `200` when done. An answer whose text no store
/// serves is a `404` error with code [`OUTPUT_UNAVAILABLE`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RecomputeState {
	Running,
	Done {
		/// `blake2_256(SCALE(method, body, top))`, what `submit_recomputation` takes.
		commitment: Hash32,
		/// The whole `AttributionRecord`, SCALE-encoded (to prove a forged top).
		record_scale: HexBytes,
		/// The record's top rows, highest first.
		top: Vec<ScoredRow>,
	},
}

/// The error code of a recomputation whose answer text is in no store the sidecar can reach.
pub const OUTPUT_UNAVAILABLE: &str = "output_unavailable";
