//! `GET /receipts/pending` and `POST /receipts/ack`: inference receipts that users signed, on
//! their way to the chain's `submit_receipts`.

use crate::wire::HexBytes;
use alloc::{format, string::String, vec::Vec};
use serde::{Deserialize, Serialize};
use tributary_primitives::hex;

/// How many receipts one answer of `GET /receipts/pending` holds at most.
pub const PENDING_PAGE: usize = 64;

/// The query of `GET /receipts/pending`: which chain the off-chain worker serves (its genesis
/// hash, the receipts' signing domain), the attribution methods it requires now (the SCALE
/// encoding of `MethodSettings`), and where the page starts: after the queue position `after`
/// (a [`PendingReceipt::sequence`] of an earlier page), else at the oldest receipt. The worker
/// always sends the first two.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PendingQuery {
	pub genesis: Option<HexBytes>,
	pub methods: Option<HexBytes>,
	#[serde(default)]
	pub after: Option<u64>,
}

impl PendingQuery {
	/// The request's path with its query.
	pub fn path(genesis: &[u8; 32], methods_scale: &[u8], after: Option<u64>) -> String {
		let mut path = format!(
			"{}?genesis={}&methods={}",
			crate::paths::PENDING_RECEIPTS,
			hex::encode_0x(genesis),
			hex::encode_0x(methods_scale)
		);
		if let Some(after) = after {
			path.push_str(&format!("&after={after}"));
		}
		path
	}
}

/// The answer of `GET /receipts/pending`: the oldest signed receipts (after the query's
/// position), at most [`PENDING_PAGE`], oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingReceipts {
	pub receipts: Vec<PendingReceipt>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingReceipt {
	/// The sidecar's id of the receipt, to acknowledge it by.
	pub id: String,
	/// The receipt's position in the queue (order of signing), to ask for the page after it.
	pub sequence: u64,
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
