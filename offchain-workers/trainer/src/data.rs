//! From row hashes to batches of token windows.
//!
//! Rows are read through the store (hash checked) in hash order and each is detected as one of
//! three formats ([`RowFormat`]): a JSON object shaped as an instruction (alpaca) or a chat
//! (OpenAI `messages`, ShareGPT `conversations`) row is rendered with the base model's chat
//! template, its prompt masked out of the loss; anything else is plain text, trained on whole.
//! Messy rows are skipped and counted in a [`DataReport`], never fatal: rows that are not UTF-8,
//! blank or without a reply, duplicates of another row's example, or refused by the template.
//! Every such decision depends only on the rows' bytes, so a verifier given the same rows skips
//! the same ones.
//!
//! Usable rows are split into train and eval by hash (the rows with the smallest hashes are held
//! out), so every worker given the same rows makes the same split whatever order they were listed
//! in. Each split's rows, in hash order and each followed by the end-of-text token, become
//! windows of at most `sequence_length + 1` tokens (inputs and shifted targets) as
//! [`DataOptions`] says: one stream cut into windows, or one sequence per row.

use crate::error::{Result, TrainerError};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;
use tch::{Device, Tensor};
use tokenizers::Tokenizer;
use tributary_model::chat::{ChatTemplate, Message};
pub use tributary_primitives::training::{Overflow, Packing};
use tributary_primitives::{training::TrainingSettings, ContentHash};
use tributary_store::{fetch_verified, ContentStore};

/// The label of a token the loss does not count (torch's `ignore_index` default).
pub const IGNORE: i64 = -100;
/// The input id right-padding fills in; its targets are [`IGNORE`], and causal attention keeps
/// every real token from seeing it, so any valid id would do.
const PAD: i64 = 0;

/// A row's hash and text as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
	pub hash: ContentHash,
	pub text: String,
}

/// What the train/eval split orders by.
pub trait Hashed {
	fn hash(&self) -> ContentHash;
}

impl Hashed for Row {
	fn hash(&self) -> ContentHash {
		self.hash
	}
}

/// How a row is read, detected per row: a JSON object of an instruction or chat shape is that
/// format, anything else is plain text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowFormat {
	Plain,
	/// `{"instruction", "input" (optional), "output"}` (alpaca).
	Instruction,
	/// `{"messages": [{"role", "content"}]}` (OpenAI) or `{"conversations": [{"from", "value"}]}`
	/// (ShareGPT).
	Chat,
}

/// A run of an example's text: trained on (a reply, or plain text) or context only (a prompt).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Piece {
	pub text: String,
	pub trained: bool,
}

/// A usable row as training sees it: its text in pieces, each trained on or masked.
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
	pub hash: ContentHash,
	pub format: RowFormat,
	pub pieces: Vec<Piece>,
}

impl Hashed for Example {
	fn hash(&self) -> ContentHash {
		self.hash
	}
}

/// The trainer's data settings, a job's [`TrainingSettings`] `packing`, `overflow` and
/// `train_on_prompts`: an eval must be given the job's to reproduce its reported loss. With
/// [`Packing::Auto`] the choice is made on a split's own rows, so scoring the held-out rows by
/// name packs them as the job did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataOptions {
	pub packing: Packing,
	pub overflow: Overflow,
	/// Count only replies in the loss (default); `false` trains on prompts too.
	pub mask_prompts: bool,
}

impl Default for DataOptions {
	fn default() -> DataOptions {
		DataOptions::from(&TrainingSettings::default())
	}
}

impl From<&TrainingSettings> for DataOptions {
	fn from(settings: &TrainingSettings) -> DataOptions {
		DataOptions {
			packing: settings.packing,
			overflow: settings.overflow,
			mask_prompts: !settings.train_on_prompts,
		}
	}
}

