//! Datanet types shared by `pallet-datanets`, the pallets that read datanets, and the worker that
//! assembles training data from published versions.

use crate::ContentHash;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

extern crate alloc;
use alloc::vec::Vec;

/// Identifier of a datanet, assigned sequentially from 0.
pub type DatanetId = u32;
/// Identifier of a row inside its datanet, assigned sequentially from 0 per datanet. Row order
/// (the order of a version's merkle leaves) is ascending `RowId`.
pub type RowId = u64;
/// Number of a published version inside its datanet, assigned sequentially from 1.
pub type VersionId = u32;

/// Who may contribute rows.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum Visibility {
	/// Anyone may contribute.
	Public,
	/// Only the owner, the curators and allow-listed accounts may contribute.
	Private,
}

/// Where a row is in its life.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum RowStatus {
	/// Contributed, waiting for the owner or a curator.
	Pending,
	/// Approved, waiting for the next `publish_version`.
	Approved,
	/// Part of this published version.
	Published(VersionId),
	/// A challenge against it was upheld; its deposit was slashed. A published row keeps its place
	/// in its (immutable) version; consumers should skip slashed rows.
	Slashed,
}

/// Why the owner or a curator rejected a pending row. Only `Spam` slashes the deposit.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum RejectReason {
	LowQuality,
	OffTopic,
	Malformed,
	LicenseViolation,
	/// Deliberate junk: a share of the deposit is slashed (the pallet's spam slash rate).
	Spam,
}

/// What a challenger claims about an approved or published row.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum ChallengeKind {
	/// The same content (up to trivial changes) is already in a datanet.
	Duplicate,
	Spam,
	/// Crafted to poison models trained on it.
	Adversarial,
	/// Reported by an active worker: the bytes stored under the row's content hash (which the
	/// worker verified) are `observed` bytes long, not the row's declared `byte_len`. The chain
	/// cannot see row bytes; anyone can fetch them and check.
	ByteLenMismatch {
		observed: u32,
	},
	/// Reported by an active worker: no store the worker asked serves bytes with the row's
	/// content hash, so the row cannot be trained on.
	Unfetchable,
	/// Reported by an active worker: the row repeats row `original` of datanet
	/// `original_datanet` (this one or another) up to small edits, and that row came first
	/// (contributed in an earlier block, or in the same block with a lower `(datanet, row)`).
	/// `similarity_ppm` is the share of the row's normalized word bigrams found in earlier rows
	/// (parts per million; see tributary-dedup), which anyone holding both rows' bytes can
	/// recompute.
	NearDuplicate {
		original_datanet: DatanetId,
		original: RowId,
		similarity_ppm: u32,
	},
}

impl ChallengeKind {
	/// Whether only an active worker may claim this (what it observes when a job assembles its
	/// rows); the other kinds are open to anyone.
	pub fn is_worker_report(&self) -> bool {
		matches!(
			self,
			ChallengeKind::ByteLenMismatch { .. }
				| ChallengeKind::Unfetchable
				| ChallengeKind::NearDuplicate { .. }
		)
	}
}

/// An immutable published version of a datanet.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct VersionInfo<AccountId, Balance, BlockNumber> {
	/// [`merkle_root`] over the version's row content hashes in row order.
	pub merkle_root: ContentHash,
	pub row_count: u32,
	/// Sum of the rows' byte lengths.
	pub total_bytes: u64,
	pub publisher: AccountId,
	/// Fee the publisher paid to the treasury.
	pub fee: Balance,
	pub published_at: BlockNumber,
}

/// What other pallets need to know about a published version.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct VersionSummary {
	pub merkle_root: ContentHash,
	pub row_count: u32,
	pub total_bytes: u64,
}

