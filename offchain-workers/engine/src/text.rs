//! Turns generated token ids into text pieces for streaming: a piece is released only once it
//! can no longer change, i.e. it does not end inside a multi-byte character and is not a possible
//! start of a stop sequence. Non-streaming responses are these same pieces joined.

use std::sync::Arc;
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
}
