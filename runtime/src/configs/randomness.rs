//! Randomness for drawing workers (dispute recomputers, job verifiers): the hashes of recent
//! blocks mixed together.
//!
//! Why this is enough here (docs/threat-model.md argues it in full): the pallets draw in a block
//! at least two blocks *after* the dispute or job was opened, so whoever opened it could not know
//! the hashes the draw mixes. A block's author can steer its own block's hash only by choosing
//! what to put in it, and each draw mixes the hashes of the last [`MIXED_BLOCKS`] blocks, written
//! by the authors of the Aura rotation in turn; biasing a draw towards chosen workers needs the
//! author of the block just before the draw to grind many block variants inside one slot, and
//! even then a majority of the drawn workers must collude. A VRF (BABE) would remove that
//! residual bias; Aura has none.

use frame_support::traits::Randomness;
use sp_runtime::traits::Hash as _;

use super::super::{BlockNumber, Hash, Runtime};

/// How many of the latest block hashes a draw mixes.
pub const MIXED_BLOCKS: BlockNumber = 16;

/// `blake2_256(subject ++ hash(n-1) ++ … ++ hash(n-MIXED_BLOCKS))` in block `n`.
pub struct RecentBlockHashes;

impl Randomness<Hash, BlockNumber> for RecentBlockHashes {
	fn random(subject: &[u8]) -> (Hash, BlockNumber) {
		let now = frame_system::Pallet::<Runtime>::block_number();
		let mut input = subject.to_vec();
		for back in 1..=MIXED_BLOCKS.min(now) {
			input.extend_from_slice(
				frame_system::Pallet::<Runtime>::block_hash(now.saturating_sub(back)).as_ref(),
			);
		}
		(sp_runtime::traits::BlakeTwo256::hash(&input), now)
	}
}
