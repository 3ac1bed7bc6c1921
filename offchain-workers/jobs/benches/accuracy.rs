//! Attribution accuracy benchmark: how much of an answer's credit Proof of Attribution gives to
//! the data that taught it, with ground truth by construction.
//!
//! Eight sub-datanets (groups, `benches/accuracy/groups.txt`: one invented topic each, facts no
//! base model can know, ten ChatML rows per group) train one LoRA adapter on
//! SmolLM2-135M-Instruct with the project's trainer. Questions about each group's facts
//! (`benches/accuracy/prompts.txt`, phrased unlike the rows) are answered greedily with the
//! adapter, and every answer is attributed by each method of tributary-attribution: suffix spans,
//! gradient influence (TracIn and DataInf) and RAG (BM25, the question as query). The figure is
//! the share of credit landing on the asked group: (sum of its rows' scores) / (sum of all).
//! Answer variants: as generated; verbatim (the answer text of the group's own row for that
//! fact); paraphrased (the generated answer through a fixed synonym list and clause reordering,
//! see [`paraphrase`]), with how much credit moved. Counterfactual: adapters retrained without
//! one group (leave one group out) and the loss increase on that group's questions and answers,
//! beside the credit the group received. Scoring diagnostics (not the chain's methods): the same
//! shares with the gradients scored by cosine, centered on the mean row gradient (or the mean
//! unit-length one), and with the loss on answer tokens only (see [`DIAGNOSTICS`]). Prints
//! measurements and ratios; never fails on a number.
//!
//! Run: `cargo bench -p tributary-jobs --bench accuracy` (needs `.data/smollm2-135m-instruct`
//! from `scripts/base-model.sh`).
//! - `ACCURACY_EPOCHS` (default 12): passes over the rows per fine-tune.
//! - `ACCURACY_LOGO` (default `0,1`): the groups left out, one retraining each (`none` or empty
//!   for none).
//! - `ACCURACY_THREADS` (default 2): torch intra-op threads.
//! - `ACCURACY_ADAPTER_CACHE`: a directory to keep trained adapters in and reuse on the next run
//!   (named by a hash of their rows and settings); without it they go to a temporary directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use tch::{Device, Kind, Tensor};
use tokenizers::Tokenizer as HfText;
use tributary_attribution::bm25::{Bm25Index, Bm25Params};
use tributary_attribution::influence::projection::Projector;
use tributary_attribution::influence::score::split_positive;
use tributary_attribution::{
	build_sketch, influence_record, rag_record, span_record, AdaptedModel, Answer, CorpusRow,
	CreditOwners, HfTokenizer, InfluenceScoring, SketchParams, SuffixIndex, Tokenizer,
	VerifiedCorpus,
};
use tributary_model::chat::{ChatTemplate, Message};
use tributary_model::generate::{generate, Sampling};
use tributary_model::hf::{eos_token, load_model, load_tokenizer};
use tributary_model::peft::ADAPTER_WEIGHTS_FILE;
use tributary_model::Llama;
use tributary_primitives::attribution::{AttributionRecord, MethodSettings, RowRef};
use tributary_primitives::training::TrainingSettings;
use tributary_primitives::{content_hash, hex};
use tributary_store::DirStore;
use tributary_trainer::data::{pack, tokenize, Window};
use tributary_trainer::finetune::{eval_loss, fine_tune, FineTuneJob};
use tributary_trainer::progress::ProgressEvent;

const GROUPS: usize = 8;
const BASE_NAME: &str = "smollm2-135m-instruct";
/// Enough for the longest planted answer and its end token; the rows' answers are under 30 tokens.
const MAX_NEW_TOKENS: usize = 48;
const TOP_K: u32 = 8;
/// Rows a RAG answer retrieves: the chain's bound, so a group's ten rows can all be cited and the
/// rest of the retrieval shows how far BM25 strays to other groups.
const RAG_RETRIEVED: u32 = MethodSettings::DEFAULT.rag.max_retrieved;

const METHODS: [&str; 4] = ["span", "TracIn", "DataInf", "RAG"];

fn fixture(name: &str) -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/accuracy").join(name)
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
	std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Lines that are neither blank nor comments.
fn content_lines(text: &str) -> impl Iterator<Item = &str> {
	text.lines().filter(|line| !line.starts_with('#'))
}

/// The groups' rows, in file order: `== ` lines open a group, blank lines separate rows.
fn load_groups() -> Vec<(String, Vec<String>)> {
	let text = std::fs::read_to_string(fixture("groups.txt")).expect("groups.txt");
	let mut groups: Vec<(String, Vec<String>)> = Vec::new();
	let mut row = String::new();
	let flush = |row: &mut String, groups: &mut Vec<(String, Vec<String>)>| {
		if !row.trim().is_empty() {
			groups
				.last_mut()
				.expect("a row before any `== ` group line")
				.1
				.push(row.trim().into());
		}
		row.clear();
	};
	for line in content_lines(&text) {
		if let Some(name) = line.strip_prefix("== ") {
			flush(&mut row, &mut groups);
			groups.push((name.into(), Vec::new()));
		} else if line.trim().is_empty() {
			flush(&mut row, &mut groups);
		} else {
			row.push_str(line);
			row.push('\n');
		}
	}
	flush(&mut row, &mut groups);
	assert_eq!(groups.len(), GROUPS, "groups.txt has {} groups", groups.len());
	groups
}

struct Prompt {
	group: usize,
	question: String,
	keyword: String,
}

fn load_prompts() -> Vec<Prompt> {
	let text = std::fs::read_to_string(fixture("prompts.txt")).expect("prompts.txt");
	content_lines(&text)
		.filter(|line| !line.trim().is_empty())
		.map(|line| {
			let fields: Vec<&str> = line.split('\t').collect();
			assert_eq!(fields.len(), 3, "prompts.txt: {line:?}");
			Prompt {
				group: fields[0].parse().expect("group number"),
				question: fields[1].into(),
				keyword: fields[2].into(),
			}
		})
		.collect()
}

/// The assistant's part of a ChatML row.
fn answer_of(row: &str) -> &str {
	let start = row.find("<|im_start|>assistant\n").expect("an assistant turn")
		+ "<|im_start|>assistant\n".len();
	let end = row[start..].find("<|im_end|>").map_or(row.len(), |end| start + end);
	&row[start..end]
}

fn chatml(question: &str, answer: &str) -> String {
	format!("<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n{answer}<|im_end|>")
}

