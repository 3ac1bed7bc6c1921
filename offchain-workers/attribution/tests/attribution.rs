//! End-to-end attribution: planted spans, determinism across rebuilds, RAG citations, bad input.

use std::fs;

use codec::Encode;
use tributary_attribution::{
	bm25::{Bm25Index, Bm25Params},
	check_reported, recompute, span_record, Answer, AttributionError, ByteTokenizer, CorpusRow,
	CreditOwners, HfTokenizer, MethodRequest, RecomputeRequest, SuffixIndex, Tokenizer, Verdict,
	VerifiedCorpus,
};
use tributary_primitives::{
	attribution::{AttributionMethod, RowRef, SpanParams, PARTS_PER_BILLION},
	content_hash,
};

const PARAMS: SpanParams = SpanParams { min_span_len: 32, max_span_occurrences: 64 };

/// Deterministic pseudo-random generator (64-bit LCG) so the corpus is the same on every run.
struct Lcg(u64);

impl Lcg {
	fn next(&mut self) -> u64 {
		self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
		self.0 >> 33
	}
}

/// 200 rows of 40 words drawn from a 300-word lowercase vocabulary, across three datanets.
fn corpus_rows() -> Vec<CorpusRow> {
	let mut rng = Lcg(7);
	let vocabulary: Vec<String> = (0..300)
		.map(|_| {
			(0..3 + rng.next() % 6)
				.map(|_| (b'a' + (rng.next() % 26) as u8) as char)
				.collect()
		})
		.collect();
	(0..200u64)
		.map(|i| {
			let words: Vec<&str> =
				(0..40).map(|_| vocabulary[(rng.next() % 300) as usize].as_str()).collect();
			let bytes = words.join(" ").into_bytes();
			CorpusRow {
				row: RowRef { datanet: (i % 3) as u32, row: i },
				claimed_hash: content_hash(&bytes),
				bytes,
			}
		})
		.collect()
}

fn tokens(bytes: &[u8]) -> Vec<u32> {
	bytes.iter().map(|&b| u32::from(b)).collect()
}

/// Text the corpus never contains: upper-case letters and digits only.
fn text_from_nowhere(len: usize) -> Vec<u8> {
	let mut rng = Lcg(99);
	(0..len).map(|_| b"QXZJ0123456789"[(rng.next() % 14) as usize]).collect()
}

fn answer(output: &[u32]) -> Answer<'_> {
	Answer { model: content_hash(b"base"), adapter: Some(content_hash(b"adapter")), output }
}

#[test]
fn planted_span_credits_its_row() {
	let rows = corpus_rows();
	let planted = &rows[57];
	let copied = planted.bytes[40..140].to_vec();
	let mut output = text_from_nowhere(30);
	output.extend_from_slice(&copied);
	output.extend(text_from_nowhere(30));
	let output = tokens(&output);

	let index =
		SuffixIndex::build(&VerifiedCorpus::verify(rows.clone()).unwrap(), &ByteTokenizer).unwrap();
	let record = span_record(&index, &CreditOwners::none(), &answer(&output), PARAMS, 5).unwrap();
	record.check_canonical().unwrap();

	let total: u64 = record.scores.iter().map(|s| u64::from(s.parts_per_billion)).sum();
	let planted_score = record
		.scores
		.iter()
		.find(|s| s.row == planted.row)
		.expect("planted row is credited");
	assert_eq!(record.top[0].row, planted.row);
	assert!(u64::from(planted_score.parts_per_billion) * 10 >= total * 9, "{:?}", record.scores);
	// 100 of the 160 output tokens were copied from a span unique to the row.
	let copied_share = u64::from(PARTS_PER_BILLION) * 100 / 160;
	assert!(
		u64::from(planted_score.parts_per_billion) + 10_000_000 >= copied_share,
		"{planted_score:?}"
	);
	assert!(total <= u64::from(PARTS_PER_BILLION));
}