/// What became of a row set's rows: how many were used, in which format, and why the others
/// were not. `listed` = `rows` + `not_text` + `empty` + `duplicates` + `unrenderable`; `cut_off`
/// of the `rows` were then dropped when packed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DataReport {
	/// Hashes listed, repeats included.
	pub listed: usize,
	/// Rows used.
	pub rows: usize,
	pub plain: usize,
	pub instruction: usize,
	pub chat: usize,
	/// Skipped: bytes that are not UTF-8 text.
	pub not_text: usize,
	/// Skipped: blank text, or an instruction or chat row without a non-blank reply.
	pub empty: usize,
	/// Skipped: a hash listed again, or the same example as a row with a smaller hash (plain
	/// text equal up to surrounding whitespace and line endings; instruction or chat rows that
	/// render to the same prompt and replies, whatever their JSON layout or format).
	pub duplicates: usize,
	/// Skipped: instruction or chat rows the chat template refuses (it raised, or rendering a
	/// conversation's first turns is not a prefix of rendering more of it).
	pub unrenderable: usize,
	/// Rows of more tokens than the sequence holds, truncated or windowed as configured.
	pub overlong: usize,
	/// Skipped when packed per row: none of the row's trained tokens fits in the sequence
	/// (a prompt as long as the context).
	pub cut_off: usize,
}

impl DataReport {
	fn count(&mut self, format: RowFormat) {
		self.rows += 1;
		match format {
			RowFormat::Plain => self.plain += 1,
			RowFormat::Instruction => self.instruction += 1,
			RowFormat::Chat => self.chat += 1,
		}
	}

	/// Adds what packing a split of the rows found.
	pub fn packed(&mut self, packed: &Packed) {
		self.overlong += packed.overlong;
		self.cut_off += packed.cut_off;
	}
}

/// Usable rows in hash order, and what became of all of them.
pub struct Loaded {
	pub examples: Vec<Example>,
	pub report: DataReport,
}