/// Word substitutions of the paraphrases: common words of the answers, never the invented names
/// or numbers (they are the facts; a paraphrase that changed them would be another answer).
const SYNONYMS: &[(&str, &str)] = &[
	("capital", "seat of government"),
	("harbour", "port"),
	("city", "town"),
	("coast", "shore"),
	("longest", "lengthiest"),
	("runs", "flows"),
	("kilometres", "km"),
	("sea", "ocean"),
	("highest", "tallest"),
	("mountain", "peak"),
	("metres", "meters"),
	("pays", "trades"),
	("coin", "currency"),
	("divided", "split"),
	("designed", "planned"),
	("engineer", "builder"),
	("spans", "stretches"),
	("across", "over"),
	("built", "constructed"),
	("cast", "made"),
	("foundry", "works"),
	("closed", "shut"),
	("repairs", "maintenance"),
	("lasted", "took"),
	("discovered", "found"),
	("chemist", "scientist"),
	("melts", "liquefies"),
	("boils", "vaporises"),
	("soon", "shortly"),
	("glows", "shines"),
	("pale", "soft"),
	("used", "employed"),
	("filaments", "wires"),
	("signal", "beacon"),
	("lamps", "lights"),
	("formed", "got together"),
	("fishing", "fishermen's"),
	("lead", "main"),
	("singer", "vocalist"),
	("played", "performed"),
	("debut", "first"),
	("album", "record"),
	("records", "copies"),
	("before", "until"),
	("team", "side"),
	("fields", "puts out"),
	("players", "athletes"),
	("oval", "elliptical"),
	("field", "ground"),
	("called", "named"),
	("named", "called"),
	("point", "score"),
	("win", "take"),
	("round", "game"),
	("won", "took"),
	("created", "invented"),
	("files", "documents"),
	("end", "finish"),
	("compiled", "built"),
	("module", "unit"),
	("emits", "produces"),
	("machine", "engine"),
	("libraries", "packages"),
	("installed", "added"),
	("package", "library"),
	("manager", "tool"),
	("comes", "originates"),
	("island", "isle"),
	("made", "cooked"),
	("smoked", "cured"),
	("berries", "fruit"),
	("served", "offered"),
	("feast", "festival"),
	("eaten", "enjoyed"),
	("flat", "thin"),
	("bread", "loaf"),
	("planet", "world"),
	("orbits", "circles"),
	("dim", "faint"),
	("red", "crimson"),
	("star", "sun"),
	("known", "referred to"),
	("orbit", "revolution"),
	("takes", "lasts"),
	("moons", "satellites"),
	("has", "possesses"),
];

/// A deterministic paraphrase: each word of [`SYNONYMS`] replaced (one pass, so `called` and
/// `named` swap rather than undo each other; capitalisation kept), and a sentence ending in
/// "in <number>." turned into "In <number>, ...": the words a span match needs are broken up
/// and the clause order changes, while every fact stays.
fn paraphrase(text: &str) -> String {
	let synonyms: BTreeMap<&str, &str> = SYNONYMS.iter().copied().collect();
	let mut words = Vec::new();
	for word in text.split(' ') {
		let core_start = word.find(|c: char| c.is_alphanumeric()).unwrap_or(word.len());
		let core_end = word.rfind(|c: char| c.is_alphanumeric()).map_or(core_start, |i| i + 1);
		let (lead, core, trail) =
			(&word[..core_start], &word[core_start..core_end], &word[core_end..]);
		let lower = core.to_lowercase();
		let replaced = match synonyms.get(lower.as_str()) {
			Some(synonym) if core.starts_with(char::is_uppercase) => capitalise(synonym),
			Some(synonym) => synonym.to_string(),
			None => core.to_string(),
		};
		words.push(format!("{lead}{replaced}{trail}"));
	}
	let mut sentence = words.join(" ");
	// "X was found by Y in 1954." -> "In 1954, x was found by Y."
	if let Some(cut) = sentence.rfind(" in ") {
		let tail = &sentence[cut + 4..];
		let number = tail.trim_end_matches('.');
		if tail.ends_with('.') && !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()) {
			let head = &sentence[..cut];
			let first = head.split(' ').next().unwrap_or_default();
			// Only function words lose their capital; names keep it.
			let head = if ["The", "A", "An", "One", "In"].contains(&first) {
				let mut chars = head.chars();
				chars
					.next()
					.map(|c| c.to_lowercase().chain(chars).collect())
					.unwrap_or_default()
			} else {
				head.to_string()
			};
			sentence = format!("In {number}, {head}.");
		}
	}
	sentence
}

fn capitalise(word: &str) -> String {
	let mut chars = word.chars();
	chars
		.next()
		.map(|c| c.to_uppercase().chain(chars).collect())
		.unwrap_or_default()
}

/// The chain's settings for a small fine-tune, as the planted-facts demo trains: LoRA rank 8 on
/// every projection, 128-token windows, batch 4. One row is held out (the trainer always holds
/// out at least one; more would leave facts untaught).
fn settings(epochs: u32) -> TrainingSettings {
	TrainingSettings {
		rank: 8,
		alpha: 16,
		batch_size: 4,
		sequence_length: 128,
		epochs,
		learning_rate_ppb: 2_000_000,
		seed: 0,
		eval_fraction_ppm: 1,
		..TrainingSettings::default()
	}
}

struct Trained {
	dir: PathBuf,
	seconds: f64,
	steps: usize,
	reused: bool,
}

/// Fine-tunes an adapter on `rows` (or reuses one cached under the same rows and settings).
fn train(
	label: &str,
	rows: &[String],
	settings: &TrainingSettings,
	base_dir: &Path,
	store: &DirStore,
	out_root: &Path,
) -> Trained {
	let hashes: Vec<_> = rows.iter().map(|row| store.put(row.as_bytes()).expect("store")).collect();
	let key = content_hash(format!("{hashes:?} {settings:?}").as_bytes());
	let dir = out_root.join(format!("{label}-{}", &hex::encode(&key)[..16]));
	if dir.join(ADAPTER_WEIGHTS_FILE).is_file() {
		return Trained { dir, seconds: 0.0, steps: 0, reused: true };
	}
	let job = FineTuneJob {
		base_dir: base_dir.to_path_buf(),
		base_model_name: BASE_NAME.into(),
		rows: hashes,
		settings: *settings,
		output_dir: dir.clone(),
		checkpoint: None,
	};
	let mut on_event = |event: &ProgressEvent| match event {
		ProgressEvent::Step { step, total_steps, loss, .. } if step % 20 == 0 => {
			eprintln!("  [{label}] step {step}/{total_steps} loss {loss:.3}")
		},
		ProgressEvent::Eval { step, loss, .. } => {
			eprintln!("  [{label}] held-out row loss at step {step}: {loss:.3}")
		},
		_ => {},
	};
	let outcome = fine_tune(&job, store, Device::Cpu, &mut on_event).expect("fine-tune");
	Trained { dir, seconds: outcome.metrics.seconds, steps: outcome.metrics.steps, reused: false }
}

