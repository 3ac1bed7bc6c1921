//! Constrained decoding for OpenAI's `response_format`: `json_object` (any JSON object) and
//! `json_schema` (JSON matching a schema). At every step a sequence's [`Constraint`] says which
//! tokens may come next ([`Mask`]); the caller sets the logits of the others to -inf before
//! sampling and feeds the chosen token back with [`Constraint::consume`].
//!
//! The grammar work is llguidance's (as in vLLM, SGLang and llama.cpp): an Earley parser over a
//! lazily built lexer, which walks a trie of the vocabulary's byte strings once per step instead
//! of testing each token, so a mask costs microseconds (SmolLM2's 49152 tokens: 5-20 µs mean,
//! 0.2 ms worst seen), and a JSON Schema compiler with clear errors for what it does not support.
//! Writing this ourselves would mean redoing both the schema compiler and the token trie.
//!
//! Tokenization: the mask admits every token whose bytes continue the grammar, not only the
//! canonical tokenization of forced text (llguidance's "non-canonical" mode). That keeps the
//! Hugging Face tokenizer out of the per-step path and works the same for byte-level BPE (GPT-2
//! alphabet: Llama 3, SmolLM, Qwen) and SentencePiece byte-fallback vocabularies (Llama 2,
//! Mistral, Gemma); the model's own logits pick the usual tokenization.

use llguidance::api::TopLevelGrammar;
use llguidance::toktrie::{ApproximateTokEnv, SimpleVob, TokEnv, TokRxInfo, TokTrie};
use llguidance::{Matcher, ParserFactory};
use serde_json::{json, Value};
use std::sync::Arc;

/// How the JSON a grammar admits may be laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonLayout {
	/// Whitespace between JSON tokens, so a model can write JSON the way it learned to
	/// (`{"a": 1}`, or pretty-printed), but at most [`MAX_WHITESPACE`] characters of it in one
	/// place: unbounded whitespace lets a small model stall in a run of spaces or newlines.
	Flexible,
	/// Exactly `{"a": 1, "b": [1, 2]}`: `", "` between items, `": "` after keys, no other
	/// whitespace (how chat templates write tool calls for the model to learn).
	Compact,
}

impl JsonLayout {
	/// llguidance's `x-guidance` options for the layout, which replace a client's own so clients
	/// cannot loosen the grammar.
	fn options(self) -> Value {
		match self {
			JsonLayout::Flexible => json!({
				"whitespace_pattern": format!("[\\x20\\x0A\\x0D\\x09]{{1,{MAX_WHITESPACE}}}")
			}),
			JsonLayout::Compact => json!({
				"item_separator": ", ", "key_separator": ": ", "whitespace_flexible": false
			}),
		}
	}
}

/// The longest run of whitespace allowed between two JSON tokens: a newline and the indentation
/// of pretty-printed JSON nested five levels deep with two spaces. Each run costs output tokens
/// (a small model may fill it one character per token), which `max_tokens` counts.
const MAX_WHITESPACE: usize = 12;

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum GrammarError {
	#[error("the tokenizer cannot be used for constrained decoding: {0}")]
	Tokenizer(String),
	#[error("invalid or unsupported JSON schema: {0}")]
	Schema(String),
	#[error("token {0} is not allowed by the response format here")]
	Disallowed(u32),
	#[error("constrained decoding failed: {0}")]
	Matcher(String),
}

/// What constrained decoding needs of one tokenizer: the trie of its tokens' bytes and the
/// lexer slices llguidance precomputes from it. Built once per served tokenizer (the expensive
/// part: 150-180 ms for SmolLM2's 49152 tokens) and shared by all requests behind an `Arc`.
pub struct Grammars {
	factory: ParserFactory,
	eos: Vec<u32>,
}

