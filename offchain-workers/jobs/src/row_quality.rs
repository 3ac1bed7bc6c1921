//! Advisory quality signals of a row, for curators deciding whether to approve it. None of them
//! decides anything on its own: a row of digits may be a fine table, a short row a fine answer.

use std::collections::BTreeSet;

use tributary_sidecar_api::rows::RowQuality;

const PPM: u64 = 1_000_000;

/// What can be read off a row's bytes, with its perplexity under the base model if measured.
pub fn row_quality(bytes: &[u8], perplexity: Option<f64>) -> RowQuality {
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
	let distinct = words.iter().collect::<BTreeSet<_>>().len() as u64;
	let share = |part: u64, whole: u64| (part * PPM).checked_div(whole).unwrap_or(0) as u32;
	RowQuality {
		bytes: bytes.len() as u64,
		utf8,
		chars,
		words: words.len() as u64,
		distinct_words_ppm: share(distinct, words.len() as u64),
		letters_ppm: share(letters, chars),
		digits_ppm: share(digits, chars),
		whitespace_ppm: share(whitespace, chars),
		punctuation_ppm: share(punctuation, chars),
		control_ppm: share(control, chars),
		perplexity,
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn text_and_noise_read_differently() {
		let text = row_quality(b"A plain sentence, with 2 numbers: 42.", Some(3.5));
		assert!(text.utf8);
		assert_eq!(text.words, 7);
		assert_eq!(text.distinct_words_ppm, 1_000_000);
		assert!(text.letters_ppm > 600_000);
		assert_eq!((text.control_ppm, text.perplexity), (0, Some(3.5)));

		let noise = row_quality(&[0xff, 0xfe, 0x00, 0x01, b'a'], None);
		assert!(!noise.utf8);
		assert!(noise.control_ppm >= 800_000, "{noise:?}");

		let repeated = row_quality("buy now ".repeat(20).as_bytes(), None);
		assert_eq!(repeated.distinct_words_ppm, 50_000);
	}
}
