//! Attribution benchmark: index build throughput, count-query latency against a naive scan,
//! attribution time per 128-token answer, and attribution time ÷ generation time per answer for
//! span attribution and gradient influence (TracIn, DataInf) with small byte-level Llama models,
//! on a few MB of real text (the Debian copyright files under /usr/share/doc, one row per
//! paragraph). Prints measurements and ratios; never fails on a number.
//!
//! Run: `cargo bench -p tributary-attribution --bench attribution`
//! Corpus size: `ATTRIBUTION_BENCH_MB` (default 4).
//! Comparison with infini-gram's indexer: set `INFINI_GRAM_PYTHON` to a Python that has the PyPI
//! `infini-gram` package (plus numpy and transformers, which its indexing script imports); the
//! same rows are written as JSON lines and indexed with `--token_dtype u8`.
//! Rows sketched for influence: `INFLUENCE_BENCH_ROWS` (default 512). Torch intra-op threads:
//! `BENCH_TORCH_THREADS` (default 1: on this 2-core machine other builds often hold both cores,
//! and torch's spinning worker threads then slow small ops down by an order of magnitude; both
//! generation and attribution run with the same setting). Times per answer are medians.

use std::{
	collections::{BTreeMap, HashMap, HashSet},
	fs,
	path::Path,
	process::Command,
	time::{Duration, Instant},
};

use tch::{Device, Tensor};
use tributary_attribution::{
	build_sketch, influence_record, span_record, AdaptedModel, Answer, ByteTokenizer, CorpusRow,
	CreditOwners, InfluenceScoring, SketchParams, SuffixIndex, VerifiedCorpus,
};
use tributary_model::{
	generate::{generate, Sampling},
	hf::save_model,
	peft::PeftAdapter,
	rng::SplitMix64,
	Llama, LlamaConfig, LoraSpec, TargetModules,
};
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
		.map(|dir| {
			dir.flatten()
				.map(|entry| entry.path().join("copyright"))
				.filter(|p| p.is_file())
				.collect()
		})
		.unwrap_or_default();
	files.sort();
	let mut seen = HashSet::new();
	let mut rows = Vec::new();
	let mut total = 0;
	'files: for (datanet, file) in files.iter().enumerate() {
		let Ok(text) = fs::read(file) else { continue };
		for paragraph in text
			.split(|&b| b == b'\n')
			.collect::<Vec<_>>()
			.split(|line| line.iter().all(|b| b.is_ascii_whitespace()))
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
		.args([
			"-m",
			"infini_gram.indexing",
			"--token_dtype",
			"u8",
			"--mem",
			"8",
			"--cpus",
			"2",
			"--ulimit",
			"20000",
		])
		.arg("--data_dir")
		.arg(&data)
		.arg("--save_dir")
		.arg(&save)
		.output()
		.ok()?;
	let total = started.elapsed().as_secs_f64();
	let log =
		String::from_utf8_lossy(&run.stdout).into_owned() + &String::from_utf8_lossy(&run.stderr);
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
	let megabytes: usize = std::env::var("ATTRIBUTION_BENCH_MB")
		.ok()
		.and_then(|v| v.parse().ok())
		.unwrap_or(4);
	let rows = load_rows(megabytes << 20);
	if rows.is_empty() {
		eprintln!("no text found under /usr/share/doc; nothing to benchmark");
		return;
	}
	let bytes: usize = rows.iter().map(|row| row.bytes.len()).sum();
	println!(
		"corpus: {} rows, {:.2} MB of text, {} tokens (byte tokenizer)",
		rows.len(),
		bytes as f64 / 1e6,
		bytes
	);

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

	let dir =
		std::env::temp_dir().join(format!("tributary-attribution-bench-{}", std::process::id()));
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
	let concatenated: Vec<u32> = rows
		.iter()
		.flat_map(|row| row.bytes.iter().map(|&b| u32::from(b)).chain([u32::MAX]))
		.collect();
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
	let naive_counts: Vec<u64> =
		patterns[..scanned].iter().map(|p| naive_count(&concatenated, p)).collect();
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
			let mut answer: Vec<u32> =
				(0..(128 - copy) / 2).map(|_| 0x100 + rng.below(50) as u32).collect();
			answer.extend(row[start..start + copy].iter().map(|&b| u32::from(b)));
			answer.extend((answer.len()..128).map(|_| 0x100 + rng.below(50) as u32));
			answer
		})
		.collect();
	let model = content_hash(b"bench model");
	let started = Instant::now();
	let mut credited = 0;
	for output in &answers {
		let record = span_record(
			&mapped,
			&CreditOwners::none(),
			&Answer { model, adapter: None, output },
			params,
			8,
		)
		.expect("attribution");
		credited += usize::from(!record.scores.is_empty());
	}
	let attribution = per_item(started.elapsed(), answers.len());
	println!(
		"attribution: {:.3} ms per 128-token answer ({} of {} answers credited a row)",
		attribution * 1e3,
		credited,
		answers.len()
	);
	let threads: i32 = std::env::var("BENCH_TORCH_THREADS")
		.ok()
		.and_then(|v| v.parse().ok())
		.unwrap_or(1);
	tch::set_num_threads(threads);
	println!("torch intra-op threads: {threads}");
	let influence_rows: usize = std::env::var("INFLUENCE_BENCH_ROWS")
		.ok()
		.and_then(|v| v.parse().ok())
		.unwrap_or(512)
		.min(rows.len());
	let sketched =
		VerifiedCorpus::verify(rows[..influence_rows].to_vec()).expect("rows verified above");
	let shapes = [
		ModelShape { name: "tiny", hidden: 64, layers: 2, heads: 4, kv_heads: 2 },
		ModelShape { name: "small", hidden: 256, layers: 4, heads: 8, kv_heads: 4 },
	];
	let ratios: Vec<RatioRow> = shapes
		.iter()
		.map(|shape| attribution_vs_generation(shape, &mapped, &sketched, params, &rows, &dir))
		.collect();
	print_ratio_table(&ratios, influence_rows);

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

