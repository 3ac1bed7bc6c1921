//! Contribution-time checks of rows: quality signals for curators, and near-duplicates of
//! earlier rows reported to the chain.
//!
//! The chain's off-chain worker hands over each row contributed on chain (`POST /rows/check`).
//! A checker thread fetches the row's bytes (this store, else peers; a row whose bytes no store
//! serves yet waits and is tried again), scores its quality, and compares it with the rows of
//! every datanet contributed before it through tributary-dedup's index (a copier's own datanet
//! is where a copy is most likely to be approved); with a base model it also measures the row's
//! perplexity under it. A row whose similarity reaches the threshold is booked in
//! [`RowReports`] as a near-duplicate of the earlier row sharing most with it, and the off-chain
//! worker reports it on chain.
//!
//! "Before" is contribution order as the chain sees it: an earlier block, or the same block and
//! a lower `(datanet, row)`.
//!
//! The book is `<data_dir>/rows/checks.json`, rewritten atomically on each change. The index is
//! rebuilt from the store when the sidecar starts, so nothing but the book is persisted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use tributary_dedup::{NearDuplicateIndex, Params, ShingleSet};
use tributary_sidecar_api::rows::{
	CheckStatus, ChecksAccepted, ClosestRow, RowCheck, RowProblem, RowReport, RowToCheck,
};
use tributary_store::{Lookup, PeerFetcher, Store};

use crate::book::{self, BookError};
use crate::perplexity::PerplexityScorer;
use crate::row_quality::row_quality;
use crate::row_reports::RowReports;

/// How long rows whose bytes no store served wait before they are tried again.
const RETRY_WAITING: Duration = Duration::from_secs(6);

/// The store and peers the checker reads rows from, and the base model it scores them with.
#[derive(Clone)]
pub struct RowSource {
	pub store: Store,
	pub peers: PeerFetcher,
	pub runtime: tokio::runtime::Handle,
	/// Hugging Face directory of the base model for the perplexity signal; none: no perplexity.
	pub base_dir: Option<PathBuf>,
}

pub struct RowChecks {
	path: PathBuf,
	params: Params,
	state: Mutex<State>,
	work: Condvar,
}

/// A row's place in contribution order: (block, datanet, row).
type ContributionKey = (u64, u32, u64);

fn contribution_key(check: &RowCheck) -> ContributionKey {
	(check.contributed_at, check.datanet, check.row)
}

struct State {
	checks: BTreeMap<(u32, u64), RowCheck>,
	/// Every checked row of every datanet.
	index: NearDuplicateIndex<ContributionKey>,
}

impl RowChecks {
	/// Loads the book, rebuilds the index from the rows' bytes in `source.store` (a checked row
	/// whose bytes are gone is checked again) and starts the checker thread.
	pub fn open(
		data_dir: &Path,
		params: Params,
		source: RowSource,
		reports: Arc<RowReports>,
	) -> Result<Arc<RowChecks>, BookError> {
		let path = data_dir.join("rows").join("checks.json");
		let list: Vec<RowCheck> = book::read_list(&path, "row checks")?;
		let mut state = State { checks: BTreeMap::new(), index: NearDuplicateIndex::new(params) };
		for mut check in list {
			if check.status == CheckStatus::Checked {
				match source.store.get(&check.hash.0) {
					Ok(bytes) => state.index.insert(
						contribution_key(&check),
						ShingleSet::of(&bytes, params.shingle_words),
					),
					Err(_) => {
						check = RowCheck {
							status: CheckStatus::Waiting,
							quality: None,
							closest: None,
							near_duplicate: false,
							..check
						}
					},
				}
			}
			state.checks.insert((check.datanet, check.row), check);
		}
		let checks =
			Arc::new(RowChecks { path, params, state: Mutex::new(state), work: Condvar::new() });
		let checker = checks.clone();
		std::thread::Builder::new()
			.name("row-checks".into())
			.spawn(move || checker.run(&source, &reports))
			.expect("the row checker thread starts");
		Ok(checks)
	}

	/// Books rows to check; rows already booked are left as they are.
	pub fn submit(&self, rows: &[RowToCheck]) -> Result<ChecksAccepted, BookError> {
		let mut state = self.state.lock().expect("row checks lock");
		let mut accepted = 0;
		for row in rows {
			if let std::collections::btree_map::Entry::Vacant(entry) =
				state.checks.entry((row.datanet, row.row))
			{
				entry.insert(waiting(row));
				accepted += 1;
			}
		}
		if accepted > 0 {
			self.persist(&state.checks)?;
			self.work.notify_one();
		}
		Ok(ChecksAccepted { accepted, waiting: state.waiting().len() as u32 })
	}

