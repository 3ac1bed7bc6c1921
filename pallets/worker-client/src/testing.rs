//! A scripted sidecar for the pallets' off-chain worker tests: every HTTP request the worker
//! makes must have been expected, in order (an unexpected one fails the test), and is answered
//! with the given JSON; what the worker submits is read back from the transaction pool.

use alloc::{format, string::String, sync::Arc, vec::Vec};
use codec::Decode;
use serde_json::Value;
use sp_core::offchain::{
	testing::{OffchainState, PendingRequest, PoolState, TestOffchainExt, TestTransactionPoolExt},
	OffchainDbExt, OffchainWorkerExt, TransactionPoolExt,
};
use sp_runtime::offchain::storage::StorageValueRef;
use tributary_primitives::WORKER_URL_STORAGE_KEY;

/// The URL the testbed's node was "started with".
pub const SIDECAR: &str = "http://127.0.0.1:8420";

pub struct Testbed {
	http: Arc<parking_lot::RwLock<OffchainState>>,
	pool: Arc<parking_lot::RwLock<PoolState>>,
}

impl Testbed {
	/// Give `ext` offchain storage, HTTP and a transaction pool, and set the sidecar URL as the
	/// node does from `--worker-url`.
	pub fn install(ext: &mut sp_io::TestExternalities) -> Testbed {
		let (offchain, http) = TestOffchainExt::new();
		let (pool, transactions) = TestTransactionPoolExt::new();
		ext.register_extension(OffchainDbExt::new(offchain.clone()));
		ext.register_extension(OffchainWorkerExt::new(offchain));
		ext.register_extension(TransactionPoolExt::new(pool));
		ext.execute_with(|| {
			StorageValueRef::persistent(WORKER_URL_STORAGE_KEY).set(&SIDECAR.as_bytes().to_vec())
		});
		Testbed { http, pool: transactions }
	}

	/// Expect a request to `path` (a JSON `body` for a POST), answered with `answer`.
	pub fn expect(&self, method: &str, path: &str, body: Option<&Value>, answer: Value) {
		self.http.write().expect_request(PendingRequest {
			method: method.into(),
			uri: format!("{SIDECAR}{path}"),
			headers: body
				.iter()
				.map(|_| (String::from("Content-Type"), String::from("application/json")))
				.collect(),
			body: body
				.map(|body| serde_json::to_vec(body).expect("JSON serializes"))
				.unwrap_or_default(),
			response: Some(answer.to_string().into_bytes()),
			sent: true,
			..Default::default()
		});
	}

	/// The extrinsics submitted to the pool so far, decoded as `Extrinsic`.
	pub fn submitted<Extrinsic: Decode>(&self) -> Vec<Extrinsic> {
		self.pool
			.read()
			.transactions
			.iter()
			.map(|bytes| {
				Extrinsic::decode(&mut &bytes[..])
					.expect("the pool holds this runtime's extrinsics")
			})
			.collect()
	}
}
