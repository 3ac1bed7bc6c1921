//! `GET /rows/reports`: rows whose bytes a job found at odds with the chain, for
//! pallet-datanets' `report_row`.

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
