//! SCALE decoding of what crosses between users, the sidecar and the chain: receipt batches as
//! `submit_receipts` decodes them in the runtime, signed receipts as the sidecar decodes them,
//! and the attribution methods and settings the sidecar takes from the node.
//!
//! Input: a selector byte, then the SCALE bytes. Whatever decodes must encode back to exactly
//! its bytes (one encoding per value: a signature or commitment over a value cannot be made to
//! cover another), and the sidecar's and the runtime's types must agree on every receipt.

use codec::{DecodeAll, DecodeLimit, Encode};
use frame_support::traits::Get;
use pallet_attribution::{ReceiptBatchOf, SignedReceiptOf};
use sp_runtime::MultiSignature;
use tributary_primitives::attribution::{check_top, AttributionMethod, MethodSettings};
use tributary_primitives::receipts::InferenceReceipt;
use tributary_receipts::book::{verifies, ChainSignedReceipt, Receipt, UserSignature};
use tributary_runtime::Runtime;

/// How deep the runtime lets a call's arguments nest.
const DEPTH_LIMIT: u32 = 256;
const GENESIS: [u8; 32] = [7; 32];

pub fn run(data: &[u8]) {
	let Some((&selector, bytes)) = data.split_first() else { return };
	match selector % 4 {
		0 => runtime_batch(bytes),
		1 => sidecar_receipt(bytes),
		2 => drop(round_trip::<AttributionMethod>(bytes)),
		_ => drop(round_trip::<MethodSettings>(bytes)),
	}
}

/// Decodes `T` as the sidecar does (every byte consumed) and checks it encodes back.
fn round_trip<T: DecodeAll + Encode>(bytes: &[u8]) -> Option<T> {
	let value = T::decode_all(&mut &bytes[..]).ok()?;
	assert_eq!(value.encode(), bytes, "{} re-encodes differently", std::any::type_name::<T>());
	Some(value)
}

fn runtime_batch(bytes: &[u8]) {
	let Ok(batch) =
		ReceiptBatchOf::<Runtime>::decode_all_with_depth_limit(DEPTH_LIMIT, &mut &bytes[..])
	else {
		return;
	};
	assert_eq!(batch.encode(), bytes, "a receipt batch re-encodes differently");
	for signed in batch {
		let _ = check_top(&signed.claim.top);
		signed.claim.commitment();
		let payload = signed.receipt.signing_payload(&GENESIS);
		let decoded = InferenceReceipt::from_signing_payload(&payload, &GENESIS);
		assert!(decoded == Some(signed.receipt.clone()), "a signing payload does not decode back");
		if matches!(signed.signature, MultiSignature::Sr25519(_)) {
			let encoded = signed.encode();
			let sidecar = ChainSignedReceipt::decode_all(&mut &encoded[..])
				.expect("the sidecar decodes every sr25519 receipt the runtime decodes");
			assert_eq!(sidecar.encode(), encoded);
		}
	}
}

fn sidecar_receipt(bytes: &[u8]) {
	let Some(signed) = round_trip::<ChainSignedReceipt>(bytes) else { return };
	let receipt: &Receipt = &signed.receipt;
	let UserSignature::Sr25519(signature) = signed.signature;
	let _ = verifies(receipt, &GENESIS, &signed.user, &signature);
	let max_top = <<Runtime as pallet_attribution::Config>::MaxTopK as Get<u32>>::get() as usize;
	if signed.claim.top.len() <= max_top {
		let runtime = SignedReceiptOf::<Runtime>::decode_all(&mut &bytes[..])
			.expect("the runtime decodes every receipt the sidecar makes");
		assert_eq!(runtime.encode(), bytes);
	}
}
