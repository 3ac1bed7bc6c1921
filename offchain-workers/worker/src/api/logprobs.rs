//! The engine's token log-probabilities as OpenAI writes them: a chat choice's `content` list, a
//! completion's columns (`tokens`, `token_logprobs`, `top_logprobs`, `text_offset`).

use super::responses::{ChatLogprobs, ChatTokenLogprob, ChatTopLogprob, TextLogprobs, TopLogprobs};
use tokenizers::Tokenizer;
use tributary_engine::text::token_bytes;
use tributary_engine::TokenLogprob;

/// A completion's name for a token: its text, or `bytes:\xNN…` when it is part of a character
/// (OpenAI's convention).
fn text_name(bytes: &[u8]) -> String {
	match std::str::from_utf8(bytes) {
		Ok(text) => text.to_string(),
		Err(_) => {
			let escaped: String = bytes.iter().map(|b| format!("\\x{b:02x}")).collect();
			format!("bytes:{escaped}")
		},
	}
}

/// The chat entries of `tokens`.
pub fn chat(tokenizer: &Tokenizer, tokens: &[TokenLogprob]) -> ChatLogprobs {
	let entry = |token: u32, logprob: f32| {
		let bytes = token_bytes(tokenizer, token);
		(String::from_utf8_lossy(&bytes).into_owned(), logprob, bytes)
	};
	let content = tokens
		.iter()
		.map(|reported| {
			let (token, logprob, bytes) = entry(reported.token, reported.logprob);
			let top_logprobs = reported
				.top
				.iter()
				.map(|&(id, logprob)| {
					let (token, logprob, bytes) = entry(id, logprob);
					ChatTopLogprob { token, logprob, bytes }
				})
				.collect();
			ChatTokenLogprob { token, logprob, bytes, top_logprobs }
		})
		.collect();
	ChatLogprobs { content, refusal: None }
}

/// A completion's columns, built token by token (a stream writes them in pieces, each piece's
/// offsets continuing the text before it).
pub struct TextColumns<'a> {
	tokenizer: &'a Tokenizer,
	/// Characters of the choice's text before the next token.
	offset: usize,
}

impl<'a> TextColumns<'a> {
	pub fn new(tokenizer: &'a Tokenizer, offset: usize) -> TextColumns<'a> {
		TextColumns { tokenizer, offset }
	}

	/// The first token of an echoed prompt, which has no log-probability.
	pub fn unscored(&mut self, columns: &mut TextLogprobs, token: u32) {
		self.push(columns, token, None, None);
	}

	pub fn scored(&mut self, columns: &mut TextLogprobs, reported: &TokenLogprob) {
		let top = reported
			.top
			.iter()
			.map(|&(id, logprob)| (text_name(&token_bytes(self.tokenizer, id)), logprob))
			.collect();
		self.push(columns, reported.token, Some(reported.logprob), Some(TopLogprobs(top)));
	}

	fn push(
		&mut self,
		columns: &mut TextLogprobs,
		token: u32,
		logprob: Option<f32>,
		top: Option<TopLogprobs>,
	) {
		let bytes = token_bytes(self.tokenizer, token);
		columns.tokens.push(text_name(&bytes));
		columns.token_logprobs.push(logprob);
		columns.top_logprobs.push(top);
		columns.text_offset.push(self.offset);
		self.offset += String::from_utf8_lossy(&bytes).chars().count();
	}

	/// Characters written so far.
	pub fn offset(&self) -> usize {
		self.offset
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn tokens_inside_a_character_are_named_by_their_bytes() {
		assert_eq!(text_name(b" the"), " the");
		assert_eq!(text_name(&[0xe2, 0x80]), "bytes:\\xe2\\x80");
	}
}
