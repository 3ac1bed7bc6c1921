//! Suffix index over the token ids of a corpus: build in memory, persist, memory-map, query.

use std::{
	fs,
	io::Write,
	ops::Range,
	path::{Path, PathBuf},
};

use codec::Encode;
use memmap2::Mmap;
use tributary_primitives::{attribution::RowRef, content_hash, ContentHash};

use crate::{
	corpus::{Tokenizer, VerifiedCorpus},
	error::AttributionError,
	format::{
		self, Header, Layout, FIRST_TOKEN_SYMBOL, HEADER_LEN, ROW_ENTRY_LEN, SENTINEL, SEPARATOR,
	},
	sais,
};

/// A verified corpus in the model's tokens, with the id its index carries.
pub struct TokenizedCorpus<'a> {
	corpus: &'a VerifiedCorpus,
	tokens: Vec<Vec<u32>>,
	tokenizer_id: ContentHash,
	index_id: ContentHash,
}

impl<'a> TokenizedCorpus<'a> {
	pub fn new(
		corpus: &'a VerifiedCorpus,
		tokenizer: &dyn Tokenizer,
	) -> Result<Self, AttributionError> {
		let tokens = corpus.tokenize(tokenizer)?;
		let tokenizer_id = tokenizer.id();
		let inputs: Vec<(RowRef, ContentHash, ContentHash)> = corpus
			.rows()
			.iter()
			.zip(&tokens)
			.map(|(row, row_tokens)| {
				(row.row, row.claimed_hash, content_hash(&row_tokens.encode()))
			})
			.collect();
		let index_id = content_hash(&(tokenizer_id, inputs).encode());
		Ok(Self { corpus, tokens, tokenizer_id, index_id })
	}

	/// blake2-256 of SCALE `(tokenizer id, Vec<(RowRef, row hash, token hash)>)`.
	pub fn index_id(&self) -> ContentHash {
		self.index_id
	}
}

/// The bytes of an index: built in memory, or a validated memory-mapped file.
enum Storage {
	Owned(Vec<u8>),
	Mapped(Mmap),
}

impl Storage {
	fn bytes(&self) -> &[u8] {
		match self {
			Storage::Owned(bytes) => bytes,
			Storage::Mapped(map) => map,
		}
	}
}

/// A suffix array over all rows of a corpus, with the row of every text position.
pub struct SuffixIndex {
	storage: Storage,
	header: Header,
	layout: Layout,
}

/// Largest text (tokens + separators + sentinel) a u32 suffix array can address.
const MAX_TEXT_LEN: u64 = u32::MAX as u64 - 1;

impl SuffixIndex {
	/// Tokenize the corpus and build its index in memory: O(n + V) to map tokens to symbols
	/// (V = largest token id; O(n log n) by sorting when ids exceed 2^24) plus O(n) for SA-IS.
	pub fn build(
		corpus: &VerifiedCorpus,
		tokenizer: &dyn Tokenizer,
	) -> Result<Self, AttributionError> {
		Self::build_tokenized(TokenizedCorpus::new(corpus, tokenizer)?)
	}