impl Grammars {
	/// `eos`: the tokens that end a sequence. A constrained sequence may end only once its text
	/// is complete, and only with one of these; no other special token is ever allowed.
	pub fn new(tokenizer: &tokenizers::Tokenizer, eos: &[u32]) -> Result<Grammars, GrammarError> {
		let vocab_size = tokenizer.get_vocab_size(true);
		let Some(&first_eos) = eos.first() else {
			return Err(GrammarError::Tokenizer("no end-of-sequence token given".into()));
		};
		if let Some(&out) = eos.iter().find(|&&id| id as usize >= vocab_size) {
			return Err(tokenizer_error(format!(
				"end-of-sequence token {out} is outside the vocabulary of {vocab_size}"
			)));
		}
		// llguidance reads the tokens' bytes from the tokenizer.json form: it knows how
		// byte-level and byte-fallback vocabularies spell bytes, and marks special tokens so
		// that no grammar text can match them.
		let json = tokenizer.to_string(false).map_err(tokenizer_error)?;
		let json: Value = serde_json::from_str(&json).map_err(tokenizer_error)?;
		let mut token_bytes =
			llguidance::token_bytes_from_tokenizer_json(&json).map_err(tokenizer_error)?;
		if token_bytes.len() > vocab_size {
			return Err(tokenizer_error(format!(
				"token ids reach {} in a vocabulary of {vocab_size}",
				token_bytes.len()
			)));
		}
		// Ids no token uses (holes in the vocabulary) get no bytes: never allowed.
		token_bytes.resize(vocab_size, Vec::new());
		let info = TokRxInfo::new(vocab_size as u32, first_eos);
		let trie = TokTrie::from(&info, &token_bytes).with_eos_tokens(eos);
		let env: TokEnv = Arc::new(ApproximateTokEnv::new(trie));
		let mut factory = ParserFactory::new_simple(&env).map_err(tokenizer_error)?;
		// Grammar warnings would go to stderr; errors still come back as values.
		factory.quiet();
		Ok(Grammars { factory, eos: eos.to_vec() })
	}

	/// Any JSON object (OpenAI's `json_object`).
	pub fn json_object(&self) -> Result<Constraint, GrammarError> {
		self.json_schema(&json!({ "type": "object" }))
	}

	/// Output that is valid under `schema` (OpenAI's `json_schema`). The schema is taken as
	/// JSON Schema defines it: an object schema without `"additionalProperties": false` admits
	/// keys beyond its `properties` (after them). OpenAI's strict mode requires clients to write
	/// `false` there themselves, so strict schemas come closed; closing open ones here would
	/// change what non-strict schemas mean and make `allOf` of partial objects unsatisfiable.
	/// The declared properties come in the schema's order and required ones cannot be skipped.
	///
	/// The root must be a JSON object (as OpenAI requires); `$ref` may only point inside the
	/// schema (`#`, `#/$defs/...`). Unsupported keywords (e.g. `uniqueItems`, a `oneOf` whose
	/// branches overlap) and invalid or unsatisfiable schemas are errors naming the problem. Compiling is bounded by
	/// llguidance's default limits (grammar size, lexer fuel) and takes milliseconds for
	/// typical schemas, more for large ones: do it before a request joins the batch.
	pub fn json_schema(&self, schema: &Value) -> Result<Constraint, GrammarError> {
		self.json_schema_laid_out(schema, JsonLayout::Flexible)
	}

	/// [`Grammars::json_schema`] in `layout`.
	pub fn json_schema_laid_out(
		&self,
		schema: &Value,
		layout: JsonLayout,
	) -> Result<Constraint, GrammarError> {
		let Value::Object(schema) = schema else {
			return Err(GrammarError::Schema(format!(
				"the schema must be a JSON object: {schema}"
			)));
		};
		let mut schema = schema.clone();
		schema.insert("x-guidance".into(), layout.options());
		let grammar = TopLevelGrammar::from_json_schema(Value::Object(schema));
		let parser = self
			.factory
			.create_parser(grammar)
			.map_err(|e| GrammarError::Schema(format!("{e:#}")))?;
		Ok(Constraint { matcher: Matcher::new(Ok(parser)), eos: self.eos.clone(), complete: false })
	}
}

/// One sequence's position in its grammar. `Send`, so a batch's masks can be computed on
/// several threads; not shared between sequences.
pub struct Constraint {
	matcher: Matcher,
	eos: Vec<u32>,
	/// Whether the text so far is a complete match, cached: llguidance needs `&mut` to ask.
	complete: bool,
}