/// Fetches every row through the store, verifying each hash (a corrupt or missing row is an
/// error: the store, not the data, is wrong), and turns the usable ones into examples. The chat
/// template of the checkpoint in `template_dir` is loaded only if an instruction or chat row
/// needs it.
pub fn load_rows(
	store: &dyn ContentStore,
	hashes: &[ContentHash],
	template_dir: &Path,
) -> Result<Loaded> {
	let mut unique = hashes.to_vec();
	unique.sort();
	unique.dedup();
	let mut report = DataReport {
		listed: hashes.len(),
		duplicates: hashes.len() - unique.len(),
		..DataReport::default()
	};
	let mut template = None;
	let mut seen = HashSet::new();
	let mut examples = Vec::new();
	for hash in unique {
		let Ok(text) = String::from_utf8(fetch_verified(store, &hash)?) else {
			report.not_text += 1;
			continue;
		};
		let (format, pieces) = match parse(&text) {
			None if text.trim().is_empty() => {
				report.empty += 1;
				continue;
			},
			None => (RowFormat::Plain, vec![Piece { text, trained: true }]),
			Some((_, messages)) if !has_reply(&messages) => {
				report.empty += 1;
				continue;
			},
			Some((format, messages)) => {
				if template.is_none() {
					template = Some(ChatTemplate::from_dir(template_dir)?);
				}
				let Some(pieces) = template.as_ref().and_then(|t| render(t, &messages)) else {
					report.unrenderable += 1;
					continue;
				};
				(format, pieces)
			},
		};
		if !seen.insert(dedup_key(format, &pieces)) {
			report.duplicates += 1;
			continue;
		}
		report.count(format);
		examples.push(Example { hash, format, pieces });
	}
	Ok(Loaded { examples, report })
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Structured {
	OpenAi { messages: Vec<OpenAiMessage> },
	ShareGpt { conversations: Vec<ShareGptTurn> },
	Alpaca { instruction: String, input: Option<String>, output: String },
}

#[derive(Deserialize)]
struct OpenAiMessage {
	role: String,
	content: String,
}

#[derive(Deserialize)]
struct ShareGptTurn {
	from: String,
	value: String,
}

/// The format and conversation of an instruction or chat row; `None` for plain text. An
/// instruction's input follows it after a blank line, as alpaca's prompt puts it.
fn parse(text: &str) -> Option<(RowFormat, Vec<Message>)> {
	if !text.trim_start().starts_with('{') {
		return None;
	}
	Some(match serde_json::from_str::<Structured>(text).ok()? {
		Structured::OpenAi { messages } => (
			RowFormat::Chat,
			messages.into_iter().map(|m| Message::new(&m.role, &m.content)).collect(),
		),
		Structured::ShareGpt { conversations } => (
			RowFormat::Chat,
			conversations
				.into_iter()
				.map(|turn| Message::new(&sharegpt_role(turn.from), &turn.value))
				.collect(),
		),
		Structured::Alpaca { instruction, input, output } => {
			let prompt = match input.filter(|input| !input.trim().is_empty()) {
				Some(input) => format!("{instruction}\n\n{input}"),
				None => instruction,
			};
			(
				RowFormat::Instruction,
				vec![Message::new("user", &prompt), Message::new("assistant", &output)],
			)
		},
	})
}

/// ShareGPT's speaker names as chat templates know them; others are kept as written.
fn sharegpt_role(from: String) -> String {
	match from.as_str() {
		"human" => "user".into(),
		"gpt" => "assistant".into(),
		_ => from,
	}
}

fn has_reply(messages: &[Message]) -> bool {
	messages.iter().any(|m| m.role == "assistant" && !m.content.trim().is_empty())
}

/// The rendered conversation in pieces: each assistant turn (what the template writes after the
/// generation prompt, through its end-of-turn text) trained, everything else masked. `None` when
/// the template raises, or when a shorter conversation's rendering is not a prefix of a longer
/// one's (the turns cannot be told apart).
fn render(template: &ChatTemplate, messages: &[Message]) -> Option<Vec<Piece>> {
	let mut pieces = Vec::new();
	let mut done = String::new();
	let push = |pieces: &mut Vec<Piece>, text: &str, trained: bool| {
		if !text.is_empty() {
			pieces.push(Piece { text: text.into(), trained });
		}
	};
	for (i, message) in messages.iter().enumerate() {
		if message.role != "assistant" {
			continue;
		}
		let prompt = template.render(&messages[..i], true).ok()?;
		let through = template.render(&messages[..=i], false).ok()?;
		let prompt_part = prompt.strip_prefix(done.as_str())?;
		let reply = through.strip_prefix(prompt.as_str())?;
		push(&mut pieces, prompt_part, false);
		push(&mut pieces, reply, true);
		done = through;
	}
	let full = template.render(messages, false).ok()?;
	push(&mut pieces, full.strip_prefix(done.as_str())?, false);
	Some(pieces)
}

/// What two rows must share to count as one: plain text up to surrounding whitespace and line
/// endings, an instruction or chat row's rendered pieces.
fn dedup_key(format: RowFormat, pieces: &[Piece]) -> Vec<Piece> {
	match (format, pieces) {
		(RowFormat::Plain, [piece]) => {
			vec![Piece { text: piece.text.trim().replace("\r\n", "\n"), trained: true }]
		},
		_ => pieces.to_vec(),
	}
}

pub struct Split<T> {
	pub train: Vec<T>,
	pub eval: Vec<T>,
}

/// Holds out max(1, round(n · eval_fraction)) rows, those with the smallest hashes. A single
/// row is an error rather than trained and scored on itself: an eval loss on training data
/// would pass any adapter off as better than its base.
pub fn split_by_hash<T: Hashed>(mut rows: Vec<T>, eval_fraction: f64) -> Result<Split<T>> {
	if rows.len() < 2 {
		return Err(TrainerError::NotEnoughRows { needed: 2, got: rows.len() });
	}
	rows.sort_by_key(Hashed::hash);
	let eval_rows = ((rows.len() as f64 * eval_fraction).round() as usize).clamp(1, rows.len() - 1);
	let train = rows.split_off(eval_rows);
	Ok(Split { train, eval: rows })
}

/// The token stream of `texts`, each followed by the end-of-text token when the tokenizer has one.
pub fn tokenize<'a>(
	tokenizer: &Tokenizer,
	texts: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<i64>> {
	let eos = tributary_model::hf::eos_token(tokenizer);
	let mut stream = Vec::new();
	for text in texts {
		stream.extend(encode_text(tokenizer, text)?);
		stream.extend(eos.map(|id| id as i64));
	}
	Ok(stream)
}

fn encode_text(tokenizer: &Tokenizer, text: &str) -> Result<Vec<i64>> {
	let encoding = tokenizer
		.encode(text, false)
		.map_err(|e| TrainerError::Tokenizer(e.to_string()))?;
	Ok(encoding.get_ids().iter().map(|&id| id as i64).collect())
}

/// Token ids and, for each, the label the loss compares its prediction with: the id itself, or
/// [`IGNORE`] where the token is not trained on. The first label is never used (nothing
/// predicts the first token).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Window {
	pub ids: Vec<i64>,
	pub labels: Vec<i64>,
}

