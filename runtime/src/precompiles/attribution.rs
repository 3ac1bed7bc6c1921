//! `IAttribution` (`contracts/interfaces/IAttribution.sol`): Proof of Attribution records for
//! Solidity, read only.

use alloc::vec::Vec;
use core::num::NonZero;
use pallet_attribution::{Error as AttributionError, RecordStatus, Records, RowAttribution};
use pallet_revive::precompiles::{
	alloy::{self, sol_types::SolCall},
	AddressMatcher, Error, Ext, Precompile,
};

use super::{address_of, charge_reads, revert, to_wei};
use crate::Runtime;

alloy::sol!("../contracts/interfaces/IAttribution.sol");
use IAttribution::IAttributionCalls as Call;

/// `IAttribution` at `0x0000000000000000000000000000000054040000`.
pub struct AttributionPrecompile;

impl Precompile for AttributionPrecompile {
	type T = Runtime;
	type Interface = Call;
	const MATCHER: AddressMatcher = AddressMatcher::Fixed(NonZero::new(0x5404).unwrap());
	const HAS_CONTRACT_INFO: bool = false;

	fn call(
		_address: &[u8; 20],
		input: &Self::Interface,
		env: &mut impl Ext<T = Self::T>,
	) -> Result<Vec<u8>, Error> {
		match input {
			Call::record(IAttribution::recordCall { recordId }) => {
				charge_reads(env, 1)?;
				let record = Records::<Runtime>::get(recordId)
					.ok_or_else(|| revert(AttributionError::<Runtime>::UnknownRecord.into()))?;
				let status = match record.status {
					RecordStatus::Pending => 0,
					RecordStatus::Disputed => 1,
					RecordStatus::Upheld => 2,
					RecordStatus::Final => 3,
					RecordStatus::Rejected => 4,
				};
				Ok(IAttribution::recordCall::abi_encode_returns(&IAttribution::recordReturn {
					user: address_of(&record.user),
					modelId: record.model,
					modelVersion: record.version,
					status,
					feeWei: to_wei(record.fee),
				}))
			},
			Call::topRows(IAttribution::topRowsCall { recordId }) => {
				charge_reads(env, 1)?;
				let record = Records::<Runtime>::get(recordId)
					.ok_or_else(|| revert(AttributionError::<Runtime>::UnknownRecord.into()))?;
				Ok(IAttribution::topRowsCall::abi_encode_returns(&IAttribution::topRowsReturn {
					datanetIds: record.top.iter().map(|scored| scored.row.datanet).collect(),
					rowIds: record.top.iter().map(|scored| scored.row.row).collect(),
					scoresPpb: record.top.iter().map(|scored| scored.parts_per_billion).collect(),
				}))
			},
			Call::rowAttribution(IAttribution::rowAttributionCall { datanetId, rowId }) => {
				charge_reads(env, 1)?;
				let score = RowAttribution::<Runtime>::get(datanetId, rowId);
				Ok(IAttribution::rowAttributionCall::abi_encode_returns(&score))
			},
		}
	}
}
