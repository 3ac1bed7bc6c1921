//! The off-chain worker of a validator that runs a sidecar (`--worker-url`).
//!
//! **Receipts.** Each block it asks the sidecar (`--worker-url`) for its queue of signed receipts
//! (`GET /receipts/pending?genesis=<this chain's genesis hash>&methods=<SCALE of
//! Params.methods>`, which also tells the sidecar which chain its receipts are signed for and
//! which attribution parameters that chain accepts in records), submits those served by one of the keystore's worker accounts in
//! one `submit_receipts` batch signed by that worker, and removes from the sidecar's queue
//! (`POST /receipts/ack`) every receipt that can no longer land: accepted (its nonce is used on
//! chain), expired, undecodable, or refused [`MAX_SUBMISSIONS`] times. A receipt stays queued at
//! the sidecar until then, so none is lost when a transaction is dropped or the node restarts.
//!
//! **Disputes.** For every open dispute that drew one of the keystore's workers as a recomputer,
//! it has the sidecar recompute the record from the answer's text (which the sidecar fetches by
//! the receipt's output hash from its peers). Recomputation runs in the background on the
//! sidecar: the same request every block reads its state (`202` while running) until the
//! commitment comes, which is then submitted (`submit_recomputation`) before the deadline. When
//! no store has the answer's text (`404 output_unavailable`) and half the recompute period has
//! passed — time for the serving worker to come back — it submits
//! [`tributary_primitives::attribution::TEXT_UNAVAILABLE`]: a worker that cannot show what it was
//! paid for loses the dispute.

use crate::*;
use alloc::{format, string::String, vec::Vec};
use codec::{Decode, Encode};
use frame_support::pallet_prelude::*;
use frame_system::{
	offchain::{Account, SendSignedTransaction, Signer},
	pallet_prelude::BlockNumberFor,
};
use sp_runtime::{
	offchain::{
		storage_lock::{StorageLock, Time},
		Duration,
	},
	traits::Saturating,
	SaturatedConversion,
};
use tributary_primitives::traits::WorkerSet;
use tributary_worker_client::{
	api::{
		adapters::ChainModel,
		paths,
		receipts::{Acknowledgement, PendingQuery, PendingReceipts, PENDING_PAGE},
		recompute::{RecomputeRequest, RecomputeState, OUTPUT_UNAVAILABLE},
		wire::{Hash32, HexBytes},
	},
	retry::Backoff,
	Sidecar,
};

const LOG: &str = "tributary::attribution::ocw";
const RUN_LOCK: &[u8] = b"tributary/attribution/ocw/lock";
/// Wait before submitting a receipt again whose earlier submission has not landed (blocks).
const BACKOFF: Backoff = Backoff { first_wait: 3, max_wait: 24 };
/// Submissions of one receipt before it is dropped from the sidecar's queue as refused.
pub const MAX_SUBMISSIONS: u32 = 4;
/// Pages of the sidecar's receipt queue read in one run at most.
const MAX_PENDING_PAGES: usize = 8;

/// Where the submissions of receipt `id` are counted (offchain storage).
pub(crate) fn receipt_key(id: &str) -> Vec<u8> {
	format!("tributary/attribution/ocw/receipt/{id}").into_bytes()
}

/// One entry of the sidecar's queue.
struct Pending<T: Config> {
	id: String,
	receipt: Option<SignedReceiptOf<T>>,
}

impl<T: Config> Pallet<T> {
	pub(crate) fn offchain_work(now: BlockNumberFor<T>) {
		let Some(sidecar) = Sidecar::configured() else { return };
		let mut lock = StorageLock::<Time>::with_deadline(RUN_LOCK, Duration::from_millis(60_000));
		let Ok(_guard) = lock.try_lock() else { return };
		let workers: Vec<_> = Signer::<T, T::WorkerSigner>::keystore_accounts()
			.filter(|account| T::Workers::is_worker(&account.id))
			.collect();
		if workers.is_empty() {
			return;
		}
		let now_number = now;
		let now: u64 = now.saturated_into();
		Self::submit_pending_receipts(&sidecar, &workers, now_number, now);
		Self::recompute_disputes(&sidecar, &workers, now_number, now);
	}

