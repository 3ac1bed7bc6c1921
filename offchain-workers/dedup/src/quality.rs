//! Advisory quality signals of a row, for curators deciding whether to approve it. None of them
//! decides anything on its own: a row of digits may be a fine table, a short row a fine answer.

use crate::PPM;

/// What can be read off a row's bytes. Shares are parts per million of the row's characters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QualitySignals {
	pub bytes: u64,
	/// Whether the bytes are valid UTF-8 (the trainer only trains on text).
	pub utf8: bool,
	/// Characters (after replacing invalid UTF-8).
	pub chars: u64,
	pub words: u64,
	/// Distinct words over words, ppm: low for a row repeating itself.
	pub distinct_words_ppm: u32,
	pub letters_ppm: u32,
	pub digits_ppm: u32,
	pub whitespace_ppm: u32,
	pub punctuation_ppm: u32,
	/// Control characters other than whitespace, and replacement characters: binary noise.
	pub control_ppm: u32,
}

impl QualitySignals {
	pub fn of(bytes: &[u8]) -> QualitySignals {
		let utf8 = std::str::from_utf8(bytes).is_ok();
		let text = String::from_utf8_lossy(bytes);
		let (mut chars, mut letters, mut digits, mut whitespace, mut punctuation, mut control) =
			(0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
		for c in text.chars() {
			chars += 1;
			if c.is_alphabetic() {
				letters += 1;
			} else if c.is_numeric() {
				digits += 1;
			} else if c.is_whitespace() {
				whitespace += 1;
			} else if c.is_control() || c == char::REPLACEMENT_CHARACTER {
				control += 1;
			} else {
				punctuation += 1;
			}
		}
		let lower = text.to_lowercase();
		let words: Vec<&str> =
			lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
		let distinct = words.iter().collect::<std::collections::BTreeSet<_>>().len();
		let share =
			|part: u64, whole: u64| (part * u64::from(PPM)).checked_div(whole).unwrap_or(0) as u32;
		QualitySignals {
			bytes: bytes.len() as u64,
			utf8,
			chars,
			words: words.len() as u64,
			distinct_words_ppm: share(distinct as u64, words.len() as u64),
			letters_ppm: share(letters, chars),
			digits_ppm: share(digits, chars),
			whitespace_ppm: share(whitespace, chars),
			punctuation_ppm: share(punctuation, chars),
			control_ppm: share(control, chars),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn text_and_noise_read_differently() {
		let text = QualitySignals::of(b"A plain sentence, with 2 numbers: 42.");
		assert!(text.utf8);
		assert_eq!(text.words, 7);
		assert_eq!(text.distinct_words_ppm, PPM);
		assert!(text.letters_ppm > 600_000);
		assert_eq!(text.control_ppm, 0);

		let noise = QualitySignals::of(&[0xff, 0xfe, 0x00, 0x01, b'a']);
		assert!(!noise.utf8);
		assert!(noise.control_ppm >= 800_000, "{noise:?}");

		let repeated = QualitySignals::of("buy now ".repeat(20).as_bytes());
		assert_eq!(repeated.distinct_words_ppm, 50_000);
	}
}