	pub fn get(&self, datanet: u32, row: u64) -> Option<RowCheck> {
		self.state.lock().expect("row checks lock").checks.get(&(datanet, row)).copied()
	}

	fn run(&self, source: &RowSource, reports: &RowReports) {
		let mut scorer = source.base_dir.clone().map(PerplexityScorer::new);
		loop {
			let waiting = {
				let state = self.state.lock().expect("row checks lock");
				let waiting = state.waiting();
				if waiting.is_empty() {
					drop(self.work.wait(state).expect("row checks lock"));
					continue;
				}
				waiting
			};
			let mut checked_any = false;
			for check in waiting {
				let lookup =
					source.runtime.block_on(source.peers.lookup(&source.store, &check.hash.0));
				let Lookup::Found(bytes) = lookup else { continue };
				checked_any = true;
				let perplexity = scorer.as_mut().and_then(|scorer| {
					std::str::from_utf8(&bytes).ok().and_then(|text| scorer.perplexity(text))
				});
				if let Err(error) = self.check(check, &bytes, perplexity, reports) {
					eprintln!("row checks: datanet {} row {}: {error}", check.datanet, check.row);
				}
			}
			if !checked_any {
				let state = self.state.lock().expect("row checks lock");
				drop(self.work.wait_timeout(state, RETRY_WAITING).expect("row checks lock"));
			}
		}
	}

	/// Scores one row whose bytes are at hand and compares it with its datanet's earlier rows.
	fn check(
		&self,
		row: RowCheck,
		bytes: &[u8],
		perplexity: Option<f64>,
		reports: &RowReports,
	) -> Result<(), BookError> {
		let params = self.params;
		let shingles = ShingleSet::of(bytes, params.shingle_words);
		let key = contribution_key(&row);
		let mut state = self.state.lock().expect("row checks lock");
		let closest = state.index.closest_earlier(&key, &shingles);
		state.index.insert(key, shingles);
		let near_duplicate = closest
			.as_ref()
			.is_some_and(|found| found.similarity_ppm >= params.threshold_ppm);
		let checked = RowCheck {
			status: CheckStatus::Checked,
			quality: Some(row_quality(bytes, perplexity)),
			closest: closest.as_ref().map(|found| ClosestRow {
				original_datanet: found.original.1,
				original: found.original.2,
				similarity_ppm: found.similarity_ppm,
				sources: found.sources as u32,
			}),
			near_duplicate,
			..row
		};
		state.checks.insert((row.datanet, row.row), checked);
		if let (true, Some(found)) = (near_duplicate, &closest) {
			let (_, datanet, original) = found.original;
			if let Some(original) = state.checks.get_mut(&(datanet, original)) {
				original.copies += 1;
			}
		}
		self.persist(&state.checks)?;
		drop(state);
		if let (true, Some(found)) = (near_duplicate, closest) {
			reports.record(RowReport {
				datanet: row.datanet,
				row: row.row,
				hash: row.hash,
				problem: RowProblem::NearDuplicate {
					original_datanet: found.original.1,
					original: found.original.2,
					similarity_ppm: found.similarity_ppm,
				},
			})?;
		}
		Ok(())
	}

	fn persist(&self, checks: &BTreeMap<(u32, u64), RowCheck>) -> Result<(), BookError> {
		book::write_list(&self.path, checks.values())
	}
}

impl State {
	/// Rows waiting for their bytes, in contribution order: earlier rows are checked first.
	fn waiting(&self) -> Vec<RowCheck> {
		let mut waiting: Vec<RowCheck> = self
			.checks
			.values()
			.filter(|check| check.status == CheckStatus::Waiting)
			.copied()
			.collect();
		waiting.sort_by_key(contribution_key);
		waiting
	}
}

