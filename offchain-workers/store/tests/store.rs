//! The content store on real files: verified reads, streamed uploads, the quota, crash leftovers.

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

#[test]
fn an_upload_streams_to_disk_and_is_named_by_its_hash() {
	let dir = tempfile::tempdir().unwrap();
	let store = Store::open(dir.path(), 1 << 20).unwrap();
	let bytes: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
	let mut upload = store.upload().unwrap();
	for chunk in bytes.chunks(7_000) {
		upload.write(chunk).unwrap();
	}
	let hash = upload.finish(Some(&content_hash(&bytes))).unwrap();
	assert_eq!(hash, content_hash(&bytes), "the streamed hash is content_hash");
	assert_eq!(store.get(&hash).unwrap(), bytes);
	assert_eq!(store.usage().0, bytes.len() as u64);

	// A body that is not what its name says, or too large, leaves nothing behind.
	let mut wrong = store.upload().unwrap();
	wrong.write(b"not the bytes").unwrap();
	assert!(matches!(wrong.finish(Some(&[0; 32])), Err(StoreError::WrongHash { .. })));
	let mut huge = store.upload().unwrap();
	huge.write(&vec![0; 1 << 20]).unwrap();
	assert!(
		matches!(huge.write(b"x"), Err(StoreError::TooLarge { size, .. }) if size == (1 << 20) + 1)
	);
	drop(huge);
	let objects: Vec<_> = std::fs::read_dir(dir.path().join("objects")).unwrap().collect();
	assert_eq!(objects.len(), 1, "only the object itself");
	assert_eq!(store.usage().0, bytes.len() as u64, "refused bytes no longer count");
}

#[test]
fn a_full_store_refuses_writes_until_space_is_freed() {
	let dir = tempfile::tempdir().unwrap();
	let store = Store::open(dir.path(), 1 << 20).unwrap().with_quota(Some(10_000));
	store.put(&[1; 6_000], None).unwrap();
	match store.put(&[2; 6_000], None) {
		Err(StoreError::Full { used, wanted, quota }) => {
			assert_eq!((used, wanted, quota), (6_000, 6_000, 10_000))
		},
		other => panic!("expected Full, got {other:?}"),
	}
	// Two uploads under way cannot together pass the quota.
	let mut first = store.upload().unwrap();
	first.write(&[3; 3_000]).unwrap();
	let mut second = store.upload().unwrap();
	assert!(matches!(second.write(&[4; 3_000]), Err(StoreError::Full { .. })));
	drop(first);
	second.write(&[4; 3_000]).unwrap();
	second.finish(None).unwrap();
	// The same bytes again take no more room.
	store.put(&[1; 6_000], None).unwrap();
	assert_eq!(store.usage(), (9_000, Some(10_000)));
	// Reopened, the store counts what is on disk.
	let reopened = Store::open(dir.path(), 1 << 20).unwrap().with_quota(Some(10_000));
	assert_eq!(reopened.usage().0, 9_000);
}

#[test]
fn what_a_crash_left_mid_write_is_removed_at_start() {
	let dir = tempfile::tempdir().unwrap();
	let store = Store::open(dir.path(), 1 << 20).unwrap();
	let hash = store.put(b"a row", None).unwrap();
	let mut interrupted = store.upload().unwrap();
	interrupted.write(b"half an adapter").unwrap();
	std::mem::forget(interrupted);
	let objects = dir.path().join("objects");
	assert_eq!(std::fs::read_dir(&objects).unwrap().count(), 2);
	let reopened = Store::open(dir.path(), 1 << 20).unwrap();
	assert_eq!(std::fs::read_dir(&objects).unwrap().count(), 1);
	assert_eq!(reopened.get(&hash).unwrap(), b"a row");
	assert_eq!(reopened.usage().0, 5);
}

#[test]
fn the_same_object_stored_at_once_by_many_writers_counts_once() {
	let dir = tempfile::tempdir().unwrap();
	let store = Store::open(dir.path(), 1 << 20).unwrap().with_quota(Some(1 << 20));
	let bytes: Vec<u8> = (0..100_000u32).map(|i| (i % 241) as u8).collect();
	// Every writer has its bytes on disk before any names the object, so all of them would
	// find it absent; half stream an upload, half put the bytes whole.
	let ready = std::sync::Barrier::new(8);
	std::thread::scope(|scope| {
		for writer in 0..8 {
			let (store, bytes, ready) = (&store, &bytes, &ready);
			scope.spawn(move || {
				if writer % 2 == 0 {
					let mut upload = store.upload().unwrap();
					upload.write(bytes).unwrap();
					ready.wait();
					upload.finish(None).unwrap();
				} else {
					ready.wait();
					store.put(bytes, None).unwrap();
				}
			});
		}
	});
	assert_eq!(store.usage().0, bytes.len() as u64);
	let objects: Vec<_> = std::fs::read_dir(dir.path().join("objects")).unwrap().collect();
	assert_eq!(objects.len(), 1, "one object, no temporary files");
	let reopened = Store::open(dir.path(), 1 << 20).unwrap();
	assert_eq!(reopened.usage().0, bytes.len() as u64);
}
