//! The `tributary_*` RPC namespace: `tributary_nodeInfo` and the queries of the project pallets
//! (datanets, their versions and rows; fine-tune jobs and model lineage; attribution records,
//! aggregates and disputes; rewards), answered from the runtime APIs at the best block or at a
//! given block hash.

use std::{marker::PhantomData, sync::Arc};
use tributary_primitives::hex;

use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{error::ErrorObjectOwned, ErrorCode},
};
use serde::{Deserialize, Serialize};
use sp_api::{Core, ProvideRuntimeApi};
use sp_blockchain::HeaderBackend;
use sp_runtime::traits::Block as BlockT;
use tributary_primitives::{
	datanets::RowId,
	datanets::{DatanetId, VersionId},
	models::{JobId, ModelId, ModelVersionId},
	rewards::RecordId,
	ContentHash,
};
use tributary_runtime::{AccountId, Balance, BlockNumber};

use super::views::{
	AttributionRecordJson, DatanetJson, DisputeJson, JobJson, ModelVersionJson, RewardEntryJson,
	RewardParamsJson, RowRefJson, SlashRecordJson, VersionJson, VersionRowJson,
};
use pallet_attribution::runtime_api::AttributionApi;
use pallet_datanets::runtime_api::DatanetsApi;
use pallet_models::runtime_api::ModelsApi;
use pallet_rewards::runtime_api::RewardsApi;

/// Most rows one `tributary_versionRows` call returns; page with `start`.
pub const MAX_ROWS_PER_PAGE: u32 = 1_000;

/// What `tributary_nodeInfo` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeInfo {
	/// Chain spec name, e.g. "Tributary Development".
	pub chain: String,
	/// Runtime `spec_name` at the best block.
	pub spec_name: String,
	/// Runtime `spec_version` at the best block.
	pub spec_version: u32,
	pub best_number: u64,
	pub best_hash: String,
	pub finalized_number: u64,
	pub finalized_hash: String,
}

#[rpc(server)]
pub trait TributaryApi<BlockHash> {
	/// Runtime version, chain name, best and finalized block of this node.
	#[method(name = "tributary_nodeInfo")]
	fn node_info(&self) -> RpcResult<NodeInfo>;

	/// A datanet with its metadata and counters, or null.
	#[method(name = "tributary_datanet")]
	fn datanet(&self, datanet: DatanetId, at: Option<BlockHash>) -> RpcResult<Option<DatanetJson>>;