	/// `GET /receipts/pending` naming this chain: its genesis hash, and the attribution methods it
	/// requires of records now (so a change of `Params` reaches the sidecar's next answer); the
	/// page after queue position `after`, else the first.
	pub(crate) fn pending_receipts_path(after: Option<u64>) -> String {
		PendingQuery::path(&Self::genesis_hash(), &Params::<T>::get().methods.encode(), after)
	}

	/// The sidecar's queue, read a page at a time until a batch's worth of receipts is ready to
	/// submit (not waiting out a backoff) or the queue ends, so receipts in backoff at the head
	/// of the queue never hide the ones behind them. `None` when not even a page could be read.
	fn read_pending(sidecar: &Sidecar, now: u64) -> Option<Vec<Pending<T>>> {
		let mut pending: Vec<Pending<T>> = Vec::new();
		let mut after = None;
		for _ in 0..MAX_PENDING_PAGES {
			let page = match sidecar.get(&Self::pending_receipts_path(after)) {
				Ok(reply) if reply.is_success() => match reply.json::<PendingReceipts>() {
					Ok(page) => page.receipts,
					Err(error) => {
						log::warn!(target: LOG, "sidecar's pending receipts do not decode ({error})");
						break;
					},
				},
				Ok(reply) => {
					log::warn!(target: LOG, "sidecar refused GET /receipts/pending: {}", reply.message());
					break;
				},
				Err(error) => {
					log::warn!(target: LOG, "sidecar {} unreachable for receipts ({error:?})", sidecar.url());
					break;
				},
			};
			let full = page.len() >= PENDING_PAGE;
			after = page.last().map(|entry| entry.sequence);
			pending.extend(page.into_iter().map(|entry| Pending {
				receipt: SignedReceiptOf::<T>::decode(&mut &entry.scale.0[..]).ok(),
				id: entry.id,
			}));
			let ready = pending
				.iter()
				.filter(|entry| {
					entry.receipt.is_some() && !BACKOFF.waiting(&receipt_key(&entry.id), now)
				})
				.count();
			if !full || ready >= T::MaxBatchSize::get() as usize {
				return Some(pending);
			}
		}
		(!pending.is_empty()).then_some(pending)
	}

	fn submit_pending_receipts(
		sidecar: &Sidecar,
		workers: &[Account<T>],
		now_number: BlockNumberFor<T>,
		now: u64,
	) {
		let Some(pending) = Self::read_pending(sidecar, now) else { return };
		let mut done: Vec<String> = Vec::new();
		for account in workers {
			let mut batch: Vec<SignedReceiptOf<T>> = Vec::new();
			for entry in &pending {
				let Some(signed) = &entry.receipt else { continue };
				if signed.receipt.worker != account.id {
					continue;
				}
				let key = receipt_key(&entry.id);
				if UsedNonces::<T>::contains_key(&signed.user, signed.receipt.nonce) {
					done.push(entry.id.clone());
				} else if signed.receipt.expiry < now_number {
					log::info!(target: LOG, "receipt {} is past its expiry: it landed or never will; dropping it", entry.id);
					done.push(entry.id.clone());
				} else if Backoff::tries(&key) >= MAX_SUBMISSIONS {
					log::warn!(target: LOG, "receipt {} was refused {MAX_SUBMISSIONS} times; dropping it", entry.id);
					done.push(entry.id.clone());
				} else if batch.len() < T::MaxBatchSize::get() as usize
					&& BACKOFF.try_now(&key, now)
				{
					batch.push(signed.clone());
				}
			}
			if batch.is_empty() {
				continue;
			}
			let count = batch.len();
			let call = Call::submit_receipts { batch: BoundedVec::truncate_from(batch) };
			match Signer::<T, T::WorkerSigner>::any_account()
				.send_single_signed_transaction(account, call)
			{
				Some(Ok(())) => log::info!(target: LOG, "submitted a batch of {count} receipts"),
				_ => {
					log::warn!(target: LOG, "could not submit a batch of {count} receipts; will retry")
				},
			}
		}
		for entry in pending.iter().filter(|entry| entry.receipt.is_none()) {
			log::error!(target: LOG, "receipt {} does not decode as this chain's receipt; dropping it", entry.id);
			done.push(entry.id.clone());
		}
		if !done.is_empty() {
			if let Err(error) =
				sidecar.post(paths::ACK_RECEIPTS, &Acknowledgement { ids: done.clone() })
			{
				log::warn!(target: LOG, "could not acknowledge {} receipts ({error:?}); will retry", done.len());
			}
		}
	}

