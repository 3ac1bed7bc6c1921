//! Inference receipts on their way to the chain, kept on disk.
//!
//! A completion that asked for a receipt leaves an unsigned [`Entry`] here: the receipt the user
//! is asked to sign and the attribution claim of the answer. When the user's sr25519 signature
//! over [`InferenceReceipt::signing_payload`] for the chain's genesis hash verifies (as signed, or
//! wrapped in `<Bytes>…</Bytes>` the way the polkadot.js extension signs), the entry joins the
//! submit queue, which the chain's off-chain worker reads oldest first as SCALE-encoded
//! [`ChainSignedReceipt`]s and acknowledges once they are on-chain.
//!
//! Which chain: the off-chain worker names its chain's genesis hash, and the attribution methods
//! the chain requires of records, when it reads the queue
//! (`GET /receipts/pending?genesis=0x…&methods=0x…`); the book keeps them in
//! `<data_dir>/receipts/{genesis,methods}.scale`, issues no receipt before it knows the genesis,
//! and attributes with the default methods until it knows the chain's.
//!
//! Each entry is one file, `<data_dir>/receipts/<id>.scale` (the SCALE encoding of [`Entry`]),
//! written durably ([`tributary_durable`]) when issued and replaced when signed, deleted when
//! acknowledged, so a crash loses neither receipts awaiting a signature nor signed ones awaiting
//! submission. A file that does not decode is quarantined at start-up. Receipts nobody signed
//! expire ([`ReceiptBook::expire_unsigned`]); signed ones stay until the chain takes them.

use codec::{Decode, Encode};
use sp_core::{sr25519, Pair};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};
use tributary_primitives::attribution::{AttributionClaim, MethodSettings, RowScore};
use tributary_primitives::receipts::{wrapped_for_wallets, InferenceReceipt, SignedReceipt};

use tributary_primitives::hex;

/// A receipt as the runtime types it: `AccountId32` (32 raw bytes), `u128` balances, `u32`
/// block numbers.
pub type Receipt = InferenceReceipt<[u8; 32], u128, u32>;
/// An answer's attribution claim: the method, the record's top scores and its body's hash.
pub type Claim = AttributionClaim<Vec<RowScore>>;

/// The user's signature, encoded exactly like `sp_runtime::MultiSignature::Sr25519` (variant
/// index 1, then the 64 signature bytes), so the runtime decodes it as its `MultiSignature`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub enum UserSignature {
	#[codec(index = 1)]
	Sr25519([u8; 64]),
}

/// What `submit_receipts` takes, encoded as the runtime's
/// `SignedReceipt<AccountId32, u128, u32, MultiSignature, BoundedVec<RowScore, _>>` decodes it.
pub type ChainSignedReceipt = SignedReceipt<[u8; 32], u128, u32, UserSignature, Vec<RowScore>>;

/// Longest receipt id accepted (ids are completion ids this worker made).
const MAX_ID_LEN: usize = 128;

#[derive(Debug, thiserror::Error)]
pub enum ReceiptError {
	#[error("no receipt {0:?} on this worker")]
	Unknown(String),
	#[error("signature does not verify for user {0}")]
	BadSignature(String),
	#[error("receipt {0} is already signed with a different signature")]
	AlreadySigned(String),
	#[error("receipt id {0:?} is already taken or is not 1-128 characters of A-Z, a-z, 0-9, '-'")]
	BadId(String),
	#[error("receipt file {path}: {source}")]
	File { path: PathBuf, source: std::io::Error },
	#[error("this worker does not know its chain yet: its validator's off-chain worker has not read the receipt queue since it started (it names the chain's genesis hash when it does, every block); retry in a few seconds")]
	ChainUnknown,
}

/// The user's signature and the receipt's place in the submit queue.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Signed {
	pub signature: [u8; 64],
	/// Order of signing; the queue is served lowest first.
	pub sequence: u64,
}

/// One completion's receipt, as kept on disk.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Entry {
	/// The completion id.
	pub id: String,
	/// Genesis hash of the chain the receipt is for (part of what the user signs).
	pub genesis: [u8; 32],
	pub receipt: Receipt,
	/// The paying account, whose key must sign.
	pub user: [u8; 32],
	pub claim: Claim,
	/// `None` while the user's signature is awaited.
	pub signed: Option<Signed>,
}