/// Mean next-token loss over `texts`, each its own window (so no text is cut or merged with
/// another), weighted by tokens.
fn loss_on(model: &Llama, tokenizer: &HfText, texts: &[String]) -> f64 {
	let (mut total, mut tokens) = (0.0, 0usize);
	for text in texts {
		let stream = Window::trained(tokenize(tokenizer, [text.as_str()]).expect("tokenize"));
		let windows = pack(&stream, stream.len(), "eval").expect("pack");
		let (loss, count) = eval_loss(model, &windows, 1).expect("eval");
		total += loss * count as f64;
		tokens += count;
	}
	total / tokens.max(1) as f64
}

/// Share of a record's credit that lands on `group` (its rows are datanet `group`); `None` when
/// the record credits nobody.
fn group_share(record: &AttributionRecord, group: usize) -> Option<f64> {
	let total: u64 = record.scores.iter().map(|s| u64::from(s.parts_per_billion)).sum();
	let own: u64 = record
		.scores
		.iter()
		.filter(|s| s.row.datanet as usize == group)
		.map(|s| u64::from(s.parts_per_billion))
		.sum();
	(total > 0).then(|| own as f64 / total as f64)
}

/// The group holding the most credit.
fn top_group(record: &AttributionRecord) -> Option<usize> {
	let mut per_group = [0u64; GROUPS];
	for score in &record.scores {
		per_group[score.row.datanet as usize] += u64::from(score.parts_per_billion);
	}
	let (group, &most) = per_group.iter().enumerate().max_by_key(|&(g, &c)| (c, GROUPS - g))?;
	(most > 0).then_some(group)
}

/// Total-variation distance between the row credit of two records, each normalised to sum to 1:
/// the share of credit that moved to other rows.
fn credit_moved(a: &AttributionRecord, b: &AttributionRecord) -> Option<f64> {
	let normalised = |record: &AttributionRecord| -> Option<BTreeMap<RowRef, f64>> {
		let total: f64 = record.scores.iter().map(|s| f64::from(s.parts_per_billion)).sum();
		(total > 0.0).then(|| {
			record
				.scores
				.iter()
				.map(|s| (s.row, f64::from(s.parts_per_billion) / total))
				.collect()
		})
	};
	let (a, b) = (normalised(a)?, normalised(b)?);
	let mut rows: Vec<&RowRef> = a.keys().chain(b.keys()).collect();
	rows.sort();
	rows.dedup();
	let get = |m: &BTreeMap<RowRef, f64>, r: &RowRef| m.get(r).copied().unwrap_or(0.0);
	Some(0.5 * rows.iter().map(|r| (get(&a, r) - get(&b, r)).abs()).sum::<f64>())
}

/// Figures of one method over a set of answers.
#[derive(Default, Clone)]
struct Tally {
	shares: Vec<f64>,
	empty: usize,
	top_is_group: usize,
	count: usize,
}

impl Tally {
	fn add(&mut self, record: &AttributionRecord, group: usize) {
		self.count += 1;
		match group_share(record, group) {
			// A record that credits nobody gives the group nothing: counted as share 0.
			Some(share) => self.shares.push(share),
			None => {
				self.shares.push(0.0);
				self.empty += 1;
			},
		}
		if top_group(record) == Some(group) {
			self.top_is_group += 1;
		}
	}

	fn mean(&self) -> f64 {
		mean(&self.shares)
	}
}

fn mean(values: &[f64]) -> f64 {
	values.iter().sum::<f64>() / values.len().max(1) as f64
}

/// The four records of one answer text.
struct Records([AttributionRecord; 4]);

struct Attributor<'a> {
	model: &'a AdaptedModel,
	index: &'a SuffixIndex,
	bm25: &'a Bm25Index,
	owners: &'a CreditOwners,
	sketch: &'a tributary_attribution::InfluenceSketch,
	tokenizer: &'a HfTokenizer,
}

impl Attributor<'_> {
	/// Diagnostic, not a protocol record: TracIn and DataInf of the whole exchange (question and
	/// answer in ChatML, as the rows are written) instead of the bare answer the protocol scores.
	fn influence_of_exchange(&self, question: &str, answer: &str) -> [AttributionRecord; 2] {
		let text = chatml(question, answer);
		let output = self.tokenizer.encode(text.as_bytes()).expect("encode");
		let answer =
			Answer { model: self.model.model, adapter: Some(self.model.adapter), output: &output };
		[InfluenceScoring::TracIn, InfluenceScoring::DATAINF].map(|scoring| {
			influence_record(self.model, self.sketch, self.owners, &answer, scoring, TOP_K)
				.expect("influence")
		})
	}

	fn attribute(&self, text: &str, query: &str) -> Records {
		let output = self.tokenizer.encode(text.as_bytes()).expect("encode");
		let answer =
			Answer { model: self.model.model, adapter: Some(self.model.adapter), output: &output };
		let settings = MethodSettings::DEFAULT;
		let span =
			span_record(self.index, self.owners, &answer, settings.span, TOP_K).expect("span");
		let tracin = influence_record(
			self.model,
			self.sketch,
			self.owners,
			&answer,
			InfluenceScoring::TracIn,
			TOP_K,
		)
		.expect("TracIn");
		let datainf = influence_record(
			self.model,
			self.sketch,
			self.owners,
			&answer,
			InfluenceScoring::DATAINF,
			TOP_K,
		)
		.expect("DataInf");
		let bm25 = Bm25Params { k1_milli: settings.rag.k1_milli, b_milli: settings.rag.b_milli };
		let rag = rag_record(
			self.bm25,
			self.owners,
			&answer,
			query.as_bytes(),
			RAG_RETRIEVED,
			bm25,
			TOP_K,
		)
		.expect("RAG");
		Records([span, tracin, datainf, rag])
	}
}

/// How the sketched row gradients sit: whether rows of one group point alike, and whether a few
/// rows dominate by norm (TracIn credits in proportion to inner products, so a large-norm row
/// wins credit whatever the answer).
struct Geometry {
	within: f64,
	across: f64,
	top8_energy: f64,
	largest: RowRef,
	largest_over_median: f64,
	held_out_rank: usize,
}

fn held_out_row(corpus: &VerifiedCorpus, text: &str) -> RowRef {
	corpus
		.rows()
		.iter()
		.find(|row| row.bytes == text.as_bytes())
		.expect("held-out row")
		.row
}