impl Window {
	/// Every token trained on.
	pub fn trained(ids: Vec<i64>) -> Window {
		Window { labels: ids.clone(), ids }
	}

	pub fn len(&self) -> usize {
		self.ids.len()
	}

	pub fn is_empty(&self) -> bool {
		self.ids.is_empty()
	}

	/// Predictions the loss counts.
	pub fn targets(&self) -> usize {
		self.labels.iter().skip(1).filter(|&&label| label != IGNORE).count()
	}

	fn push(&mut self, ids: &[i64], trained: bool) {
		self.ids.extend_from_slice(ids);
		self.labels.extend(ids.iter().map(|&id| if trained { id } else { IGNORE }));
	}

	fn slice(&self, range: std::ops::Range<usize>) -> Window {
		Window { ids: self.ids[range.clone()].to_vec(), labels: self.labels[range].to_vec() }
	}
}

/// An example's tokens, its pieces tokenized one by one (a prompt is tokenized alone at
/// inference too) and the end-of-text token appended, trained on so the model learns to stop.
/// Prompt pieces are labelled [`IGNORE`] when `mask_prompts`.
pub fn encode(
	tokenizer: &Tokenizer,
	example: &Example,
	eos: Option<u32>,
	mask_prompts: bool,
) -> Result<Window> {
	let mut window = Window::default();
	for piece in &example.pieces {
		window.push(&encode_text(tokenizer, &piece.text)?, piece.trained || !mask_prompts);
	}
	window.push(&eos.map(|id| id as i64).into_iter().collect::<Vec<_>>(), true);
	Ok(window)
}

/// A split's windows, and how many of its rows were too long for them.
pub struct Packed {
	pub windows: Vec<Window>,
	/// Rows of more than `sequence_length + 1` tokens.
	pub overlong: usize,
	/// Rows dropped when packed per row because none of their trained tokens fit.
	pub cut_off: usize,
}

/// The windows of `examples` (one split, in hash order) under `options`; windows with no
/// trained token are dropped. Fails when nothing is left to train or score on.
pub fn pack_examples(
	tokenizer: &Tokenizer,
	examples: &[Example],
	options: &DataOptions,
	sequence_length: usize,
	split: &'static str,
) -> Result<Packed> {
	let eos = tributary_model::hf::eos_token(tokenizer);
	let rows = examples
		.iter()
		.map(|example| encode(tokenizer, example, eos, options.mask_prompts))
		.collect::<Result<Vec<_>>>()?;
	let overlong = rows.iter().filter(|row| row.len() > sequence_length + 1).count();
	let per_row = match options.packing {
		Packing::Auto => examples.iter().any(|e| e.format != RowFormat::Plain),
		Packing::Stream => false,
		Packing::PerRow => true,
	};
	let mut cut_off = 0;
	let windows = if per_row {
		let mut windows = Vec::new();
		for row in &rows {
			let kept: Vec<Window> = match options.overflow {
				Overflow::Truncate => vec![row.slice(0..row.len().min(sequence_length + 1))],
				Overflow::Window => cut(row, sequence_length, true),
			}
			.into_iter()
			.filter(|w| w.targets() > 0)
			.collect();
			cut_off += usize::from(kept.is_empty());
			windows.extend(kept);
		}
		windows
	} else {
		let mut stream = Window::default();
		for row in &rows {
			stream.ids.extend_from_slice(&row.ids);
			stream.labels.extend_from_slice(&row.labels);
		}
		pack(&stream, sequence_length, split)?
			.into_iter()
			.filter(|w| w.targets() > 0)
			.collect()
	};
	if windows.is_empty() {
		return Err(TrainerError::NotEnoughTokens { split });
	}
	Ok(Packed { windows, overlong, cut_off })
}

