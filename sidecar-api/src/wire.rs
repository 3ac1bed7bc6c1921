//! Hashes and byte strings as the API writes them: lowercase hex; `0x` is accepted when read.

use alloc::{string::String, vec::Vec};
use core::fmt;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use tributary_primitives::hex;

/// A 32-byte hash (a content hash, a commitment) as 64 hex digits, written without a prefix.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Hash32(pub [u8; 32]);

impl fmt::Display for Hash32 {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str(&hex::encode(&self.0))
	}
}

impl fmt::Debug for Hash32 {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		fmt::Display::fmt(self, f)
	}
}

impl From<[u8; 32]> for Hash32 {
	fn from(bytes: [u8; 32]) -> Self {
		Hash32(bytes)
	}
}

impl core::str::FromStr for Hash32 {
	type Err = hex::HexError;

	fn from_str(text: &str) -> Result<Self, Self::Err> {
		hex::decode_array(text.trim()).map(Hash32)
	}
}

impl Serialize for Hash32 {
	fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		serializer.serialize_str(&hex::encode(&self.0))
	}
}

impl<'de> Deserialize<'de> for Hash32 {
	fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
		struct Visitor;
		impl de::Visitor<'_> for Visitor {
			type Value = Hash32;
			fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
				f.write_str("a 32-byte hash as 64 hex digits, 0x optional")
			}
			fn visit_str<E: de::Error>(self, text: &str) -> Result<Hash32, E> {
				text.parse()
					.map_err(|e| E::custom(format_args!("{text:?} is not a 32-byte hash: {e}")))
			}
		}
		deserializer.deserialize_str(Visitor)
	}
}

/// Bytes (a SCALE encoding) as `0x` and hex digits.
#[derive(Clone, PartialEq, Eq, Default, Debug)]
pub struct HexBytes(pub Vec<u8>);

impl Serialize for HexBytes {
	fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		serializer.serialize_str(&hex::encode_0x(&self.0))
	}
}

impl<'de> Deserialize<'de> for HexBytes {
	fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
		let text = String::deserialize(deserializer)?;
		hex::decode(&text)
			.map(HexBytes)
			.map_err(|e| de::Error::custom(format_args!("not hex bytes: {e}")))
	}
}
