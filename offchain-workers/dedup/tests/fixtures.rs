//! Adversarial fixtures: rows copied with small edits must be found among the rows they copy,
//! and a clean corpus of distinct rows must not flag itself.
//!
//! The clean corpus is every paragraph of at least 25 words from six distinct license texts in
//! Debian's `/usr/share/common-licenses` (base-files, on every Debian machine), exact repeats
//! (after normalization) dropped. Each attack is applied to every clean row long enough for it,
//! and the edited row is looked up as a row contributed after the whole corpus. The test prints
//! the detection and false-positive rates (`cargo test -p tributary-dedup --test fixtures --
//! --nocapture`); the figures are in the attribution README.

use std::collections::BTreeSet;
use tributary_dedup::{NearDuplicateIndex, Params, ShingleSet, PPM};

/// GFDL-1.3 is left out: it reuses whole GPL-3 passages with a few words changed (its
/// termination and future-versions sections), which are near-duplicates in fact.
const LICENSES: [&str; 6] = ["Apache-2.0", "GPL-3", "MPL-2.0", "Artistic", "CC0-1.0", "BSD"];

fn clean_corpus() -> Vec<String> {
	let mut seen = BTreeSet::new();
	let mut rows = Vec::new();
	for name in LICENSES {
		let path = format!("/usr/share/common-licenses/{name}");
		let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
		for paragraph in text.split("\n\n") {
			let row = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
			let normalized = row.to_lowercase();
			if row.split(' ').count() >= 25 && seen.insert(normalized) {
				rows.push(row);
			}
		}
	}
	rows
}

/// A deterministic generator (64-bit LCG), so the fixtures are the same on every run.
struct Lcg(u64);

impl Lcg {
	fn below(&mut self, n: usize) -> usize {
		self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
		((self.0 >> 33) % n as u64) as usize
	}
}

fn one_byte_edit(row: &str, rng: &mut Lcg) -> String {
	let mut bytes = row.as_bytes().to_vec();
	let letters: Vec<usize> =
		(0..bytes.len()).filter(|&i| bytes[i].is_ascii_alphabetic()).collect();
	let at = letters[rng.below(letters.len())];
	bytes[at] = match bytes[at] {
		b'z' => b'a',
		b'Z' => b'A',
		other => other + 1,
	};
	String::from_utf8(bytes).unwrap()
}

fn whitespace_and_case(row: &str, rng: &mut Lcg) -> String {
	let mut out = String::from("  \t");
	for word in row.split(' ') {
		match rng.below(4) {
			0 => out.push_str(&word.to_uppercase()),
			1 => out.push_str(&word.to_lowercase()),
			_ => out.push_str(word),
		}
		out.push_str(["  ", " ", "\n", " \t "][rng.below(4)]);
	}
	out.push_str("   \n\n");
	out
}

/// Sentences in reverse order; a row of one sentence has its clauses reversed instead.
fn reordered(row: &str) -> Option<String> {
	let sentences: Vec<&str> = row.split_inclusive(". ").collect();
	let parts: Vec<&str> =
		if sentences.len() >= 2 { sentences } else { row.split_inclusive(", ").collect() };
	(parts.len() >= 2).then(|| parts.into_iter().rev().collect::<Vec<_>>().join(" "))
}

const SYNONYMS: [(&str, &str); 40] = [
	("software", "program"),
	("program", "application"),
	("license", "permit"),
	("copy", "duplicate"),
	("copies", "duplicates"),
	("distribute", "disseminate"),
	("distribution", "dissemination"),
	("work", "creation"),
	("works", "creations"),
	("use", "utilize"),
	("any", "every"),
	("must", "shall"),
	("may", "can"),
	("provided", "supplied"),
	("without", "lacking"),
	("including", "comprising"),
	("rights", "entitlements"),
	("permission", "authorization"),
	("terms", "provisions"),
	("conditions", "stipulations"),
	("modify", "alter"),
	("modified", "altered"),
	("source", "origin"),
	("code", "instructions"),
	("form", "shape"),
	("notice", "statement"),
	("author", "writer"),
	("holder", "owner"),
	("warranty", "guarantee"),
	("damages", "losses"),
	("agree", "consent"),
	("grant", "give"),
	("granted", "given"),
	("document", "text"),
	("version", "edition"),
	("following", "subsequent"),
	("applicable", "relevant"),
	("law", "statute"),
	("party", "entity"),
	("material", "content"),
];

