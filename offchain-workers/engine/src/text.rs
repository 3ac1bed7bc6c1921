//! Turns generated token ids into text pieces for streaming: a piece is released only once it
//! can no longer change, i.e. it does not end inside a multi-byte character and is not a possible
//! start of a stop sequence. Non-streaming responses are these same pieces joined.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};
use tokenizers::decoders::DecoderWrapper;
use tokenizers::Tokenizer;

pub struct TextTracker {
	tokenizer: Arc<Tokenizer>,
	tokens: Vec<u32>,
	stop: Vec<String>,
	/// Bytes of the decoded text already released.
	released: usize,
}

/// What one more token did to the text.
#[derive(Debug, PartialEq)]
pub enum TextStep {
	/// Text that is final now (possibly empty).
	Piece(String),
	/// A stop sequence appeared: the last piece, ending just before it.
	Stopped(String),
}

impl TextTracker {
	pub fn new(tokenizer: Arc<Tokenizer>, stop: Vec<String>) -> TextTracker {
		TextTracker {
			tokenizer,
			tokens: Vec::new(),
			stop: stop.into_iter().filter(|s| !s.is_empty()).collect(),
			released: 0,
		}
	}

	fn decoded(&self) -> String {
		self.tokenizer.decode(&self.tokens, true).unwrap_or_default()
	}

	pub fn push(&mut self, token: u32) -> TextStep {
		self.tokens.push(token);
		let text = self.decoded();
		if text.len() < self.released || !text.is_char_boundary(self.released) {
			return TextStep::Piece(String::new());
		}
		// A stop sequence can only newly appear in the part that was held back plus the new text.
		let longest_stop = self.stop.iter().map(String::len).max().unwrap_or(0);
		let mut search_from = self.released.saturating_sub(longest_stop);
		while !text.is_char_boundary(search_from) {
			search_from -= 1;
		}
		let first_stop =
			self.stop.iter().filter_map(|s| text[search_from..].find(s.as_str())).min();
		if let Some(offset) = first_stop {
			let end = (search_from + offset).max(self.released);
			let piece = text[self.released..end].to_string();
			self.released = end;
			return TextStep::Stopped(piece);
		}
		let mut safe_end = text.len();
		if text.ends_with('\u{FFFD}') {
			// The last token ends inside a multi-byte character; the next completes it.
			safe_end -= '\u{FFFD}'.len_utf8();
		}
		let complete_end = safe_end;
		for stop in &self.stop {
			let held = (1..stop.len()).rev().find(|&cut| {
				stop.is_char_boundary(cut) && text[..complete_end].ends_with(&stop[..cut])
			});
			if let Some(cut) = held {
				safe_end = safe_end.min(complete_end - cut);
			}
		}
		let safe_end = safe_end.max(self.released);
		let piece = text[self.released..safe_end].to_string();
		self.released = safe_end;
		TextStep::Piece(piece)
	}

	/// The text still held back when generation ends for another reason than a stop sequence.
	pub fn finish(&mut self) -> String {
		let text = self.decoded();
		let rest = if text.len() > self.released && text.is_char_boundary(self.released) {
			text[self.released..].to_string()
		} else {
			String::new()
		};
		self.released = text.len();
		rest
	}
}

/// The bytes token `id` adds to a decoded text (possibly part of a character: reported
/// log-probabilities name tokens this way). Byte-level BPE vocabularies (GPT-2's alphabet, as in
/// Llama 3, SmolLM, Qwen) spell bytes as characters; others decode to their text. A special token
/// is its own name.
pub fn token_bytes(tokenizer: &Tokenizer, id: u32) -> Vec<u8> {
	let byte_level = matches!(tokenizer.get_decoder(), Some(DecoderWrapper::ByteLevel(_)));
	if let (true, Some(piece)) = (byte_level, tokenizer.id_to_token(id)) {
		let bytes: Option<Vec<u8>> = piece.chars().map(|c| BYTE_OF_CHAR.get(&c).copied()).collect();
		return bytes.unwrap_or_else(|| piece.into_bytes());
	}
	tokenizer.decode(&[id], false).unwrap_or_default().into_bytes()
}

/// GPT-2's byte-level alphabet read backwards: printable Latin-1 bytes stand for themselves, the
/// other 68 bytes, in order, for the characters from U+0100 on.
static BYTE_OF_CHAR: LazyLock<HashMap<char, u8>> = LazyLock::new(|| {
	let printable = |b: u8| matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
	let mut shifted = 0u32;
	(0..=255u8)
		.map(|b| {
			if printable(b) {
				(char::from(b), b)
			} else {
				shifted += 1;
				(char::from_u32(255 + shifted).expect("U+0100.. are characters"), b)
			}
		})
		.collect()
});

#[cfg(test)]
mod tests {
	use super::*;

	fn tokenizer() -> Arc<Tokenizer> {
		let texts =
			["the river rises over the old bridge", "the delta drains", "héllo wörld ünïcode"];
		Arc::new(tributary_trainer::pretrain::train_tokenizer(&texts, 300).unwrap())
	}

	fn run(tokenizer: &Arc<Tokenizer>, text: &str, stop: &[&str]) -> (Vec<String>, bool) {
		let ids = tokenizer.encode(text, false).unwrap().get_ids().to_vec();
		let mut tracker =
			TextTracker::new(tokenizer.clone(), stop.iter().map(|s| s.to_string()).collect());
		let mut pieces = Vec::new();
		for id in ids {
			match tracker.push(id) {
				TextStep::Piece(piece) => pieces.push(piece),
				TextStep::Stopped(piece) => {
					pieces.push(piece);
					return (pieces, true);
				},
			}
		}
		pieces.push(tracker.finish());
		(pieces, false)
	}

	#[test]
	fn pieces_join_to_the_decoded_text() {
		let tokenizer = tokenizer();
		for text in ["the river rises over the old bridge", "héllo wörld ünïcode"] {
			let (pieces, stopped) = run(&tokenizer, text, &[]);
			assert!(!stopped);
			assert_eq!(pieces.concat(), text);
		}
	}

	#[test]
	fn text_ends_before_a_stop_sequence_spanning_tokens() {
		let tokenizer = tokenizer();
		let (pieces, stopped) =
			run(&tokenizer, "the river rises over the old bridge", &["over the", "zzz"]);
		assert!(stopped);
		assert_eq!(pieces.concat(), "the river rises ");
		// A possible start of a stop sequence is held back, then released when it is not one.
		let (pieces, stopped) =
			run(&tokenizer, "the river rises over the old bridge", &["rises under"]);
		assert!(!stopped);
		assert_eq!(pieces.concat(), "the river rises over the old bridge");
		assert!(pieces.iter().all(|p| !p.ends_with("rises")), "{pieces:?}");
	}

	#[test]
	fn token_bytes_join_to_the_text_even_inside_characters() {
		let tokenizer = tokenizer();
		let text = "héllo wörld ünïcode over the old bridge";
		let ids = tokenizer.encode(text, false).unwrap().get_ids().to_vec();
		let bytes: Vec<u8> = ids.iter().flat_map(|&id| token_bytes(&tokenizer, id)).collect();
		assert_eq!(String::from_utf8(bytes).unwrap(), text);
	}
}