/// A byte-level Llama shape for the generation comparison.
struct ModelShape {
	name: &'static str,
	hidden: i64,
	layers: i64,
	heads: i64,
	kv_heads: i64,
}

/// Milliseconds per 128-token answer, and the ratios attribution ÷ generation.
struct RatioRow {
	name: &'static str,
	parameters: i64,
	adapter_parameters: i64,
	sketch_ms_per_row: f64,
	generation_ms: f64,
	span_ms: f64,
	tracin_ms: f64,
	datainf_ms: f64,
}

/// LoRA rank of the benchmark adapters (on every projection).
const RANK: i64 = 8;
const ANSWER_TOKENS: usize = 128;
const ANSWERS: usize = 6;

fn median(mut samples: Vec<f64>) -> f64 {
	samples.sort_by(f64::total_cmp);
	samples[samples.len() / 2]
}

/// Median milliseconds of `run` over `items`, after one untimed warm-up call.
fn median_ms<T>(items: &[T], mut run: impl FnMut(&T)) -> f64 {
	run(&items[0]);
	median(
		items
			.iter()
			.map(|item| {
				let started = Instant::now();
				run(item);
				started.elapsed().as_secs_f64() * 1e3
			})
			.collect(),
	)
}

/// Save a random base (unit-scale embeddings, as a trained model has) and a LoRA adapter with
/// non-zero A and B (as after training), and load them back the way the server would.
fn adapted_model(shape: &ModelShape, dir: &Path) -> AdaptedModel {
	let mut config =
		LlamaConfig::tiny(256, shape.hidden, shape.layers, shape.heads, shape.kv_heads);
	config.max_position_embeddings = 256;
	let random = Llama::random(config.clone(), 5, Device::Cpu).expect("valid config");
	let mut weights: HashMap<String, Tensor> =
		random.hf_weights().expect("full weights").into_iter().collect();
	let embeddings = weights.remove("model.embed_tokens.weight").expect("embeddings") * 50.0;
	weights.insert("model.embed_tokens.weight".into(), embeddings);
	let mut model = Llama::from_weights(config, weights).expect("weights match the config");
	let base_dir = dir.join(format!("{}-base", shape.name));
	save_model(&model, &base_dir).expect("base saved");
	let spec = LoraSpec::plain(RANK, 16.0, TargetModules::ALL);
	model.add_lora(&spec, 7).expect("valid LoRA spec");
	let mut rng = SplitMix64(9);
	let adapters: BTreeMap<String, (Tensor, Tensor)> = model
		.lora_weights()
		.into_iter()
		.map(|(path, (a, b))| {
			(
				path,
				(
					rng.normal(&a.size(), 0.05, Device::Cpu),
					rng.normal(&b.size(), 0.05, Device::Cpu),
				),
			)
		})
		.collect();
	model.set_lora(&spec, adapters).expect("adapter shapes match");
	let adapter_dir = dir.join(format!("{}-adapter", shape.name));
	PeftAdapter::from_model(&model, "bench")
		.expect("adapter attached")
		.save(&adapter_dir)
		.expect("adapter saved");
	AdaptedModel::load(&base_dir, &adapter_dir, Device::Cpu).expect("model and adapter load")
}

