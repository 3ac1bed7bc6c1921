//! Contribution-time checks of rows: quality signals for curators, and near-duplicates of
//! earlier rows reported to the chain.
//!
//! The chain's off-chain worker hands over each row contributed on chain (`POST /rows/check`).
//! A checker thread fetches the row's bytes (this store, else peers; a row whose bytes no store
//! serves yet waits and is tried again), scores its quality, and compares it with the rows of its
//! datanet contributed before it (lower row ids) through tributary-dedup's index; with a base
//! model it also measures the row's perplexity under it. A row whose
//! similarity reaches the threshold is booked in [`RowReports`] as a near-duplicate of the
//! earlier row sharing most with it, and the off-chain worker reports it on chain.
//!
//! The book is `<data_dir>/rows/checks.json`, rewritten atomically on each change. The indexes
//! are rebuilt from the store when the sidecar starts, so nothing but the book is persisted.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use tributary_dedup::{NearDuplicateIndex, Params, QualitySignals};
use tributary_sidecar_api::rows::{
	CheckStatus, ChecksAccepted, ClosestRow, RowCheck, RowProblem, RowQuality, RowReport,
	RowToCheck,
};
use tributary_store::{Lookup, PeerFetcher, Store};

use crate::perplexity::PerplexityScorer;
use crate::row_reports::{RowReports, RowReportsError};

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

struct State {
	checks: BTreeMap<(u32, u64), RowCheck>,
	/// Per datanet, every checked row keyed by row id.
	indexes: HashMap<u32, NearDuplicateIndex<u64>>,
}