impl Entry {
	/// The receipt as the chain takes it, once signed.
	pub fn chain_receipt(&self) -> Option<ChainSignedReceipt> {
		let signed = self.signed.as_ref()?;
		Some(SignedReceipt {
			receipt: self.receipt.clone(),
			user: self.user,
			signature: UserSignature::Sr25519(signed.signature),
			claim: self.claim.clone(),
		})
	}
}

/// Does `signature` by `user` cover `receipt`'s signing payload for the chain `genesis`, as it
/// is or wrapped the polkadot.js way? The chain accepts the same two.
pub fn verifies(
	receipt: &Receipt,
	genesis: &[u8; 32],
	user: &[u8; 32],
	signature: &[u8; 64],
) -> bool {
	let payload = receipt.signing_payload(genesis);
	let (signature, user) =
		(sr25519::Signature::from_raw(*signature), sr25519::Public::from_raw(*user));
	sr25519::Pair::verify(&signature, &payload, &user)
		|| sr25519::Pair::verify(&signature, wrapped_for_wallets(&payload), &user)
}

#[derive(Default)]
struct Book {
	entries: HashMap<String, Entry>,
	/// When each receipt awaiting a signature was issued.
	issued: HashMap<String, SystemTime>,
	/// Signed entries by sequence: the submit queue.
	queue: BTreeMap<u64, String>,
	next_sequence: u64,
}

/// Receipts awaiting a signature and signed receipts awaiting submission.
pub struct ReceiptBook {
	dir: PathBuf,
	book: Mutex<Book>,
	/// The chain's genesis hash, once its off-chain worker named it.
	genesis: Mutex<Option<[u8; 32]>>,
	/// The attribution methods the chain requires of records, as its off-chain worker last
	/// named them (the defaults until it does).
	methods: Mutex<MethodSettings>,
}

