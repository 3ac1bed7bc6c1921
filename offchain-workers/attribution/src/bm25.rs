//! BM25 retrieval over a corpus's rows, for retrieval-augmented answers that cite their rows.
//!
//! Terms are maximal runs of bytes that are ASCII letters or digits or non-ASCII (so UTF-8 words
//! of any script stay whole), with ASCII letters lower-cased. This is defined on bytes, not on
//! Unicode tables, so it cannot change with the Rust version. Scores use only IEEE-754 basic
//! operations (the logarithm included, see [`ln`]), so rankings are identical on every machine.

use std::collections::HashMap;

use tributary_primitives::{attribution::RowRef, ContentHash};

use crate::corpus::VerifiedCorpus;

/// Inverted index of a corpus's rows.
pub struct Bm25Index {
	/// The corpus's id (`VerifiedCorpus::id`), which records of its retrievals name.
	corpus: ContentHash,
	rows: Vec<RowRef>,
	terms: HashMap<Vec<u8>, usize>,
	/// Per term: (row number, term frequency), row numbers ascending.
	postings: Vec<Vec<(u32, u32)>>,
	row_lengths: Vec<u32>,
	average_length: f64,
}

/// BM25 parameters in thousandths, as attribution records carry them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bm25Params {
	pub k1_milli: u32,
	pub b_milli: u32,
}

impl Default for Bm25Params {
	fn default() -> Self {
		Self { k1_milli: 1200, b_milli: 750 }
	}
}

/// One retrieved row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
	pub row: RowRef,
	pub score: f64,
}

impl Bm25Index {
	pub fn build(corpus: &VerifiedCorpus) -> Self {
		let mut terms: HashMap<Vec<u8>, usize> = HashMap::new();
		let mut postings: Vec<Vec<(u32, u32)>> = Vec::new();
		let mut row_lengths = Vec::with_capacity(corpus.rows().len());
		for (row_number, row) in corpus.rows().iter().enumerate() {
			let mut frequencies: HashMap<usize, u32> = HashMap::new();
			let mut length = 0u32;
			for term in analyze(&row.bytes) {
				let next_id = terms.len();
				let id = *terms.entry(term).or_insert(next_id);
				if id == postings.len() {
					postings.push(Vec::new());
				}
				*frequencies.entry(id).or_default() += 1;
				length += 1;
			}
			for (id, frequency) in frequencies {
				postings[id].push((row_number as u32, frequency));
			}
			row_lengths.push(length);
		}
		let total: u64 = row_lengths.iter().map(|&l| u64::from(l)).sum();
		let average_length = (total as f64 / row_lengths.len().max(1) as f64).max(1.0);
		Self {
			corpus: corpus.id(),
			rows: corpus.rows().iter().map(|row| row.row).collect(),
			terms,
			postings,
			row_lengths,
			average_length,
		}
	}

	/// The id of the corpus this index was built from.
	pub fn corpus_id(&self) -> ContentHash {
		self.corpus
	}

	/// The `limit` best rows for `query`, best first, ties broken by row; rows sharing no term
	/// with the query are never returned.
	pub fn search(&self, query: &[u8], params: Bm25Params, limit: usize) -> Vec<Hit> {
		let k1 = f64::from(params.k1_milli) / 1000.0;
		let b = f64::from(params.b_milli) / 1000.0;
		let row_count = self.rows.len() as f64;
		let mut scores = vec![0.0f64; self.rows.len()];
		let mut seen_terms: Vec<usize> = Vec::new();
		for term in analyze(query) {
			let Some(&id) = self.terms.get(&term) else { continue };
			if seen_terms.contains(&id) {
				continue;
			}
			seen_terms.push(id);
			let postings = &self.postings[id];
			let document_frequency = postings.len() as f64;
			let idf = ln(1.0 + (row_count - document_frequency + 0.5) / (document_frequency + 0.5));
			for &(row, frequency) in postings {
				let frequency = f64::from(frequency);
				let length_ratio = f64::from(self.row_lengths[row as usize]) / self.average_length;
				let saturation = frequency + k1 * (1.0 - b + b * length_ratio);
				scores[row as usize] += idf * frequency * (k1 + 1.0) / saturation;
			}
		}
		let mut hits: Vec<(usize, f64)> =
			scores.into_iter().enumerate().filter(|&(_, score)| score > 0.0).collect();
		hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
		hits.truncate(limit);
		hits.into_iter()
			.map(|(row, score)| Hit { row: self.rows[row], score })
			.collect()
	}
}