fn attribution_vs_generation(
	shape: &ModelShape,
	index: &SuffixIndex,
	sketched: &VerifiedCorpus,
	span_params: SpanParams,
	rows: &[CorpusRow],
	dir: &Path,
) -> RatioRow {
	let model = adapted_model(shape, dir);
	let started = Instant::now();
	let sketch = build_sketch(&model, sketched, &ByteTokenizer, SketchParams::default())
		.expect("sketch built");
	let sketch_ms_per_row = started.elapsed().as_secs_f64() * 1e3 / sketched.rows().len() as f64;

	let prompts: Vec<Vec<u32>> = rows
		.iter()
		.step_by(rows.len().div_ceil(ANSWERS))
		.map(|row| row.bytes[..16.min(row.bytes.len())].iter().map(|&b| u32::from(b)).collect())
		.collect();
	let generate_answer = |prompt: &Vec<u32>| {
		generate(&model.llama, prompt, ANSWER_TOKENS, &Sampling::Greedy, &[]).expect("generation")
	};
	let outputs: Vec<Vec<u32>> = prompts.iter().map(generate_answer).collect();
	let generation_ms = median_ms(&prompts, |prompt| {
		generate_answer(prompt);
	});

	let time_per_answer = |attribute: &dyn Fn(&Answer)| {
		median_ms(&outputs, |output| {
			attribute(&Answer { model: model.model, adapter: Some(model.adapter), output })
		})
	};
	let span_ms = time_per_answer(&|answer| {
		span_record(index, &CreditOwners::none(), answer, span_params, 8)
			.expect("span attribution");
	});
	let influence_ms = |scoring| {
		time_per_answer(&|answer| {
			influence_record(&model, &sketch, &CreditOwners::none(), answer, scoring, 8)
				.expect("influence attribution");
		})
	};
	let tracin_ms = influence_ms(InfluenceScoring::TracIn);
	let datainf_ms = influence_ms(InfluenceScoring::DATAINF);
	let count = |tensors: Vec<Tensor>| tensors.iter().map(|t| t.numel() as i64).sum::<i64>();
	RatioRow {
		name: shape.name,
		parameters: count(model.llama.hf_weights().expect("full weights").into_values().collect()),
		adapter_parameters: count(model.llama.lora_parameters()),
		sketch_ms_per_row,
		generation_ms,
		span_ms,
		tracin_ms,
		datainf_ms,
	}
}

fn print_ratio_table(rows: &[RatioRow], sketched_rows: usize) {
	println!(
		"attribution / generation per {ANSWER_TOKENS}-token answer (goal <= 0.25); influence over {sketched_rows} \
		 sketched rows, LoRA rank {RANK} on all projections, k = {} per side:",
		SketchParams::default().projection_dim
	);
	println!(
		"| model | params | LoRA params | sketch ms/row (offline) | generation ms | span ms | span ratio | \
		 TracIn ms | TracIn ratio | DataInf ms | DataInf ratio |"
	);
	println!("|---|---|---|---|---|---|---|---|---|---|---|");
	for row in rows {
		println!(
			"| {} | {} | {} | {:.2} | {:.1} | {:.3} | {:.4} | {:.2} | {:.3} | {:.2} | {:.3} |",
			row.name,
			row.parameters,
			row.adapter_parameters,
			row.sketch_ms_per_row,
			row.generation_ms,
			row.span_ms,
			row.span_ms / row.generation_ms,
			row.tracin_ms,
			row.tracin_ms / row.generation_ms,
			row.datainf_ms,
			row.datainf_ms / row.generation_ms
		);
	}
}