fn valid_id(id: &str) -> bool {
	!id.is_empty()
		&& id.len() <= MAX_ID_LEN
		&& id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

impl ReceiptBook {
	/// Loads every receipt under `<data_dir>/receipts/`. What a crash left mid-write is removed;
	/// a file that does not decode is moved to `receipts/quarantine/` with a log line.
	pub fn open(data_dir: &Path) -> Result<ReceiptBook, ReceiptError> {
		let dir = data_dir.join("receipts");
		std::fs::create_dir_all(&dir).map_err(file_error(&dir))?;
		tributary_durable::remove_partials(&dir).map_err(file_error(&dir))?;
		let mut book = Book::default();
		for listed in std::fs::read_dir(&dir).map_err(file_error(&dir))? {
			let path = listed.map_err(file_error(&dir))?.path();
			let chain_fact =
				path.file_stem().is_some_and(|stem| stem == "genesis" || stem == "methods");
			if path.extension().is_none_or(|e| e != "scale") || chain_fact {
				continue;
			}
			let Some(entry) = read_or_quarantine::<Entry>(&path, "a receipt")? else {
				continue;
			};
			match &entry.signed {
				Some(signed) => {
					book.queue.insert(signed.sequence, entry.id.clone());
					book.next_sequence = book.next_sequence.max(signed.sequence + 1);
				},
				None => {
					let metadata = std::fs::metadata(&path).map_err(file_error(&path))?;
					let issued = metadata.modified().map_err(file_error(&path))?;
					book.issued.insert(entry.id.clone(), issued);
				},
			}
			book.entries.insert(entry.id.clone(), entry);
		}
		let genesis = read_or_quarantine::<[u8; 32]>(&dir.join("genesis.scale"), "a genesis hash")?;
		let methods = read_or_quarantine::<MethodSettings>(
			&dir.join("methods.scale"),
			"attribution method settings",
		)?
		.unwrap_or(MethodSettings::DEFAULT);
		Ok(ReceiptBook {
			dir,
			book: Mutex::new(book),
			genesis: Mutex::new(genesis),
			methods: Mutex::new(methods),
		})
	}

	/// The attribution methods the chain requires of new records.
	pub fn methods(&self) -> MethodSettings {
		*self.methods.lock().expect("methods lock")
	}

	/// Remembers the chain's attribution methods (as the off-chain worker names them, every
	/// block, so a change by the chain's parameters reaches the next answer), on disk too.
	pub fn set_methods(&self, methods: MethodSettings) -> Result<(), ReceiptError> {
		let mut known = self.methods.lock().expect("methods lock");
		if *known == methods {
			return Ok(());
		}
		self.write_chain_fact("methods", &methods.encode())?;
		*known = methods;
		Ok(())
	}

	fn write_chain_fact(&self, name: &str, bytes: &[u8]) -> Result<(), ReceiptError> {
		let path = self.dir.join(format!("{name}.scale"));
		tributary_durable::write(&path, bytes).map_err(file_error(&path))
	}

	/// The genesis hash of the chain receipts are issued for, once known.
	pub fn genesis(&self) -> Result<[u8; 32], ReceiptError> {
		self.genesis.lock().expect("genesis lock").ok_or(ReceiptError::ChainUnknown)
	}

	/// Remembers the chain's genesis hash (as the off-chain worker names it), on disk too.
	pub fn set_genesis(&self, genesis: [u8; 32]) -> Result<(), ReceiptError> {
		let mut known = self.genesis.lock().expect("genesis lock");
		if *known == Some(genesis) {
			return Ok(());
		}
		self.write_chain_fact("genesis", &genesis.encode())?;
		*known = Some(genesis);
		Ok(())
	}

	fn path_of(&self, id: &str) -> PathBuf {
		self.dir.join(format!("{id}.scale"))
	}

	fn write(&self, entry: &Entry) -> Result<(), ReceiptError> {
		let path = self.path_of(&entry.id);
		tributary_durable::write(&path, &entry.encode()).map_err(file_error(&path))
	}

	/// Keeps the unsigned receipt of completion `id`, for the chain `genesis`.
	pub fn insert(
		&self,
		id: &str,
		genesis: [u8; 32],
		receipt: Receipt,
		user: [u8; 32],
		claim: Claim,
	) -> Result<(), ReceiptError> {
		let mut book = self.book.lock().expect("receipts lock");
		if !valid_id(id) || id == "genesis" || book.entries.contains_key(id) {
			return Err(ReceiptError::BadId(id.to_string()));
		}
		let entry = Entry { id: id.to_string(), genesis, receipt, user, claim, signed: None };
		self.write(&entry)?;
		book.issued.insert(entry.id.clone(), SystemTime::now());
		book.entries.insert(entry.id.clone(), entry);
		Ok(())
	}

	/// Attaches the user's signature and queues the receipt for submission. Signing again with
	/// the same signature is a no-op.
	pub fn sign(&self, id: &str, signature: [u8; 64]) -> Result<(), ReceiptError> {
		let mut book = self.book.lock().expect("receipts lock");
		let entry = book.entries.get(id).ok_or_else(|| ReceiptError::Unknown(id.to_string()))?;
		if let Some(signed) = &entry.signed {
			return match signed.signature == signature {
				true => Ok(()),
				false => Err(ReceiptError::AlreadySigned(id.to_string())),
			};
		}
		if !verifies(&entry.receipt, &entry.genesis, &entry.user, &signature) {
			return Err(ReceiptError::BadSignature(hex::encode_0x(&entry.user)));
		}
		let sequence = book.next_sequence;
		let mut signed = entry.clone();
		signed.signed = Some(Signed { signature, sequence });
		self.write(&signed)?;
		book.next_sequence += 1;
		book.issued.remove(id);
		book.queue.insert(sequence, signed.id.clone());
		book.entries.insert(signed.id.clone(), signed);
		Ok(())
	}

	/// The oldest `limit` signed receipts after queue position `after` (from the oldest
	/// without).
	pub fn queued(&self, after: Option<u64>, limit: usize) -> Vec<Entry> {
		let book = self.book.lock().expect("receipts lock");
		let start = after.map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded);
		book.queue
			.range((start, std::ops::Bound::Unbounded))
			.take(limit)
			.filter_map(|(_, id)| book.entries.get(id).cloned())
			.collect()
	}

	/// Deletes the receipts issued longer than `ttl` ago that nobody signed (their completions
	/// were served; the user chose not to pay through the chain). Returns how many.
	pub fn expire_unsigned(&self, ttl: Duration) -> Result<usize, ReceiptError> {
		let mut book = self.book.lock().expect("receipts lock");
		let now = SystemTime::now();
		let expired: Vec<String> = book
			.issued
			.iter()
			.filter(|(_, issued)| now.duration_since(**issued).is_ok_and(|age| age > ttl))
			.map(|(id, _)| id.clone())
			.collect();
		for id in &expired {
			let path = self.path_of(id);
			tributary_durable::remove(&path).map_err(file_error(&path))?;
			book.issued.remove(id);
			book.entries.remove(id);
		}
		Ok(expired.len())
	}

	/// How many receipts await a signature, and how many signed ones await the chain.
	pub fn counts(&self) -> (usize, usize) {
		let book = self.book.lock().expect("receipts lock");
		(book.issued.len(), book.queue.len())
	}

	/// Drops signed receipts the chain has taken; ids not in the queue are ignored. Returns how
	/// many were removed.
	pub fn acknowledge(&self, ids: &[String]) -> Result<usize, ReceiptError> {
		let mut book = self.book.lock().expect("receipts lock");
		let mut removed = 0;
		for id in ids {
			let Some(sequence) =
				book.entries.get(id).and_then(|entry| entry.signed.as_ref()).map(|s| s.sequence)
			else {
				continue;
			};
			let path = self.path_of(id);
			tributary_durable::remove(&path).map_err(file_error(&path))?;
			book.entries.remove(id);
			book.queue.remove(&sequence);
			removed += 1;
		}
		Ok(removed)
	}

	/// The receipt of completion `id`, signed or not.
	pub fn get(&self, id: &str) -> Option<Entry> {
		self.book.lock().expect("receipts lock").entries.get(id).cloned()
	}
}

