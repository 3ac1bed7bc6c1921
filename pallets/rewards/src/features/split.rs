//! The fee split as a pure function, so conservation can be checked exhaustively.

use crate::{RewardParams, UnattributedTo};
use alloc::vec::Vec;
use sp_runtime::{
	traits::{AtLeast32BitUnsigned, Zero},
	Perbill,
};
use tributary_primitives::attribution::PARTS_PER_BILLION;

/// How one fee is divided. `paid() + dust == fee`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Split<AccountId, Balance> {
	pub model_owner: Balance,
	pub worker: Balance,
	/// The treasury's own share (without dust, penalties or the unattributed part).
	pub treasury: Balance,
	/// Each contributor's reward after any penalty, in the order of the shares.
	pub contributors: Vec<(AccountId, Balance)>,
	/// The part of the contributors' pool no score claimed.
	pub unattributed: Balance,
	pub unattributed_to: UnattributedTo,
	/// Taken from penalized contributors; goes to the treasury.
	pub penalties: Balance,
	/// Rounding remainder; goes to the treasury.
	pub dust: Balance,
}

impl<AccountId, Balance: AtLeast32BitUnsigned + Copy> Split<AccountId, Balance> {
	/// Everything assigned to a party (dust excluded).
	pub fn paid(&self) -> Balance {
		self.contributors.iter().fold(
			self.model_owner
				.saturating_add(self.worker)
				.saturating_add(self.treasury)
				.saturating_add(self.unattributed)
				.saturating_add(self.penalties),
			|total, (_, amount)| total.saturating_add(*amount),
		)
	}

	/// What the contributors receive together.
	pub fn contributors_total(&self) -> Balance {
		self.contributors
			.iter()
			.fold(Zero::zero(), |total: Balance, (_, amount)| total.saturating_add(*amount))
	}
}

/// Split `fee` by `params` among the model owner, the worker, the treasury and the contributors of
/// `shares` (contributor, score in parts per billion, penalized). Every part rounds down; each
/// contributor's amount is capped by what is left of the pool, so scores summing above one (which
/// attribution refuses anyway) still cannot pay out more than the pool. The remainder is dust.
pub fn split_fee<AccountId: Clone, Balance: AtLeast32BitUnsigned + Copy>(
	fee: Balance,
	params: &RewardParams,
	shares: &[(AccountId, u32, bool)],
) -> Split<AccountId, Balance> {
	let model_owner = params.model_owner.mul_floor(fee);
	let worker = params.worker.mul_floor(fee);
	let treasury = params.treasury.mul_floor(fee);
	let pool = params.contributors.mul_floor(fee);

	let mut left = pool;
	let mut penalties = Balance::zero();
	let mut scored: u64 = 0;
	let contributors = shares
		.iter()
		.map(|(who, parts_per_billion, penalized)| {
			scored = scored.saturating_add((*parts_per_billion).into());
			let earned = Perbill::from_parts(*parts_per_billion).mul_floor(pool).min(left);
			left = left.saturating_sub(earned);
			let cut =
				if *penalized { params.penalty_reduction.mul_floor(earned) } else { Zero::zero() };
			penalties = penalties.saturating_add(cut);
			(who.clone(), earned.saturating_sub(cut))
		})
		.collect();
	let unscored = u64::from(PARTS_PER_BILLION).saturating_sub(scored) as u32;
	let unattributed = Perbill::from_parts(unscored).mul_floor(pool).min(left);
	left = left.saturating_sub(unattributed);

	let outside_pool =
		model_owner.saturating_add(worker).saturating_add(treasury).saturating_add(pool);
	let dust = fee.saturating_sub(outside_pool).saturating_add(left);
	Split {
		model_owner,
		worker,
		treasury,
		contributors,
		unattributed,
		unattributed_to: params.unattributed_to,
		penalties,
		dust,
	}
}