impl Constraint {
	/// The tokens allowed next. Once the text is complete the end-of-sequence tokens are among
	/// them; once nothing can follow they are all that is.
	pub fn allowed(&mut self) -> Result<Mask, GrammarError> {
		let bits = self.matcher.compute_mask_or_eos().map_err(matcher_error)?;
		Ok(Mask(bits))
	}

	/// Advances by the token the caller chose, which must be in [`Self::allowed`]'s mask; a
	/// token outside it is refused (and changes nothing). An end-of-sequence token is accepted
	/// once the text is complete, after which only end-of-sequence tokens are.
	pub fn consume(&mut self, token: u32) -> Result<(), GrammarError> {
		if self.matcher.is_stopped() {
			// Finished (or failed): llguidance takes no more tokens, but a caller may still
			// feed the end-of-sequence token the final mask offered.
			if let Some(error) = self.matcher.get_error() {
				return Err(GrammarError::Matcher(error));
			}
			return if self.eos.contains(&token) {
				Ok(())
			} else {
				Err(GrammarError::Disallowed(token))
			};
		}
		// Checking first leaves the state as it was when the token is refused.
		if self.matcher.try_consume_tokens(&[token]).map_err(matcher_error)? == 0 {
			return Err(GrammarError::Disallowed(token));
		}
		self.complete =
			self.matcher.is_stopped() || self.matcher.is_accepting().map_err(matcher_error)?;
		Ok(())
	}

	/// Whether the text so far is a complete match: the mask allows end-of-sequence tokens now.
	/// It may still allow more (digits of a number, trailing whitespace) until nothing can
	/// follow; the caller stops when it samples an end-of-sequence token, and may stop here.
	pub fn is_complete(&self) -> bool {
		self.complete
	}
}

fn tokenizer_error(e: impl std::fmt::Display) -> GrammarError {
	GrammarError::Tokenizer(format!("{e:#}"))
}

fn matcher_error(e: impl std::fmt::Display) -> GrammarError {
	GrammarError::Matcher(format!("{e:#}"))
}

/// The tokens allowed at one step: a bitset over the tokenizer's vocabulary.
pub struct Mask(SimpleVob);

impl Mask {
	/// Whether `token` may come next.
	pub fn is_allowed(&self, token: u32) -> bool {
		(token as usize) < self.0.len() && self.0.is_allowed(token)
	}

	/// Sets the logits of the tokens not allowed to -inf. Ids past the tokenizer's vocabulary
	/// (models pad their logits) are not allowed.
	pub fn apply(&self, logits: &mut [f32]) {
		for (chunk, word) in logits.chunks_mut(32).zip(self.words()) {
			match word {
				0 => chunk.fill(f32::NEG_INFINITY),
				u32::MAX => {},
				_ => {
					for (bit, logit) in chunk.iter_mut().enumerate() {
						if word >> bit & 1 == 0 {
							*logit = f32::NEG_INFINITY;
						}
					}
				},
			}
		}
	}

	/// The bits in words of 32 ids (bit i of word w is id 32w + i), ids past the vocabulary
	/// cleared, then zero words without end.
	fn words(&self) -> impl Iterator<Item = u32> + '_ {
		let vocab = self.0.len();
		let words = self.0.as_slice().iter().enumerate().map(move |(w, &word)| {
			match vocab.saturating_sub(w * 32) {
				in_vocab if in_vocab >= 32 => word,
				in_vocab => word & ((1 << in_vocab) - 1),
			}
		});
		words.chain(std::iter::repeat(0))
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use serde::de::IgnoredAny;
	use std::collections::BTreeMap;
	use tokenizers::Tokenizer;
	use tributary_trainer::pretrain::{train_tokenizer, END_OF_TEXT};

	/// A small byte-level BPE tokenizer and its end-of-text token.
	fn tokenizer() -> (Tokenizer, u32) {
		let texts = [
			r#"{"name": "Ada Lovelace", "age": 36, "tags": ["math", "engines"]}"#,
			r#"{"river": {"length": 6650, "delta": true, "towns": null}}"#,
			"the river rises over the old bridge, héllo wörld",
		];
		let tokenizer = train_tokenizer(&texts, 300).unwrap();
		let eos = tokenizer.token_to_id(END_OF_TEXT).unwrap();
		(tokenizer, eos)
	}

