//! Hex as the project writes bytes and hashes: lowercase digits, with or without `0x`; both are
//! read. The one encoder and parser of the chain's off-chain workers, the node's RPC, the sidecar
//! and the trainer.

extern crate alloc;
use alloc::{string::String, vec::Vec};

/// Lowercase hex digits, no prefix (how the sidecar names stored objects).
pub fn encode(bytes: &[u8]) -> String {
	const DIGITS: &[u8; 16] = b"0123456789abcdef";
	let mut text = String::with_capacity(2 * bytes.len());
	for byte in bytes {
		text.push(DIGITS[usize::from(byte >> 4)] as char);
		text.push(DIGITS[usize::from(byte & 0x0f)] as char);
	}
	text
}

/// `0x` and lowercase hex digits (how the chain's tools print bytes).
pub fn encode_0x(bytes: &[u8]) -> String {
	let mut text = String::from("0x");
	text.push_str(&encode(bytes));
	text
}

/// Why text is not the hex of what was asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HexError {
	/// An odd number of digits.
	OddLength(usize),
	/// A character that is not a hex digit, at this position of the digits.
	NotHex(usize),
	/// Another number of bytes than the `expected` one.
	Length { expected: usize, got: usize },
}

impl core::fmt::Display for HexError {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		match self {
			HexError::OddLength(digits) => write!(f, "an odd number of hex digits ({digits})"),
			HexError::NotHex(at) => write!(f, "not a hex digit at position {at}"),
			HexError::Length { expected, got } => {
				write!(
					f,
					"expected {} hex digits ({expected} bytes), got {}",
					2 * expected,
					2 * got
				)
			},
		}
	}
}

fn digit(byte: u8, at: usize) -> Result<u8, HexError> {
	match byte {
		b'0'..=b'9' => Ok(byte - b'0'),
		b'a'..=b'f' => Ok(byte - b'a' + 10),
		b'A'..=b'F' => Ok(byte - b'A' + 10),
		_ => Err(HexError::NotHex(at)),
	}
}

/// The bytes of hex digits, with or without `0x`.
pub fn decode(text: &str) -> Result<Vec<u8>, HexError> {
	let digits = text.strip_prefix("0x").unwrap_or(text).as_bytes();
	if !digits.len().is_multiple_of(2) {
		return Err(HexError::OddLength(digits.len()));
	}
	digits
		.chunks(2)
		.enumerate()
		.map(|(i, pair)| Ok(digit(pair[0], 2 * i)? << 4 | digit(pair[1], 2 * i + 1)?))
		.collect()
}

/// Exactly `N` bytes (a hash, an account) from hex, with or without `0x`.
pub fn decode_array<const N: usize>(text: &str) -> Result<[u8; N], HexError> {
	let bytes = decode(text)?;
	let got = bytes.len();
	bytes.try_into().map_err(|_| HexError::Length { expected: N, got })
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn bytes_round_trip_with_and_without_prefix() {
		let bytes = [0x00, 0x0f, 0xa0, 0xff];
		assert_eq!(encode(&bytes), "000fa0ff");
		assert_eq!(encode_0x(&bytes), "0x000fa0ff");
		assert_eq!(decode("000fa0ff"), Ok(bytes.to_vec()));
		assert_eq!(decode("0x000FA0ff"), Ok(bytes.to_vec()));
		assert_eq!(decode(""), Ok(Vec::new()));
		assert_eq!(decode_array::<4>("0x000fa0ff"), Ok(bytes));
	}

	#[test]
	fn bad_hex_is_named() {
		assert_eq!(decode("abc"), Err(HexError::OddLength(3)));
		assert_eq!(decode("0xzz"), Err(HexError::NotHex(0)));
		assert_eq!(decode("0g"), Err(HexError::NotHex(1)));
		assert_eq!(decode_array::<32>("abcd"), Err(HexError::Length { expected: 32, got: 2 }));
		assert_eq!(
			HexError::Length { expected: 32, got: 2 }.to_string(),
			"expected 64 hex digits (32 bytes), got 4"
		);
	}
}