	/// The published versions of a datanet, oldest first.
	#[method(name = "tributary_datanetVersions")]
	fn datanet_versions(
		&self,
		datanet: DatanetId,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<VersionJson>>;

	/// Rows of a published version in row order, from position `start`, at most `limit`
	/// (≤ 1000) of them: what a worker fetches to assemble training data.
	#[method(name = "tributary_versionRows")]
	fn version_rows(
		&self,
		datanet: DatanetId,
		version: VersionId,
		start: u32,
		limit: u32,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<VersionRowJson>>;

	/// The row holding a content hash (0x-hex), or null.
	#[method(name = "tributary_rowByContentHash")]
	fn row_by_content_hash(
		&self,
		content_hash: String,
		at: Option<BlockHash>,
	) -> RpcResult<Option<RowRefJson>>;

	/// Active jobs (as trainer or verifier) of a worker account (SS58).
	#[method(name = "tributary_jobsForWorker")]
	fn jobs_for_worker(&self, worker: String, at: Option<BlockHash>) -> RpcResult<Vec<JobId>>;

	/// A fine-tune job with its state, assignment, result and verifications, or null.
	#[method(name = "tributary_job")]
	fn job(&self, job: JobId, at: Option<BlockHash>) -> RpcResult<Option<JobJson>>;

	/// The versions of a model with their lineage, oldest first.
	#[method(name = "tributary_modelVersions")]
	fn model_versions(
		&self,
		model: ModelId,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<ModelVersionJson>>;

	/// An attribution record with its scores and status, or null.
	#[method(name = "tributary_attributionRecord")]
	fn attribution_record(
		&self,
		record: RecordId,
		at: Option<BlockHash>,
	) -> RpcResult<Option<AttributionRecordJson>>;

	/// A row's summed score (parts per billion) over finalized records.
	#[method(name = "tributary_rowAttribution")]
	fn row_attribution(
		&self,
		datanet: DatanetId,
		row: RowId,
		at: Option<BlockHash>,
	) -> RpcResult<u64>;

	/// A contributor's summed score (parts per billion) over finalized records.
	#[method(name = "tributary_contributorAttribution")]
	fn contributor_attribution(&self, who: String, at: Option<BlockHash>) -> RpcResult<u64>;

	/// Finalized inferences of a model version.
	#[method(name = "tributary_modelInferences")]
	fn model_inferences(
		&self,
		model: ModelId,
		version: ModelVersionId,
		at: Option<BlockHash>,
	) -> RpcResult<u64>;

	/// Every open dispute, lowest record first.
	#[method(name = "tributary_pendingDisputes")]
	fn pending_disputes(&self, at: Option<BlockHash>) -> RpcResult<Vec<DisputeJson>>;

	/// Disputed records a worker must still recompute.
	#[method(name = "tributary_recomputeAssignments")]
	fn recompute_assignments(
		&self,
		worker: String,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<RecordId>>;

	/// Rewards accrued to an account and not yet claimed (decimal string).
	#[method(name = "tributary_claimable")]
	fn claimable(&self, who: String, at: Option<BlockHash>) -> RpcResult<String>;

	/// An account's latest rewards, oldest first.
	#[method(name = "tributary_rewardHistory")]
	fn reward_history(&self, who: String, at: Option<BlockHash>)
		-> RpcResult<Vec<RewardEntryJson>>;

	/// The fee split parameters in force.
	#[method(name = "tributary_rewardParams")]
	fn reward_params(&self, at: Option<BlockHash>) -> RpcResult<RewardParamsJson>;

	/// Slashes an account suffered.
	#[method(name = "tributary_slashRecord")]
	fn slash_record(&self, who: String, at: Option<BlockHash>) -> RpcResult<SlashRecordJson>;
}

/// Implementation of the `tributary_*` namespace over a client.
pub struct TributaryRpc<C, Block> {
	client: Arc<C>,
	chain_name: String,
	_block: PhantomData<Block>,
}

impl<C, Block> TributaryRpc<C, Block> {
	pub fn new(client: Arc<C>, chain_name: String) -> Self {
		Self { client, chain_name, _block: PhantomData }
	}
}

fn internal_error(message: impl std::fmt::Display) -> ErrorObjectOwned {
	ErrorObjectOwned::owned(ErrorCode::InternalError.code(), message.to_string(), None::<()>)
}

fn invalid_params(message: impl std::fmt::Display) -> ErrorObjectOwned {
	ErrorObjectOwned::owned(ErrorCode::InvalidParams.code(), message.to_string(), None::<()>)
}

/// A 32-byte hash written as 0x followed by 64 hex digits.
fn parse_content_hash(text: &str) -> Result<ContentHash, ErrorObjectOwned> {
	hex::decode_array(text).map_err(|e| invalid_params(format!("content hash {text:?}: {e}")))
}

fn parse_account(text: &str) -> Result<AccountId, ErrorObjectOwned> {
	use sp_core::crypto::Ss58Codec;
	AccountId::from_ss58check(text)
		.map_err(|e| invalid_params(format!("account {text:?} is not an SS58 address: {e:?}")))
}

impl<C, Block> TributaryRpc<C, Block>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block>,
{
	/// Call the runtime API at block `at`, or at the best block; `method` names the call in errors.
	fn query<R>(
		&self,
		at: Option<Block::Hash>,
		method: &str,
		call: impl FnOnce(&C::Api, Block::Hash) -> Result<R, sp_api::ApiError>,
	) -> RpcResult<R> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		call(&self.client.runtime_api(), at)
			.map_err(|e| internal_error(format!("runtime API {method}: {e}")))
	}
}

impl<C, Block> TributaryApiServer<Block::Hash> for TributaryRpc<C, Block>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: Core<Block>
		+ DatanetsApi<Block, AccountId, Balance, BlockNumber>
		+ ModelsApi<Block, AccountId, Balance, BlockNumber>
		+ AttributionApi<Block, AccountId, Balance, BlockNumber>
		+ RewardsApi<Block, AccountId, Balance>,
{
	fn node_info(&self) -> RpcResult<NodeInfo> {
		let info = self.client.info();
		let version = self
			.client
			.runtime_api()
			.version(info.best_hash)
			.map_err(|e| internal_error(format!("runtime version at best block: {e}")))?;
		Ok(NodeInfo {
			chain: self.chain_name.clone(),
			spec_name: version.spec_name.to_string(),
			spec_version: version.spec_version,
			best_number: number_to_u64::<Block>(info.best_number),
			best_hash: format!("{:?}", info.best_hash),
			finalized_number: number_to_u64::<Block>(info.finalized_number),
			finalized_hash: format!("{:?}", info.finalized_hash),
		})
	}

	fn datanet(
		&self,
		datanet: DatanetId,
		at: Option<Block::Hash>,
	) -> RpcResult<Option<DatanetJson>> {
		let view = self.query(at, "DatanetsApi_datanet", |api, at| api.datanet(at, datanet))?;
		Ok(view.map(Into::into))
	}

	fn datanet_versions(
		&self,
		datanet: DatanetId,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<VersionJson>> {
		let versions =
			self.query(at, "DatanetsApi_versions", |api, at| api.versions(at, datanet))?;
		Ok(versions.into_iter().map(Into::into).collect())
	}

	fn version_rows(
		&self,
		datanet: DatanetId,
		version: VersionId,
		start: u32,
		limit: u32,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<VersionRowJson>> {
		if limit > MAX_ROWS_PER_PAGE {
			return Err(invalid_params(format!(
				"limit {limit} is over {MAX_ROWS_PER_PAGE} rows per page; page with `start`"
			)));
		}
		let rows = self.query(at, "DatanetsApi_version_rows", |api, at| {
			api.version_rows(at, datanet, version, start, limit)
		})?;
		Ok(rows
			.into_iter()
			.map(|(row, hash)| VersionRowJson { row, content_hash: hex::encode_0x(&hash) })
			.collect())
	}

	fn row_by_content_hash(
		&self,
		content_hash: String,
		at: Option<Block::Hash>,
	) -> RpcResult<Option<RowRefJson>> {
		let hash = parse_content_hash(&content_hash)?;
		let row = self.query(at, "DatanetsApi_row_by_content_hash", |api, at| {
			api.row_by_content_hash(at, hash)
		})?;
		Ok(row.map(|(datanet, row)| RowRefJson { datanet, row }))
	}

	fn jobs_for_worker(&self, worker: String, at: Option<Block::Hash>) -> RpcResult<Vec<JobId>> {
		let worker = parse_account(&worker)?;
		self.query(at, "ModelsApi_jobs_for_worker", |api, at| api.jobs_for_worker(at, worker))
	}

	fn job(&self, job: JobId, at: Option<Block::Hash>) -> RpcResult<Option<JobJson>> {
		let view = self.query(at, "ModelsApi_job", |api, at| api.job(at, job))?;
		Ok(view.map(Into::into))
	}

	fn model_versions(
		&self,
		model: ModelId,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<ModelVersionJson>> {
		let versions =
			self.query(at, "ModelsApi_model_versions", |api, at| api.model_versions(at, model))?;
		Ok(versions.into_iter().map(Into::into).collect())
	}

	fn attribution_record(
		&self,
		record: RecordId,
		at: Option<Block::Hash>,
	) -> RpcResult<Option<AttributionRecordJson>> {
		let view = self.query(at, "AttributionApi_record", |api, at| api.record(at, record))?;
		Ok(view.map(Into::into))
	}

	fn row_attribution(
		&self,
		datanet: DatanetId,
		row: RowId,
		at: Option<Block::Hash>,
	) -> RpcResult<u64> {
		self.query(at, "AttributionApi_row_attribution", |api, at| {
			api.row_attribution(at, datanet, row)
		})
	}

	fn contributor_attribution(&self, who: String, at: Option<Block::Hash>) -> RpcResult<u64> {
		let who = parse_account(&who)?;
		self.query(at, "AttributionApi_contributor_attribution", |api, at| {
			api.contributor_attribution(at, who)
		})
	}

	fn model_inferences(
		&self,
		model: ModelId,
		version: ModelVersionId,
		at: Option<Block::Hash>,
	) -> RpcResult<u64> {
		self.query(at, "AttributionApi_model_inferences", |api, at| {
			api.model_inferences(at, model, version)
		})
	}

	fn pending_disputes(&self, at: Option<Block::Hash>) -> RpcResult<Vec<DisputeJson>> {
		let disputes =
			self.query(at, "AttributionApi_pending_disputes", |api, at| api.pending_disputes(at))?;
		Ok(disputes.into_iter().map(Into::into).collect())
	}

	fn recompute_assignments(
		&self,
		worker: String,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<RecordId>> {
		let worker = parse_account(&worker)?;
		self.query(at, "AttributionApi_recompute_assignments", |api, at| {
			api.recompute_assignments(at, worker)
		})
	}

	fn claimable(&self, who: String, at: Option<Block::Hash>) -> RpcResult<String> {
		let who = parse_account(&who)?;
		let amount = self.query(at, "RewardsApi_claimable", |api, at| api.claimable(at, who))?;
		Ok(amount.to_string())
	}

	fn reward_history(
		&self,
		who: String,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<RewardEntryJson>> {
		let who = parse_account(&who)?;
		let history =
			self.query(at, "RewardsApi_reward_history", |api, at| api.reward_history(at, who))?;
		Ok(history.into_iter().map(Into::into).collect())
	}

	fn reward_params(&self, at: Option<Block::Hash>) -> RpcResult<RewardParamsJson> {
		let params = self.query(at, "RewardsApi_params", |api, at| api.params(at))?;
		Ok(params.into())
	}

	fn slash_record(&self, who: String, at: Option<Block::Hash>) -> RpcResult<SlashRecordJson> {
		let who = parse_account(&who)?;
		let record =
			self.query(at, "RewardsApi_slash_record", |api, at| api.slash_record(at, who))?;
		Ok(record.into())
	}
}

fn number_to_u64<Block: BlockT>(n: sp_runtime::traits::NumberFor<Block>) -> u64 {
	sp_runtime::SaturatedConversion::saturated_into::<u64>(n)
}
