//! Building signed extrinsics natively, the way a wallet does: for tests and native tools.
//! (Only in `std` builds; the wasm runtime never signs anything.)

use crate::{
	configs::tx_extension, Address, Hash, Nonce, RuntimeCall, SignedPayload, UncheckedExtrinsic,
	VERSION,
};
use codec::Encode;
use sp_core::{sr25519, Pair};

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