/// Cuts a stream into windows of `sequence_length + 1` tokens (consecutive windows share one
/// token: the last target of one is the first input of the next). A stream shorter than one
/// window becomes a single shorter window; the tail that does not fill a window is dropped.
pub fn pack(stream: &Window, sequence_length: usize, split: &'static str) -> Result<Vec<Window>> {
	if stream.len() < 2 {
		return Err(TrainerError::NotEnoughTokens { split });
	}
	Ok(cut(stream, sequence_length, false))
}

/// Windows of `sequence_length + 1` tokens overlapping by one; a tail of at least 2 tokens that
/// does not fill a window is kept as a shorter one when `keep_tail` (or when it is all there is).
fn cut(stream: &Window, sequence_length: usize, keep_tail: bool) -> Vec<Window> {
	let window = sequence_length + 1;
	if stream.len() <= window {
		return vec![stream.clone()];
	}
	let full = (stream.len() - window) / sequence_length + 1;
	let mut windows: Vec<Window> = (0..full)
		.map(|i| stream.slice(i * sequence_length..i * sequence_length + window))
		.collect();
	let tail_start = full * sequence_length;
	if keep_tail && stream.len() >= tail_start + 2 {
		windows.push(stream.slice(tail_start..stream.len()));
	}
	windows
}

/// (inputs, targets), each [b, t] with t + 1 the longest window's length: shorter windows are
/// right-padded, the padding's targets [`IGNORE`]d (causal attention keeps it out of every real
/// token's view, so no attention mask is needed).
pub fn batch(windows: &[&Window], device: Device) -> (Tensor, Tensor) {
	let t = windows.iter().map(|w| w.len()).max().unwrap_or(1) - 1;
	let (mut inputs, mut targets) = (Vec::new(), Vec::new());
	for window in windows {
		let n = window.len() - 1;
		inputs.extend_from_slice(&window.ids[..n]);
		inputs.extend(std::iter::repeat_n(PAD, t - n));
		targets.extend_from_slice(&window.labels[1..]);
		targets.extend(std::iter::repeat_n(IGNORE, t - n));
	}
	let shape = [windows.len() as i64, t as i64];
	(
		Tensor::from_slice(&inputs).view(shape).to_device(device),
		Tensor::from_slice(&targets).view(shape).to_device(device),
	)
}

/// The seeded generator of batch order (independent of torch's global one).
pub use tributary_model::rng::SplitMix64;

#[cfg(test)]
mod tests {
	use super::*;
	use tributary_store::DirStore;

	#[test]
	fn split_is_by_hash_not_by_listing_order() {
		let rows: Vec<Row> = (0..10u8)
			.map(|i| Row { hash: [i * 7 % 10; 32], text: format!("row {i}") })
			.collect();
		let mut reversed = rows.clone();
		reversed.reverse();
		let (a, b) = (split_by_hash(rows, 0.2).unwrap(), split_by_hash(reversed, 0.2).unwrap());
		assert_eq!(a.eval, b.eval);
		assert_eq!(a.train, b.train);
		assert_eq!(a.eval.len(), 2);
		assert!(a.eval.iter().all(|e| a.train.iter().all(|t| e.hash < t.hash)));
		assert!(matches!(
			split_by_hash(Vec::<Row>::new(), 0.5),
			Err(TrainerError::NotEnoughRows { .. })
		));
	}