/// A datanet as the runtime API returns it: plain vectors, so a client decodes it without knowing
/// the runtime's bounds.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct DatanetView<AccountId, Balance> {
	pub owner: AccountId,
	pub name: Vec<u8>,
	pub summary: Vec<u8>,
	/// Markdown.
	pub description: Vec<u8>,
	pub tags: Vec<Vec<u8>>,
	pub license: Vec<u8>,
	pub visibility: Visibility,
	pub curators: Vec<AccountId>,
	pub creation_deposit: Balance,
	/// Rows ever contributed (the next `RowId`).
	pub rows_contributed: u64,
	/// Versions published so far; they are numbered `1..=version_count`.
	pub version_count: VersionId,
	/// Approved rows that the next `publish_version` would include.
	pub approved_unpublished: u32,
}

/// Per-contributor curation outcomes.
#[derive(
	Clone,
	Copy,
	Default,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct ContributorReputation {
	/// Rows approved.
	pub approved: u32,
	/// Rows rejected (for any reason, spam included).
	pub rejected: u32,
	/// Rows whose deposit was slashed (rejected as spam or an upheld challenge).
	pub slashed: u32,
}

/// A row of a published version, as a job assembles it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PublishedRow {
	pub row: RowId,
	pub content_hash: ContentHash,
	/// The length its contributor declared (and paid the deposit for); the job checks the bytes.
	pub byte_len: u32,
}

/// Domain-separation prefix of an inner merkle node, so an inner node can never be mistaken for a
/// leaf (a row hash is never re-hashed as a leaf; only inner nodes are hashed with this prefix).
pub const MERKLE_NODE_PREFIX: u8 = 0x01;

/// Merkle root of a version: a binary tree whose leaves are the rows' blake2-256 content hashes in
/// row order.
///
/// - A leaf is the row hash itself.
/// - An inner node is `blake2_256(0x01 ++ left ++ right)`.
/// - Odd-leaf rule: when a level has an odd number of nodes, the last node is promoted unchanged to
///   the next level (it is not duplicated, so `[a, b, c]` and `[a, b, c, c]` have different roots).
/// - One leaf: the root is that leaf. No leaves: the root is 32 zero bytes (the pallet never
///   publishes an empty version).
pub fn merkle_root(leaves: &[ContentHash]) -> ContentHash {
	if leaves.is_empty() {
		return [0u8; 32];
	}
	let mut level: Vec<ContentHash> = leaves.to_vec();
	while level.len() > 1 {
		level = level
			.chunks(2)
			.map(|pair| pair.get(1).map_or(pair[0], |right| merkle_node(&pair[0], right)))
			.collect();
	}
	level[0]
}

/// An inner node of [`merkle_root`].
pub fn merkle_node(left: &ContentHash, right: &ContentHash) -> ContentHash {
	let mut preimage = [0u8; 65];
	preimage[0] = MERKLE_NODE_PREFIX;
	preimage[1..33].copy_from_slice(left);
	preimage[33..].copy_from_slice(right);
	sp_crypto_hashing::blake2_256(&preimage)
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::content_hash;

	#[test]
	fn merkle_root_of_nothing_is_zero_and_of_one_is_the_leaf() {
		assert_eq!(merkle_root(&[]), [0u8; 32]);
		let leaf = content_hash(b"row");
		assert_eq!(merkle_root(&[leaf]), leaf);
	}

	#[test]
	fn merkle_root_pairs_and_promotes_the_odd_node() {
		let [a, b, c] = [content_hash(b"a"), content_hash(b"b"), content_hash(b"c")];
		assert_eq!(merkle_root(&[a, b]), merkle_node(&a, &b));
		assert_eq!(merkle_root(&[a, b, c]), merkle_node(&merkle_node(&a, &b), &c));
		assert_ne!(merkle_root(&[a, b, c]), merkle_root(&[a, b, c, c]));
		assert_ne!(merkle_root(&[a, b]), merkle_root(&[b, a]));
	}

	#[test]
	fn merkle_node_is_prefixed_blake2_256() {
		let [a, b] = [content_hash(b"a"), content_hash(b"b")];
		let mut preimage = vec![MERKLE_NODE_PREFIX];
		preimage.extend_from_slice(&a);
		preimage.extend_from_slice(&b);
		assert_eq!(merkle_node(&a, &b), content_hash(&preimage));
	}
}
