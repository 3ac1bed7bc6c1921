//! On-disk layout of a suffix index (format version 1). All integers are little-endian.
//!
//! ```text
//! header, 168 bytes
//!   0   [u8; 8]   magic b"TRBSUFIX"
//!   8   u32       format version (1)
//!   12  u32       reserved, 0
//!   16  [u8; 32]  index id: blake2-256 of SCALE((tokenizer id, Vec<(RowRef, row hash, token hash)>)),
//!                 token hash = blake2-256 of SCALE(Vec<u32>) of the row's tokens
//!   48  [u8; 32]  corpus id: blake2-256 of SCALE(Vec<(RowRef, row hash)>)
//!   80  [u8; 32]  tokenizer id
//!   112 u64       R, number of rows (>= 1)
//!   120 u64       A, number of distinct token ids
//!   128 u64       N, text length: all tokens + one separator per row + the final sentinel
//!   136 [u8; 32]  checksum: blake2-256(header bytes 0..136 ++ blake2-256(body)), body = every
//!                 byte after the header
//! body: sections in this order, each zero-padded to a multiple of 8 bytes
//!   rows        R x (u32 datanet, u64 row)     12 bytes each, sorted by row
//!   row starts  (R + 1) x u32                  text offset of each row; the last is N - 1
//!   alphabet    A x u32                        distinct token ids, ascending
//!   text        N x u32                        symbols: 0 sentinel, 1 row separator,
//!                                              2 + k for alphabet[k]
//!   suffix arr  N x u32                        text offsets in suffix order
//! ```
//!
//! Row `i` occupies text `[start[i], start[i+1] - 1)` followed by one separator. Because a query
//! never contains the separator or sentinel symbols, no match can cross a row boundary.

use crate::error::AttributionError;
use std::path::Path;
use tributary_primitives::content_hash;

pub const MAGIC: [u8; 8] = *b"TRBSUFIX";
pub const VERSION: u32 = 1;
pub const HEADER_LEN: usize = 168;
/// Offset of the checksum, the last header field.
pub const CHECKSUM_AT: usize = 136;
pub const ROW_ENTRY_LEN: usize = 12;

/// Symbol closing the text.
pub const SENTINEL: u32 = 0;
/// Symbol closing every row.
pub const SEPARATOR: u32 = 1;
/// Symbol of `alphabet[k]` is `k + FIRST_TOKEN_SYMBOL`.
pub const FIRST_TOKEN_SYMBOL: u32 = 2;

/// Fixed-size fields of the header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
	pub index_id: [u8; 32],
	pub corpus_id: [u8; 32],
	pub tokenizer_id: [u8; 32],
	pub rows: u64,
	pub alphabet: u64,
	pub text: u64,
	pub checksum: [u8; 32],
}

/// Byte offsets of the body sections, derived from the header counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
	pub rows: usize,
	pub row_starts: usize,
	pub alphabet: usize,
	pub text: usize,
	pub suffix_array: usize,
	pub total_len: usize,
}

fn padded(len: u64) -> Option<u64> {
	len.checked_add(7).map(|l| l / 8 * 8)
}

impl Layout {
	/// Section offsets for the given counts, or `None` if they overflow.
	pub fn for_counts(rows: u64, alphabet: u64, text: u64) -> Option<Self> {
		let rows_at = HEADER_LEN as u64;
		let starts_at = rows_at.checked_add(padded(rows.checked_mul(ROW_ENTRY_LEN as u64)?)?)?;
		let alphabet_at = starts_at.checked_add(padded(rows.checked_add(1)?.checked_mul(4)?)?)?;
		let text_at = alphabet_at.checked_add(padded(alphabet.checked_mul(4)?)?)?;
		let sa_at = text_at.checked_add(padded(text.checked_mul(4)?)?)?;
		let total = sa_at.checked_add(padded(text.checked_mul(4)?)?)?;
		let convert = |v: u64| usize::try_from(v).ok();
		Some(Self {
			rows: convert(rows_at)?,
			row_starts: convert(starts_at)?,
			alphabet: convert(alphabet_at)?,
			text: convert(text_at)?,
			suffix_array: convert(sa_at)?,
			total_len: convert(total)?,
		})
	}
}

