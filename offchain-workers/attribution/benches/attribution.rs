//! Attribution benchmark: index build throughput, count-query latency against a naive scan, and
//! attribution time per 128-token answer, on a few MB of real text (the Debian copyright files
//! under /usr/share/doc, one row per paragraph). Prints measurements and ratios; never fails on
//! a number.
//!
//! Run: `cargo bench -p tributary-attribution --bench attribution`
//! Corpus size: `ATTRIBUTION_BENCH_MB` (default 4).
//! Comparison with infini-gram's indexer: set `INFINI_GRAM_PYTHON` to a Python that has the PyPI
//! `infini-gram` package (plus numpy and transformers, which its indexing script imports); the
//! same rows are written as JSON lines and indexed with `--token_dtype u8`.

use std::{
	collections::HashSet,
	fs,
	path::Path,
	process::Command,
	time::{Duration, Instant},
};

use tributary_attribution::{span_record, Answer, ByteTokenizer, CorpusRow, SuffixIndex, VerifiedCorpus};
use tributary_primitives::{
	attribution::{RowRef, SpanParams},
	content_hash,
};

struct Lcg(u64);

impl Lcg {
	fn next(&mut self) -> u64 {
		self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
		self.0 >> 33
	}

	fn below(&mut self, bound: usize) -> usize {
		(self.next() % bound as u64) as usize
	}
}

/// Paragraphs of the copyright files, deduplicated by hash as the chain does, up to `budget` bytes.
fn load_rows(budget: usize) -> Vec<CorpusRow> {
	let mut files: Vec<_> = fs::read_dir("/usr/share/doc")
		.map(|dir| dir.flatten().map(|entry| entry.path().join("copyright")).filter(|p| p.is_file()).collect())
		.unwrap_or_default();
	files.sort();
	let mut seen = HashSet::new();
	let mut rows = Vec::new();
	let mut total = 0;
	'files: for (datanet, file) in files.iter().enumerate() {
		let Ok(text) = fs::read(file) else { continue };
		for paragraph in
			text.split(|&b| b == b'\n').collect::<Vec<_>>().split(|line| line.iter().all(|b| b.is_ascii_whitespace()))
		{
			let bytes = paragraph.join(&b'\n');
			let hash = content_hash(&bytes);
			if bytes.len() < 16 || !seen.insert(hash) {
				continue;
			}
			total += bytes.len();
			rows.push(CorpusRow {
				row: RowRef { datanet: datanet as u32, row: rows.len() as u64 },
				claimed_hash: hash,
				bytes,
			});
			if total >= budget {
				break 'files;
			}
		}
	}
	rows
}

/// Rows as `{"text": ...}` JSON lines, the input format of infini-gram's indexer.
fn write_jsonl(rows: &[CorpusRow], path: &Path) {
	let mut out = String::new();
	for row in rows {
		out.push_str("{\"text\": \"");
		for c in String::from_utf8_lossy(&row.bytes).chars() {
			match c {
				'"' => out.push_str("\\\""),
				'\\' => out.push_str("\\\\"),
				c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
				c => out.push(c),
			}
		}
		out.push_str("\"}\n");
	}
	fs::write(path, out).expect("jsonl written");
}

/// Time infini-gram's indexer on the same rows: (suffix-array step seconds, whole run seconds).
fn infini_gram_build(python: &str, rows: &[CorpusRow], work: &Path) -> Option<(f64, f64)> {
	let package = Command::new(python)
		.args(["-c", "import infini_gram, os; print(os.path.dirname(infini_gram.__file__))"])
		.output()
		.ok()?;
	let package = String::from_utf8(package.stdout).ok()?.trim().to_string();
	let data = work.join("infini-gram-data");
	let save = work.join("infini-gram-index");
	fs::create_dir_all(&data).ok()?;
	write_jsonl(rows, &data.join("rows.jsonl"));
	let started = Instant::now();
	let run = Command::new(python)
		.current_dir(&package)
		.args(["-m", "infini_gram.indexing", "--token_dtype", "u8", "--mem", "8", "--cpus", "2", "--ulimit", "20000"])
		.arg("--data_dir")
		.arg(&data)
		.arg("--save_dir")
		.arg(&save)
		.output()
		.ok()?;
	let total = started.elapsed().as_secs_f64();
	let log = String::from_utf8_lossy(&run.stdout).into_owned() + &String::from_utf8_lossy(&run.stderr);
	if !run.status.success() {
		eprintln!("infini-gram indexing failed:\n{log}");
		return None;
	}
	let build_sa = log
		.lines()
		.find_map(|line| line.trim().strip_prefix("Step 2 (build_sa): Done. Took "))
		.and_then(|rest| rest.split_whitespace().next())
		.and_then(|seconds| seconds.parse().ok())?;
	Some((build_sa, total))
}

fn naive_count(text: &[u32], pattern: &[u32]) -> u64 {
	text.windows(pattern.len()).filter(|window| *window == pattern).count() as u64
}

fn per_item(elapsed: Duration, items: usize) -> f64 {
	elapsed.as_secs_f64() / items as f64
}