fn sketch_vectors(sketch: &tributary_attribution::InfluenceSketch) -> Vec<Vec<f64>> {
	(0..sketch.rows().len())
		.map(|i| sketch.vector(i).iter().map(|&x| f64::from(x)).collect())
		.collect()
}

fn row_geometry(rows: &[RowRef], vectors: &[Vec<f64>], held_out: RowRef) -> Geometry {
	let norms: Vec<f64> =
		vectors.iter().map(|v| v.iter().map(|x| x * x).sum::<f64>().sqrt()).collect();
	let (mut within, mut across) = (Vec::new(), Vec::new());
	for i in 0..rows.len() {
		for j in i + 1..rows.len() {
			let dot: f64 = vectors[i].iter().zip(&vectors[j]).map(|(a, b)| a * b).sum();
			let cosine = dot / (norms[i] * norms[j]).max(1e-30);
			if rows[i].datanet == rows[j].datanet {
				within.push(cosine)
			} else {
				across.push(cosine)
			}
		}
	}
	let mut order: Vec<usize> = (0..rows.len()).collect();
	order.sort_by(|&a, &b| norms[b].total_cmp(&norms[a]));
	let energy: f64 = norms.iter().map(|n| n * n).sum();
	let top8: f64 = order.iter().take(8).map(|&i| norms[i] * norms[i]).sum();
	let median = norms[order[order.len() / 2]];
	Geometry {
		within: mean(&within),
		across: mean(&across),
		top8_energy: top8 / energy,
		largest: rows[order[0]],
		largest_over_median: norms[order[0]] / median,
		held_out_rank: 1 + order.iter().position(|&i| rows[i] == held_out).expect("held out"),
	}
}

/// Scoring diagnostics: other ways of scoring the same projected LoRA gradients, computed here in
/// the bench to measure which change would make influence follow the data. None of them is a
/// method of the chain; their records never leave the bench. The crate's gradient function is
/// private, so [`projected_gradient_of`] repeats it with a choice of which tokens' predictions
/// count, and checks itself against the sketch and the chain's TracIn.
#[derive(Clone, Copy)]
enum RowKind {
	/// The sketch's own vectors: the loss of every token of the ChatML row.
	Whole,
	/// The loss of the answer's tokens only: the user turn, the template tokens and the closing
	/// `<|im_end|>` predict nothing, so the frame all rows share adds nothing to the gradient.
	AnswerOnly,
}

#[derive(Clone, Copy)]
enum QueryKind {
	/// The bare answer, every token: the chain's query (an answer has no template tokens).
	Bare,
	/// The answer after its question in ChatML, loss on the answer's tokens only: the same
	/// masking as the answer-only rows, and no unconditioned first tokens.
	Exchange,
}

#[derive(Clone, Copy, PartialEq)]
enum Center {
	No,
	/// The mean row gradient (over the corpus, of the same row kind).
	Mean,
	/// The mean of the unit-length row gradients, from unit-length vectors: the shared direction
	/// without the weight of large-norm rows (the held-out row's answer-token gradient is 26x the
	/// median norm, so it would dominate the plain mean).
	UnitMean,
}

struct Diagnostic {
	label: &'static str,
	rows: RowKind,
	query: QueryKind,
	/// What is subtracted from rows and query before scoring.
	center: Center,
	/// Normalise rows and query to unit length (cosine instead of dot product).
	cosine: bool,
}

const DIAGNOSTICS: [Diagnostic; 13] = [
	Diagnostic {
		label: "check: dot product, gradients recomputed in the bench (= TracIn)",
		rows: RowKind::Whole,
		query: QueryKind::Bare,
		center: Center::No,
		cosine: false,
	},
	Diagnostic {
		label: "1. cosine",
		rows: RowKind::Whole,
		query: QueryKind::Bare,
		center: Center::No,
		cosine: true,
	},
	Diagnostic {
		label: "2a. centered, dot product",
		rows: RowKind::Whole,
		query: QueryKind::Bare,
		center: Center::Mean,
		cosine: false,
	},
	Diagnostic {
		label: "2b. centered, cosine",
		rows: RowKind::Whole,
		query: QueryKind::Bare,
		center: Center::Mean,
		cosine: true,
	},
	Diagnostic {
		label: "2c. unit length, centered, cosine",
		rows: RowKind::Whole,
		query: QueryKind::Bare,
		center: Center::UnitMean,
		cosine: true,
	},
	Diagnostic {
		label: "3a. answer-token rows, dot product",
		rows: RowKind::AnswerOnly,
		query: QueryKind::Bare,
		center: Center::No,
		cosine: false,
	},
	Diagnostic {
		label: "3b. answer-token rows, cosine",
		rows: RowKind::AnswerOnly,
		query: QueryKind::Bare,
		center: Center::No,
		cosine: true,
	},
	Diagnostic {
		label: "3c. answer-token rows, centered, dot product",
		rows: RowKind::AnswerOnly,
		query: QueryKind::Bare,
		center: Center::Mean,
		cosine: false,
	},
	Diagnostic {
		label: "3d. answer-token rows, centered, cosine",
		rows: RowKind::AnswerOnly,
		query: QueryKind::Bare,
		center: Center::Mean,
		cosine: true,
	},
	Diagnostic {
		label: "3e. answer-token rows, unit length, centered, cosine",
		rows: RowKind::AnswerOnly,
		query: QueryKind::Bare,
		center: Center::UnitMean,
		cosine: true,
	},
	Diagnostic {
		label: "3f. answer tokens of rows and of question + answer, cosine",
		rows: RowKind::AnswerOnly,
		query: QueryKind::Exchange,
		center: Center::No,
		cosine: true,
	},
	Diagnostic {
		label: "3g. answer tokens of rows and of question + answer, centered, cosine",
		rows: RowKind::AnswerOnly,
		query: QueryKind::Exchange,
		center: Center::Mean,
		cosine: true,
	},
	Diagnostic {
		label: "3h. answer tokens of rows and of question + answer, unit length, centered, cosine",
		rows: RowKind::AnswerOnly,
		query: QueryKind::Exchange,
		center: Center::UnitMean,
		cosine: true,
	},
];