impl RowChecks {
	/// Loads the book, rebuilds the indexes from the rows' bytes in `source.store` (a checked row
	/// whose bytes are gone is checked again) and starts the checker thread.
	pub fn open(
		data_dir: &Path,
		params: Params,
		source: RowSource,
		reports: Arc<RowReports>,
	) -> Result<Arc<RowChecks>, RowReportsError> {
		let dir = data_dir.join("rows");
		let path = dir.join("checks.json");
		let io = |source| RowReportsError::Io { path: path.clone(), source };
		std::fs::create_dir_all(&dir).map_err(io)?;
		let list: Vec<RowCheck> = match std::fs::read_to_string(&path) {
			Ok(text) => serde_json::from_str(&text)
				.map_err(|source| RowReportsError::Parse { path: path.clone(), source })?,
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
			Err(source) => return Err(io(source)),
		};
		let mut state = State { checks: BTreeMap::new(), indexes: HashMap::new() };
		for mut check in list {
			if check.status == CheckStatus::Checked {
				match source.store.get(&check.hash.0) {
					Ok(bytes) => state.index(check.datanet, params).insert(
						check.row,
						tributary_dedup::ShingleSet::of(&bytes, params.shingle_words),
					),
					Err(_) => check = waiting(check.datanet, check.row, check.hash),
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
	pub fn submit(&self, rows: &[RowToCheck]) -> Result<ChecksAccepted, RowReportsError> {
		let mut state = self.state.lock().expect("row checks lock");
		let mut accepted = 0;
		for row in rows {
			if let std::collections::btree_map::Entry::Vacant(entry) =
				state.checks.entry((row.datanet, row.row))
			{
				entry.insert(waiting(row.datanet, row.row, row.hash));
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
	) -> Result<(), RowReportsError> {
		let params = self.params;
		let shingles = tributary_dedup::ShingleSet::of(bytes, params.shingle_words);
		let mut state = self.state.lock().expect("row checks lock");
		let index = state.index(row.datanet, params);
		let closest = index.closest_earlier(&row.row, &shingles);
		index.insert(row.row, shingles);
		let near_duplicate = closest
			.as_ref()
			.is_some_and(|found| found.similarity_ppm >= params.threshold_ppm);
		let checked = RowCheck {
			status: CheckStatus::Checked,
			quality: Some(quality(&QualitySignals::of(bytes), perplexity)),
			closest: closest.as_ref().map(|found| ClosestRow {
				original: found.original,
				similarity_ppm: found.similarity_ppm,
				sources: found.sources as u32,
			}),
			near_duplicate,
			..row
		};
		state.checks.insert((row.datanet, row.row), checked);
		self.persist(&state.checks)?;
		drop(state);
		if let (true, Some(found)) = (near_duplicate, closest) {
			reports.record(RowReport {
				datanet: row.datanet,
				row: row.row,
				hash: row.hash,
				problem: RowProblem::NearDuplicate {
					original: found.original,
					similarity_ppm: found.similarity_ppm,
				},
			})?;
		}
		Ok(())
	}

	fn persist(&self, checks: &BTreeMap<(u32, u64), RowCheck>) -> Result<(), RowReportsError> {
		let error = |source| RowReportsError::Io { path: self.path.clone(), source };
		let list: Vec<&RowCheck> = checks.values().collect();
		let partial = self.path.with_extension("json.partial");
		std::fs::write(&partial, serde_json::to_string_pretty(&list).expect("checks serialize"))
			.map_err(error)?;
		std::fs::rename(&partial, &self.path).map_err(error)
	}
}

impl State {
	fn index(&mut self, datanet: u32, params: Params) -> &mut NearDuplicateIndex<u64> {
		self.indexes.entry(datanet).or_insert_with(|| NearDuplicateIndex::new(params))
	}

	/// Rows waiting for their bytes, in (datanet, row) order: earlier rows are checked first.
	fn waiting(&self) -> Vec<RowCheck> {
		self.checks
			.values()
			.filter(|check| check.status == CheckStatus::Waiting)
			.copied()
			.collect()
	}
}

fn waiting(datanet: u32, row: u64, hash: tributary_sidecar_api::wire::Hash32) -> RowCheck {
	RowCheck {
		datanet,
		row,
		hash,
		status: CheckStatus::Waiting,
		quality: None,
		closest: None,
		near_duplicate: false,
	}
}

fn quality(signals: &QualitySignals, perplexity: Option<f64>) -> RowQuality {
	RowQuality {
		perplexity,
		bytes: signals.bytes,
		utf8: signals.utf8,
		chars: signals.chars,
		words: signals.words,
		distinct_words_ppm: signals.distinct_words_ppm,
		letters_ppm: signals.letters_ppm,
		digits_ppm: signals.digits_ppm,
		whitespace_ppm: signals.whitespace_ppm,
		punctuation_ppm: signals.punctuation_ppm,
		control_ppm: signals.control_ppm,
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use tributary_primitives::content_hash;
	use tributary_sidecar_api::wire::Hash32;

	fn source(dir: &Path, runtime: &tokio::runtime::Runtime) -> RowSource {
		RowSource {
			store: Store::open(&dir.join("store"), 1 << 20).unwrap(),
			peers: PeerFetcher::new(Vec::new()),
			runtime: runtime.handle().clone(),
			base_dir: None,
		}
	}

	fn row(source: &RowSource, datanet: u32, row: u64, text: &str) -> RowToCheck {
		source.store.put(text.as_bytes(), None).unwrap();
		RowToCheck { datanet, row, hash: Hash32(content_hash(text.as_bytes())) }
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
		let dir = tempfile::tempdir().unwrap();
		let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
		let source = source(dir.path(), &runtime);
		let reports = Arc::new(RowReports::open(dir.path()).unwrap());
		let checks =
			RowChecks::open(dir.path(), Params::DEFAULT, source.clone(), reports.clone()).unwrap();
		let copy = ORIGINAL.replace("worldwide", "worldwidE");
		let rows = [
			row(&source, 1, 0, ORIGINAL),
			row(&source, 1, 1, "An unrelated row about rivers, fish and the weather in May."),
			row(&source, 1, 2, &copy),
			// The same bytes in another datanet are that datanet's first row.
			row(&source, 2, 0, &copy),
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
		assert_eq!(
			reports.list(),
			vec![RowReport {
				datanet: 1,
				row: 2,
				hash: rows[2].hash,
				problem: RowProblem::NearDuplicate {
					original: 0,
					similarity_ppm: closest.similarity_ppm
				},
			}]
		);

		// A restart keeps the book and rebuilds the index: a later copy still matches.
		drop(checks);
		let reopened =
			RowChecks::open(dir.path(), Params::DEFAULT, source.clone(), reports.clone()).unwrap();
		assert_eq!(reopened.get(1, 2), Some(flagged));
		let again = ORIGINAL.to_uppercase();
		reopened.submit(&[row(&source, 1, 3, &again)]).unwrap();
		assert_eq!(checked(&reopened, 1, 3).closest.unwrap().original, 0);
	}

	#[test]
	fn rows_wait_for_their_bytes() {
		let dir = tempfile::tempdir().unwrap();
		let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
		let source = source(dir.path(), &runtime);
		let reports = Arc::new(RowReports::open(dir.path()).unwrap());
		let checks = RowChecks::open(dir.path(), Params::DEFAULT, source.clone(), reports).unwrap();
		let absent = RowToCheck { datanet: 1, row: 0, hash: Hash32(content_hash(b"later")) };
		assert_eq!(checks.submit(&[absent]).unwrap(), ChecksAccepted { accepted: 1, waiting: 1 });
		std::thread::sleep(Duration::from_millis(100));
		assert_eq!(checks.get(1, 0).unwrap().status, CheckStatus::Waiting);
		source.store.put(b"later", None).unwrap();
		assert_eq!(checked(&checks, 1, 0).quality.unwrap().bytes, 5);
	}
}
