//! The referendum tracks: who may decide what, with which deposit, over which periods and by
//! which approval and support curves.
//!
//! Production periods assume the runtime's 3-second blocks. A chain whose genesis sets
//! `governance.fastPeriods` (the `development` and `local_testnet` presets) runs every track at
//! [`FAST`] instead: a referendum with enough support is decided and enacted within about
//! two minutes.

use alloc::borrow::Cow;
use pallet_referenda::{Curve, Track, TrackInfo};
use sp_runtime::Perbill;

use super::origins::{pallet_governance, Origin};
use crate::{Balance, BlockNumber, OriginCaller, Runtime, HOURS, MINUTES, UNIT};

pub const DAYS: BlockNumber = 24 * HOURS;

/// Identifies a track in `referenda.submit` and in the track list.
pub type TrackId = u16;

pub const ROOT: TrackId = 0;
pub const WHITELISTED_CALLER: TrackId = 1;
pub const PARAMETER_ADMIN: TrackId = 10;
pub const CATALOGUE: TrackId = 11;
pub const TREASURER: TrackId = 12;
pub const VALIDATOR_ADMIN: TrackId = 13;

/// How long each phase of a referendum lasts on a track.
#[derive(Clone, Copy)]
pub struct Periods {
	/// Submitted, before it can be decided.
	pub prepare: BlockNumber,
	/// Deciding, before it is rejected for lack of approval or support.
	pub decision: BlockNumber,
	/// Passing without interruption, before it is approved.
	pub confirm: BlockNumber,
	/// Approved, before its call is dispatched.
	pub min_enactment: BlockNumber,
}

/// Every track on a development network: prepared in two blocks, confirmed in two, enacted in
/// the next; 90 seconds to gather support.
pub const FAST: Periods = Periods { prepare: 2, decision: 30, confirm: 2, min_enactment: 1 };

/// A track's fixed description; its periods are `production` unless the chain runs fast.
struct TrackSpec {
	id: TrackId,
	name: &'static str,
	max_deciding: u32,
	decision_deposit: Balance,
	production: Periods,
	/// The share of all active issuance voting aye needed at the start of the decision period;
	/// it falls linearly to [`MIN_SUPPORT_FLOOR`] by its end.
	support_ceil: Perbill,
}

const MIN_SUPPORT_FLOOR: Perbill = Perbill::from_parts(5_000_000); // 0.5 %

const TRACKS: [TrackSpec; 6] = [
	TrackSpec {
		id: ROOT,
		name: "root",
		max_deciding: 1,
		decision_deposit: 10_000 * UNIT,
		production: Periods {
			prepare: 2 * HOURS,
			decision: 14 * DAYS,
			confirm: DAYS,
			min_enactment: DAYS,
		},
		support_ceil: Perbill::from_percent(50),
	},
	TrackSpec {
		id: WHITELISTED_CALLER,
		name: "whitelisted_caller",
		max_deciding: 10,
		decision_deposit: 100 * UNIT,
		production: Periods {
			prepare: 30 * MINUTES,
			decision: 14 * DAYS,
			confirm: 10 * MINUTES,
			min_enactment: 10 * MINUTES,
		},
		support_ceil: Perbill::from_percent(10),
	},
	TrackSpec {
		id: PARAMETER_ADMIN,
		name: "parameter_admin",
		max_deciding: 10,
		decision_deposit: 1_000 * UNIT,
		production: Periods {
			prepare: 2 * HOURS,
			decision: 14 * DAYS,
			confirm: 3 * HOURS,
			min_enactment: HOURS,
		},
		support_ceil: Perbill::from_percent(25),
	},
	TrackSpec {
		id: CATALOGUE,
		name: "catalogue",
		max_deciding: 20,
		decision_deposit: 100 * UNIT,
		production: Periods {
			prepare: HOURS,
			decision: 7 * DAYS,
			confirm: 3 * HOURS,
			min_enactment: 10 * MINUTES,
		},
		support_ceil: Perbill::from_percent(25),
	},
	TrackSpec {
		id: TREASURER,
		name: "treasurer",
		max_deciding: 10,
		decision_deposit: 1_000 * UNIT,
		production: Periods {
			prepare: 2 * HOURS,
			decision: 14 * DAYS,
			confirm: DAYS,
			min_enactment: DAYS,
		},
		support_ceil: Perbill::from_percent(25),
	},
	TrackSpec {
		id: VALIDATOR_ADMIN,
		name: "validator_admin",
		max_deciding: 5,
		decision_deposit: 1_000 * UNIT,
		production: Periods {
			prepare: 2 * HOURS,
			decision: 14 * DAYS,
			confirm: 3 * HOURS,
			min_enactment: 10 * MINUTES,
		},
		support_ceil: Perbill::from_percent(25),
	},
];