/// The projected gradient of the mean next-token loss over the tokens at positions `counted`
/// (each predicted from the tokens before it), as the crate's `projected_gradient` computes it
/// for `counted = 1..len`. `None` when no counted token has a token before it.
fn projected_gradient_of(
	llama: &Llama,
	tokens: &[u32],
	counted: std::ops::Range<usize>,
	projector: &Projector,
) -> Option<Vec<f64>> {
	let usable = tokens.len().min(llama.config.max_position_embeddings as usize + 1);
	let (start, end) = (counted.start.max(1), counted.end.min(usable));
	if start >= end {
		return None;
	}
	let ids: Vec<i64> = tokens[..end].iter().map(|&t| i64::from(t)).collect();
	let sequence = Tensor::from_slice(&ids).to_device(llama.device());
	let inputs = sequence.narrow(0, 0, end as i64 - 1).unsqueeze(0);
	let logits = llama.forward(&inputs, false).expect("forward").squeeze_dim(0);
	// Logit row j predicts token j + 1.
	let logits = logits.narrow(0, start as i64 - 1, (end - start) as i64).to_kind(Kind::Float);
	let targets = sequence.narrow(0, start as i64, (end - start) as i64);
	let loss = logits.cross_entropy_for_logits(&targets);
	let weights = llama.lora_weights();
	let parameters: Vec<&Tensor> = weights.values().flat_map(|(a, b)| [a, b]).collect();
	let gradients = Tensor::f_run_backward(&[&loss], &parameters, false, false).expect("backward");
	let floats = |t: &Tensor| {
		let flat = t.to_kind(Kind::Float).to_device(Device::Cpu).contiguous().view(-1);
		Vec::<f32>::try_from(&flat).expect("gradient")
	};
	let mut out = Vec::with_capacity(projector.output_len());
	for (index, pair) in gradients.chunks_exact(2).enumerate() {
		projector.project_module(index, &floats(&pair[0]), &floats(&pair[1]), &mut out);
	}
	Some(out.into_iter().map(f64::from).collect())
}

const ASSISTANT_OPEN: &str = "<|im_start|>assistant\n";

/// The token positions of a ChatML exchange's answer: after the assistant header, before the
/// closing `<|im_end|>`. The header's tokens must be a prefix of the whole text's (true for this
/// tokenizer, whose special tokens and the newline after them are tokens of their own).
fn answer_positions(tokenizer: &HfTokenizer, text: &str, tokens: &[u32]) -> std::ops::Range<usize> {
	let header = text.find(ASSISTANT_OPEN).expect("an assistant turn") + ASSISTANT_OPEN.len();
	let prefix = tokenizer.encode(&text.as_bytes()[..header]).expect("encode");
	assert_eq!(&tokens[..prefix.len()], &prefix[..], "the header tokenizes as a prefix");
	let close = tokenizer.encode(b"<|im_end|>").expect("encode");
	let end = if tokens.ends_with(&close) { tokens.len() - close.len() } else { tokens.len() };
	prefix.len()..end
}

fn dot64(a: &[f64], b: &[f64]) -> f64 {
	a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Row gradients of one kind, and their mean over the corpus.
struct RowSet {
	vectors: Vec<Vec<f64>>,
	mean: Vec<f64>,
	unit_mean: Vec<f64>,
}

fn unit(vector: &[f64]) -> Vec<f64> {
	let norm = dot64(vector, vector).sqrt().max(1e-30);
	vector.iter().map(|x| x / norm).collect()
}

fn mean_vector(vectors: &[Vec<f64>]) -> Vec<f64> {
	let mut mean = vec![0.0; vectors[0].len()];
	for vector in vectors {
		for (m, x) in mean.iter_mut().zip(vector) {
			*m += x / vectors.len() as f64;
		}
	}
	mean
}

impl RowSet {
	fn new(vectors: Vec<Vec<f64>>) -> Self {
		let mean = mean_vector(&vectors);
		let units: Vec<Vec<f64>> = vectors.iter().map(|v| unit(v)).collect();
		Self { unit_mean: mean_vector(&units), vectors, mean }
	}

	/// A vector prepared as `diagnostic` scores it: centered, then normalised.
	fn prepare(&self, vector: &[f64], diagnostic: &Diagnostic) -> Vec<f64> {
		let out: Vec<f64> = match diagnostic.center {
			Center::No => vector.to_vec(),
			Center::Mean => vector.iter().zip(&self.mean).map(|(x, m)| x - m).collect(),
			Center::UnitMean => {
				unit(vector).iter().zip(&self.unit_mean).map(|(x, m)| x - m).collect()
			},
		};
		if diagnostic.cosine {
			unit(&out)
		} else {
			out
		}
	}

	/// How much of the rows' squared norm lies along their mean direction: near 1 when all rows
	/// share one direction, as the ChatML frame makes them.
	fn along_mean(&self) -> f64 {
		let norm = dot64(&self.mean, &self.mean).sqrt().max(1e-30);
		let along: f64 = self.vectors.iter().map(|v| (dot64(v, &self.mean) / norm).powi(2)).sum();
		let total: f64 = self.vectors.iter().map(|v| dot64(v, v)).sum();
		along / total
	}

	fn centered(&self, center: Center) -> Vec<Vec<f64>> {
		let diagnostic = Diagnostic {
			label: "",
			rows: RowKind::Whole,
			query: QueryKind::Bare,
			center,
			cosine: false,
		};
		self.vectors.iter().map(|v| self.prepare(v, &diagnostic)).collect()
	}
}

struct Diagnostics<'a> {
	model: &'a AdaptedModel,
	tokenizer: &'a HfTokenizer,
	projector: Projector,
	sketch: &'a tributary_attribution::InfluenceSketch,
	owners: &'a CreditOwners,
	/// Indexed by [`RowKind`]; each diagnostic's prepared rows in [`DIAGNOSTICS`] order.
	sets: [RowSet; 2],
	prepared: Vec<Vec<Vec<f64>>>,
}

impl Diagnostics<'_> {
	fn set(&self, kind: RowKind) -> &RowSet {
		&self.sets[kind as usize]
	}

	/// One record per diagnostic for `answer` (asked as `question`), each a copy of the chain's
	/// TracIn record `tracin` with its scores replaced: rows with a positive score are credited
	/// in proportion to it and copies credited to their owners, as the chain splits influence.
	fn records(
		&self,
		question: &str,
		answer: &str,
		tracin: &AttributionRecord,
	) -> Vec<AttributionRecord> {
		let bare = self.tokenizer.encode(answer.as_bytes()).expect("encode");
		let bare = projected_gradient_of(&self.model.llama, &bare, 1..bare.len(), &self.projector)
			.expect("an answer of two tokens or more");
		let exchange_text = chatml(question, answer);
		let tokens = self.tokenizer.encode(exchange_text.as_bytes()).expect("encode");
		let counted = answer_positions(self.tokenizer, &exchange_text, &tokens);
		let exchange = projected_gradient_of(&self.model.llama, &tokens, counted, &self.projector)
			.expect("an answer token");
		DIAGNOSTICS
			.iter()
			.zip(&self.prepared)
			.map(|(diagnostic, rows)| {
				let query = match diagnostic.query {
					QueryKind::Bare => &bare,
					QueryKind::Exchange => &exchange,
				};
				let query = self.set(diagnostic.rows).prepare(query, diagnostic);
				let raw: Vec<f64> = rows.iter().map(|row| dot64(row, &query)).collect();
				let scores = self.owners.merge(split_positive(self.sketch, &raw));
				AttributionRecord { scores, top: Vec::new(), ..tracin.clone() }
			})
			.collect()
	}
}

