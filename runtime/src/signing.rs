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
		(),
	);
	let payload = SignedPayload::from_raw(call.clone(), tx_ext.clone(), implicit);
	let signature = payload.using_encoded(|bytes| signer.sign(bytes));
	let account: sp_runtime::AccountId32 = signer.public().into();
	pallet_revive::evm::runtime::UncheckedExtrinsic(
		sp_runtime::generic::UncheckedExtrinsic::new_signed(
			call,
			Address::Id(account),
			signature.into(),
			tx_ext,
		),
	)
}

/// `session.setKeys`' arguments for a validator whose Aura and worker keys are `sr25519` and
/// whose GRANDPA key is `ed25519` (the layout of the dev validators): the keys, and the proof that
/// `owner` holds each of them, every key's signature of `POP_ ++ owner` in the keys' order.
pub fn session_keys_with_proof(
	sr25519: &sr25519::Pair,
	ed25519: &sp_core::ed25519::Pair,
	owner: &crate::AccountId,
) -> (crate::SessionKeys, alloc::vec::Vec<u8>) {
	let statement = sp_core::proof_of_possession::statement_of_ownership(owner.as_ref());
	let keys = crate::SessionKeys {
		aura: sr25519.public().into(),
		grandpa: ed25519.public().into(),
		worker: sr25519.public().into(),
	};
	let proof = (sr25519.sign(&statement), ed25519.sign(&statement), sr25519.sign(&statement));
	(keys, proof.encode())
}