fn file_error(path: &Path) -> impl FnOnce(std::io::Error) -> ReceiptError {
	let path = path.to_path_buf();
	move |source| ReceiptError::File { path, source }
}

/// The decoding of the file at `path` (none when there is no file); a file that does not decode
/// whole is quarantined and read as absent.
fn read_or_quarantine<T: Decode>(path: &Path, what: &str) -> Result<Option<T>, ReceiptError> {
	let bytes = match std::fs::read(path) {
		Ok(bytes) => bytes,
		Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
		Err(e) => return Err(file_error(path)(e)),
	};
	let mut input = &bytes[..];
	let reason = match T::decode(&mut input) {
		Ok(value) if input.is_empty() => return Ok(Some(value)),
		Ok(_) => format!("{} bytes follow {what}", input.len()),
		Err(error) => format!("not {what}: {error}"),
	};
	tributary_durable::quarantine(path, &reason).map_err(file_error(path))?;
	Ok(None)
}

#[cfg(test)]
mod tests {
	use super::*;
	use tributary_primitives::attribution::{AttributionMethod, RowRef, SpanParams};

	const GENESIS: [u8; 32] = [0x6e; 32];

	fn receipt() -> (Receipt, Claim) {
		let receipt = InferenceReceipt {
			model: 0,
			version: 1,
			adapter: [7; 32],
			prompt_hash: tributary_primitives::content_hash(b"prompt"),
			output_hash: tributary_primitives::content_hash(b"output"),
			tokens_in: 3,
			tokens_out: 5,
			max_fee: 1_000_000_000_000,
			nonce: 7,
			worker: [9; 32],
			expiry: 500,
		};
		let claim = AttributionClaim {
			method: AttributionMethod::SuffixSpan(SpanParams {
				min_span_len: 4,
				max_span_occurrences: 64,
			}),
			top: vec![RowScore {
				row: RowRef { datanet: 5, row: 100 },
				parts_per_billion: 600_000_000,
			}],
			body: [3; 32],
		};
		(receipt, claim)
	}

	#[test]
	fn the_signature_is_encoded_like_multi_signature_sr25519() {
		let encoded = UserSignature::Sr25519([0xab; 64]).encode();
		assert_eq!(encoded.len(), 65);
		assert_eq!(encoded[0], 1, "MultiSignature::Sr25519 is variant 1 (Ed25519 0, Ecdsa 2)");
		assert!(encoded[1..].iter().all(|&b| b == 0xab));
	}

	#[test]
	fn signed_receipts_decode_as_the_runtime_types_them() {
		use sp_runtime::{AccountId32, BoundedVec, MultiSignature};
		type RuntimeSigned = SignedReceipt<
			AccountId32,
			u128,
			u32,
			MultiSignature,
			BoundedVec<RowScore, sp_core::ConstU32<8>>,
		>;
		let pair = sr25519::Pair::from_string("//Ferdie", None).unwrap();
		let user = pair.public().0;
		let (receipt, claim) = receipt();
		let signature = pair.sign(&receipt.signing_payload(&GENESIS)).0;
		let ours = ChainSignedReceipt {
			receipt,
			user,
			signature: UserSignature::Sr25519(signature),
			claim,
		};
		let theirs = RuntimeSigned::decode(&mut &ours.encode()[..]).unwrap();
		assert_eq!(theirs.user, AccountId32::from(user));
		assert_eq!(theirs.receipt.worker, AccountId32::from([9; 32]));
		assert_eq!(
			theirs.signature,
			MultiSignature::Sr25519(sr25519::Signature::from_raw(signature))
		);
		assert_eq!(theirs.claim.top[..], ours.claim.top[..]);
		assert_eq!(theirs.encode(), ours.encode());
		use sp_runtime::traits::Verify;
		assert!(theirs
			.signature
			.verify(&theirs.receipt.signing_payload(&GENESIS)[..], &theirs.user));
	}

