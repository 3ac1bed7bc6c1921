//! What jobs saw wrong with the chain's rows, for the chain's off-chain worker to report
//! (pallet-datanets' `report_row`, read from `GET /rows/reports`).
//!
//! The chain cannot see row bytes: a contributor declares `byte_len` (and pays its deposit by
//! it), and only a worker assembling the row for a job sees the bytes. A row is reported when
//! - its bytes (which hash to the row's content hash, so they are the row) are not `byte_len`
//!   long: `byte_len_mismatch`, with the declared and the observed length;
//! - no store serves it: this worker's store lacks it and every peer answered "not found"
//!   (`unfetchable`). A peer that could not be reached makes the row's absence unproven, so it is
//!   not reported; a report that turns out wrong costs the reporting worker its bond.
//!
//! The book is `<data_dir>/rows/reports.json`, rewritten atomically on each change, one entry per
//! (datanet, row); an unfetchable row that a later job fetches is taken off it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::book::{self, BookError};

pub use tributary_sidecar_api::rows::{RowProblem, RowReport};

/// The row reports of this worker, persisted.
pub struct RowReports {
	path: PathBuf,
	reports: Mutex<BTreeMap<(u32, u64), RowReport>>,
}

impl RowReports {
	pub fn open(data_dir: &Path) -> Result<RowReports, BookError> {
		let path = data_dir.join("rows").join("reports.json");
		let list: Vec<RowReport> = book::read_list(&path, "row reports")?;
		let reports =
			list.into_iter().map(|report| ((report.datanet, report.row), report)).collect();
		Ok(RowReports { path, reports: Mutex::new(reports) })
	}

	/// Every report, in (datanet, row) order.
	pub fn list(&self) -> Vec<RowReport> {
		self.reports.lock().expect("row reports lock").values().cloned().collect()
	}

	/// Keeps `report`, replacing any earlier one of the same row.
	pub fn record(&self, report: RowReport) -> Result<(), BookError> {
		let mut reports = self.reports.lock().expect("row reports lock");
		if reports.get(&(report.datanet, report.row)) == Some(&report) {
			return Ok(());
		}
		reports.insert((report.datanet, report.row), report);
		self.persist(&reports)
	}

	/// A row was fetched after all: an `unfetchable` report of it no longer holds.
	pub fn fetched(&self, datanet: u32, row: u64) -> Result<(), BookError> {
		let mut reports = self.reports.lock().expect("row reports lock");
		if reports
			.get(&(datanet, row))
			.is_some_and(|report| report.problem == RowProblem::Unfetchable)
		{
			reports.remove(&(datanet, row));
			return self.persist(&reports);
		}
		Ok(())
	}

	fn persist(&self, reports: &BTreeMap<(u32, u64), RowReport>) -> Result<(), BookError> {
		book::write_list(&self.path, reports.values())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn report(row: u64, problem: RowProblem) -> RowReport {
		RowReport {
			datanet: 1,
			row,
			hash: tributary_sidecar_api::wire::Hash32([0xab; 32]),
			problem,
		}
	}

	#[test]
	fn reports_persist_one_per_row_and_fetched_rows_leave() {
		let dir = tempfile::tempdir().unwrap();
		let book = RowReports::open(dir.path()).unwrap();
		book.record(report(2, RowProblem::Unfetchable)).unwrap();
		book.record(report(1, RowProblem::ByteLenMismatch { declared: 3, observed: 9 }))
			.unwrap();
		book.record(report(2, RowProblem::Unfetchable)).unwrap();
		assert_eq!(book.list().len(), 2);

		let reopened = RowReports::open(dir.path()).unwrap();
		assert_eq!(reopened.list(), book.list());
		assert_eq!(reopened.list()[0].row, 1, "in row order");

		reopened.fetched(2, 2).unwrap();
		reopened.fetched(1, 1).unwrap();
		assert_eq!(reopened.list().len(), 2, "other rows, and length mismatches, stay");
		reopened.fetched(1, 2).unwrap();
		assert_eq!(
			RowReports::open(dir.path()).unwrap().list(),
			vec![report(1, RowProblem::ByteLenMismatch { declared: 3, observed: 9 })]
		);
	}

	#[test]
	fn reports_read_as_the_chain_worker_expects() {
		let json = serde_json::to_value(report(
			4,
			RowProblem::ByteLenMismatch { declared: 3, observed: 9 },
		))
		.unwrap();
		assert_eq!(
			json,
			serde_json::json!({ "datanet": 1, "row": 4, "hash": "ab".repeat(32), "kind": "byte_len_mismatch", "declared": 3, "observed": 9 })
		);
		let json = serde_json::to_value(report(4, RowProblem::Unfetchable)).unwrap();
		assert_eq!(json["kind"], "unfetchable");
	}
}
