//! The training corpus as attribution sees it: rows whose bytes are verified against their
//! content hashes, in canonical order, tokenized with the model's tokenizer.

use codec::Encode;
use tributary_primitives::{attribution::RowRef, content_hash, ContentHash};

use crate::error::AttributionError;

/// One row as fetched from the content store, with the hash the chain recorded for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorpusRow {
	pub row: RowRef,
	pub claimed_hash: ContentHash,
	pub bytes: Vec<u8>,
}

/// Turns row bytes into the token ids the model was trained on.
pub trait Tokenizer {
	/// Content hash identifying this tokenizer (for a Hugging Face tokenizer, of its
	/// `tokenizer.json`); part of the index identity.
	fn id(&self) -> ContentHash;
	fn encode(&self, bytes: &[u8]) -> Result<Vec<u32>, AttributionError>;
}

/// One token per byte. Fully deterministic and needs no files; used for byte-level models and
/// tests.
#[derive(Clone, Copy, Debug, Default)]
pub struct ByteTokenizer;

impl Tokenizer for ByteTokenizer {
	fn id(&self) -> ContentHash {
		content_hash(b"tributary/byte-tokenizer/v1")
	}

	fn encode(&self, bytes: &[u8]) -> Result<Vec<u32>, AttributionError> {
		Ok(bytes.iter().map(|&b| u32::from(b)).collect())
	}
}

/// A Hugging Face `tokenizer.json`, encoding rows the way the trainer does: UTF-8 text, no
/// special tokens added.
pub struct HfTokenizer {
	inner: tokenizers::Tokenizer,
	id: ContentHash,
}

impl HfTokenizer {
	/// Load a `tokenizer.json`; its id is the blake2-256 of the file's bytes.
	pub fn from_file(path: &std::path::Path) -> Result<Self, AttributionError> {
		let bytes = std::fs::read(path)
			.map_err(|source| AttributionError::Io { path: path.to_path_buf(), source })?;
		let inner = tokenizers::Tokenizer::from_bytes(&bytes)
			.map_err(|e| AttributionError::Tokenizer(format!("{}: {e}", path.display())))?;
		Ok(Self { inner, id: content_hash(&bytes) })
	}
}

impl Tokenizer for HfTokenizer {
	fn id(&self) -> ContentHash {
		self.id
	}

	fn encode(&self, bytes: &[u8]) -> Result<Vec<u32>, AttributionError> {
		let text = std::str::from_utf8(bytes).map_err(|_| {
			AttributionError::Tokenizer(
				"row is not UTF-8 text; the trainer only trains on text rows".into(),
			)
		})?;
		let encoding = self
			.inner
			.encode(text, false)
			.map_err(|e| AttributionError::Tokenizer(e.to_string()))?;
		Ok(encoding.get_ids().to_vec())
	}
}

/// A corpus whose every row matched its hash, sorted by row, with no row listed twice.
#[derive(Clone, Debug)]
pub struct VerifiedCorpus {
	rows: Vec<CorpusRow>,
	id: ContentHash,
}

impl VerifiedCorpus {
	/// Check every row's bytes against its claimed hash and put the rows in canonical order.
	pub fn verify(mut rows: Vec<CorpusRow>) -> Result<Self, AttributionError> {
		if rows.is_empty() {
			return Err(AttributionError::EmptyCorpus);
		}
		for row in &rows {
			let actual = content_hash(&row.bytes);
			if actual != row.claimed_hash {
				return Err(AttributionError::RowHashMismatch {
					row: row.row,
					claimed: row.claimed_hash,
					actual,
				});
			}
		}
		rows.sort_by_key(|row| row.row);
		if let Some(pair) = rows.windows(2).find(|pair| pair[0].row == pair[1].row) {
			return Err(AttributionError::DuplicateRow(pair[0].row));
		}
		let listing: Vec<(RowRef, ContentHash)> =
			rows.iter().map(|row| (row.row, row.claimed_hash)).collect();
		let id = content_hash(&listing.encode());
		Ok(Self { rows, id })
	}

	/// blake2-256 of the SCALE encoding of `Vec<(RowRef, ContentHash)>` in row order: the
	/// `corpus` field of attribution records.
	pub fn id(&self) -> ContentHash {
		self.id
	}

	pub fn rows(&self) -> &[CorpusRow] {
		&self.rows
	}

	/// Token ids of every row, in row order.
	pub fn tokenize(&self, tokenizer: &dyn Tokenizer) -> Result<Vec<Vec<u32>>, AttributionError> {
		self.rows.iter().map(|row| tokenizer.encode(&row.bytes)).collect()
	}
}

/// blake2-256 of the SCALE encoding of the output's token ids: the `output` field of records.
pub fn output_hash(tokens: &[u32]) -> ContentHash {
	content_hash(&tokens.encode())
}

#[cfg(test)]
mod tests {
	use super::*;

	fn row(datanet: u32, index: u64, text: &str) -> CorpusRow {
		CorpusRow {
			row: RowRef { datanet, row: index },
			claimed_hash: content_hash(text.as_bytes()),
			bytes: text.as_bytes().to_vec(),
		}
	}

	#[test]
	fn corpus_id_does_not_depend_on_input_order() {
		let a = VerifiedCorpus::verify(vec![row(0, 0, "a"), row(1, 0, "b")]).unwrap();
		let b = VerifiedCorpus::verify(vec![row(1, 0, "b"), row(0, 0, "a")]).unwrap();
		assert_eq!(a.id(), b.id());
		assert_eq!(a.rows()[0].row, RowRef { datanet: 0, row: 0 });
	}

	#[test]
	fn duplicate_row_is_refused() {
		let err = VerifiedCorpus::verify(vec![row(0, 3, "a"), row(0, 3, "b")]).unwrap_err();
		assert!(matches!(err, AttributionError::DuplicateRow(RowRef { datanet: 0, row: 3 })));
	}
}
