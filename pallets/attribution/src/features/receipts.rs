//! Accepting signed receipts with their attribution claims.

use crate::*;
use frame_support::{pallet_prelude::*, storage::with_storage_layer, traits::fungible::MutateHold};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{One, Saturating, Verify, Zero};
use tributary_primitives::traits::{ModelsInspect, RowsInspect, WorkerSet};
use tributary_primitives::{
	attribution::{check_top, MethodDefect, TopDefect},
	datanets::RowStatus,
	models::DatanetVersionRef,
	receipts::{wrapped_for_wallets, SignedReceipt},
	rewards::RecordId,
};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_submit_receipts(
		worker: T::AccountId,
		batch: ReceiptBatchOf<T>,
	) -> DispatchResult {
		ensure!(T::Workers::is_worker(&worker), Error::<T>::NotWorker);
		ensure!(T::Workers::is_active(&worker), Error::<T>::WorkerSuspended);
		ensure!(!batch.is_empty(), Error::<T>::EmptyBatch);
		for (index, signed) in batch.into_iter().enumerate() {
			let (user, nonce) = (signed.user.clone(), signed.receipt.nonce);
			// Each receipt in its own layer: a refused one leaves nothing behind.
			if let Err(error) = with_storage_layer(|| Self::accept_receipt(&worker, signed)) {
				Self::deposit_event(Event::ReceiptRefused {
					index: index as u32,
					user,
					nonce,
					error,
				});
			}
		}
		Ok(())
	}

	/// Check one receipt, hold its fee and store its record.
	fn accept_receipt(
		worker: &T::AccountId,
		signed: SignedReceiptOf<T>,
	) -> Result<RecordId, DispatchError> {
		let SignedReceipt { receipt, user, signature, claim } = signed;
		ensure!(receipt.worker == *worker, Error::<T>::WrongWorker);
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now <= receipt.expiry, Error::<T>::ReceiptExpired);
		let payload = receipt.signing_payload(&Self::genesis_hash());
		ensure!(
			signature.verify(&payload[..], &user)
				|| signature.verify(&wrapped_for_wallets(&payload)[..], &user),
			Error::<T>::BadSignature
		);
		ensure!(!UsedNonces::<T>::contains_key(&user, receipt.nonce), Error::<T>::NonceUsed);

		let facts = T::Models::model_version(receipt.model, receipt.version)
			.ok_or(Error::<T>::UnknownModelVersion)?;
		ensure!(!facts.retired, Error::<T>::ModelRetired);
		let price = facts.price_per_1k_tokens.ok_or(Error::<T>::ModelNotPriced)?;
		ensure!(facts.adapter == receipt.adapter, Error::<T>::AdapterMismatch);

		Params::<T>::get().methods.check(&claim.method, &receipt.prompt_hash).map_err(
			|defect| match defect {
				MethodDefect::NotChainParams => Error::<T>::MethodNotAllowed,
				MethodDefect::RagQueryNotPrompt => Error::<T>::RagQueryNotPrompt,
			},
		)?;
		check_top(&claim.top).map_err(|defect| match defect {
			TopDefect::ZeroScore => Error::<T>::ZeroScore,
			TopDefect::ScoresExceedOne => Error::<T>::ScoresExceedOne,
			TopDefect::NotCanonical => Error::<T>::ScoresNotCanonical,
		})?;
		for score in claim.top.iter() {
			let row =
				T::Rows::row(score.row.datanet, score.row.row).ok_or(Error::<T>::UnknownRow)?;
			match row.status {
				RowStatus::Slashed => return Err(Error::<T>::RowSlashed.into()),
				RowStatus::Published(version)
					if facts
						.lineage
						.contains(&DatanetVersionRef { datanet: score.row.datanet, version }) => {},
				_ => return Err(Error::<T>::RowOutsideLineage.into()),
			}
		}

		let fee =
			Self::inference_fee(price, receipt.tokens_in, receipt.tokens_out).min(receipt.max_fee);
		if !fee.is_zero() {
			T::Currency::hold(&HoldReason::InferenceFee.into(), &user, fee)?;
		}

		let commitment = claim.commitment();
		let id = NextRecordId::<T>::get();
		NextRecordId::<T>::put(id.saturating_add(1));
		let challenge_ends = now.saturating_add(T::ChallengeWindow::get());
		Self::queue_for_finalization(id, challenge_ends.saturating_add(One::one()));
		Self::note_nonce(&user, receipt.nonce, receipt.expiry, id);
		Self::record_opened(worker);
		Records::<T>::insert(
			id,
			RecordInfo {
				user: user.clone(),
				worker: worker.clone(),
				model: receipt.model,
				version: receipt.version,
				adapter: receipt.adapter,
				prompt_hash: receipt.prompt_hash,
				output_hash: receipt.output_hash,
				tokens_in: receipt.tokens_in,
				tokens_out: receipt.tokens_out,
				nonce: receipt.nonce,
				fee,
				method: claim.method,
				top: claim.top,
				body: claim.body,
				commitment,
				submitted_at: now,
				challenge_ends,
				status: RecordStatus::Pending,
			},
		);
		Self::deposit_event(Event::ReceiptAccepted {
			record: id,
			user,
			nonce: receipt.nonce,
			worker: worker.clone(),
			fee,
			commitment,
		});
		Ok(id)
	}

	/// The hash of this chain's genesis block, which receipts are signed over.
	pub fn genesis_hash() -> [u8; 32] {
		let hash = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
		let mut genesis = [0u8; 32];
		let bytes = hash.as_ref();
		genesis.copy_from_slice(&bytes[..32.min(bytes.len())]);
		genesis
	}

	/// `ceil(price_per_1k × (tokens_in + tokens_out) / 1000)`, saturating.
	pub fn inference_fee(
		price_per_1k: BalanceOf<T>,
		tokens_in: u32,
		tokens_out: u32,
	) -> BalanceOf<T> {
		let tokens = BalanceOf::<T>::from(tokens_in).saturating_add(tokens_out.into());
		let total = price_per_1k.saturating_mul(tokens);
		let thousand = BalanceOf::<T>::from(1_000u32);
		let rounded_up = if (total % thousand).is_zero() { Zero::zero() } else { 1u32.into() };
		(total / thousand).saturating_add(rounded_up)
	}
}
