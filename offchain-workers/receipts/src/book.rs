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
//! replaced atomically when it is signed and deleted when acknowledged, so a restart loses
//! neither receipts awaiting a signature nor signed ones awaiting submission.

use codec::{Decode, Encode};
use sp_core::{sr25519, Pair};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
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
	#[error("receipt file {path} is not {what}: {source}")]
	Corrupt { path: PathBuf, what: &'static str, source: codec::Error },
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
	/// Loads every receipt under `<data_dir>/receipts/`.
	pub fn open(data_dir: &Path) -> Result<ReceiptBook, ReceiptError> {
		let dir = data_dir.join("receipts");
		let file_error = |path: &Path| {
			let path = path.to_path_buf();
			move |source| ReceiptError::File { path, source }
		};
		let corrupt = |path: &Path, what| {
			let path = path.to_path_buf();
			move |source| ReceiptError::Corrupt { path, what, source }
		};
		std::fs::create_dir_all(&dir).map_err(file_error(&dir))?;
		let mut book = Book::default();
		for listed in std::fs::read_dir(&dir).map_err(file_error(&dir))? {
			let path = listed.map_err(file_error(&dir))?.path();
			let chain_fact =
				path.file_stem().is_some_and(|stem| stem == "genesis" || stem == "methods");
			if path.extension().is_none_or(|e| e != "scale") || chain_fact {
				continue;
			}
			let bytes = std::fs::read(&path).map_err(file_error(&path))?;
			let entry = Entry::decode(&mut &bytes[..]).map_err(corrupt(&path, "a receipt"))?;
			if let Some(signed) = &entry.signed {
				book.queue.insert(signed.sequence, entry.id.clone());
				book.next_sequence = book.next_sequence.max(signed.sequence + 1);
			}
			book.entries.insert(entry.id.clone(), entry);
		}
		let genesis_path = dir.join("genesis.scale");
		let genesis = match std::fs::read(&genesis_path) {
			Ok(bytes) => Some(
				<[u8; 32]>::decode(&mut &bytes[..])
					.map_err(corrupt(&genesis_path, "a genesis hash"))?,
			),
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
			Err(e) => return Err(file_error(&genesis_path)(e)),
		};
		let methods_path = dir.join("methods.scale");
		let methods = match std::fs::read(&methods_path) {
			Ok(bytes) => MethodSettings::decode(&mut &bytes[..])
				.map_err(corrupt(&methods_path, "attribution method settings"))?,
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => MethodSettings::DEFAULT,
			Err(e) => return Err(file_error(&methods_path)(e)),
		};
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
		let partial = path.with_extension("scale.partial");
		let file_error = |source| ReceiptError::File { path: path.clone(), source };
		std::fs::write(&partial, bytes).map_err(file_error)?;
		std::fs::rename(&partial, &path).map_err(file_error)
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
		let partial = path.with_extension("scale.partial");
		let file_error = |source| ReceiptError::File { path: path.clone(), source };
		std::fs::write(&partial, entry.encode()).map_err(file_error)?;
		std::fs::rename(&partial, &path).map_err(file_error)
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
		book.queue.insert(sequence, signed.id.clone());
		book.entries.insert(signed.id.clone(), signed);
		Ok(())
	}

	/// The oldest `limit` signed receipts.
	pub fn queued(&self, limit: usize) -> Vec<Entry> {
		let book = self.book.lock().expect("receipts lock");
		book.queue
			.values()
			.take(limit)
			.filter_map(|id| book.entries.get(id).cloned())
			.collect()
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
			match std::fs::remove_file(&path) {
				Ok(()) => {},
				Err(e) if e.kind() == std::io::ErrorKind::NotFound => {},
				Err(source) => return Err(ReceiptError::File { path, source }),
			}
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
		let queued: Vec<String> = book.queued(64).into_iter().map(|e| e.id).collect();
		assert_eq!(queued, ["cmpl-2", "cmpl-1"], "oldest signature first");
		drop(book);

		let book = ReceiptBook::open(dir.path()).unwrap();
		let queued: Vec<String> = book.queued(64).into_iter().map(|e| e.id).collect();
		assert_eq!(queued, ["cmpl-2", "cmpl-1"]);
		assert_eq!(book.queued(1).len(), 1);
		assert_eq!(
			book.acknowledge(&["cmpl-2".into(), "nope".into(), "cmpl-2".into()]).unwrap(),
			1
		);
		let (receipt3, claim3) = receipt();
		book.insert("cmpl-3", GENESIS, receipt3, user, claim3).unwrap();
		book.sign("cmpl-3", pair.sign(&payload).0).unwrap();
		let queued: Vec<String> = book.queued(64).into_iter().map(|e| e.id).collect();
		assert_eq!(queued, ["cmpl-1", "cmpl-3"]);
		assert_eq!(book.acknowledge(&["cmpl-1".into(), "cmpl-3".into()]).unwrap(), 2);
		assert!(book.queued(64).is_empty());
		assert!(ReceiptBook::open(dir.path()).unwrap().queued(64).is_empty());
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
}