	/// Build the index of an already tokenized corpus.
	pub fn build_tokenized(tokenized: TokenizedCorpus) -> Result<Self, AttributionError> {
		let TokenizedCorpus { corpus, tokens, tokenizer_id, index_id } = tokenized;
		let rows = corpus.rows();
		let token_count: u64 = tokens.iter().map(|row| row.len() as u64).sum();
		let text_len = token_count + rows.len() as u64 + 1;
		if text_len > MAX_TEXT_LEN {
			return Err(AttributionError::CorpusTooLarge {
				tokens: token_count,
				rows: rows.len() as u64,
				limit: MAX_TEXT_LEN,
			});
		}

		let symbols = SymbolTable::new(&tokens);
		let mut text = Vec::with_capacity(text_len as usize);
		let mut row_starts = Vec::with_capacity(rows.len() + 1);
		for row_tokens in &tokens {
			row_starts.push(text.len() as u32);
			text.extend(row_tokens.iter().map(|&token| symbols.symbol(token)));
			text.push(SEPARATOR);
		}
		let alphabet = symbols.alphabet;
		row_starts.push(text.len() as u32);
		text.push(SENTINEL);
		drop(tokens);

		let suffix_array = sais::suffix_array(&text, alphabet.len() + FIRST_TOKEN_SYMBOL as usize);

		let layout = Layout::for_counts(rows.len() as u64, alphabet.len() as u64, text_len)
			.ok_or(AttributionError::InvalidParameter("corpus too large for this platform"))?;
		let mut image = vec![0u8; layout.total_len];
		for (i, row) in rows.iter().enumerate() {
			let at = layout.rows + i * ROW_ENTRY_LEN;
			image[at..at + 4].copy_from_slice(&row.row.datanet.to_le_bytes());
			image[at + 4..at + 12].copy_from_slice(&row.row.row.to_le_bytes());
		}
		write_u32s(&mut image[layout.row_starts..], &row_starts);
		write_u32s(&mut image[layout.alphabet..], &alphabet);
		write_u32s(&mut image[layout.text..], &text);
		write_u32s(&mut image[layout.suffix_array..], &suffix_array);
		let header = Header {
			index_id,
			corpus_id: corpus.id(),
			tokenizer_id,
			rows: rows.len() as u64,
			alphabet: alphabet.len() as u64,
			text: text_len,
			checksum: [0; 32],
		};
		header.write(&mut image[..HEADER_LEN]);
		let header = Header { checksum: format::checksum(&image), ..header };
		header.write(&mut image[..HEADER_LEN]);
		Ok(Self { storage: Storage::Owned(image), header, layout })
	}

	/// Persist the index to `path` (written to a temporary file beside it, then renamed, so a
	/// crash never leaves a half-written index under the final name).
	pub fn write_to(&self, path: &Path) -> Result<(), AttributionError> {
		let io = |source| AttributionError::Io { path: path.to_path_buf(), source };
		let mut partial = path.as_os_str().to_owned();
		partial.push(".partial");
		let partial = PathBuf::from(partial);
		let mut file = fs::File::create(&partial).map_err(io)?;
		file.write_all(self.storage.bytes()).map_err(io)?;
		file.sync_all().map_err(io)?;
		fs::rename(&partial, path).map_err(io)
	}

	/// Memory-map an index file and check it completely (checksum and structure), so queries
	/// on it cannot go out of bounds.
	pub fn open(path: &Path) -> Result<Self, AttributionError> {
		let io = |source| AttributionError::Io { path: path.to_path_buf(), source };
		let file = fs::File::open(path).map_err(io)?;
		// SAFETY: the map is read-only and index files are written once under a temporary name
		// and renamed into place, never modified afterwards.
		let map = unsafe { Mmap::map(&file) }.map_err(io)?;
		let (header, layout) = Header::read(&map, path)?;
		let index = Self { storage: Storage::Mapped(map), header, layout };
		index.validate(path)?;
		Ok(index)
	}

	/// Like [`open`](Self::open), and refuse an index built from other inputs.
	pub fn open_expecting(path: &Path, expected_id: ContentHash) -> Result<Self, AttributionError> {
		let index = Self::open(path)?;
		if index.id() != expected_id {
			return Err(AttributionError::IndexMismatch {
				expected: expected_id,
				found: index.id(),
			});
		}
		Ok(index)
	}

	fn validate(&self, path: &Path) -> Result<(), AttributionError> {
		let corrupt = |reason: &str| AttributionError::CorruptIndex {
			path: path.to_path_buf(),
			reason: reason.into(),
		};
		let bytes = self.storage.bytes();
		if format::checksum(bytes) != self.header.checksum {
			return Err(corrupt("checksum mismatch"));
		}
		let (rows, alphabet, n) = (self.row_count(), self.alphabet_len(), self.text_len());
		if rows == 0 || n as u64 > MAX_TEXT_LEN || alphabet >= n {
			return Err(corrupt("impossible row, alphabet or text counts"));
		}
		if (1..alphabet).any(|k| self.alphabet_at(k - 1) >= self.alphabet_at(k)) {
			return Err(corrupt("alphabet not strictly ascending"));
		}
		if (1..rows).any(|i| self.row_at(i - 1) >= self.row_at(i)) {
			return Err(corrupt("rows not strictly ascending"));
		}
		if self.row_start(0) != 0 || self.row_start(rows) as usize != n - 1 {
			return Err(corrupt("row starts do not cover the text"));
		}
		for i in 0..rows {
			let (start, end) = (self.row_start(i), self.row_start(i + 1));
			if end <= start || end as usize > n - 1 || self.symbol(end as usize - 1) != SEPARATOR {
				return Err(corrupt("row boundaries do not match the separators"));
			}
		}
		let symbol_limit = alphabet as u64 + u64::from(FIRST_TOKEN_SYMBOL);
		let mut separators = 0usize;
		for position in 0..n {
			let symbol = self.symbol(position);
			let valid = match symbol {
				SENTINEL => position == n - 1,
				SEPARATOR => {
					separators += 1;
					true
				},
				other => u64::from(other) < symbol_limit,
			};
			if !valid {
				return Err(corrupt("text holds an invalid symbol"));
			}
		}
		if separators != rows || self.symbol(n - 1) != SENTINEL {
			return Err(corrupt("separator count does not match the rows"));
		}
		let mut seen = vec![false; n];
		for rank in 0..n {
			let position = self.suffix(rank) as usize;
			if position >= n || std::mem::replace(&mut seen[position], true) {
				return Err(corrupt("suffix array is not a permutation of the text positions"));
			}
		}
		Ok(())
	}

