//! From row hashes to batches of token windows.
//!
//! Rows are split into train and eval by hash (the rows with the smallest hashes are held out),
//! so every worker given the same rows makes the same split whatever order they were listed in.
//! Each split's rows, in hash order and each followed by the end-of-text token, form one token
//! stream cut into windows of `sequence_length + 1` tokens (inputs and shifted targets).

use crate::error::{Result, TrainerError};
use tch::{Device, Tensor};
use tokenizers::Tokenizer;
use tributary_primitives::hex;
use tributary_primitives::ContentHash;
use tributary_store::{fetch_verified, ContentStore};

#[derive(Clone, Debug, PartialEq)]
pub struct Row {
	pub hash: ContentHash,
	pub text: String,
}

/// Fetches every row through the store, verifying each hash. Duplicated hashes are read once.
pub fn load_rows(store: &dyn ContentStore, hashes: &[ContentHash]) -> Result<Vec<Row>> {
	let mut unique = hashes.to_vec();
	unique.sort();
	unique.dedup();
	unique
		.into_iter()
		.map(|hash| -> Result<Row> {
			let bytes = fetch_verified(store, &hash)?;
			let text = String::from_utf8(bytes)
				.map_err(|_| TrainerError::RowNotText { hash: hex::encode(&hash) })?;
			Ok(Row { hash, text })
		})
		.collect()
}

pub struct Split {
	pub train: Vec<Row>,
	pub eval: Vec<Row>,
}

/// Holds out max(1, round(n · eval_fraction)) rows, those with the smallest hashes.
pub fn split_by_hash(mut rows: Vec<Row>, eval_fraction: f64) -> Result<Split> {
	if rows.len() < 2 {
		return Err(TrainerError::NotEnoughRows { needed: 2, got: rows.len() });
	}
	rows.sort_by_key(|row| row.hash);
	let eval_rows = ((rows.len() as f64 * eval_fraction).round() as usize).clamp(1, rows.len() - 1);
	let train = rows.split_off(eval_rows);
	Ok(Split { train, eval: rows })
}

/// The token stream of `texts`, each followed by the end-of-text token when the tokenizer has one.
pub fn tokenize<'a>(
	tokenizer: &Tokenizer,
	texts: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<i64>> {
	let eos = tributary_model::hf::eos_token(tokenizer);
	let mut stream = Vec::new();
	for text in texts {
		let encoding = tokenizer
			.encode(text, false)
			.map_err(|e| TrainerError::Tokenizer(e.to_string()))?;
		stream.extend(encoding.get_ids().iter().map(|&id| id as i64));
		stream.extend(eos.map(|id| id as i64));
	}
	Ok(stream)
}

/// Cuts a stream into windows of `sequence_length + 1` tokens (consecutive windows share one
/// token: the last target of one is the first input of the next). A stream shorter than one
/// window becomes a single shorter window; the tail that does not fill a window is dropped.
pub fn pack(stream: &[i64], sequence_length: usize, split: &'static str) -> Result<Vec<Vec<i64>>> {
	if stream.len() < 2 {
		return Err(TrainerError::NotEnoughTokens { split });
	}
	let window = sequence_length + 1;
	if stream.len() < window {
		return Ok(vec![stream.to_vec()]);
	}
	Ok((0..=(stream.len() - window) / sequence_length)
		.map(|i| stream[i * sequence_length..i * sequence_length + window].to_vec())
		.collect())
}

/// (inputs, targets), each [b, t], from windows of equal length.
pub fn batch(windows: &[&Vec<i64>], device: Device) -> (Tensor, Tensor) {
	let rows: Vec<Tensor> = windows.iter().map(|w| Tensor::from_slice(w.as_slice())).collect();
	let stacked = Tensor::stack(&rows, 0).to_device(device);
	let t = stacked.size()[1] - 1;
	(stacked.narrow(1, 0, t).contiguous(), stacked.narrow(1, 1, t).contiguous())
}

/// The seeded generator of batch order (independent of torch's global one).
pub use tributary_model::rng::SplitMix64;

#[cfg(test)]
mod tests {
	use super::*;
	use tributary_store::DirStore;

	#[test]
	fn split_is_by_hash_not_by_listing_order() {
		let rows: Vec<Row> = (0..10u8)
			.map(|i| Row { hash: [i * 7 % 10; 32], text: format!("row {i}") })
			.collect();
		let mut reversed = rows.clone();
		reversed.reverse();
		let (a, b) = (split_by_hash(rows, 0.2).unwrap(), split_by_hash(reversed, 0.2).unwrap());
		assert_eq!(a.eval, b.eval);
		assert_eq!(a.train, b.train);
		assert_eq!(a.eval.len(), 2);
		assert!(a.eval.iter().all(|e| a.train.iter().all(|t| e.hash < t.hash)));
		assert!(matches!(split_by_hash(vec![], 0.5), Err(TrainerError::NotEnoughRows { .. })));
	}

	#[test]
	fn packing_overlaps_windows_by_one_token() {
		let stream: Vec<i64> = (0..10).collect();
		let windows = pack(&stream, 4, "train").unwrap();
		assert_eq!(windows, vec![vec![0, 1, 2, 3, 4], vec![4, 5, 6, 7, 8]]);
		assert_eq!(pack(&stream[..3], 4, "train").unwrap(), vec![vec![0, 1, 2]]);
		assert!(matches!(
			pack(&stream[..1], 4, "eval"),
			Err(TrainerError::NotEnoughTokens { split: "eval" })
		));
	}

	#[test]
	fn rows_whose_bytes_do_not_match_their_hash_are_refused() {
		let dir = tempfile::tempdir().unwrap();
		let store = DirStore::new(dir.path());
		let good = store.put(b"a real row").unwrap();
		let tampered = store.put(b"another row").unwrap();
		std::fs::write(store.path_of(&tampered), b"another row, edited").unwrap();
		assert_eq!(load_rows(&store, &[good]).unwrap()[0].text, "a real row");
		let err = load_rows(&store, &[good, tampered]).unwrap_err();
		assert!(err.to_string().contains("is corrupt"), "{err}");
		let missing = load_rows(&store, &[[9u8; 32]]).unwrap_err();
		assert!(missing.to_string().contains("in no store"), "{missing}");
	}

	#[test]
	fn shuffles_replay_with_the_same_seed() {
		let mut a: Vec<u32> = (0..50).collect();
		let mut b = a.clone();
		SplitMix64(3).shuffle(&mut a);
		SplitMix64(3).shuffle(&mut b);
		assert_eq!(a, b);
		assert_ne!(a, (0..50).collect::<Vec<u32>>());
	}
}
