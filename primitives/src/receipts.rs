//! Inference receipts: what a user signs for each paid answer, and what the attribution pallet
//! needs to know about models, rows and workers to check one.
//!
//! The worker builds an [`InferenceReceipt`], has the user sign [`InferenceReceipt::signing_payload`]
//! (sr25519 through the runtime's `MultiSignature`), attaches the answer's
//! [`AttributionClaim`](crate::attribution::AttributionClaim) and submits a batch of
//! [`SignedReceipt`]s. Nothing here needs the runtime.

extern crate alloc;

use crate::{
	attribution::AttributionClaim,
	datanets::RowStatus,
	models::{DatanetVersionRef, ModelId, ModelVersionId},
	ContentHash,
};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Prefix of every receipt's signing payload, so a receipt signature can never be replayed as a
/// signature over anything else (a transaction, another version of the format).
pub const RECEIPT_SIGNING_DOMAIN: &[u8] = b"tributary/receipt/v2";

/// The polkadot.js extension's `signRaw` signs `<Bytes>` ++ message ++ `</Bytes>`; the chain
/// accepts a receipt signed either way, so wallets work as they are.
pub const WRAPPED_PREFIX: &[u8] = b"<Bytes>";
/// See [`WRAPPED_PREFIX`].
pub const WRAPPED_SUFFIX: &[u8] = b"</Bytes>";

/// One paid inference as the user agreed to it.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct InferenceReceipt<AccountId, Balance, BlockNumber> {
	pub model: ModelId,
	pub version: ModelVersionId,
	/// Content hash of the adapter that served the answer (the model version's adapter).
	pub adapter: ContentHash,
	/// blake2-256 of the prompt's bytes.
	pub prompt_hash: ContentHash,
	/// blake2-256 of the output's bytes.
	pub output_hash: ContentHash,
	pub tokens_in: u32,
	pub tokens_out: u32,
	/// Most the user pays for this answer; the fee is `tokens × price`, capped by this.
	pub max_fee: Balance,
	/// Any number the user has not used in an accepted receipt before (no ordering required).
	pub nonce: u64,
	/// The worker that served the answer; only it may submit the receipt.
	pub worker: AccountId,
	/// Last block in which the receipt may be submitted.
	pub expiry: BlockNumber,
}

impl<AccountId: Encode, Balance: Encode, BlockNumber: Encode>
	InferenceReceipt<AccountId, Balance, BlockNumber>
{
	/// The bytes the user signs: [`RECEIPT_SIGNING_DOMAIN`], the genesis hash of the chain the
	/// receipt is for, then the receipt's SCALE encoding. The genesis hash makes a signature
	/// worthless on any other chain (a testnet, a fork with another genesis).
	pub fn signing_payload(&self, genesis: &[u8; 32]) -> Vec<u8> {
		let mut payload = RECEIPT_SIGNING_DOMAIN.to_vec();
		payload.extend_from_slice(genesis);
		self.encode_to(&mut payload);
		payload
	}

	/// The receipt inside a signing payload for the chain `genesis`, if the payload is one.
	pub fn from_signing_payload(payload: &[u8], genesis: &[u8; 32]) -> Option<Self>
	where
		Self: Decode,
	{
		let rest = payload.strip_prefix(RECEIPT_SIGNING_DOMAIN)?.strip_prefix(&genesis[..])?;
		Self::decode(&mut &rest[..]).ok()
	}
}

/// `payload` as the polkadot.js extension's `signRaw` signs it: wrapped in `<Bytes>…</Bytes>`.
pub fn wrapped_for_wallets(payload: &[u8]) -> Vec<u8> {
	[WRAPPED_PREFIX, payload, WRAPPED_SUFFIX].concat()
}

/// A receipt with the user's signature and the worker's attribution claim, as `submit_receipts`
/// takes it. `Scores` is `Vec<RowScore>` for the worker and a bounded vector in the pallet.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct SignedReceipt<AccountId, Balance, BlockNumber, Signature, Scores> {
	pub receipt: InferenceReceipt<AccountId, Balance, BlockNumber>,
	/// The paying account; `signature` must verify against it.
	pub user: AccountId,
	pub signature: Signature,
	pub claim: AttributionClaim<Scores>,
}

/// What the attribution pallet needs to know about a model version.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct ModelVersionFacts<AccountId, Balance> {
	pub owner: AccountId,
	/// Price per 1,000 tokens (in and out); `None` while the owner has set none.
	pub price_per_1k_tokens: Option<Balance>,
	pub retired: bool,
	/// Content hash of the version's adapter.
	pub adapter: ContentHash,
	/// The datanet versions the version was trained on.
	pub lineage: Vec<DatanetVersionRef>,
}

/// What the attribution pallet needs to know about a datanet row.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct RowFacts<AccountId> {
	pub contributor: AccountId,
	/// `Published(v)` names the one version the row belongs to (versions hold the rows approved
	/// since the previous one).
	pub status: RowStatus,
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::attribution::{AttributionMethod, RowRef, RowScore};

	fn receipt() -> InferenceReceipt<[u8; 32], u128, u32> {
		InferenceReceipt {
			model: 3,
			version: 1,
			adapter: [7; 32],
			prompt_hash: crate::content_hash(b"prompt"),
			output_hash: crate::content_hash(b"output"),
			tokens_in: 12,
			tokens_out: 34,
			max_fee: 1_000,
			nonce: 42,
			worker: [9; 32],
			expiry: 100,
		}
	}

	#[test]
	fn signing_payload_is_domain_then_genesis_then_encoding() {
		let receipt = receipt();
		let genesis = [5u8; 32];
		let payload = receipt.signing_payload(&genesis);
		assert!(payload.starts_with(RECEIPT_SIGNING_DOMAIN));
		assert_eq!(&payload[RECEIPT_SIGNING_DOMAIN.len()..][..32], &genesis);
		assert_eq!(&payload[RECEIPT_SIGNING_DOMAIN.len() + 32..], &receipt.encode()[..]);
		assert_eq!(
			InferenceReceipt::from_signing_payload(&payload, &genesis),
			Some(receipt.clone())
		);
		assert_eq!(
			InferenceReceipt::<[u8; 32], u128, u32>::from_signing_payload(&payload, &[6u8; 32]),
			None
		);
		assert_ne!(receipt.signing_payload(&[6u8; 32]), payload, "another chain, another payload");
		let mut other = receipt.clone();
		other.nonce += 1;
		assert_ne!(other.signing_payload(&genesis), payload);
		assert_eq!(wrapped_for_wallets(b"abc"), b"<Bytes>abc</Bytes>".to_vec());
	}

	#[test]
	fn signed_receipt_round_trips() {
		let signed = SignedReceipt {
			receipt: receipt(),
			user: [1u8; 32],
			signature: [2u8; 64],
			claim: AttributionClaim {
				method: AttributionMethod::Influence(crate::attribution::InfluenceParams::DEFAULT),
				top: vec![RowScore { row: RowRef { datanet: 0, row: 5 }, parts_per_billion: 10 }],
				body: [3; 32],
			},
		};
		let decoded = SignedReceipt::decode(&mut &signed.encode()[..]).unwrap();
		assert_eq!(decoded, signed);
	}
}
