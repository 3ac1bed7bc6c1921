//! The node's RPC extensions: the standard FRAME RPCs (`system_accountNextIndex`,
//! `payment_queryInfo`, ...) plus the project's `tributary_*` namespace, all on the node's one
//! RPC port.

mod tributary;
mod views;

use std::sync::Arc;

use jsonrpsee::RpcModule;
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};
use tributary_runtime::{opaque::Block, AccountId, Balance, BlockNumber, Nonce};

use tributary::{TributaryApiServer, TributaryRpc};

/// Everything the RPC extensions need from the node.
pub struct FullDeps<C, P> {
	pub client: Arc<C>,
	pub pool: Arc<P>,
	/// Name of the chain spec the node runs, reported by `tributary_nodeInfo`.
	pub chain_name: String,
}

/// Build the RPC extensions of a full node.
pub fn create_full<C, P>(
	deps: FullDeps<C, P>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ Send
		+ Sync
		+ 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>,
	C::Api: pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>,
	C::Api: BlockBuilder<Block>,
	C::Api: sp_api::Core<Block>,
	C::Api: pallet_datanets::runtime_api::DatanetsApi<Block, AccountId, Balance, BlockNumber>,
	C::Api: pallet_models::runtime_api::ModelsApi<Block, AccountId, Balance, BlockNumber>,
	C::Api: pallet_attribution::runtime_api::AttributionApi<Block, AccountId, Balance, BlockNumber>,
	C::Api: pallet_rewards::runtime_api::RewardsApi<Block, AccountId, Balance>,
	P: TransactionPool + 'static,
{
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let FullDeps { client, pool, chain_name } = deps;
	let mut module = RpcModule::new(());
	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	module.merge(TributaryRpc::new(client, chain_name).into_rpc())?;
	Ok(module)
}