	/// Hash of the inputs this index was built from (see the file format).
	pub fn id(&self) -> ContentHash {
		self.header.index_id
	}

	/// The corpus id attribution records carry.
	pub fn corpus_id(&self) -> ContentHash {
		self.header.corpus_id
	}

	pub fn tokenizer_id(&self) -> ContentHash {
		self.header.tokenizer_id
	}

	pub fn row_count(&self) -> usize {
		self.header.rows as usize
	}

	/// Total number of corpus tokens (excluding separators).
	pub fn token_count(&self) -> usize {
		self.text_len() - self.row_count() - 1
	}

	/// Size of the index image in bytes.
	pub fn byte_len(&self) -> usize {
		self.layout.total_len
	}

	fn alphabet_len(&self) -> usize {
		self.header.alphabet as usize
	}

	fn text_len(&self) -> usize {
		self.header.text as usize
	}

	fn alphabet_at(&self, k: usize) -> u32 {
		format::u32_at(self.storage.bytes(), self.layout.alphabet + 4 * k)
	}

	fn symbol(&self, position: usize) -> u32 {
		format::u32_at(self.storage.bytes(), self.layout.text + 4 * position)
	}

	fn suffix(&self, rank: usize) -> u32 {
		format::u32_at(self.storage.bytes(), self.layout.suffix_array + 4 * rank)
	}

	fn row_start(&self, i: usize) -> u32 {
		format::u32_at(self.storage.bytes(), self.layout.row_starts + 4 * i)
	}

	/// The `i`-th row in canonical order.
	pub fn row_at(&self, i: usize) -> RowRef {
		let at = self.layout.rows + i * ROW_ENTRY_LEN;
		let bytes = self.storage.bytes();
		RowRef { datanet: format::u32_at(bytes, at), row: format::u64_at(bytes, at + 4) }
	}

	/// Row number (canonical order) holding text `position`: binary search over row starts.
	pub fn row_of_position(&self, position: u32) -> usize {
		let (mut low, mut high) = (0, self.row_count());
		while high - low > 1 {
			let middle = (low + high) / 2;
			if self.row_start(middle) <= position {
				low = middle;
			} else {
				high = middle;
			}
		}
		low
	}

	/// Text symbol of a token id, or `None` if the corpus never contains it.
	pub fn symbol_of_token(&self, token: u32) -> Option<u32> {
		let (mut low, mut high) = (0, self.alphabet_len());
		while low < high {
			let middle = (low + high) / 2;
			match self.alphabet_at(middle).cmp(&token) {
				std::cmp::Ordering::Less => low = middle + 1,
				std::cmp::Ordering::Greater => high = middle,
				std::cmp::Ordering::Equal => return Some(middle as u32 + FIRST_TOKEN_SYMBOL),
			}
		}
		None
	}

	/// Suffix-array ranks of every suffix, i.e. the range matching the empty pattern.
	pub fn full_range(&self) -> Range<usize> {
		0..self.text_len()
	}

	/// Given the range of suffixes starting with some pattern of length `depth`, the sub-range
	/// whose next symbol is `symbol`.
	pub fn narrow(&self, range: Range<usize>, depth: usize, symbol: u32) -> Range<usize> {
		let n = self.text_len();
		let symbol_after = |rank: usize| {
			let position = self.suffix(rank) as usize + depth;
			if position < n {
				Some(self.symbol(position))
			} else {
				None
			}
		};
		let target = Some(symbol);
		let lower = partition_point(range.clone(), |rank| symbol_after(rank) < target);
		let upper = partition_point(lower..range.end, |rank| symbol_after(rank) <= target);
		lower..upper
	}