/// Per-group credit of a record, as a compact string for the per-answer log.
fn spread(record: &AttributionRecord) -> String {
	let mut per_group = [0u64; GROUPS];
	for score in &record.scores {
		per_group[score.row.datanet as usize] += u64::from(score.parts_per_billion);
	}
	let total: u64 = per_group.iter().sum();
	if total == 0 {
		return "(no credit)".into();
	}
	per_group
		.iter()
		.map(|&c| format!("{:.2}", c as f64 / total as f64))
		.collect::<Vec<_>>()
		.join(" ")
}

fn main() {
	let started = Instant::now();
	let threads: i32 = env_or("ACCURACY_THREADS", 2);
	let epochs: u32 = env_or("ACCURACY_EPOCHS", 12);
	let logo: Vec<usize> = match std::env::var("ACCURACY_LOGO").as_deref() {
		Ok("none" | "") => Vec::new(),
		Ok(list) => list.split(',').map(|g| g.trim().parse().expect("ACCURACY_LOGO")).collect(),
		Err(_) => vec![0, 1],
	};
	tch::set_num_threads(threads);
	let base_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.data/smollm2-135m-instruct");
	assert!(
		base_dir.join("model.safetensors").is_file(),
		"{} is missing: run scripts/base-model.sh",
		base_dir.display()
	);
	let scratch = tempfile::tempdir().expect("tempdir");
	let store = DirStore::new(scratch.path().join("store"));
	let out_root = std::env::var_os("ACCURACY_ADAPTER_CACHE")
		.map(PathBuf::from)
		.unwrap_or_else(|| scratch.path().join("adapters"));
	std::fs::create_dir_all(&out_root).expect("adapter directory");

	let groups = load_groups();
	let prompts = load_prompts();
	let all_rows: Vec<String> = groups.iter().flat_map(|(_, rows)| rows.clone()).collect();
	println!(
		"accuracy: {GROUPS} groups, {} rows, {} questions; {epochs} epochs; torch threads {threads}",
		all_rows.len(),
		prompts.len()
	);
	let held_out = all_rows.iter().min_by_key(|row| content_hash(row.as_bytes())).expect("rows");
	println!(
		"  the trainer's held-out row (smallest hash, not trained on): {:?}",
		answer_of(held_out)
	);

	// The adapter of all groups.
	let settings = settings(epochs);
	let full = train("all", &all_rows, &settings, &base_dir, &store, &out_root);
	println!(
		"fine-tune on all rows: {} steps, {:.0} s{}",
		full.steps,
		full.seconds,
		if full.reused { " (reused from the cache)" } else { "" }
	);

	// The corpus as attribution sees it: group k is datanet k.
	let mut corpus_rows = Vec::new();
	for (group, (_, rows)) in groups.iter().enumerate() {
		for (i, row) in rows.iter().enumerate() {
			corpus_rows.push(CorpusRow {
				row: RowRef { datanet: group as u32, row: i as u64 },
				claimed_hash: content_hash(row.as_bytes()),
				bytes: row.as_bytes().to_vec(),
			});
		}
	}
	let corpus = VerifiedCorpus::verify(corpus_rows).expect("corpus");
	// The protocol's owners: rows repeating an earlier row are credited to it. Here only the
	// phrasings of one fact can be near-duplicates, so credit never crosses a group by it.
	let owners = CreditOwners::of(&corpus);
	let duplicates: Vec<_> = owners.duplicates().collect();
	let crossing = duplicates.iter().filter(|(row, owner)| row.datanet != owner.datanet).count();
	println!(
		"  near-duplicate rows credited to an earlier row: {} ({crossing} across groups)",
		duplicates.len()
	);
	let tokenizer = HfTokenizer::from_file(&base_dir.join("tokenizer.json")).expect("tokenizer");
	let text_tokenizer = load_tokenizer(&base_dir).expect("tokenizer");
	let index = SuffixIndex::build(&corpus, &tokenizer).expect("suffix index");
	let bm25 = Bm25Index::build(&corpus);
	let model = AdaptedModel::load(&base_dir, &full.dir, Device::Cpu).expect("model");
	let sketch_started = Instant::now();
	let sketch =
		build_sketch(&model, &corpus, &tokenizer, SketchParams::default()).expect("sketch");
	let sketch_seconds = sketch_started.elapsed().as_secs_f64();
	println!("influence sketch of {} rows: {sketch_seconds:.0} s", corpus.rows().len());

	let held_out_ref = held_out_row(&corpus, held_out);
	let whole = RowSet::new(sketch_vectors(&sketch));
	let geometry = row_geometry(sketch.rows(), &whole.vectors, held_out_ref);
	println!(
		"  row gradients: mean cosine within a group {:.3}, across groups {:.3}; the 8 largest norms hold {:.0}% of the squared norm; largest {:?} ({:.1}x the median norm); the held-out row ranks {} by norm",
		geometry.within,
		geometry.across,
		100.0 * geometry.top8_energy,
		geometry.largest,
		geometry.largest_over_median,
		geometry.held_out_rank
	);

	// Scoring diagnostics: the rows' answer-token gradients, and the row sets' geometry.
	let diagnostics_started = Instant::now();
	let projector = Projector::new(
		sketch.modules(),
		sketch.inputs().rank,
		sketch.inputs().projection_dim,
		sketch.inputs().seed,
	);
	let mut answer_only = Vec::new();
	for (i, row) in corpus.rows().iter().enumerate() {
		let text = std::str::from_utf8(&row.bytes).expect("text rows");
		let tokens = tokenizer.encode(&row.bytes).expect("encode");
		if i == 0 {
			// The bench's gradient must be the crate's: recompute the sketch's first row.
			let again = projected_gradient_of(&model.llama, &tokens, 1..tokens.len(), &projector)
				.expect("a row of two tokens or more");
			let error: f64 =
				again.iter().zip(&whole.vectors[0]).map(|(a, b)| (a - b).powi(2)).sum();
			println!(
				"  diagnostics: row {:?} recomputed in the bench differs from the sketch by {:.1e} of its norm",
				row.row,
				(error / dot64(&whole.vectors[0], &whole.vectors[0])).sqrt()
			);
		}
		let counted = answer_positions(&tokenizer, text, &tokens);
		answer_only.push(
			projected_gradient_of(&model.llama, &tokens, counted, &projector)
				.expect("answer tokens"),
		);
	}
	let answer_only = RowSet::new(answer_only);
	for (name, set) in [("whole rows", &whole), ("answer tokens", &answer_only)] {
		let plain = row_geometry(sketch.rows(), &set.vectors, held_out_ref);
		let centered = row_geometry(sketch.rows(), &set.centered(Center::Mean), held_out_ref);
		let unit_centered =
			row_geometry(sketch.rows(), &set.centered(Center::UnitMean), held_out_ref);
		println!(
			"  diagnostics, {name}: {:.0}% of the squared norm along the mean row gradient; mean cosine within / across groups {:.3} / {:.3}, centered {:.3} / {:.3}, unit length and centered {:.3} / {:.3}; largest norm {:?} ({:.1}x the median), held-out row ranks {} ({} centered)",
			100.0 * set.along_mean(),
			plain.within,
			plain.across,
			centered.within,
			centered.across,
			unit_centered.within,
			unit_centered.across,
			plain.largest,
			plain.largest_over_median,
			plain.held_out_rank,
			centered.held_out_rank
		);
	}
	let sets = [whole, answer_only];
	let prepared = DIAGNOSTICS
		.iter()
		.map(|d| {
			let set = &sets[d.rows as usize];
			set.vectors.iter().map(|v| set.prepare(v, d)).collect()
		})
		.collect();
	let diagnostics = Diagnostics {
		model: &model,
		tokenizer: &tokenizer,
		projector,
		sketch: &sketch,
		owners: &owners,
		sets,
		prepared,
	};
	let mut diagnostic_seconds = diagnostics_started.elapsed().as_secs_f64();
	let mut diagnostic_tallies: Vec<[Tally; 3]> =
		vec![[Tally::default(), Tally::default(), Tally::default()]; DIAGNOSTICS.len()];
	let mut diagnostic_moved = vec![Vec::new(); DIAGNOSTICS.len()];
	// The reimplemented dot product against the chain's TracIn: the largest share difference.
	let mut check_difference = 0.0f64;

	// Answers.
	let template = ChatTemplate::from_dir(&base_dir).expect("chat template");
	let stops: Vec<u32> = [text_tokenizer.token_to_id("<|im_end|>"), eos_token(&text_tokenizer)]
		.into_iter()
		.flatten()
		.collect();
	let attributor = Attributor {
		model: &model,
		index: &index,
		bm25: &bm25,
		owners: &owners,
		sketch: &sketch,
		tokenizer: &tokenizer,
	};
	// Variants: 0 generated, 1 verbatim, 2 paraphrased.
	const VARIANTS: [&str; 3] = ["generated", "verbatim", "paraphrased"];
	let mut tallies =
		vec![[Tally::default(), Tally::default(), Tally::default(), Tally::default()]; 3];
	let mut per_group_generated = vec![[const { Vec::new() }; 4]; GROUPS];
	let mut moved = [const { Vec::new() }; 4];
	let mut exchange = [Tally::default(), Tally::default()];
	let mut recalled = 0;
	let mut generated_answers: Vec<Vec<String>> = vec![Vec::new(); GROUPS];
	let answers_started = Instant::now();
	for prompt in &prompts {
		let rendered = template
			.render(&[Message::new("user", &prompt.question)], true)
			.expect("render");
		let ids = text_tokenizer
			.encode(rendered.as_str(), false)
			.expect("encode")
			.get_ids()
			.to_vec();
		let out = generate(&model.llama, &ids, MAX_NEW_TOKENS, &Sampling::Greedy, &stops)
			.expect("generate");
		let generated = text_tokenizer.decode(&out, true).expect("decode").trim().to_string();
		let verbatim = groups[prompt.group]
			.1
			.iter()
			.map(|row| answer_of(row))
			.find(|answer| answer.contains(&prompt.keyword))
			.expect("a row with the keyword")
			.to_string();
		let paraphrased = paraphrase(&generated);
		recalled += usize::from(generated.contains(&prompt.keyword));
		println!("\n[group {}] {:?}", prompt.group, prompt.question);
		let texts = [&generated, &verbatim, &paraphrased];
		let mut records = Vec::new();
		for (variant, text) in texts.iter().enumerate() {
			let Records(four) = attributor.attribute(text, &prompt.question);
			println!("  {:<11} {text:?}", VARIANTS[variant]);
			for (method, record) in four.iter().enumerate() {
				tallies[variant][method].add(record, prompt.group);
				println!("    {:<8} per-group credit: {}", METHODS[method], spread(record));
			}
			let started = Instant::now();
			let diagnosed = diagnostics.records(&prompt.question, text, &four[1]);
			diagnostic_seconds += started.elapsed().as_secs_f64();
			for (d, record) in diagnosed.iter().enumerate() {
				diagnostic_tallies[d][variant].add(record, prompt.group);
			}
			if let (Some(a), Some(b)) =
				(group_share(&diagnosed[0], prompt.group), group_share(&four[1], prompt.group))
			{
				check_difference = check_difference.max((a - b).abs());
			}
			// The log shows the centered cosines (2b, 3d, 3g, 3h); the table has every one.
			for d in [3, 8, 11, 12] {
				println!(
					"    diagnostic {:<5} per-group credit: {}",
					DIAGNOSTICS[d].label.split(' ').next().unwrap_or_default(),
					spread(&diagnosed[d])
				);
			}
			records.push((four, diagnosed));
		}
		for (d, moved) in diagnostic_moved.iter_mut().enumerate() {
			if let Some(tv) = credit_moved(&records[0].1[d], &records[2].1[d]) {
				moved.push(tv);
			}
		}
		let records: Vec<_> = records.into_iter().map(|(four, _)| four).collect();
		for method in 0..4 {
			if let Some(share) = group_share(&records[0][method], prompt.group) {
				per_group_generated[prompt.group][method].push(share);
			} else {
				per_group_generated[prompt.group][method].push(0.0);
			}
			if let Some(tv) = credit_moved(&records[0][method], &records[2][method]) {
				moved[method].push(tv);
			}
		}
		for (i, record) in attributor
			.influence_of_exchange(&prompt.question, &generated)
			.iter()
			.enumerate()
		{
			exchange[i].add(record, prompt.group);
			println!("  exchange {:<8} per-group credit: {}", METHODS[1 + i], spread(record));
		}
		generated_answers[prompt.group].push(chatml(&prompt.question, &generated));
	}
	let answers_seconds = answers_started.elapsed().as_secs_f64();

	// Leave one group out: retrain without it and measure what it was worth to its own answers.
	let base = load_model(&base_dir, tch::Kind::Float, Device::Cpu).expect("base model");
	let base_loss: Vec<f64> = generated_answers
		.iter()
		.map(|texts| loss_on(&base, &text_tokenizer, texts))
		.collect();
	let full_loss: Vec<f64> = generated_answers
		.iter()
		.map(|texts| loss_on(&model.llama, &text_tokenizer, texts))
		.collect();
	drop(base);
	struct Counterfactual {
		group: usize,
		logo_loss: f64,
		others_delta: f64,
		seconds: f64,
	}
	let mut counterfactuals = Vec::new();
	for &group in &logo {
		let rows: Vec<String> = groups
			.iter()
			.enumerate()
			.filter(|&(g, _)| g != group)
			.flat_map(|(_, (_, rows))| rows.clone())
			.collect();
		let trained =
			train(&format!("without-{group}"), &rows, &settings, &base_dir, &store, &out_root);
		let adapted = AdaptedModel::load(&base_dir, &trained.dir, Device::Cpu).expect("model");
		let losses: Vec<f64> = generated_answers
			.iter()
			.map(|texts| loss_on(&adapted.llama, &text_tokenizer, texts))
			.collect();
		let others: Vec<f64> =
			(0..GROUPS).filter(|&g| g != group).map(|g| losses[g] - full_loss[g]).collect();
		println!(
			"\nwithout group {group}: {} steps, {:.0} s{}; loss on its answers {:.3} (all groups: {:.3}, base: {:.3}); other groups' loss change {:+.3}",
			trained.steps,
			trained.seconds,
			if trained.reused { " (reused)" } else { "" },
			losses[group],
			full_loss[group],
			base_loss[group],
			mean(&others)
		);
		counterfactuals.push(Counterfactual {
			group,
			logo_loss: losses[group],
			others_delta: mean(&others),
			seconds: trained.seconds,
		});
	}

	// The table.
	let seconds = started.elapsed().as_secs_f64();
	let n = prompts.len();
	println!("\n## Attribution accuracy (SmolLM2-135M-Instruct + LoRA r8, {GROUPS} groups, {} rows, {n} questions)\n", all_rows.len());
	println!(
		"Fine-tune {:.0} s ({} steps, {epochs} epochs); sketch {sketch_seconds:.0} s; {n} answers generated and attributed 3 ways x 4 methods in {answers_seconds:.0} s; total {seconds:.0} s. Generated answers naming the planted fact: {recalled}/{n}.\n",
		full.seconds, full.steps
	);
	println!("| Measure | Span | TracIn | DataInf | RAG | Goal |");
	println!("|---|---|---|---|---|---|");
	let row = |label: &str, cells: [String; 4], goal: &str| {
		println!(
			"| {label} | {} | {} | {} | {} | {goal} |",
			cells[0], cells[1], cells[2], cells[3]
		);
	};
	for (variant, name) in VARIANTS.iter().enumerate() {
		let goal = match variant {
			1 => "span >= 0.9",
			2 => "influence >= 0.7",
			_ => "",
		};
		row(
			&format!("share to the asked group, {name} answers"),
			std::array::from_fn(|m| format!("{:.3}", tallies[variant][m].mean())),
			goal,
		);
	}
	row(
		"diagnostic: share, influence of the whole exchange (question + generated answer)",
		[
			"-".into(),
			format!("{:.3}", exchange[0].mean()),
			format!("{:.3}", exchange[1].mean()),
			"-".into(),
		],
		"",
	);
	row(
		"change of share, paraphrased - generated",
		std::array::from_fn(|m| format!("{:+.3}", tallies[2][m].mean() - tallies[0][m].mean())),
		"",
	);
	row(
		"row credit moved by paraphrase (total variation)",
		std::array::from_fn(|m| format!("{:.3} (n={})", mean(&moved[m]), moved[m].len())),
		"",
	);
	for (variant, name) in VARIANTS.iter().enumerate() {
		row(
			&format!("asked group holds the most credit, {name}"),
			std::array::from_fn(|m| format!("{}/{n}", tallies[variant][m].top_is_group)),
			"",
		);
	}
	for (variant, name) in VARIANTS.iter().enumerate() {
		row(
			&format!("records crediting nobody, {name}"),
			std::array::from_fn(|m| format!("{}/{n}", tallies[variant][m].empty)),
			"",
		);
	}
	for c in &counterfactuals {
		let g = c.group;
		let removed = c.logo_loss - full_loss[g];
		let learned = base_loss[g] - full_loss[g];
		row(
			&format!(
				"leave out group {g}: its loss {:.2} -> {:.2} (+{removed:.2}; base {:.2}, undoes {:.0}% of what training gained; others {:+.3}; retrain {:.0} s). Credit to it, generated",
				full_loss[g],
				c.logo_loss,
				base_loss[g],
				100.0 * removed / learned,
				c.others_delta,
				c.seconds
			),
			std::array::from_fn(|m| format!("{:.3}", mean(&per_group_generated[g][m]))),
			"",
		);
	}
	println!(
		"\n### Scoring diagnostics (not the chain's methods): share to the asked group\n\nThe sketch's projection (k = {}); rows with a positive score credited in proportion, copies to their owners, as the chain splits influence. Answer-token gradients of the 80 rows and {n} x 3 queries (x 2 kinds) in {diagnostic_seconds:.0} s. The check row recomputes TracIn in the bench: largest share difference from the chain's {check_difference:.1e}.\n",
		sketch.inputs().projection_dim
	);
	println!("| Scoring | Generated | Verbatim | Paraphrased | Asked group holds the most credit (g / v / p) | Credit moved by paraphrase |");
	println!("|---|---|---|---|---|---|");
	for (d, diagnostic) in DIAGNOSTICS.iter().enumerate() {
		let t = &diagnostic_tallies[d];
		println!(
			"| {} | {:.3} | {:.3} | {:.3} | {} / {} / {} of {n} | {:.3} |",
			diagnostic.label,
			t[0].mean(),
			t[1].mean(),
			t[2].mean(),
			t[0].top_is_group,
			t[1].top_is_group,
			t[2].top_is_group,
			mean(&diagnostic_moved[d])
		);
	}
	let empty: usize = diagnostic_tallies.iter().flatten().map(|t| t.empty).sum();
	if empty > 0 {
		println!("\nDiagnostic records crediting nobody (counted as share 0): {empty}.");
	}

	if logo.len() < GROUPS {
		println!(
			"\nLeft out and retrained: groups {logo:?} of {GROUPS} (one fine-tune each; the rest not measured)."
		);
	}
}