	fn recompute_disputes(
		sidecar: &Sidecar,
		workers: &[Account<T>],
		now_number: BlockNumberFor<T>,
		now: u64,
	) {
		for (record, dispute) in Disputes::<T>::iter() {
			if now_number > dispute.deadline {
				continue;
			}
			let Some(info) = Records::<T>::get(record) else { continue };
			for account in workers {
				let assigned = dispute.recomputers.contains(&account.id);
				let submitted = dispute.recomputations.iter().any(|(who, _)| *who == account.id);
				let key = format!("tributary/attribution/ocw/recompute/{record}").into_bytes();
				if !assigned || submitted {
					continue;
				}
				let body = RecomputeRequest {
					chain: ChainModel { model: info.model, version: info.version },
					output_hash: Hash32(info.output_hash),
					method_scale: HexBytes(info.method.encode()),
				};
				let commitment = match sidecar.post(paths::RECOMPUTE, &body) {
					Ok(reply) if reply.is_success() => match reply.json::<RecomputeState>() {
						Ok(RecomputeState::Running) => {
							log::info!(target: LOG, "the sidecar is still recomputing record {record}");
							continue;
						},
						Ok(RecomputeState::Done { commitment, .. }) => Some(commitment.0),
						Err(error) => {
							log::error!(target: LOG, "the sidecar's recomputation of record {record} does not decode ({error})");
							None
						},
					},
					Ok(reply)
						if reply.error().and_then(|error| error.code).as_deref()
							== Some(OUTPUT_UNAVAILABLE) =>
					{
						// Give the serving worker half the period to come back before saying so.
						let half = Params::<T>::get().recompute_period / 2u32.into();
						if now_number < dispute.deadline.saturating_sub(half) {
							log::info!(target: LOG, "the text of record {record} is unavailable so far; asking again");
							continue;
						}
						log::warn!(target: LOG, "the text of record {record} is unavailable: {}", reply.message());
						Some(tributary_primitives::attribution::TEXT_UNAVAILABLE)
					},
					Ok(reply) => {
						log::warn!(target: LOG, "sidecar cannot recompute record {record}: {}", reply.message());
						continue;
					},
					Err(error) => {
						log::warn!(target: LOG, "sidecar unreachable to recompute record {record} ({error:?})");
						continue;
					},
				};
				let Some(commitment) = commitment else {
					log::error!(target: LOG, "the sidecar's recomputation of record {record} has no commitment");
					continue;
				};
				if !BACKOFF.try_now(&key, now) {
					continue;
				}
				let call = Call::submit_recomputation { record, commitment };
				match Signer::<T, T::WorkerSigner>::any_account()
					.send_single_signed_transaction(account, call)
				{
					Some(Ok(())) => {
						log::info!(target: LOG, "submitted the recomputation of disputed record {record}")
					},
					_ => {
						log::warn!(target: LOG, "could not submit the recomputation of record {record}; will retry")
					},
				}
			}
		}
	}
}