/// Split bytes into lower-cased terms.
pub fn analyze(bytes: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
	bytes
		.split(|&b| !(b.is_ascii_alphanumeric() || b >= 0x80))
		.filter(|term| !term.is_empty())
		.map(|term| term.to_ascii_lowercase())
}

/// Natural logarithm of a positive normal `x`, from IEEE-754 basic operations only (libm's `log`
/// may differ in the last bit between C libraries). Relative error below 1e-15.
pub fn ln(x: f64) -> f64 {
	let bits = x.to_bits();
	let mut exponent = ((bits >> 52) & 0x7ff) as i64 - 1023;
	let mut mantissa = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
	if mantissa > std::f64::consts::SQRT_2 {
		mantissa /= 2.0;
		exponent += 1;
	}
	// ln(m) = 2 atanh(z) = 2 (z + z^3/3 + z^5/5 + ...), |z| <= 0.172, so 20 terms are ample.
	let z = (mantissa - 1.0) / (mantissa + 1.0);
	let z_squared = z * z;
	let mut power = z;
	let mut series = 0.0;
	for k in 0..20 {
		series += power / f64::from(2 * k + 1);
		power *= z_squared;
	}
	exponent as f64 * std::f64::consts::LN_2 + 2.0 * series
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::corpus::CorpusRow;
	use tributary_primitives::content_hash;

	fn corpus(rows: &[&str]) -> VerifiedCorpus {
		VerifiedCorpus::verify(
			rows.iter()
				.enumerate()
				.map(|(i, text)| CorpusRow {
					row: RowRef { datanet: 1, row: i as u64 },
					claimed_hash: content_hash(text.as_bytes()),
					bytes: text.as_bytes().to_vec(),
				})
				.collect(),
		)
		.unwrap()
	}

	#[test]
	fn obviously_matching_row_ranks_first() {
		let index = Bm25Index::build(&corpus(&[
			"The GNU General Public License is a free, copyleft license for software.",
			"Rust is a systems programming language focused on safety and speed.",
			"Photosynthesis converts light energy into chemical energy in plants.",
			"Substrate is a framework for building blockchains in Rust.",
		]));
		let hits = index.search(
			b"How do plants turn light into chemical energy?",
			Bm25Params::default(),
			3,
		);
		assert_eq!(hits[0].row, RowRef { datanet: 1, row: 2 });
		assert!(hits.windows(2).all(|pair| pair[0].score >= pair[1].score));
		let hits = index.search(b"blockchain FRAMEWORK substrate", Bm25Params::default(), 3);
		assert_eq!(hits[0].row, RowRef { datanet: 1, row: 3 });
	}

	#[test]
	fn unrelated_query_retrieves_nothing() {
		let index = Bm25Index::build(&corpus(&["alpha beta", "gamma delta"]));
		assert!(index.search(b"zeta eta", Bm25Params::default(), 5).is_empty());
	}

	#[test]
	fn ln_agrees_with_libm() {
		for x in [1.0, 1.5, 2.0, std::f64::consts::E, 10.0, 1234.5678, 1e-3, 1e12] {
			let relative = (ln(x) - x.ln()).abs() / x.ln().abs().max(1.0);
			assert!(relative < 1e-14, "ln({x}) = {} vs {}", ln(x), x.ln());
		}
	}

	#[test]
	fn terms_are_lowercased_ascii_runs() {
		let terms: Vec<Vec<u8>> = analyze("Hello, wörld! x2".as_bytes()).collect();
		assert_eq!(terms, vec![b"hello".to_vec(), "wörld".as_bytes().to_vec(), b"x2".to_vec()]);
	}
}
