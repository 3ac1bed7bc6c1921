//! The content store's decode-while-verifying read on real files.

use tributary_primitives::content_hash;
use tributary_primitives::hex;
use tributary_store::{Store, StoreError};

#[test]
fn get_decoded_returns_the_decoding_of_verified_bytes_only() {
	let dir = tempfile::tempdir().unwrap();
	let store = Store::open(dir.path(), 1 << 20).unwrap();
	let bytes: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
	let hash = store.put(&bytes, None).unwrap();
	let sum = |b: &[u8]| b.iter().map(|&x| x as u64).sum::<u64>();
	assert_eq!(store.get_decoded(&hash, sum).unwrap(), sum(&bytes));

	// One flipped byte: the decoding runs on the bad bytes but is discarded, the file quarantined.
	let mut rotten = bytes.clone();
	rotten[123_456] ^= 0x01;
	std::fs::write(dir.path().join("objects").join(hex::encode(&hash)), &rotten).unwrap();
	match store.get_decoded(&hash, sum) {
		Err(StoreError::Corrupt { hash: named, actual }) => {
			assert_eq!(named, hex::encode(&hash));
			assert_eq!(actual, hex::encode(&content_hash(&rotten)));
		},
		other => panic!("expected Corrupt, got {other:?}"),
	}
	assert!(dir.path().join("quarantine").join(hex::encode(&hash)).is_file());
	assert!(matches!(store.get_decoded(&hash, sum), Err(StoreError::NotFound(_))));
}