#[test]
fn output_from_nowhere_scores_zero() {
	let index = SuffixIndex::build(&VerifiedCorpus::verify(corpus_rows()).unwrap(), &ByteTokenizer)
		.unwrap();
	let output = tokens(&text_from_nowhere(128));
	let record = span_record(&index, &CreditOwners::none(), &answer(&output), PARAMS, 5).unwrap();
	assert!(record.scores.is_empty(), "{:?}", record.scores);
	assert!(record.top.is_empty());
}

#[test]
fn record_is_identical_across_runs_and_index_rebuilds() {
	let dir = tempfile::tempdir().unwrap();
	let rows = corpus_rows();
	let mut output = rows[3].bytes[10..90].to_vec();
	output.extend_from_slice(&rows[150].bytes[0..60]);
	output.extend(text_from_nowhere(20));
	let output = tokens(&output);

	let mut records = Vec::new();
	let mut files = Vec::new();
	for (run, order) in [false, true].into_iter().enumerate() {
		// The second build gets the rows in reverse order: the index must not care.
		let mut input = rows.clone();
		if order {
			input.reverse();
		}
		let path = dir.path().join(format!("run{run}.idx"));
		SuffixIndex::build(&VerifiedCorpus::verify(input).unwrap(), &ByteTokenizer)
			.unwrap()
			.write_to(&path)
			.unwrap();
		let mapped = SuffixIndex::open(&path).unwrap();
		records.push(
			span_record(&mapped, &CreditOwners::none(), &answer(&output), PARAMS, 4).unwrap(),
		);
		files.push(fs::read(&path).unwrap());
	}
	let request = RecomputeRequest {
		model: content_hash(b"base"),
		adapter: Some(content_hash(b"adapter")),
		output: output.clone(),
		method: MethodRequest::SuffixSpan(PARAMS),
		top_k: 4,
	};
	records.push(recompute(rows, &ByteTokenizer, &request).unwrap());

	assert_eq!(files[0], files[1], "index files differ between builds");
	assert_eq!(records[0].scores.len(), 2, "{:?}", records[0].scores);
	for record in &records[1..] {
		assert_eq!(record.encode(), records[0].encode());
		assert_eq!(record.commitment(), records[0].commitment());
	}
}

#[test]
fn rag_cites_the_retrieved_rows() {
	let mut rows = corpus_rows();
	let text = b"photosynthesis converts light energy into chemical energy".to_vec();
	rows.push(CorpusRow {
		row: RowRef { datanet: 9, row: 0 },
		claimed_hash: content_hash(&text),
		bytes: text,
	});
	let corpus = VerifiedCorpus::verify(rows.clone()).unwrap();
	let bm25 = Bm25Index::build(&corpus);
	let query = b"how does photosynthesis turn light into energy".to_vec();
	let hits = bm25.search(&query, Bm25Params::default(), 3);
	assert_eq!(hits[0].row, RowRef { datanet: 9, row: 0 });

	let output = tokens(b"Plants use light.");
	let request = RecomputeRequest {
		model: content_hash(b"base"),
		adapter: None,
		output,
		method: MethodRequest::Rag {
			query: query.clone(),
			retrieved: 3,
			bm25: Bm25Params::default(),
		},
		top_k: 2,
	};
	let record = recompute(rows.clone(), &ByteTokenizer, &request).unwrap();
	record.check_canonical().unwrap();
	assert!(
		matches!(record.method, AttributionMethod::Rag(params) if params.query == content_hash(&query))
	);
	assert_eq!(record.corpus, corpus.id());
	assert_eq!(record.top[0].row, RowRef { datanet: 9, row: 0 });
	let cited: Vec<RowRef> = record.scores.iter().map(|s| s.row).collect();
	let mut retrieved: Vec<RowRef> = hits.iter().map(|h| h.row).collect();
	retrieved.sort();
	assert_eq!(cited, retrieved);
	let total: u64 = record.scores.iter().map(|s| u64::from(s.parts_per_billion)).sum();
	assert!(total <= u64::from(PARTS_PER_BILLION) && total + 3 >= u64::from(PARTS_PER_BILLION));
	assert_eq!(
		recompute(rows, &ByteTokenizer, &request).unwrap().commitment(),
		record.commitment()
	);
}

