//! The `tributary_*` RPC namespace. It starts with `tributary_nodeInfo`; the pallets add their
//! query methods here.

use std::{marker::PhantomData, sync::Arc};

use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{error::ErrorObjectOwned, ErrorCode},
};
use serde::{Deserialize, Serialize};
use sp_api::{Core, ProvideRuntimeApi};
use sp_blockchain::HeaderBackend;
use sp_runtime::traits::Block as BlockT;

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
pub trait TributaryApi {
	/// Runtime version, chain name, best and finalized block of this node.
	#[method(name = "tributary_nodeInfo")]
	fn node_info(&self) -> RpcResult<NodeInfo>;
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

impl<C, Block> TributaryApiServer for TributaryRpc<C, Block>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: Core<Block>,
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
}

fn number_to_u64<Block: BlockT>(n: sp_runtime::traits::NumberFor<Block>) -> u64 {
	sp_runtime::SaturatedConversion::saturated_into::<u64>(n)
}