	fn person_schema() -> Value {
		json!({
			"type": "object",
			"properties": { "name": { "type": "string" }, "age": { "type": "integer" } },
			"required": ["name", "age"],
			"additionalProperties": false
		})
	}

	/// xorshift64*: reproducible walks without a rand dependency.
	struct Rng(u64);

	impl Rng {
		fn below(&mut self, n: usize) -> usize {
			self.0 ^= self.0 >> 12;
			self.0 ^= self.0 << 25;
			self.0 ^= self.0 >> 27;
			(self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32) as usize % n
		}
	}

	/// Feeds `constraint` random allowed tokens until its text is complete, then the
	/// end-of-sequence token; returns the text.
	fn random_walk(
		constraint: &mut Constraint,
		tokenizer: &Tokenizer,
		eos: u32,
		seed: u64,
	) -> String {
		let vocab = tokenizer.get_vocab_size(true);
		// Wider than the vocabulary, as a model's padded logits are.
		let mut logits = vec![0.0f32; vocab + 40];
		let mut rng = Rng(seed);
		let mut tokens = Vec::new();
		while !constraint.is_complete() {
			assert!(tokens.len() < 10_000, "no end after {:?}", tokenizer.decode(&tokens, false));
			let mask = constraint.allowed().unwrap();
			logits.fill(0.0);
			mask.apply(&mut logits);
			let row: Vec<bool> = logits.iter().map(|&logit| logit == 0.0).collect();
			assert!((0..vocab as u32).all(|id| row[id as usize] == mask.is_allowed(id)));
			assert!(!row[vocab..].contains(&true), "ids past the vocabulary allowed");
			assert!(!row[eos as usize], "end of sequence allowed in an incomplete text");
			let allowed: Vec<u32> = (0..vocab as u32).filter(|&id| row[id as usize]).collect();
			let token = allowed[rng.below(allowed.len())];
			constraint.consume(token).unwrap();
			tokens.push(token);
		}
		assert!(constraint.allowed().unwrap().is_allowed(eos));
		constraint.consume(eos).unwrap();
		let after = constraint.allowed().unwrap();
		assert!((0..vocab as u32).all(|id| after.is_allowed(id) == (id == eos)));
		tokenizer.decode(&tokens, false).unwrap()
	}

	#[test]
	fn json_object_walks_end_in_a_json_object() {
		let (tokenizer, eos) = tokenizer();
		let grammars = Grammars::new(&tokenizer, &[eos]).unwrap();
		for seed in 1..=20 {
			let text = random_walk(&mut grammars.json_object().unwrap(), &tokenizer, eos, seed);
			// Values unparsed: JSON has no bound on numbers, serde_json's f64 does (1e400).
			let object = serde_json::from_str::<BTreeMap<String, IgnoredAny>>(&text);
			object.unwrap_or_else(|e| panic!("{text}: {e}"));
		}
	}

	#[test]
	fn json_schema_walks_end_in_matching_json() {
		let (tokenizer, eos) = tokenizer();
		let grammars = Grammars::new(&tokenizer, &[eos]).unwrap();
		for seed in 1..=20 {
			let mut constraint = grammars.json_schema(&person_schema()).unwrap();
			let text = random_walk(&mut constraint, &tokenizer, eos, seed);
			let value: Value =
				serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
			let object = value.as_object().unwrap();
			assert_eq!(object.len(), 2, "{text}");
			assert!(object["name"].is_string(), "{text}");
			assert!(object["age"].is_i64() || object["age"].is_u64(), "{text}");
		}
	}

	#[test]
	fn ordinary_tokenizations_of_valid_json_are_accepted() {
		let (tokenizer, eos) = tokenizer();
		let grammars = Grammars::new(&tokenizer, &[eos]).unwrap();
		let text = "{\"name\": \"Ada Lovelace\",\n  \"age\": 36}";
		let ids = tokenizer.encode(text, false).unwrap().get_ids().to_vec();
		let mut constraint = grammars.json_schema(&person_schema()).unwrap();
		for &id in &ids {
			assert!(!constraint.is_complete());
			assert!(constraint.allowed().unwrap().is_allowed(id));
			constraint.consume(id).unwrap();
		}
		assert!(constraint.is_complete());
		constraint.consume(eos).unwrap();
	}