/// A minimal span request: the bad-input tests fail before its contents matter.
fn three_token_request() -> RecomputeRequest {
	RecomputeRequest {
		model: [0; 32],
		adapter: None,
		output: vec![1, 2, 3],
		method: MethodRequest::SuffixSpan(PARAMS),
		top_k: 1,
	}
}

#[test]
fn row_not_matching_its_hash_is_refused() {
	let mut rows = corpus_rows();
	rows[12].bytes[0] ^= 1;
	let request = three_token_request();
	let err = recompute(rows.clone(), &ByteTokenizer, &request).unwrap_err();
	match &err {
		AttributionError::RowHashMismatch { row, .. } => assert_eq!(*row, rows[12].row),
		other => panic!("expected a hash mismatch, got {other}"),
	}
	assert!(err.to_string().contains("does not match its hash"), "{err}");
}

#[test]
fn empty_corpus_is_refused() {
	let request = three_token_request();
	assert!(matches!(
		recompute(Vec::new(), &ByteTokenizer, &request),
		Err(AttributionError::EmptyCorpus)
	));
}

#[test]
fn truncated_index_file_is_refused() {
	let dir = tempfile::tempdir().unwrap();
	let path = dir.path().join("corpus.idx");
	SuffixIndex::build(&VerifiedCorpus::verify(corpus_rows()).unwrap(), &ByteTokenizer)
		.unwrap()
		.write_to(&path)
		.unwrap();
	let bytes = fs::read(&path).unwrap();
	fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
	let err = SuffixIndex::open(&path).err().expect("a truncated index must not open");
	assert!(matches!(err, AttributionError::TruncatedIndex { .. }), "{err}");
	assert!(err.to_string().contains("truncated"), "{err}");
}

/// A word-level Hugging Face tokenizer.json: one token per whitespace-separated word.
fn word_tokenizer_json(words: &[&str]) -> String {
	let vocab: Vec<String> = std::iter::once("\"[UNK]\": 0".to_string())
		.chain(words.iter().enumerate().map(|(i, w)| format!("\"{w}\": {}", i + 1)))
		.collect();
	format!(
		r#"{{"version": "1.0", "truncation": null, "padding": null, "added_tokens": [], "normalizer": null,
		"pre_tokenizer": {{"type": "Whitespace"}}, "post_processor": null, "decoder": null,
		"model": {{"type": "WordLevel", "vocab": {{{}}}, "unk_token": "[UNK]"}}}}"#,
		vocab.join(", ")
	)
}

#[test]
fn hugging_face_tokenizer_attributes_in_word_tokens() {
	let dir = tempfile::tempdir().unwrap();
	let path = dir.path().join("tokenizer.json");
	let words = [
		"the", "river", "carries", "silt", "to", "delta", "farmers", "plant", "rice", "in",
		"spring", "wet",
	];
	fs::write(&path, word_tokenizer_json(&words)).unwrap();
	let tokenizer = HfTokenizer::from_file(&path).unwrap();
	assert_eq!(tokenizer.id(), content_hash(&fs::read(&path).unwrap()));

	let texts = ["the river carries silt to the delta", "farmers plant rice in the wet spring"];
	let rows: Vec<CorpusRow> = texts
		.iter()
		.enumerate()
		.map(|(i, text)| CorpusRow {
			row: RowRef { datanet: 4, row: i as u64 },
			claimed_hash: content_hash(text.as_bytes()),
			bytes: text.as_bytes().to_vec(),
		})
		.collect();
	let index =
		SuffixIndex::build(&VerifiedCorpus::verify(rows.clone()).unwrap(), &tokenizer).unwrap();
	assert_eq!(index.tokenizer_id(), tokenizer.id());
	assert_eq!(index.token_count(), 14);

	let output = tokenizer.encode(b"farmers plant rice in the wet").unwrap();
	let params = SpanParams { min_span_len: 3, max_span_occurrences: 8 };
	let record = span_record(&index, &CreditOwners::none(), &answer(&output), params, 2).unwrap();
	assert_eq!(record.top[0].row, RowRef { datanet: 4, row: 1 });
	assert_eq!(record.scores.len(), 1, "{:?}", record.scores);

	let mut not_text = rows;
	not_text[0].bytes = vec![0xff, 0xfe];
	not_text[0].claimed_hash = content_hash(&not_text[0].bytes);
	let err = SuffixIndex::build(&VerifiedCorpus::verify(not_text).unwrap(), &tokenizer)
		.err()
		.unwrap();
	assert!(matches!(err, AttributionError::Tokenizer(_)), "{err}");
}

