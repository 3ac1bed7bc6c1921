//! `IModels` (`contracts/interfaces/IModels.sol`): pallet-models for Solidity.

use alloc::vec::Vec;
use core::num::NonZero;
use pallet_models::{Error as ModelsError, Model, ModelVersions};
use pallet_revive::precompiles::{
	alloy::{self, sol_types::SolCall},
	AddressMatcher, Error, Ext, Precompile,
};
use tributary_primitives::{models::DatanetVersionRef, training::TrainingSettings};

use super::{
	address_of, bounded, charge_reads, dispatch_as_caller, revert, revert_with, to_planck, to_wei,
};
use crate::{Runtime, RuntimeCall};

alloy::sol!("../contracts/interfaces/IModels.sol");
use IModels::IModelsCalls as Call;

/// `IModels` at `0x0000000000000000000000000000000054020000`.
pub struct ModelsPrecompile;

impl Precompile for ModelsPrecompile {
	type T = Runtime;
	type Interface = Call;
	const MATCHER: AddressMatcher = AddressMatcher::Fixed(NonZero::new(0x5402).unwrap());
	const HAS_CONTRACT_INFO: bool = false;

	fn call(
		_address: &[u8; 20],
		input: &Self::Interface,
		env: &mut impl Ext<T = Self::T>,
	) -> Result<Vec<u8>, Error> {
		match input {
			Call::createModel(IModels::createModelCall {
				name,
				baseModel,
				datanetIds,
				versionIds,
				feeWei,
			}) => {
				if datanetIds.len() != versionIds.len() {
					return Err(revert_with("datanetIds and versionIds differ in length"));
				}
				let datanets = datanetIds
					.iter()
					.zip(versionIds)
					.map(|(&datanet, &version)| DatanetVersionRef { datanet, version })
					.collect::<Vec<_>>()
					.try_into()
					.map_err(|_| revert_with("too many datanets for one job"))?;
				let call = pallet_models::Call::create_model {
					name: bounded(name.as_bytes(), "name")?,
					base_model: *baseModel,
					datanets,
					settings: TrainingSettings::default(),
					fee: to_planck(*feeWei)?,
				};
				dispatch_as_caller(env, RuntimeCall::Models(call))?;
				// The pallet numbers models and jobs in order; the new ones are the last.
				Ok(IModels::createModelCall::abi_encode_returns(&IModels::createModelReturn {
					modelId: pallet_models::NextModelId::<Runtime>::get() - 1,
					jobId: pallet_models::NextJobId::<Runtime>::get() - 1,
				}))
			},
			Call::model(IModels::modelCall { modelId }) => {
				charge_reads(env, 1)?;
				let model = Model::<Runtime>::get(modelId)
					.ok_or_else(|| revert(ModelsError::<Runtime>::UnknownModel.into()))?;
				Ok(IModels::modelCall::abi_encode_returns(&IModels::modelReturn {
					owner: address_of(&model.owner),
					name: alloc::string::String::from_utf8_lossy(&model.name).into_owned(),
					versionCount: model.version_count,
					priced: model.price_per_1k_tokens.is_some(),
					pricePer1kTokensWei: to_wei(model.price_per_1k_tokens.unwrap_or_default()),
				}))
			},
			Call::modelVersion(IModels::modelVersionCall { modelId, versionId }) => {
				charge_reads(env, 1)?;
				let version = ModelVersions::<Runtime>::get(modelId, versionId)
					.ok_or_else(|| revert_with("Models.UnknownModelVersion"))?;
				Ok(IModels::modelVersionCall::abi_encode_returns(&IModels::modelVersionReturn {
					adapterHash: version.result.adapter_hash.into(),
					adapterBytes: version.result.adapter_bytes,
					jobId: version.job,
					evalLossPpb: version.verified_eval_loss_ppb,
				}))
			},
		}
	}
}
