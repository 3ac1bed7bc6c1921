//! A directory of suffix indexes named by their input hash: open the index of a corpus if it is
//! already there and intact, build and persist it otherwise.

use std::{
	fs,
	path::{Path, PathBuf},
};
use tributary_primitives::hex;

use crate::{
	corpus::{Tokenizer, VerifiedCorpus},
	error::AttributionError,
	index::{SuffixIndex, TokenizedCorpus},
};

/// How [`open_or_build`] obtained the index.
#[derive(Debug)]
pub enum IndexSource {
	/// An intact index file for these inputs was already present.
	Opened,
	/// No index file existed; it was built and written.
	Built,
	/// The file existed but could not be used (the error says why); it was rebuilt.
	Rebuilt(AttributionError),
}

/// Path of the index of the given inputs inside `dir`.
pub fn index_path(dir: &Path, index_id: &[u8; 32]) -> PathBuf {
	dir.join(format!("{}.idx", hex::encode(index_id)))
}

/// The memory-mapped index of `corpus` in `tokenizer`'s tokens, from `dir` when present.
pub fn open_or_build(
	dir: &Path,
	corpus: &VerifiedCorpus,
	tokenizer: &dyn Tokenizer,
) -> Result<(SuffixIndex, IndexSource), AttributionError> {
	let tokenized = TokenizedCorpus::new(corpus, tokenizer)?;
	let index_id = tokenized.index_id();
	let path = index_path(dir, &index_id);
	let source = if path.exists() {
		match SuffixIndex::open_expecting(&path, index_id) {
			Ok(index) => return Ok((index, IndexSource::Opened)),
			Err(io @ AttributionError::Io { .. }) => return Err(io),
			Err(unusable) => IndexSource::Rebuilt(unusable),
		}
	} else {
		IndexSource::Built
	};
	fs::create_dir_all(dir)
		.map_err(|source| AttributionError::Io { path: dir.to_path_buf(), source })?;
	SuffixIndex::build_tokenized(tokenized)?.write_to(&path)?;
	Ok((SuffixIndex::open_expecting(&path, index_id)?, source))
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::corpus::{ByteTokenizer, CorpusRow};
	use tributary_primitives::{attribution::RowRef, content_hash};

	fn corpus_of(texts: &[&str]) -> VerifiedCorpus {
		VerifiedCorpus::verify(
			texts
				.iter()
				.enumerate()
				.map(|(i, text)| CorpusRow {
					row: RowRef { datanet: 0, row: i as u64 },
					claimed_hash: content_hash(text.as_bytes()),
					bytes: text.as_bytes().to_vec(),
				})
				.collect(),
		)
		.unwrap()
	}

	#[test]
	fn builds_once_then_opens_and_repairs_damage() {
		let dir = tempfile::tempdir().unwrap();
		let corpus = corpus_of(&["first row of text", "second row of text"]);
		let (built, source) = open_or_build(dir.path(), &corpus, &ByteTokenizer).unwrap();
		assert!(matches!(source, IndexSource::Built), "{source:?}");
		let path = index_path(dir.path(), &built.id());
		assert!(path.exists());

		let (opened, source) = open_or_build(dir.path(), &corpus, &ByteTokenizer).unwrap();
		assert!(matches!(source, IndexSource::Opened), "{source:?}");
		assert_eq!(opened.id(), built.id());

		let bytes = fs::read(&path).unwrap();
		fs::write(&path, &bytes[..bytes.len() - 8]).unwrap();
		let (repaired, source) = open_or_build(dir.path(), &corpus, &ByteTokenizer).unwrap();
		assert!(
			matches!(source, IndexSource::Rebuilt(AttributionError::TruncatedIndex { .. })),
			"{source:?}"
		);
		assert_eq!(fs::read(&path).unwrap(), bytes);
		assert_eq!(repaired.count(&"row of text".bytes().map(u32::from).collect::<Vec<_>>()), 2);

		let other = corpus_of(&["a different corpus"]);
		let (_, source) = open_or_build(dir.path(), &other, &ByteTokenizer).unwrap();
		assert!(matches!(source, IndexSource::Built), "{source:?}");
	}
}