	#[test]
	fn packing_overlaps_windows_by_one_token() {
		let stream = Window::trained((0..10).collect());
		let ids = |windows: Vec<Window>| windows.into_iter().map(|w| w.ids).collect::<Vec<_>>();
		assert_eq!(
			ids(pack(&stream, 4, "train").unwrap()),
			vec![vec![0, 1, 2, 3, 4], vec![4, 5, 6, 7, 8]]
		);
		assert_eq!(ids(pack(&stream.slice(0..3), 4, "train").unwrap()), vec![vec![0, 1, 2]]);
		assert!(matches!(
			pack(&stream.slice(0..1), 4, "eval"),
			Err(TrainerError::NotEnoughTokens { split: "eval" })
		));
		// Windowing a long row keeps its tail.
		assert_eq!(
			ids(cut(&stream, 4, true)),
			vec![vec![0, 1, 2, 3, 4], vec![4, 5, 6, 7, 8], vec![8, 9]]
		);
	}

	#[test]
	fn batches_right_pad_and_ignore_the_padding() {
		let long = Window { ids: vec![5, 6, 7, 8], labels: vec![IGNORE, IGNORE, 7, 8] };
		let short = Window::trained(vec![9, 10]);
		let (inputs, targets) = batch(&[&long, &short], Device::Cpu);
		assert_eq!(Vec::<i64>::try_from(inputs.view([-1])).unwrap(), vec![5, 6, 7, 9, PAD, PAD]);
		assert_eq!(
			Vec::<i64>::try_from(targets.view([-1])).unwrap(),
			vec![IGNORE, 7, 8, 10, IGNORE, IGNORE]
		);
		assert_eq!((long.targets(), short.targets()), (2, 1));
	}

	fn messages(pairs: &[(&str, &str)]) -> Vec<Message> {
		pairs.iter().map(|(role, content)| Message::new(role, content)).collect()
	}

	#[test]
	fn rows_are_detected_per_row() {
		let alpaca = r#"{"instruction": "Add", "input": "2 and 3", "output": "5"}"#;
		assert_eq!(
			parse(alpaca),
			Some((
				RowFormat::Instruction,
				messages(&[("user", "Add\n\n2 and 3"), ("assistant", "5")])
			))
		);
		let no_input = r#"{"output": "5", "instruction": "Add 2 and 3", "input": ""}"#;
		assert_eq!(parse(no_input).unwrap().1[0].content, "Add 2 and 3");
		let openai = r#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}"#;
		assert_eq!(
			parse(openai),
			Some((RowFormat::Chat, messages(&[("user", "Hi"), ("assistant", "Hello")])))
		);
		let sharegpt = r#"{"conversations": [{"from": "system", "value": "S"}, {"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello"}]}"#;
		assert_eq!(
			parse(sharegpt),
			Some((
				RowFormat::Chat,
				messages(&[("system", "S"), ("user", "Hi"), ("assistant", "Hello")])
			))
		);
		// Anything else is plain text: prose, other JSON, a chat row with a non-text content.
		for plain in [
			"Some prose.",
			r#"{"text": "a document"}"#,
			r#"[{"role": "user", "content": "Hi"}]"#,
			r#"{"messages": [{"role": "assistant", "content": null}]}"#,
			r#"{"instruction": "no output"}"#,
			"{ not json",
		] {
			assert_eq!(parse(plain), None, "{plain}");
		}
	}

	#[test]
	fn only_assistant_turns_are_trained() {
		let pieces = render(
			&ChatTemplate::plain(),
			&messages(&[
				("system", "S"),
				("user", "Q1"),
				("assistant", "A1"),
				("user", "Q2"),
				("assistant", "A2"),
			]),
		)
		.unwrap();
		let piece = |text: &str, trained| Piece { text: text.into(), trained };
		assert_eq!(
			pieces,
			vec![
				piece("<|system|>\nS\n<|user|>\nQ1\n<|assistant|>\n", false),
				piece("A1\n", true),
				piece("<|user|>\nQ2\n<|assistant|>\n", false),
				piece("A2\n", true),
			]
		);
	}

	/// A store holding `rows`, and their hashes in the order given.
	fn store_of(rows: &[&[u8]]) -> (tempfile::TempDir, DirStore, Vec<ContentHash>) {
		let dir = tempfile::tempdir().unwrap();
		let store = DirStore::new(dir.path());
		let hashes = rows.iter().map(|row| store.put(row).unwrap()).collect();
		(dir, store, hashes)
	}