	#[test]
	fn receipts_are_signed_queued_acknowledged_and_survive_reopening() {
		let dir = tempfile::tempdir().unwrap();
		let pair = sr25519::Pair::from_string("//Ferdie", None).unwrap();
		let user = pair.public().0;
		let book = ReceiptBook::open(dir.path()).unwrap();
		for id in ["cmpl-1", "cmpl-2"] {
			let (receipt, claim) = receipt();
			book.insert(id, GENESIS, receipt, user, claim).unwrap();
		}
		assert!(matches!(
			book.insert("cmpl-1", GENESIS, receipt().0, user, receipt().1),
			Err(ReceiptError::BadId(_))
		));
		assert!(matches!(
			book.insert("../x", GENESIS, receipt().0, user, receipt().1),
			Err(ReceiptError::BadId(_))
		));
		let payload = book.get("cmpl-2").unwrap().receipt.signing_payload(&GENESIS);
		let for_another_chain =
			pair.sign(&book.get("cmpl-2").unwrap().receipt.signing_payload(&[0x42; 32])).0;
		assert!(matches!(
			book.sign("cmpl-2", for_another_chain),
			Err(ReceiptError::BadSignature(_))
		));
		let good = pair.sign(&payload).0;
		let other = sr25519::Pair::from_string("//Eve", None).unwrap().sign(&payload).0;
		assert!(matches!(book.sign("cmpl-2", other), Err(ReceiptError::BadSignature(_))));
		assert!(matches!(book.sign("cmpl-9", good), Err(ReceiptError::Unknown(_))));
		book.sign("cmpl-2", good).unwrap();
		book.sign("cmpl-2", good).unwrap();
		let resigned = pair.sign(&payload).0;
		assert_ne!(resigned, good, "sr25519 signatures are randomized");
		assert!(matches!(book.sign("cmpl-2", resigned), Err(ReceiptError::AlreadySigned(_))));
		// Signed the polkadot.js way.
		book.sign("cmpl-1", pair.sign(&wrapped_for_wallets(&payload)).0).unwrap();
		let queued: Vec<String> = book.queued(None, 64).into_iter().map(|e| e.id).collect();
		assert_eq!(queued, ["cmpl-2", "cmpl-1"], "oldest signature first");
		drop(book);

		let book = ReceiptBook::open(dir.path()).unwrap();
		let queued: Vec<String> = book.queued(None, 64).into_iter().map(|e| e.id).collect();
		assert_eq!(queued, ["cmpl-2", "cmpl-1"]);
		assert_eq!(book.queued(None, 1).len(), 1);
		assert_eq!(
			book.acknowledge(&["cmpl-2".into(), "nope".into(), "cmpl-2".into()]).unwrap(),
			1
		);
		let (receipt3, claim3) = receipt();
		book.insert("cmpl-3", GENESIS, receipt3, user, claim3).unwrap();
		book.sign("cmpl-3", pair.sign(&payload).0).unwrap();
		let queued: Vec<String> = book.queued(None, 64).into_iter().map(|e| e.id).collect();
		assert_eq!(queued, ["cmpl-1", "cmpl-3"]);
		assert_eq!(book.acknowledge(&["cmpl-1".into(), "cmpl-3".into()]).unwrap(), 2);
		assert!(book.queued(None, 64).is_empty());
		assert!(ReceiptBook::open(dir.path()).unwrap().queued(None, 64).is_empty());
	}