/// Whether this chain runs its governance at development speed.
pub fn fast_periods() -> bool {
	pallet_governance::FastPeriods::<Runtime>::get()
}

/// A period of `PRODUCTION` blocks on a production chain and `FAST` on a development one.
pub struct Period<const PRODUCTION: BlockNumber, const FAST: BlockNumber>;

impl<const PRODUCTION: BlockNumber, const FAST: BlockNumber> frame_support::traits::Get<BlockNumber>
	for Period<PRODUCTION, FAST>
{
	fn get() -> BlockNumber {
		if fast_periods() {
			FAST
		} else {
			PRODUCTION
		}
	}
}

/// The referenda pallet's default (and most) bytes of a track name.
const TRACK_NAME_LEN: usize = 25;

/// A track name as the fixed-size array the referenda pallet keeps, zero-padded.
const fn track_name(name: &str) -> [u8; TRACK_NAME_LEN] {
	let bytes = name.as_bytes();
	let mut out = [0u8; TRACK_NAME_LEN];
	let mut i = 0;
	while i < bytes.len() {
		out[i] = bytes[i];
		i += 1;
	}
	out
}

impl TrackSpec {
	fn track(&self, fast: bool) -> Track<TrackId, Balance, BlockNumber> {
		let periods = if fast { FAST } else { self.production };
		Track {
			id: self.id,
			info: TrackInfo {
				name: track_name(self.name),
				max_deciding: self.max_deciding,
				decision_deposit: self.decision_deposit,
				prepare_period: periods.prepare,
				decision_period: periods.decision,
				confirm_period: periods.confirm,
				min_enactment_period: periods.min_enactment,
				// A simple majority of the conviction-weighted votes from the start...
				min_approval: Curve::LinearDecreasing {
					length: Perbill::one(),
					floor: Perbill::from_percent(50),
					ceil: Perbill::from_percent(50),
				},
				// ... and a turnout that falls from the track's ceiling to the floor.
				min_support: Curve::LinearDecreasing {
					length: Perbill::one(),
					floor: MIN_SUPPORT_FLOOR,
					ceil: self.support_ceil,
				},
			},
		}
	}
}

/// The track list of `pallet-referenda`, and which track each origin's referenda run on.
pub struct TracksInfo;

impl pallet_referenda::TracksInfo<Balance, BlockNumber> for TracksInfo {
	type Id = TrackId;
	type RuntimeOrigin = OriginCaller;

	fn tracks() -> impl Iterator<Item = Cow<'static, Track<TrackId, Balance, BlockNumber>>> {
		let fast = fast_periods();
		TRACKS.iter().map(move |spec| Cow::Owned(spec.track(fast)))
	}

	fn track_for(origin: &OriginCaller) -> Result<TrackId, ()> {
		match origin {
			OriginCaller::system(frame_system::RawOrigin::Root) => Ok(ROOT),
			OriginCaller::Governance(origin) => Ok(match origin {
				Origin::WhitelistedCaller => WHITELISTED_CALLER,
				Origin::ParameterAdmin => PARAMETER_ADMIN,
				Origin::Catalogue => CATALOGUE,
				Origin::Treasurer => TREASURER,
				Origin::ValidatorAdmin => VALIDATOR_ADMIN,
			}),
			_ => Err(()),
		}
	}
}
