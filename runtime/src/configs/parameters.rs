//! The project pallets' economics as runtime parameters (`pallet-parameters`): every value here is
//! read from storage when a call needs it, so a referendum on the parameters track
//! (`parameters.setParameter` dispatched as `ParameterAdmin`) changes it for the next row, job,
//! receipt or dispute. The defaults are the values a chain starts with.
//!
//! The other economics are pallet storage already, changed by the same origin: the fee split
//! (`rewards.setParams`), the attribution disputes' recomputers and periods
//! (`attribution.setParams`) and the verifiers per fine-tune job (`models.setVerifiersPerJob`).

use frame_support::{
	dynamic_params::dynamic_params,
	traits::{AsEnsureOriginWithArg, EitherOf},
};
use frame_system::EnsureRoot;

use crate::{governance::ParameterAdmin, AccountId, Runtime, RuntimeEvent};

#[dynamic_params(RuntimeParameters, pallet_parameters::Parameters::<Runtime>)]
pub mod dynamic_params {
	use super::*;
	use crate::{Balance, BlockNumber, HOURS, MILLI_UNIT, MINUTES, UNIT};
	use frame_support::dynamic_params::dynamic_pallet_params;
	use sp_runtime::Perbill;

	/// Deposits and fees of datanets, and their challenges.
	#[dynamic_pallet_params]
	#[codec(index = 0)]
	pub mod datanets {
		/// Held from a datanet's owner while the datanet exists.
		#[codec(index = 0)]
		pub static DatanetDeposit: Balance = 10 * UNIT;
		/// Held per contributed row, plus the per-byte part.
		#[codec(index = 1)]
		pub static RowDepositBase: Balance = 10 * MILLI_UNIT;
		/// 1 TRIB per MB of row content.
		#[codec(index = 2)]
		pub static RowDepositPerByte: Balance = UNIT / 1_000_000;
		/// Paid to the treasury per published version, plus the per-byte part.
		#[codec(index = 3)]
		pub static PublishFeeBase: Balance = 100 * MILLI_UNIT;
		#[codec(index = 4)]
		pub static PublishFeePerByte: Balance = UNIT / 10_000_000;
		/// A challenge's bond as a share of the challenged row's deposit ...
		#[codec(index = 5)]
		pub static ChallengeBondRate: Perbill = Perbill::from_percent(100);
		/// ... never less than this.
		#[codec(index = 6)]
		pub static MinChallengeBond: Balance = 10 * MILLI_UNIT;
		/// An upheld challenge pays this share of the row's deposit on top of the bond; a
		/// contributor challenging its own row loses the rest.
		#[codec(index = 7)]
		pub static ChallengeRewardRate: Perbill = Perbill::from_percent(50);
		/// The share of a spam row's deposit slashed.
		#[codec(index = 8)]
		pub static SpamSlashRate: Perbill = Perbill::from_percent(50);
		/// How long a row can be challenged after it is approved.
		#[codec(index = 9)]
		pub static ChallengePeriod: BlockNumber = 24 * HOURS;
		/// How long a challenge waits for its decision before it expires with its bond returned.
		#[codec(index = 10)]
		pub static ChallengeDecisionPeriod: BlockNumber = 7 * 24 * HOURS;
		/// The sidecars' own reporting threshold (tributary-dedup's default), in millionths: 60 %
		/// of a row's word bigrams seen in earlier rows.
		#[codec(index = 11)]
		pub static NearDuplicateThreshold: u32 = 600_000;
	}

	/// Bonds, fees, slashes and periods of fine-tune jobs.
	#[dynamic_pallet_params]
	#[codec(index = 1)]
	pub mod models {
		/// Held from a validator's worker while it is registered.
		#[codec(index = 0)]
		pub static WorkerBond: Balance = 100 * UNIT;
		/// The least fee a fine-tune job may offer.
		#[codec(index = 1)]
		pub static MinJobFee: Balance = UNIT;
		/// The trainer's share of an accepted job's fee; verifiers share the rest.
		#[codec(index = 2)]
		pub static TrainerShare: Perbill = Perbill::from_percent(70);
		/// How far a verifier's eval loss may differ from the trainer's.
		#[codec(index = 3)]
		pub static EvalTolerance: Perbill = Perbill::from_percent(5);
		/// An accepted adapter lowers the held-out loss by at least this share of the base
		/// model's.
		#[codec(index = 4)]
		pub static MinImprovement: Perbill = Perbill::from_percent(1);
		#[codec(index = 5)]
		pub static VerifierSlash: Balance = 10 * UNIT;
		#[codec(index = 6)]
		pub static TrainerTimeoutSlash: Balance = 10 * UNIT;
		#[codec(index = 7)]
		pub static LazyTrainerSlash: Balance = 25 * UNIT;
		/// How long a trainer has to submit its adapter.
		#[codec(index = 8)]
		pub static TrainingPeriod: BlockNumber = 2 * HOURS;
		/// How long verifiers have to submit their eval losses.
		#[codec(index = 9)]
		pub static VerificationPeriod: BlockNumber = 30 * MINUTES;
	}

	/// Bonds, slashes and the window of attribution disputes.
	#[dynamic_pallet_params]
	#[codec(index = 2)]
	pub mod attribution {
		/// Held from whoever disputes a record.
		#[codec(index = 0)]
		pub static ChallengeBond: Balance = 10 * UNIT;
		/// Slashed from a worker whose record a dispute shows false.
		#[codec(index = 1)]
		pub static WorkerSlash: Balance = 50 * UNIT;
		/// Paid out of the loser's slash to each recomputer on the majority side.
		#[codec(index = 2)]
		pub static RecomputerReward: Balance = 2 * UNIT;
		/// A fifth of what a lie costs a worker: enough that guessing or sleeping through a
		/// dispute loses money over the rewards of honest recomputation.
		#[codec(index = 3)]
		pub static RecomputerSlash: Balance = 10 * UNIT;
		/// How long a record can be disputed. One minute: short enough for a dev chain and the
		/// end-to-end tests to see records finalize; a public network sets hours.
		#[codec(index = 4)]
		pub static ChallengeWindow: BlockNumber = MINUTES;
	}

	/// What a validator candidate holds while its session keys are set.
	#[dynamic_pallet_params]
	#[codec(index = 3)]
	pub mod validators {
		/// Held by `session.setKeys` until `session.purgeKeys`.
		#[codec(index = 0)]
		pub static SessionKeyDeposit: Balance = 10 * UNIT;
	}
}

/// What `pallet-parameters`' own benchmark sets.
#[cfg(feature = "runtime-benchmarks")]
impl Default for RuntimeParameters {
	fn default() -> Self {
		RuntimeParameters::Models(dynamic_params::models::Parameters::MinJobFee(
			dynamic_params::models::MinJobFee,
			Some(crate::UNIT),
		))
	}
}

impl pallet_parameters::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeParameters = RuntimeParameters;
	/// Every group is economics: the parameters track, or root.
	type AdminOrigin = AsEnsureOriginWithArg<EitherOf<EnsureRoot<AccountId>, ParameterAdmin>>;
	// The pallet exports only its reference weights.
	type WeightInfo = ();
}
