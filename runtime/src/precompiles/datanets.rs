//! `IDatanets` (`contracts/interfaces/IDatanets.sol`): pallet-datanets for Solidity.

use alloc::vec::Vec;
use core::num::NonZero;
use pallet_datanets::{Datanet, Error as DatanetsError, Rows, Versions};
use pallet_revive::precompiles::{
	alloy::{self, sol_types::SolCall},
	AddressMatcher, Error, Ext, Precompile,
};
use tributary_primitives::datanets::{RowStatus, Visibility};

use super::{address_of, bounded, charge_reads, dispatch_as_caller, revert, revert_with};
use crate::{Runtime, RuntimeCall};

alloy::sol!("../contracts/interfaces/IDatanets.sol");
use IDatanets::IDatanetsCalls as Call;

/// `IDatanets` at `0x0000000000000000000000000000000054010000`.
pub struct DatanetsPrecompile;

impl Precompile for DatanetsPrecompile {
	type T = Runtime;
	type Interface = Call;
	const MATCHER: AddressMatcher = AddressMatcher::Fixed(NonZero::new(0x5401).unwrap());
	const HAS_CONTRACT_INFO: bool = false;

	fn call(
		_address: &[u8; 20],
		input: &Self::Interface,
		env: &mut impl Ext<T = Self::T>,
	) -> Result<Vec<u8>, Error> {
		match input {
			Call::createDatanet(IDatanets::createDatanetCall { name, summary, license }) => {
				let call = pallet_datanets::Call::create_datanet {
					name: bounded(name.as_bytes(), "name")?,
					summary: bounded(summary.as_bytes(), "summary")?,
					description: Default::default(),
					tags: Default::default(),
					license: bounded(license.as_bytes(), "license")?,
					visibility: Visibility::Public,
				};
				dispatch_as_caller(env, RuntimeCall::Datanets(call))?;
				// The pallet numbers datanets in order; the new one is the last.
				let id = pallet_datanets::NextDatanetId::<Runtime>::get() - 1;
				Ok(IDatanets::createDatanetCall::abi_encode_returns(&id))
			},
			Call::contribute(IDatanets::contributeCall { datanetId, contentHash, byteLength }) => {
				let row_id = Datanet::<Runtime>::get(datanetId).map(|datanet| datanet.next_row_id);
				let call = pallet_datanets::Call::contribute {
					datanet: *datanetId,
					row: pallet_datanets::RowInput {
						content_hash: contentHash.0,
						byte_len: *byteLength,
						label: None,
					},
				};
				dispatch_as_caller(env, RuntimeCall::Datanets(call))?;
				// The call succeeded, so the datanet exists and the row took its next id.
				Ok(IDatanets::contributeCall::abi_encode_returns(&row_id.unwrap_or_default()))
			},
			Call::approve(IDatanets::approveCall { datanetId, rowIds }) => {
				let rows = rowIds
					.clone()
					.try_into()
					.map_err(|_| revert_with("too many rows in one approval"))?;
				let call = pallet_datanets::Call::approve { datanet: *datanetId, rows };
				dispatch_as_caller(env, RuntimeCall::Datanets(call))?;
				Ok(Vec::new())
			},
			Call::publishVersion(IDatanets::publishVersionCall { datanetId }) => {
				let call = pallet_datanets::Call::publish_version { datanet: *datanetId };
				dispatch_as_caller(env, RuntimeCall::Datanets(call))?;
				let version =
					Datanet::<Runtime>::get(datanetId).map_or(0, |datanet| datanet.version_count);
				Ok(IDatanets::publishVersionCall::abi_encode_returns(&version))
			},
			Call::datanet(IDatanets::datanetCall { datanetId }) => {
				charge_reads(env, 1)?;
				let datanet = Datanet::<Runtime>::get(datanetId)
					.ok_or_else(|| revert(DatanetsError::<Runtime>::UnknownDatanet.into()))?;
				Ok(IDatanets::datanetCall::abi_encode_returns(&IDatanets::datanetReturn {
					owner: address_of(&datanet.owner),
					name: alloc::string::String::from_utf8_lossy(&datanet.name).into_owned(),
					rowCount: datanet.next_row_id,
					versionCount: datanet.version_count,
				}))
			},
			Call::row(IDatanets::rowCall { datanetId, rowId }) => {
				charge_reads(env, 1)?;
				let row = Rows::<Runtime>::get(datanetId, rowId)
					.ok_or_else(|| revert(DatanetsError::<Runtime>::UnknownRow.into()))?;
				let status = match row.status {
					RowStatus::Pending => 0,
					RowStatus::Approved => 1,
					RowStatus::Published(_) => 2,
					RowStatus::Slashed => 3,
				};
				Ok(IDatanets::rowCall::abi_encode_returns(&IDatanets::rowReturn {
					contributor: address_of(&row.contributor),
					contentHash: row.content_hash.into(),
					byteLength: row.byte_len,
					status,
				}))
			},
			Call::version(IDatanets::versionCall { datanetId, versionId }) => {
				charge_reads(env, 1)?;
				let version = Versions::<Runtime>::get(datanetId, versionId)
					.ok_or_else(|| revert_with("Datanets.UnknownVersion"))?;
				Ok(IDatanets::versionCall::abi_encode_returns(&IDatanets::versionReturn {
					merkleRoot: version.merkle_root.into(),
					rowCount: version.row_count,
					totalBytes: version.total_bytes,
					publishedAt: version.published_at,
				}))
			},
		}
	}
}