impl Header {
	pub fn write(&self, out: &mut [u8]) {
		out[0..8].copy_from_slice(&MAGIC);
		out[8..12].copy_from_slice(&VERSION.to_le_bytes());
		out[12..16].copy_from_slice(&0u32.to_le_bytes());
		out[16..48].copy_from_slice(&self.index_id);
		out[48..80].copy_from_slice(&self.corpus_id);
		out[80..112].copy_from_slice(&self.tokenizer_id);
		out[112..120].copy_from_slice(&self.rows.to_le_bytes());
		out[120..128].copy_from_slice(&self.alphabet.to_le_bytes());
		out[128..136].copy_from_slice(&self.text.to_le_bytes());
		out[136..168].copy_from_slice(&self.checksum);
	}

	/// Parse and sanity-check the header of `bytes`, the whole file.
	pub fn read(bytes: &[u8], path: &Path) -> Result<(Self, Layout), AttributionError> {
		let corrupt = |reason: &str| AttributionError::CorruptIndex {
			path: path.to_path_buf(),
			reason: reason.into(),
		};
		if bytes.len() < HEADER_LEN {
			if bytes.len() >= 8 && bytes[0..8] != MAGIC {
				return Err(corrupt("not a Tributary suffix index (bad magic)"));
			}
			return Err(AttributionError::TruncatedIndex {
				path: path.to_path_buf(),
				expected: HEADER_LEN as u64,
				actual: bytes.len() as u64,
			});
		}
		if bytes[0..8] != MAGIC {
			return Err(corrupt("not a Tributary suffix index (bad magic)"));
		}
		let version = u32_at(bytes, 8);
		if version != VERSION {
			return Err(AttributionError::UnsupportedIndexVersion {
				path: path.to_path_buf(),
				found: version,
				supported: VERSION,
			});
		}
		let header = Header {
			index_id: hash_at(bytes, 16),
			corpus_id: hash_at(bytes, 48),
			tokenizer_id: hash_at(bytes, 80),
			rows: u64_at(bytes, 112),
			alphabet: u64_at(bytes, 120),
			text: u64_at(bytes, 128),
			checksum: hash_at(bytes, 136),
		};
		let layout = Layout::for_counts(header.rows, header.alphabet, header.text)
			.ok_or_else(|| corrupt("section sizes in the header overflow"))?;
		let expected = layout.total_len as u64;
		let actual = bytes.len() as u64;
		if actual < expected {
			return Err(AttributionError::TruncatedIndex {
				path: path.to_path_buf(),
				expected,
				actual,
			});
		}
		if actual > expected {
			return Err(corrupt("trailing bytes after the suffix array"));
		}
		Ok((header, layout))
	}
}

/// The checksum of a file image whose header bytes `0..136` are already written.
pub fn checksum(image: &[u8]) -> [u8; 32] {
	let mut covered = Vec::with_capacity(CHECKSUM_AT + 32);
	covered.extend_from_slice(&image[..CHECKSUM_AT]);
	covered.extend_from_slice(&content_hash(&image[HEADER_LEN..]));
	content_hash(&covered)
}

pub fn u32_at(bytes: &[u8], offset: usize) -> u32 {
	let mut word = [0u8; 4];
	word.copy_from_slice(&bytes[offset..offset + 4]);
	u32::from_le_bytes(word)
}

pub fn u64_at(bytes: &[u8], offset: usize) -> u64 {
	let mut word = [0u8; 8];
	word.copy_from_slice(&bytes[offset..offset + 8]);
	u64::from_le_bytes(word)
}

fn hash_at(bytes: &[u8], offset: usize) -> [u8; 32] {
	let mut hash = [0u8; 32];
	hash.copy_from_slice(&bytes[offset..offset + 32]);
	hash
}