	/// Range of suffixes starting with the given symbols.
	pub fn find_symbols(&self, symbols: &[u32]) -> Range<usize> {
		let mut range = self.full_range();
		for (depth, &symbol) in symbols.iter().enumerate() {
			if range.is_empty() {
				break;
			}
			range = self.narrow(range, depth, symbol);
		}
		range
	}

	/// Number of occurrences of a token sequence in the corpus (never across rows).
	pub fn count(&self, tokens: &[u32]) -> u64 {
		let symbols: Option<Vec<u32>> =
			tokens.iter().map(|&token| self.symbol_of_token(token)).collect();
		match symbols {
			Some(symbols) => self.find_symbols(&symbols).len() as u64,
			None => 0,
		}
	}

	/// Text position of the suffix at `rank`.
	pub fn position_at_rank(&self, rank: usize) -> u32 {
		self.suffix(rank)
	}
}

/// First index in `range` for which `is_before` is false (it must be monotone over the range).
fn partition_point(range: Range<usize>, is_before: impl Fn(usize) -> bool) -> usize {
	let (mut low, mut high) = (range.start, range.end);
	while low < high {
		let middle = low + (high - low) / 2;
		if is_before(middle) {
			low = middle + 1;
		} else {
			high = middle;
		}
	}
	low
}

/// Distinct corpus tokens in ascending order and the text symbol of each.
struct SymbolTable {
	alphabet: Vec<u32>,
	/// `dense[token]` is the token's symbol, when token ids are small enough for a table
	/// (every real vocabulary); otherwise symbols come from binary search in `alphabet`.
	dense: Option<Vec<u32>>,
}

/// Largest token id for which a direct lookup table (4 bytes per id) is used.
const DENSE_TOKEN_LIMIT: u32 = 1 << 24;

impl SymbolTable {
	fn new(tokens: &[Vec<u32>]) -> Self {
		let max_token = tokens.iter().flatten().copied().max().unwrap_or(0);
		if max_token < DENSE_TOKEN_LIMIT {
			let mut dense = vec![0u32; max_token as usize + 1];
			for &token in tokens.iter().flatten() {
				dense[token as usize] = 1;
			}
			let mut alphabet = Vec::new();
			for (token, slot) in dense.iter_mut().enumerate() {
				if *slot != 0 {
					*slot = alphabet.len() as u32 + FIRST_TOKEN_SYMBOL;
					alphabet.push(token as u32);
				}
			}
			Self { alphabet, dense: Some(dense) }
		} else {
			let mut alphabet: Vec<u32> = tokens.iter().flatten().copied().collect();
			alphabet.sort_unstable();
			alphabet.dedup();
			Self { alphabet, dense: None }
		}
	}

	/// Symbol of a token that occurs in the corpus the table was built from.
	fn symbol(&self, token: u32) -> u32 {
		match &self.dense {
			Some(dense) => dense[token as usize],
			None => {
				let k = self
					.alphabet
					.binary_search(&token)
					.expect("the alphabet holds every corpus token");
				k as u32 + FIRST_TOKEN_SYMBOL
			},
		}
	}
}

