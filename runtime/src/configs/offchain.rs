//! How the pallets' off-chain workers sign and submit transactions: with the validator's worker
//! key (`trwk`), whose account is the validator's own, as an ordinary immortal signed
//! transaction with no tip.

use codec::Encode;
use frame_system::offchain::{
	AppCrypto, CreateSignedTransaction, CreateTransactionBase, SigningTypes,
};
use sp_runtime::{
	generic::{self, Era},
	traits::Verify,
};

use pallet_revive::evm::tx_extension::SetOrigin;

use super::super::{
	AccountId, Address, Balance, Nonce, Runtime, RuntimeCall, Signature, SignedPayload,
	TxExtension, UncheckedExtrinsic,
};

/// The transaction extensions of an immortal transaction with nonce `nonce` and no tip: what
/// the off-chain workers and native tools (`crate::signing`) both sign.
pub fn tx_extension(nonce: Nonce) -> TxExtension {
	immortal_tx_extension(nonce, 0, SetOrigin::default())
}

/// The transaction extensions of an immortal transaction: `set_origin` is the default (inert)
/// one for substrate transactions and the converting one for Ethereum transactions
/// (`super::revive::EthExtraImpl`), whose signature the node has already checked.
pub(super) fn immortal_tx_extension(
	nonce: Nonce,
	tip: Balance,
	set_origin: SetOrigin<Runtime>,
) -> TxExtension {
	(
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(Era::Immortal),
		frame_system::CheckNonce::from(nonce),
		frame_system::CheckWeight::new(),
		pallet_transaction_payment::ChargeTransactionPayment::from(tip),
		frame_metadata_hash_extension::CheckMetadataHash::new(false),
		set_origin,
		frame_system::WeightReclaim::new(),
	)
}

impl SigningTypes for Runtime {
	type Public = <Signature as Verify>::Signer;
	type Signature = Signature;
}

impl<C> CreateTransactionBase<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extrinsic = UncheckedExtrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<C> CreateSignedTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	fn create_signed_transaction<A: AppCrypto<Self::Public, Self::Signature>>(
		call: RuntimeCall,
		public: Self::Public,
		account: AccountId,
		nonce: Nonce,
	) -> Option<UncheckedExtrinsic> {
		let tx_ext = tx_extension(nonce);
		// `SignedPayload::new` adds what each extension signs without carrying it (versions,
		// genesis hash) from the runtime's own state.
		let payload = SignedPayload::new(call, tx_ext).ok()?;
		let signature = payload.using_encoded(|bytes| A::sign(bytes, public))?;
		let (call, tx_ext, _) = payload.deconstruct();
		Some(pallet_revive::evm::runtime::UncheckedExtrinsic(
			generic::UncheckedExtrinsic::new_signed(call, Address::Id(account), signature, tx_ext),
		))
	}
}