	#[test]
	fn the_chain_is_learned_once_and_kept_across_a_restart() {
		let dir = tempfile::tempdir().unwrap();
		let book = ReceiptBook::open(dir.path()).unwrap();
		assert!(matches!(book.genesis(), Err(ReceiptError::ChainUnknown)));
		book.set_genesis(GENESIS).unwrap();
		assert_eq!(book.genesis().unwrap(), GENESIS);
		drop(book);
		let book = ReceiptBook::open(dir.path()).unwrap();
		assert_eq!(book.genesis().unwrap(), GENESIS, "kept on disk");
		book.set_genesis([0x42; 32]).unwrap();
		assert_eq!(ReceiptBook::open(dir.path()).unwrap().genesis().unwrap(), [0x42; 32]);
	}

	#[test]
	fn pages_of_the_queue_start_after_a_position() {
		let dir = tempfile::tempdir().unwrap();
		let pair = sr25519::Pair::from_string("//Ferdie", None).unwrap();
		let book = ReceiptBook::open(dir.path()).unwrap();
		for i in 0..5 {
			let id = format!("cmpl-{i}");
			let (receipt, claim) = receipt();
			let signature = pair.sign(&receipt.signing_payload(&GENESIS)).0;
			book.insert(&id, GENESIS, receipt, pair.public().0, claim).unwrap();
			book.sign(&id, signature).unwrap();
		}
		let ids = |entries: Vec<Entry>| entries.into_iter().map(|e| e.id).collect::<Vec<_>>();
		assert_eq!(ids(book.queued(None, 2)), ["cmpl-0", "cmpl-1"]);
		let last = book.queued(None, 2)[1].signed.as_ref().unwrap().sequence;
		assert_eq!(ids(book.queued(Some(last), 2)), ["cmpl-2", "cmpl-3"]);
		book.acknowledge(&["cmpl-2".into()]).unwrap();
		assert_eq!(ids(book.queued(Some(last), 64)), ["cmpl-3", "cmpl-4"]);
	}

	#[test]
	fn unsigned_receipts_expire_and_signed_ones_stay() {
		let dir = tempfile::tempdir().unwrap();
		let pair = sr25519::Pair::from_string("//Ferdie", None).unwrap();
		let book = ReceiptBook::open(dir.path()).unwrap();
		for id in ["unsigned", "signed"] {
			let (receipt, claim) = receipt();
			book.insert(id, GENESIS, receipt, pair.public().0, claim).unwrap();
		}
		let payload = book.get("signed").unwrap().receipt.signing_payload(&GENESIS);
		book.sign("signed", pair.sign(&payload).0).unwrap();
		assert_eq!(book.counts(), (1, 1));
		assert_eq!(book.expire_unsigned(Duration::from_secs(3600)).unwrap(), 0, "too young");
		std::thread::sleep(Duration::from_millis(20));
		// Reopened, an unsigned receipt's age comes from its file.
		let book = ReceiptBook::open(dir.path()).unwrap();
		assert_eq!(book.expire_unsigned(Duration::from_millis(10)).unwrap(), 1);
		assert!(book.get("unsigned").is_none());
		assert!(!dir.path().join("receipts/unsigned.scale").exists());
		assert_eq!(book.counts(), (0, 1));
		assert_eq!(ReceiptBook::open(dir.path()).unwrap().counts(), (0, 1));
	}

	#[test]
	fn damaged_files_are_quarantined_and_the_book_opens() {
		let dir = tempfile::tempdir().unwrap();
		let pair = sr25519::Pair::from_string("//Ferdie", None).unwrap();
		let book = ReceiptBook::open(dir.path()).unwrap();
		book.set_genesis(GENESIS).unwrap();
		for id in ["kept", "truncated"] {
			let (receipt, claim) = receipt();
			book.insert(id, GENESIS, receipt, pair.public().0, claim).unwrap();
		}
		drop(book);
		let receipts = dir.path().join("receipts");
		let truncated = std::fs::read(receipts.join("truncated.scale")).unwrap();
		std::fs::write(receipts.join("truncated.scale"), &truncated[..truncated.len() / 2])
			.unwrap();
		std::fs::write(receipts.join("genesis.scale"), [1, 2, 3]).unwrap();
		std::fs::write(receipts.join("kept.scale.partial-1-1"), [0]).unwrap();

		let book = ReceiptBook::open(dir.path()).unwrap();
		assert!(book.get("kept").is_some());
		assert!(book.get("truncated").is_none());
		assert!(matches!(book.genesis(), Err(ReceiptError::ChainUnknown)), "learned again");
		let quarantined = std::fs::read_dir(receipts.join("quarantine")).unwrap().count();
		assert_eq!(quarantined, 2);
		assert!(!receipts.join("kept.scale.partial-1-1").exists());
	}
}
