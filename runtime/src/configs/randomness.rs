//! Randomness for draws (pallet-models' job assignment): the hashes of recent blocks, mixed.

use frame_support::traits::Randomness;
use sp_runtime::traits::Hash as _;

use super::super::{BlockNumber, Hash, Runtime};

/// How many blocks before the current one are mixed in.
const MIXED_BLOCKS: BlockNumber = 16;

/// `blake2_256(subject ++ the hashes of the 16 blocks before the current one)`, oldest first,
/// from `frame_system::BlockHash` (blocks before genesis count as the zero hash). Returns the
/// parent's number: the randomness is known once the parent block is. Whoever acts in block
/// `n` cannot know it for block `n + 2` or later (it mixes in block `n + 1`'s hash), so pallets
/// draw at least two blocks after the act they draw for.
pub struct RecentBlockHashes;

impl Randomness<Hash, BlockNumber> for RecentBlockHashes {
	fn random(subject: &[u8]) -> (Hash, BlockNumber) {
		let now = frame_system::Pallet::<Runtime>::block_number();
		let mut input = subject.to_vec();
		for number in now.saturating_sub(MIXED_BLOCKS)..now {
			input.extend_from_slice(frame_system::BlockHash::<Runtime>::get(number).as_ref());
		}
		(sp_runtime::traits::BlakeTwo256::hash(&input), now.saturating_sub(1))
	}
}
