//! Building signed extrinsics natively, the way a wallet does: for tests and native tools.
//! (Only in `std` builds; the wasm runtime never signs anything.)

use crate::{
	Address, Hash, Nonce, RuntimeCall, SignedPayload, TxExtension, UncheckedExtrinsic, VERSION,
};
use codec::Encode;
use sp_core::{sr25519, Pair};
use sp_runtime::generic::Era;

/// The transaction extensions of an immortal transaction with nonce `nonce` and no tip.
pub fn tx_extension(nonce: Nonce) -> TxExtension {
	(
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(Era::Immortal),
		frame_system::CheckNonce::from(nonce),
		frame_system::CheckWeight::new(),
		pallet_transaction_payment::ChargeTransactionPayment::from(0),
		frame_metadata_hash_extension::CheckMetadataHash::new(false),
		frame_system::WeightReclaim::new(),
	)
}

/// Sign `call` as `signer` for the chain whose genesis block hash is `genesis_hash`.
pub fn sign_extrinsic(
	call: RuntimeCall,
	signer: &sr25519::Pair,
	nonce: Nonce,
	genesis_hash: Hash,
) -> UncheckedExtrinsic {
	let tx_ext = tx_extension(nonce);
	// What each extension adds to the signed payload without putting it in the extrinsic:
	// spec and transaction version, genesis hash, and (immortal era) the genesis hash again.
	let implicit = (
		(),
		VERSION.spec_version,
		VERSION.transaction_version,
		genesis_hash,
		genesis_hash,
		(),
		(),
		(),
		None,
		(),
	);
	let payload = SignedPayload::from_raw(call.clone(), tx_ext.clone(), implicit);
	let signature = payload.using_encoded(|bytes| signer.sign(bytes));
	let account: sp_runtime::AccountId32 = signer.public().into();
	UncheckedExtrinsic::new_signed(call, Address::Id(account), signature.into(), tx_ext)
}