/// Each word found in the list (case-insensitively) replaced by its synonym; `None` when fewer
/// than a tenth of the words change (the attack needs material to work on).
fn synonyms(row: &str) -> Option<String> {
	let words: Vec<&str> = row.split(' ').collect();
	let mut changed = 0;
	let out: Vec<String> = words
		.iter()
		.map(|word| {
			let bare = word.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
			match SYNONYMS.iter().find(|(from, _)| *from == bare) {
				Some((from, to)) => {
					changed += 1;
					word.to_lowercase().replace(from, to)
				},
				None => word.to_string(),
			}
		})
		.collect();
	(changed * 10 >= words.len()).then(|| out.join(" "))
}

fn halves(row: &str) -> (String, String) {
	let words: Vec<&str> = row.split(' ').collect();
	let middle = words.len() / 2;
	(words[..middle].join(" "), words[middle..].join(" "))
}

struct Rate {
	name: &'static str,
	tried: usize,
	detected: usize,
	right_original: usize,
}

impl Rate {
	fn new(name: &'static str) -> Rate {
		Rate { name, tried: 0, detected: 0, right_original: 0 }
	}

	fn share(&self) -> f64 {
		self.detected as f64 / self.tried.max(1) as f64
	}
}

#[test]
fn edited_copies_are_detected_and_distinct_rows_are_not() {
	let corpus = clean_corpus();
	assert!(corpus.len() >= 150, "only {} clean rows", corpus.len());
	let params = Params::DEFAULT;
	let mut index = NearDuplicateIndex::new(params);
	let mut false_positives = Vec::new();
	let mut highest_clean = 0;
	for (key, row) in corpus.iter().enumerate() {
		let shingles = ShingleSet::of(row.as_bytes(), params.shingle_words);
		if let Some(found) = index.closest_earlier(&key, &shingles) {
			highest_clean = highest_clean.max(found.similarity_ppm);
			if found.similarity_ppm >= params.threshold_ppm {
				false_positives.push((key, found));
			}
		}
		index.insert(key, shingles);
	}

	let after_all = corpus.len();
	let mut rng = Lcg(7);
	let check = |rate: &mut Rate, edited: &str, sources: &[usize]| {
		rate.tried += 1;
		let shingles = ShingleSet::of(edited.as_bytes(), params.shingle_words);
		if let Some(found) = index.find_original(&after_all, &shingles) {
			rate.detected += 1;
			if sources.contains(&found.original) {
				rate.right_original += 1;
			}
		}
	};
	let mut rates: Vec<Rate> = [
		"one-byte edit",
		"whitespace and case padding",
		"reordered sentences",
		"synonym substitution",
		"row split in two (each half)",
		"two rows concatenated",
	]
	.into_iter()
	.map(Rate::new)
	.collect();
	for (source, row) in corpus.iter().enumerate() {
		check(&mut rates[0], &one_byte_edit(row, &mut rng), &[source]);
		check(&mut rates[1], &whitespace_and_case(row, &mut rng), &[source]);
		if let Some(edited) = reordered(row) {
			check(&mut rates[2], &edited, &[source]);
		}
		if let Some(edited) = synonyms(row) {
			check(&mut rates[3], &edited, &[source]);
		}
		let (first, second) = halves(row);
		check(&mut rates[4], &first, &[source]);
		check(&mut rates[4], &second, &[source]);
		let other = (source + 1 + rng.below(corpus.len() - 1)) % corpus.len();
		check(&mut rates[5], &format!("{row} {}", corpus[other]), &[source, other]);
	}

	let false_positive_rate = false_positives.len() as f64 / corpus.len() as f64;
	println!(
		"near-duplicate fixtures: {} clean rows, word {}-grams, threshold {:.2}",
		corpus.len(),
		params.shingle_words,
		f64::from(params.threshold_ppm) / f64::from(PPM)
	);
	for rate in &rates {
		println!(
			"  {:<30} {:>4} tried, detected {:.3}, original named {:.3}",
			rate.name,
			rate.tried,
			rate.share(),
			rate.right_original as f64 / rate.detected.max(1) as f64
		);
	}
	println!(
		"  false positives on the clean corpus: {false_positive_rate:.3}; highest similarity of a \
		 clean row to an earlier one {:.3}",
		f64::from(highest_clean) / f64::from(PPM)
	);
	for (key, found) in &false_positives {
		println!("  flagged: {:?}\n    {}\n    {}", found, corpus[*key], corpus[found.original]);
	}

	for rate in &rates {
		let floor = if rate.name == "synonym substitution" { 0.75 } else { 0.95 };
		assert!(rate.share() >= floor, "{}: detected {:.3} < {floor}", rate.name, rate.share());
		assert!(rate.tried >= 20, "{}: only {} fixtures", rate.name, rate.tried);
		assert!(
			rate.right_original * 10 >= rate.detected * 9,
			"{}: the original is misnamed too often",
			rate.name
		);
	}
	assert!(false_positive_rate <= 0.02, "false positives {false_positive_rate:.3}");
}