fn write_u32s(out: &mut [u8], values: &[u32]) {
	for (chunk, value) in out.chunks_exact_mut(4).zip(values) {
		chunk.copy_from_slice(&value.to_le_bytes());
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::corpus::{ByteTokenizer, CorpusRow};
	use proptest::prelude::*;

	/// Tokens are the bytes of each row, so small alphabets give many repeats.
	fn corpus_of(rows: &[Vec<u8>]) -> VerifiedCorpus {
		let rows = rows
			.iter()
			.enumerate()
			.map(|(i, bytes)| CorpusRow {
				row: RowRef { datanet: (i % 3) as u32, row: i as u64 },
				claimed_hash: content_hash(bytes),
				bytes: bytes.clone(),
			})
			.collect();
		VerifiedCorpus::verify(rows).unwrap()
	}

	fn naive_count(rows: &[Vec<u8>], pattern: &[u8]) -> u64 {
		if pattern.is_empty() {
			return 0;
		}
		rows.iter()
			.map(|row| row.windows(pattern.len()).filter(|w| *w == pattern).count() as u64)
			.sum()
	}

	fn naive_rows(rows: &[Vec<u8>], pattern: &[u8]) -> Vec<usize> {
		rows.iter()
			.enumerate()
			.flat_map(|(i, row)| {
				row.windows(pattern.len()).filter(move |w| *w == pattern).map(move |_| i)
			})
			.collect()
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(128))]
		#[test]
		fn counts_and_rows_match_naive_search(
			rows in prop::collection::vec(prop::collection::vec(b'a'..b'e', 0..40), 1..12),
			pattern in prop::collection::vec(b'a'..b'f', 1..5),
		) {
			let index = SuffixIndex::build(&corpus_of(&rows), &ByteTokenizer).unwrap();
			let tokens: Vec<u32> = pattern.iter().map(|&b| u32::from(b)).collect();
			prop_assert_eq!(index.count(&tokens), naive_count(&rows, &pattern));

			// Occurrences map to the rows that contain them (row ids are the input positions).
			let symbols: Option<Vec<u32>> = tokens.iter().map(|&t| index.symbol_of_token(t)).collect();
			if let Some(symbols) = symbols {
				let mut found: Vec<usize> = index
					.find_symbols(&symbols)
					.map(|rank| index.row_at(index.row_of_position(index.position_at_rank(rank))).row as usize)
					.collect();
				found.sort_unstable();
				prop_assert_eq!(found, naive_rows(&rows, &pattern));
			}
		}
	}

	/// Token ids spread over the whole u32 range, so the index takes its sorted-alphabet path.
	struct WideTokenizer;

	impl Tokenizer for WideTokenizer {
		fn id(&self) -> ContentHash {
			content_hash(b"wide")
		}

		fn encode(&self, bytes: &[u8]) -> Result<Vec<u32>, AttributionError> {
			Ok(bytes.iter().map(|&b| u32::MAX - u32::from(b) * 0x0100_0001).collect())
		}
	}

	#[test]
	fn token_ids_anywhere_in_u32_are_indexed() {
		let rows = vec![b"abcab".to_vec(), b"cabx".to_vec(), vec![0, 255, 0]];
		let index = SuffixIndex::build(&corpus_of(&rows), &WideTokenizer).unwrap();
		let wide = |text: &[u8]| WideTokenizer.encode(text).unwrap();
		assert_eq!(index.count(&wide(b"ab")), 3);
		assert_eq!(index.count(&wide(b"cab")), 2);
		assert_eq!(index.count(&wide(&[0, 255])), 1);
		assert_eq!(index.count(&wide(b"q")), 0);
		assert_eq!(index.count(&[u32::MAX]), 2);
	}

	#[test]
	fn no_match_crosses_a_row_boundary() {
		let index =
			SuffixIndex::build(&corpus_of(&[b"abc".to_vec(), b"def".to_vec()]), &ByteTokenizer)
				.unwrap();
		assert_eq!(index.count(&[u32::from(b'c'), u32::from(b'd')]), 0);
		assert_eq!(index.count(&[u32::from(b'c')]), 1);
	}

	#[test]
	fn written_index_reopens_identically() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("corpus.idx");
		let built = SuffixIndex::build(
			&corpus_of(&[b"hello world".to_vec(), b"world peace".to_vec()]),
			&ByteTokenizer,
		)
		.unwrap();
		built.write_to(&path).unwrap();
		let opened = SuffixIndex::open_expecting(&path, built.id()).unwrap();
		assert_eq!(opened.storage.bytes(), built.storage.bytes());
		assert_eq!(opened.count(&"world".bytes().map(u32::from).collect::<Vec<_>>()), 2);
		assert!(matches!(
			SuffixIndex::open_expecting(&path, [0; 32]),
			Err(AttributionError::IndexMismatch { .. })
		));
	}

	#[test]
	fn truncated_index_is_reported() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("corpus.idx");
		let built =
			SuffixIndex::build(&corpus_of(&[b"some training text".to_vec()]), &ByteTokenizer)
				.unwrap();
		built.write_to(&path).unwrap();
		let full = fs::read(&path).unwrap();
		for cut in [0, 7, HEADER_LEN - 1, HEADER_LEN, full.len() - 1] {
			fs::write(&path, &full[..cut]).unwrap();
			match SuffixIndex::open(&path) {
				Err(AttributionError::TruncatedIndex { expected, actual, .. }) => {
					assert_eq!(actual, cut as u64);
					assert!(expected > actual);
				},
				Err(other) => panic!("cut at {cut}: expected a truncation error, got {other}"),
				Ok(_) => panic!("cut at {cut}: a truncated index opened"),
			}
		}
	}

	#[test]
	fn corrupted_index_is_reported() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("corpus.idx");
		let built =
			SuffixIndex::build(&corpus_of(&[b"some training text".to_vec()]), &ByteTokenizer)
				.unwrap();
		built.write_to(&path).unwrap();
		let full = fs::read(&path).unwrap();
		for flip in [0, 9, 20, 120, 140, HEADER_LEN + 3, full.len() - 2] {
			let mut damaged = full.clone();
			damaged[flip] ^= 0x40;
			fs::write(&path, &damaged).unwrap();
			let err = SuffixIndex::open(&path)
				.err()
				.unwrap_or_else(|| panic!("byte {flip} flipped, index opened"));
			assert!(
				matches!(
					err,
					AttributionError::CorruptIndex { .. }
						| AttributionError::UnsupportedIndexVersion { .. }
						| AttributionError::TruncatedIndex { .. }
				),
				"byte {flip}: {err}"
			);
		}
	}

	/// Rewrite the checksum so a damaged body passes it and reaches the structural checks.
	fn reseal(image: &mut [u8]) {
		let checksum = format::checksum(image);
		image[format::CHECKSUM_AT..HEADER_LEN].copy_from_slice(&checksum);
	}

	#[test]
	fn structural_damage_behind_a_valid_checksum_is_reported() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("corpus.idx");
		let built =
			SuffixIndex::build(&corpus_of(&[b"abcab".to_vec(), b"bca".to_vec()]), &ByteTokenizer)
				.unwrap();
		let layout = built.layout;
		let n = built.text_len();
		type Damage = Box<dyn Fn(&mut Vec<u8>)>;
		let damages: Vec<(&str, Damage)> = vec![
			(
				"suffix out of range",
				Box::new(move |image| write_u32s(&mut image[layout.suffix_array..], &[n as u32])),
			),
			(
				"suffix listed twice",
				Box::new(move |image| {
					let first = format::u32_at(image, layout.suffix_array);
					write_u32s(&mut image[layout.suffix_array + 4..], &[first]);
				}),
			),
			(
				"symbol out of range",
				Box::new(move |image| write_u32s(&mut image[layout.text..], &[1000])),
			),
			(
				"row start past the text",
				Box::new(move |image| write_u32s(&mut image[layout.row_starts + 4..], &[999])),
			),
			(
				"alphabet unsorted",
				Box::new(move |image| write_u32s(&mut image[layout.alphabet..], &[u32::MAX])),
			),
		];
		for (name, damage) in damages {
			let mut image = built.storage.bytes().to_vec();
			damage(&mut image);
			reseal(&mut image);
			fs::write(&path, &image).unwrap();
			match SuffixIndex::open(&path) {
				Err(AttributionError::CorruptIndex { reason, .. }) => {
					assert_ne!(reason, "checksum mismatch", "{name}")
				},
				Err(other) => panic!("{name}: expected a corrupt-index error, got {other}"),
				Ok(_) => panic!("{name}: a structurally broken index opened"),
			}
		}
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(64))]
		/// Any resealed single-byte change either opens (and then answers queries) or is a typed
		/// error: never a panic.
		#[test]
		fn resealed_random_damage_never_panics(offset in 0usize..10_000, value in any::<u8>()) {
			let dir = tempfile::tempdir().unwrap();
			let path = dir.path().join("corpus.idx");
			let rows = vec![b"the quick brown fox".to_vec(), b"jumps over the lazy dog".to_vec()];
			let built = SuffixIndex::build(&corpus_of(&rows), &ByteTokenizer).unwrap();
			let mut image = built.storage.bytes().to_vec();
			let at = HEADER_LEN + offset % (image.len() - HEADER_LEN);
			image[at] = value;
			reseal(&mut image);
			fs::write(&path, &image).unwrap();
			if let Ok(index) = SuffixIndex::open(&path) {
				for pattern in [&b"the"[..], b"o", b"lazy dog", b"zzz"] {
					let _ = index.count(&pattern.iter().map(|&b| u32::from(b)).collect::<Vec<_>>());
				}
			}
		}
	}
}