	#[test]
	fn a_disallowed_token_is_refused_and_changes_nothing() {
		let (tokenizer, eos) = tokenizer();
		let grammars = Grammars::new(&tokenizer, &[eos]).unwrap();
		let id = |text: &str| tokenizer.token_to_id(&text.replace(' ', "Ġ")).unwrap();
		let mut constraint = grammars.json_object().unwrap();
		for refused in [id("a"), id(" "), id("["), eos] {
			assert!(!constraint.allowed().unwrap().is_allowed(refused));
			assert!(
				matches!(constraint.consume(refused), Err(GrammarError::Disallowed(t)) if t == refused)
			);
		}
		constraint.consume(id("{")).unwrap();
		// A missing required key: the object cannot be closed yet.
		let mut person = grammars.json_schema(&person_schema()).unwrap();
		for token in tokenizer.encode("{\"name\": \"Ada\"", false).unwrap().get_ids() {
			person.consume(*token).unwrap();
		}
		assert!(matches!(person.consume(id("}")), Err(GrammarError::Disallowed(_))));
		person.consume(id(",")).unwrap();
	}

	#[test]
	fn a_complete_number_may_continue_or_end() {
		let (tokenizer, eos) = tokenizer();
		let grammars = Grammars::new(&tokenizer, &[eos]).unwrap();
		let digit = |d: &str| tokenizer.token_to_id(d).unwrap();
		let mut constraint = grammars.json_schema(&json!({ "type": "integer" })).unwrap();
		constraint.consume(digit("4")).unwrap();
		assert!(constraint.is_complete());
		let mask = constraint.allowed().unwrap();
		assert!(mask.is_allowed(eos) && mask.is_allowed(digit("2")));
		constraint.consume(digit("2")).unwrap();
		constraint.consume(eos).unwrap();
		assert!(!constraint.allowed().unwrap().is_allowed(digit("2")));
		assert!(matches!(constraint.consume(digit("2")), Err(GrammarError::Disallowed(_))));
	}

	#[test]
	fn whitespace_runs_are_bounded() {
		let (tokenizer, eos) = tokenizer();
		let grammars = Grammars::new(&tokenizer, &[eos]).unwrap();
		let space = tokenizer.token_to_id("Ġ").unwrap();
		let mut constraint = grammars.json_object().unwrap();
		constraint.consume(tokenizer.token_to_id("{").unwrap()).unwrap();
		for _ in 0..MAX_WHITESPACE {
			constraint.consume(space).unwrap();
		}
		assert!(matches!(constraint.consume(space), Err(GrammarError::Disallowed(_))));
	}

	#[test]
	fn invalid_and_unsupported_schemas_are_errors() {
		let (tokenizer, eos) = tokenizer();
		let grammars = Grammars::new(&tokenizer, &[eos]).unwrap();
		// Each error names what is wrong.
		for (schema, named) in [
			(json!({ "type": 5 }), "type must be"),
			(json!(true), "must be a JSON object"),
			(json!({ "properties": { "a": { "$ref": "#/$defs/gone" } } }), "#/$defs/gone"),
			(json!({ "type": "array", "uniqueItems": true }), "uniqueItems"),
			(json!({ "$ref": "https://example.com/person.json" }), "https://example.com"),
			(json!({ "type": "string", "minLength": 3, "maxLength": 2 }), "minLength"),
			(json!({ "oneOf": [{ "type": "object" }, { "required": ["a"] }] }), "oneOf"),
		] {
			match grammars.json_schema(&schema) {
				Err(GrammarError::Schema(message)) => assert!(message.contains(named), "{message}"),
				other => panic!("{schema}: {:?}", other.map(|_| ())),
			}
		}
	}

	#[test]
	fn grammars_are_shared_and_constraints_sent_between_threads() {
		fn shared<T: Send + Sync>() {}
		fn sent<T: Send>() {}
		shared::<Grammars>();
		sent::<Constraint>();
	}
}
