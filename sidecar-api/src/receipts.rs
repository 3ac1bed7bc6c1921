//! `GET /receipts/pending` and `POST /receipts/ack`: inference receipts that users signed, on
//! their way to the chain's `submit_receipts`.

use crate::wire::HexBytes;
use alloc::{format, string::String, vec::Vec};
use serde::{Deserialize, Serialize};
use tributary_primitives::hex;

/// The query of `GET /receipts/pending`: which chain the off-chain worker serves (its genesis
/// hash, the receipts' signing domain) and the attribution methods it requires now (the SCALE
/// encoding of `MethodSettings`). The worker always sends both.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PendingQuery {
	pub genesis: Option<HexBytes>,
	pub methods: Option<HexBytes>,
}

impl PendingQuery {
	/// The request's path with its query.
	pub fn path(genesis: &[u8; 32], methods_scale: &[u8]) -> String {
		format!(
			"{}?genesis={}&methods={}",
			crate::paths::PENDING_RECEIPTS,
			hex::encode_0x(genesis),
			hex::encode_0x(methods_scale)
		)
	}
}

/// The answer of `GET /receipts/pending`: the oldest signed receipts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingReceipts {
	pub receipts: Vec<PendingReceipt>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingReceipt {
	/// The sidecar's id of the receipt, to acknowledge it by.
	pub id: String,
	/// The signing user's account.
	pub user: HexBytes,
	pub nonce: u64,
	/// The runtime's `SignedReceipt`, SCALE-encoded as `submit_receipts` takes it.
	pub scale: HexBytes,
}

/// `POST /receipts/ack`: receipts that landed, expired, do not decode, or were refused too often.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acknowledgement {
	pub ids: Vec<String>,
}

/// How many acknowledged receipts the sidecar dropped from its queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledged {
	pub removed: usize,
}