fn main() {
	let megabytes: usize = std::env::var("ATTRIBUTION_BENCH_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(4);
	let rows = load_rows(megabytes << 20);
	if rows.is_empty() {
		eprintln!("no text found under /usr/share/doc; nothing to benchmark");
		return;
	}
	let bytes: usize = rows.iter().map(|row| row.bytes.len()).sum();
	println!("corpus: {} rows, {:.2} MB of text, {} tokens (byte tokenizer)", rows.len(), bytes as f64 / 1e6, bytes);

	let started = Instant::now();
	let corpus = VerifiedCorpus::verify(rows.clone()).expect("rows hash to their claimed hashes");
	let verify_time = started.elapsed();
	let started = Instant::now();
	let index = SuffixIndex::build(&corpus, &ByteTokenizer).expect("corpus fits an index");
	let build_time = started.elapsed();
	println!(
		"verify rows: {:.3} s; index build: {:.3} s = {:.2} MB/s of text, {:.2} M tokens/s; index {:.1} MB",
		verify_time.as_secs_f64(),
		build_time.as_secs_f64(),
		bytes as f64 / 1e6 / build_time.as_secs_f64(),
		bytes as f64 / 1e6 / build_time.as_secs_f64(),
		index.byte_len() as f64 / 1e6
	);

	let dir = std::env::temp_dir().join(format!("tributary-attribution-bench-{}", std::process::id()));
	fs::create_dir_all(&dir).expect("temporary directory");
	let path = dir.join("corpus.idx");
	let started = Instant::now();
	index.write_to(&path).expect("index written");
	let write_time = started.elapsed();
	let started = Instant::now();
	let mapped = SuffixIndex::open(&path).expect("index reopens");
	let open_time = started.elapsed();
	println!(
		"write: {:.3} s; open (mmap + checksum + structural check): {:.3} s",
		write_time.as_secs_f64(),
		open_time.as_secs_f64()
	);

	// Count queries: patterns cut from random rows, against a scan of the concatenated tokens.
	let mut rng = Lcg(2026);
	let concatenated: Vec<u32> =
		rows.iter().flat_map(|row| row.bytes.iter().map(|&b| u32::from(b)).chain([u32::MAX])).collect();
	let patterns: Vec<Vec<u32>> = (0..200)
		.map(|_| {
			let row = &rows[rng.below(rows.len())].bytes;
			let len = (8 + rng.below(25)).min(row.len());
			let start = rng.below(row.len() - len + 1);
			row[start..start + len].iter().map(|&b| u32::from(b)).collect()
		})
		.collect();
	let started = Instant::now();
	let indexed_counts: Vec<u64> = patterns.iter().map(|p| mapped.count(p)).collect();
	let indexed = per_item(started.elapsed(), patterns.len());
	let scanned = 20;
	let started = Instant::now();
	let naive_counts: Vec<u64> = patterns[..scanned].iter().map(|p| naive_count(&concatenated, p)).collect();
	let naive = per_item(started.elapsed(), scanned);
	assert_eq!(&indexed_counts[..scanned], &naive_counts[..], "index and scan disagree");
	println!(
		"count query: index {:.2} us, naive scan {:.2} ms; scan / index = {:.0}x",
		indexed * 1e6,
		naive * 1e3,
		naive / indexed
	);

	// Attribution of 128-token answers: a copied span of 24..96 tokens inside novel text.
	let params = SpanParams { min_span_len: 16, max_span_occurrences: 256 };
	let answers: Vec<Vec<u32>> = (0..200)
		.map(|_| {
			let row = &rows[rng.below(rows.len())].bytes;
			let copy = (24 + rng.below(73)).min(row.len());
			let start = rng.below(row.len() - copy + 1);
			let mut answer: Vec<u32> = (0..(128 - copy) / 2).map(|_| 0x100 + rng.below(50) as u32).collect();
			answer.extend(row[start..start + copy].iter().map(|&b| u32::from(b)));
			answer.extend((answer.len()..128).map(|_| 0x100 + rng.below(50) as u32));
			answer
		})
		.collect();
	let model = content_hash(b"bench model");
	let started = Instant::now();
	let mut credited = 0;
	for output in &answers {
		let record = span_record(&mapped, &Answer { model, adapter: None, output }, params, 8).expect("attribution");
		credited += usize::from(!record.scores.is_empty());
	}
	let attribution = per_item(started.elapsed(), answers.len());
	println!(
		"attribution: {:.3} ms per 128-token answer ({} of {} answers credited a row)",
		attribution * 1e3,
		credited,
		answers.len()
	);
	if let Ok(python) = std::env::var("INFINI_GRAM_PYTHON") {
		match infini_gram_build(&python, &rows, &dir) {
			Some((build_sa, total)) => println!(
				"infini-gram indexer (2 processes): suffix array {:.3} s, whole run incl. tokenizing {:.3} s; \
				 our build (1 thread, incl. tokenizing) is {:.2}x its suffix-array speed, {:.2}x its whole-run speed",
				build_sa,
				total,
				build_sa / build_time.as_secs_f64(),
				total / build_time.as_secs_f64()
			),
			None => println!("infini-gram indexer: could not run with {python}"),
		}
	} else {
		println!("infini-gram indexer: skipped (set INFINI_GRAM_PYTHON to compare)");
	}
	fs::remove_dir_all(&dir).ok();
}