	#[test]
	fn messy_rows_are_skipped_and_counted_whatever_the_listing_order() {
		let rows: [&[u8]; 12] = [
			b"a plain row",
			b"  a plain row\r\n",
			b" \n\t ",
			b"",
			&[0xff, 0xfe, b'x'],
			br#"{"instruction": "Add 2 and 3", "output": "5"}"#,
			br#"{"output": "5", "instruction": "Add 2 and 3"}"#,
			br#"{"messages": [{"role": "user", "content": "Add 2 and 3"}, {"role": "assistant", "content": "5"}]}"#,
			br#"{"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello"}]}"#,
			br#"{"instruction": "Say nothing", "output": "  "}"#,
			br#"{"messages": [{"role": "user", "content": "Hi"}]}"#,
			b"another plain row",
		];
		let (dir, store, mut hashes) = store_of(&rows);
		hashes.push(hashes[11]);
		let loaded = load_rows(&store, &hashes, dir.path()).unwrap();
		// Of rows that count as one, the one with the smallest hash stays: here either an alpaca
		// row or the OpenAI row that renders as they do.
		let question = hashes[5].min(hashes[6]).min(hashes[7]);
		let instruction = usize::from(question != hashes[7]);
		assert_eq!(
			loaded.report,
			DataReport {
				listed: 13,
				rows: 4,
				plain: 2,
				instruction,
				chat: 2 - instruction,
				not_text: 1,
				empty: 4,
				// The repeated hash, the plain row up to whitespace, and two of the three rows asking
				// to add 2 and 3.
				duplicates: 4,
				unrenderable: 0,
				overlong: 0,
				cut_off: 0,
			}
		);
		let kept: Vec<ContentHash> = loaded.examples.iter().map(|e| e.hash).collect();
		assert!(kept.is_sorted());
		assert!(kept.contains(&question));
		assert!(kept.contains(&hashes[0].min(hashes[1])));
		hashes.reverse();
		let again = load_rows(&store, &hashes, dir.path()).unwrap();
		assert_eq!(again.report, loaded.report);
		assert_eq!(again.examples, loaded.examples);
	}

	#[test]
	fn rows_a_template_cannot_render_are_skipped() {
		let (dir, store, hashes) = store_of(&[
			br#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}"#,
			b"plain",
		]);
		std::fs::write(
			dir.path().join(tributary_model::chat::TOKENIZER_CONFIG_FILE),
			serde_json::json!({
				"chat_template": "{% for m in messages %}{% if m['role'] == 'assistant' %}{{ raise_exception('no assistant turns') }}{% endif %}{{ m['content'] }}{% endfor %}",
			})
			.to_string(),
		)
		.unwrap();
		let loaded = load_rows(&store, &hashes, dir.path()).unwrap();
		assert_eq!((loaded.report.rows, loaded.report.unrenderable), (1, 1));
	}

	#[test]
	fn rows_whose_bytes_do_not_match_their_hash_are_refused() {
		let (dir, store, hashes) = store_of(&[b"a real row", b"another row"]);
		let (good, tampered) = (hashes[0], hashes[1]);
		std::fs::write(store.path_of(&tampered), b"another row, edited").unwrap();
		assert_eq!(
			load_rows(&store, &[good], dir.path()).unwrap().examples[0].pieces[0].text,
			"a real row"
		);
		let err = load_rows(&store, &[good, tampered], dir.path()).err().unwrap();
		assert!(err.to_string().contains("is corrupt"), "{err}");
		let missing = load_rows(&store, &[[9u8; 32]], dir.path()).err().unwrap();
		assert!(missing.to_string().contains("in no store"), "{missing}");
	}

	#[test]
	fn shuffles_replay_with_the_same_seed() {
		let mut a: Vec<u32> = (0..50).collect();
		let mut b = a.clone();
		SplitMix64(3).shuffle(&mut a);
		SplitMix64(3).shuffle(&mut b);
		assert_eq!(a, b);
		assert_ne!(a, (0..50).collect::<Vec<u32>>());
	}
}