#[test]
fn dispute_check_accepts_honest_and_exposes_tampered_reports() {
	let rows = corpus_rows();
	let output = tokens(&rows[20].bytes[5..105]);
	let request = RecomputeRequest {
		model: content_hash(b"base"),
		adapter: None,
		output,
		method: MethodRequest::SuffixSpan(PARAMS),
		top_k: 3,
	};
	let honest = recompute(rows.clone(), &ByteTokenizer, &request).unwrap();
	assert_eq!(
		check_reported(rows.clone(), &ByteTokenizer, &request, honest.commitment()).unwrap(),
		Verdict::Matches
	);

	let mut inflated = honest.clone();
	inflated.scores[0].parts_per_billion += 1;
	match check_reported(rows, &ByteTokenizer, &request, inflated.commitment()).unwrap() {
		Verdict::Differs { recomputed } => assert_eq!(*recomputed, honest),
		Verdict::Matches => panic!("a tampered record passed the dispute check"),
	}
}

/// A copy of a row with one byte changed, contributed later, takes none of the original's
/// credit: span and RAG credit it to the original, the span's rarity ignores the copy, and a
/// validator recomputing the record agrees.
#[test]
fn a_near_duplicate_row_credits_the_first_contributor() {
	let mut rows = corpus_rows();
	let original = rows[10].clone();
	let mut copied = original.bytes.clone();
	copied[5] = if copied[5] == b'z' { b'a' } else { copied[5] + 1 };
	rows.push(CorpusRow {
		row: RowRef { datanet: 7, row: 0 },
		claimed_hash: content_hash(&copied),
		bytes: copied,
	});
	let corpus = VerifiedCorpus::verify(rows.clone()).unwrap();
	let owners = CreditOwners::of(&corpus);
	assert_eq!(
		owners.duplicates().collect::<Vec<_>>(),
		vec![(RowRef { datanet: 7, row: 0 }, original.row)]
	);

	let output = tokens(&original.bytes[40..140]);
	let index = SuffixIndex::build(&corpus, &ByteTokenizer).unwrap();
	let record = span_record(&index, &owners, &answer(&output), PARAMS, 5).unwrap();
	assert_eq!(record.scores.len(), 1, "{:?}", record.scores);
	assert_eq!(record.scores[0].row, original.row);
	assert!(record.scores[0].parts_per_billion > PARTS_PER_BILLION / 10 * 9, "{:?}", record.scores);
	// Without the owners, the copy halves the original's share and the rarity halves it again.
	let split = span_record(&index, &CreditOwners::none(), &answer(&output), PARAMS, 5).unwrap();
	assert_eq!(split.scores.len(), 2, "{:?}", split.scores);
	assert!(split.scores.iter().all(|s| s.parts_per_billion <= PARTS_PER_BILLION / 4));

	let request = RecomputeRequest {
		model: content_hash(b"base"),
		adapter: Some(content_hash(b"adapter")),
		output: output.clone(),
		method: MethodRequest::SuffixSpan(PARAMS),
		top_k: 5,
	};
	assert_eq!(recompute(rows.clone(), &ByteTokenizer, &request).unwrap(), record);

	let query = original.bytes[..60].to_vec();
	let rag = tributary_attribution::rag_record(
		&Bm25Index::build(&corpus),
		&owners,
		&answer(&output),
		&query,
		4,
		Bm25Params::default(),
		5,
	)
	.unwrap();
	assert!(rag.scores.iter().all(|s| s.row != RowRef { datanet: 7, row: 0 }), "{:?}", rag.scores);
	assert_eq!(rag.top[0].row, original.row, "{:?}", rag.scores);
}
