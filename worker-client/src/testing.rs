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
use sp_runtime::{
	generic::{Preamble, UncheckedExtrinsic},
	offchain::storage::StorageValueRef,
	testing::{TestSignature, UintAuthorityId},
};
use tributary_primitives::WORKER_URL_STORAGE_KEY;

/// An extrinsic seen as who signed it and what it calls.
pub trait SignedCall: Decode {
	type Address;
	type Call;
	fn into_signer_and_call(self) -> (Option<Self::Address>, Self::Call);
}

impl<Address, Call, Signature, Extension> SignedCall
	for UncheckedExtrinsic<Address, Call, Signature, Extension>
where
	Self: Decode,
{
	type Address = Address;
	type Call = Call;

	fn into_signer_and_call(self) -> (Option<Address>, Call) {
		let signer = match self.preamble {
			Preamble::Signed(who, ..) => Some(who),
			_ => None,
		};
		(signer, self.function)
	}
}

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
		self.expect_bytes(method, path, body, answer.to_string().into_bytes());
	}

	/// Like [`Testbed::expect`], answered with `answer`'s bytes as they are.
	pub fn expect_bytes(&self, method: &str, path: &str, body: Option<&Value>, answer: Vec<u8>) {
		self.http.write().expect_request(PendingRequest {
			method: method.into(),
			uri: format!("{SIDECAR}{path}"),
			headers: body
				.iter()
				.map(|_| (String::from("Content-Type"), String::from("application/json")))
				.collect(),
			body: body.map(crate::sidecar::canonical_json).unwrap_or_default(),
			response: Some(answer),
			sent: true,
			..Default::default()
		});
	}

	/// The calls submitted to the pool so far, each with its signer (`None` when unsigned),
	/// decoded as this runtime's `Extrinsic`.
	pub fn submitted<Extrinsic: SignedCall>(
		&self,
	) -> Vec<(Option<Extrinsic::Address>, Extrinsic::Call)> {
		self.pool
			.read()
			.transactions
			.iter()
			.map(|bytes| {
				Extrinsic::decode(&mut &bytes[..])
					.expect("the pool holds this runtime's extrinsics")
					.into_signer_and_call()
			})
			.collect()
	}
}

/// The worker key of mocks with `u64` accounts: a `UintAuthorityId` whose account is its number
/// (`UintAuthorityId::set_all_keys` fills the keystore).
pub struct UintWorkerSigner;

impl frame_system::offchain::AppCrypto<UintAuthorityId, TestSignature> for UintWorkerSigner {
	type RuntimeAppPublic = UintAuthorityId;
	type GenericPublic = UintAuthorityId;
	type GenericSignature = TestSignature;
}

/// Signing for a mock runtime with `u64` accounts whose off-chain workers sign with
/// [`UintWorkerSigner`]: defines `Extrinsic` (a `TestXt` signed by the account, no extensions)
/// and implements `SigningTypes`, `CreateTransactionBase` and `CreateSignedTransaction` for
/// `$runtime`, whose `RuntimeCall` must be in scope.
#[macro_export]
macro_rules! impl_uint_signing {
	($runtime:ty) => {
		pub type Extrinsic = sp_runtime::testing::TestXt<RuntimeCall, ()>;

		impl frame_system::offchain::SigningTypes for $runtime {
			type Public = sp_runtime::testing::UintAuthorityId;
			type Signature = sp_runtime::testing::TestSignature;
		}

		impl<C> frame_system::offchain::CreateTransactionBase<C> for $runtime
		where
			RuntimeCall: From<C>,
		{
			type Extrinsic = Extrinsic;
			type RuntimeCall = RuntimeCall;
		}

		impl<C> frame_system::offchain::CreateSignedTransaction<C> for $runtime
		where
			RuntimeCall: From<C>,
		{
			fn create_signed_transaction<
				A: frame_system::offchain::AppCrypto<Self::Public, Self::Signature>,
			>(
				call: RuntimeCall,
				_public: sp_runtime::testing::UintAuthorityId,
				account: u64,
				_nonce: <Self as frame_system::Config>::Nonce,
			) -> Option<Extrinsic> {
				Some(Extrinsic::new_signed(call, account, (), ()))
			}
		}
	};
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::sidecar::{Sidecar, SidecarError, MAX_RESPONSE_BYTES};

	#[test]
	fn an_answer_longer_than_the_cap_is_refused_unread() {
		let mut ext = sp_io::TestExternalities::default();
		let sidecar = Testbed::install(&mut ext);
		ext.execute_with(|| {
			let client = Sidecar::configured().expect("the testbed sets the URL");
			let quoted = |len: usize| format!("\"{}\"", "a".repeat(len)).into_bytes();
			sidecar.expect_bytes("GET", "/health", None, quoted(MAX_RESPONSE_BYTES - 2));
			let reply = client.get("/health").expect("an answer of exactly the cap is read");
			assert_eq!(reply.json::<String>().unwrap().len(), MAX_RESPONSE_BYTES - 2);
			sidecar.expect_bytes("GET", "/health", None, quoted(MAX_RESPONSE_BYTES));
			assert!(matches!(client.get("/health"), Err(SidecarError::TooLarge)));
		});
	}
}