fn waiting(row: &RowToCheck) -> RowCheck {
	RowCheck {
		datanet: row.datanet,
		row: row.row,
		hash: row.hash,
		contributed_at: row.contributed_at,
		status: CheckStatus::Waiting,
		quality: None,
		closest: None,
		near_duplicate: false,
		copies: 0,
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use tributary_primitives::content_hash;
	use tributary_sidecar_api::wire::Hash32;

	/// A data directory with a store (no peers, no base model) and a row reports book.
	struct Fixture {
		dir: tempfile::TempDir,
		// Kept alive for the checker thread's peer lookups.
		_runtime: tokio::runtime::Runtime,
		source: RowSource,
		reports: Arc<RowReports>,
	}

	impl Fixture {
		fn new() -> Fixture {
			let dir = tempfile::tempdir().unwrap();
			let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
			let source = RowSource {
				store: Store::open(&dir.path().join("store"), 1 << 20).unwrap(),
				peers: PeerFetcher::new(Vec::new()),
				runtime: runtime.handle().clone(),
				base_dir: None,
			};
			let reports = Arc::new(RowReports::open(dir.path()).unwrap());
			Fixture { dir, _runtime: runtime, source, reports }
		}

		/// Opens (or reopens) the row checks of the fixture's data directory.
		fn checks(&self) -> Arc<RowChecks> {
			RowChecks::open(
				self.dir.path(),
				Params::DEFAULT,
				self.source.clone(),
				self.reports.clone(),
			)
			.unwrap()
		}
	}

	/// A row contributed at block `block`.
	fn row(source: &RowSource, block: u64, datanet: u32, row: u64, text: &str) -> RowToCheck {
		source.store.put(text.as_bytes(), None).unwrap();
		RowToCheck {
			datanet,
			row,
			hash: Hash32(content_hash(text.as_bytes())),
			contributed_at: block,
		}
	}

	fn checked(checks: &RowChecks, datanet: u32, row: u64) -> RowCheck {
		for _ in 0..1000 {
			match checks.get(datanet, row) {
				Some(check) if check.status == CheckStatus::Checked => return check,
				_ => std::thread::sleep(Duration::from_millis(10)),
			}
		}
		panic!("datanet {datanet} row {row} was not checked");
	}

	const ORIGINAL: &str = "Each contributor grants you a perpetual, worldwide, royalty-free \
		license to reproduce, prepare derivative works of, and distribute the work";

	#[test]
	fn a_one_byte_copy_is_reported_as_a_near_duplicate_of_the_earlier_row() {
		let fixture = Fixture::new();
		let (source, reports) = (&fixture.source, &fixture.reports);
		let checks = fixture.checks();
		let copy = ORIGINAL.replace("worldwide", "worldwidE");
		let rows = [
			// Datanet 2's row came first, in block 3; datanet 1 was filled later.
			row(source, 5, 1, 0, ORIGINAL),
			row(source, 5, 1, 1, "An unrelated row about rivers, fish and the weather in May."),
			row(source, 6, 1, 2, &copy),
			row(source, 3, 2, 0, "A row of datanet two that nobody copies, about bread."),
		];
		let accepted = checks.submit(&rows).unwrap();
		assert_eq!(accepted.accepted, 4);
		assert_eq!(checks.submit(&rows[..1]).unwrap().accepted, 0, "booked once");

		let flagged = checked(&checks, 1, 2);
		assert!(flagged.near_duplicate);
		let closest = flagged.closest.unwrap();
		assert_eq!(closest.original, 0);
		assert!(closest.similarity_ppm >= 900_000, "{closest:?}");
		assert!(flagged.quality.unwrap().utf8);
		assert!(!checked(&checks, 1, 0).near_duplicate);
		assert!(!checked(&checks, 1, 1).near_duplicate);
		assert!(!checked(&checks, 2, 0).near_duplicate);
		assert_eq!(checked(&checks, 1, 0).copies, 1);
		let report = |datanet, row, hash, closest: ClosestRow| RowReport {
			datanet,
			row,
			hash,
			problem: RowProblem::NearDuplicate {
				original_datanet: closest.original_datanet,
				original: closest.original,
				similarity_ppm: closest.similarity_ppm,
			},
		};
		assert_eq!(reports.list(), vec![report(1, 2, rows[2].hash, closest)]);

		// A restart keeps the book and rebuilds the index: a later copy still matches.
		drop(checks);
		let reopened = fixture.checks();
		assert_eq!(reopened.get(1, 2), Some(flagged));
		// A copy in another datanet, contributed later, is the first row's copy too.
		let again = ORIGINAL.to_uppercase();
		let elsewhere = row(source, 9, 2, 1, &again);
		reopened.submit(&[elsewhere]).unwrap();
		let found = checked(&reopened, 2, 1).closest.unwrap();
		assert_eq!((found.original_datanet, found.original), (1, 0));
		assert_eq!(checked(&reopened, 1, 0).copies, 2);
		assert_eq!(reports.list()[1], report(2, 1, elsewhere.hash, found));
	}

	#[test]
	fn rows_wait_for_their_bytes() {
		let fixture = Fixture::new();
		let checks = fixture.checks();
		let absent = RowToCheck {
			datanet: 1,
			row: 0,
			hash: Hash32(content_hash(b"later")),
			contributed_at: 1,
		};
		assert_eq!(checks.submit(&[absent]).unwrap(), ChecksAccepted { accepted: 1, waiting: 1 });
		std::thread::sleep(Duration::from_millis(100));
		assert_eq!(checks.get(1, 0).unwrap().status, CheckStatus::Waiting);
		fixture.source.store.put(b"later", None).unwrap();
		assert_eq!(checked(&checks, 1, 0).quality.unwrap().bytes, 5);
	}
}
