//! The off-chain worker of a validator that runs a sidecar (`--worker-url`): it hands the
//! sidecar every contributed row to check, and reports the rows the sidecar found at odds with
//! the chain.
//!
//! Each block it first posts the rows contributed since its last hand-over to the sidecar's
//! `POST /rows/check` (at most [`MAX_ROWS_PER_HAND_OVER`] per datanet; a per-datanet cursor in
//! offchain storage moves on only when the sidecar accepted them), so the sidecar scores their
//! quality for curators and compares them with the rows contributed before them.
//!
//! Then it reads the sidecar's `GET /rows/reports`: rows whose bytes are not their declared
//! `byte_len` long, rows no store serves, and near-duplicates of earlier rows. For each it
//! submits `report_row`, signed by the first of the keystore's worker accounts that is active,
//! when the chain would accept it now: the row is the one the sidecar saw (same content hash),
//! approved or published with its deposit held, no challenge open, and the claim passes the
//! pallet's checks (a length that differs from the declared one; an earlier approved original
//! and a similarity at least `NearDuplicateThreshold`).
//!
//! A report holds a bond and is lost when the judge rejects it, so each row is reported at most
//! once per worker: after the chain shows the worker's challenge open, the row is marked done in
//! offchain storage; a transaction that never lands is retried with backoff, at most
//! [`MAX_SUBMISSIONS`] times.

use crate::*;
use alloc::{format, vec::Vec};
use frame_support::pallet_prelude::*;
use frame_system::{
	offchain::{Account, SendSignedTransaction, Signer},
	pallet_prelude::BlockNumberFor,
};
use sp_runtime::{offchain::storage::StorageValueRef, SaturatedConversion};
use tributary_primitives::traits::WorkerSet;
use tributary_primitives::{
	datanets::{ChallengeKind, DatanetId, RowId},
	ContentHash,
};
use tributary_worker_client::{
	api::{
		paths,
		rows::{RowProblem, RowReport, RowReports, RowToCheck, RowsToCheck},
		wire::Hash32,
	},
	retry::Backoff,
	Sidecar,
};

const LOG: &str = "tributary::datanets::ocw";
/// Wait before submitting a report again whose earlier submission has not landed (blocks).
const BACKOFF: Backoff = Backoff { first_wait: 3, max_wait: 24 };
/// Submissions of one report before the worker gives up on it.
pub const MAX_SUBMISSIONS: u32 = 3;
/// Rows of one datanet handed to the sidecar per block.
pub const MAX_ROWS_PER_HAND_OVER: u64 = 64;

/// One entry of the sidecar's `GET /rows/reports`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SidecarRowReport {
	pub datanet: DatanetId,
	pub row: RowId,
	pub content_hash: ContentHash,
	pub kind: ChallengeKind,
}

impl From<&RowReport> for SidecarRowReport {
	fn from(report: &RowReport) -> Self {
		let kind = match report.problem {
			// A length past u32::MAX is no declared length: report the largest one.
			RowProblem::ByteLenMismatch { observed, .. } => ChallengeKind::ByteLenMismatch {
				observed: observed.min(u64::from(u32::MAX)) as u32,
			},
			RowProblem::Unfetchable => ChallengeKind::Unfetchable,
			RowProblem::NearDuplicate { original_datanet, original, similarity_ppm } => {
				ChallengeKind::NearDuplicate { original_datanet, original, similarity_ppm }
			},
		};
		Self { datanet: report.datanet, row: report.row, content_hash: report.hash.0, kind }
	}
}

impl<T: Config> Pallet<T> {
	pub(crate) fn offchain_work(now: BlockNumberFor<T>) {
		let Some(sidecar) = Sidecar::configured() else { return };
		let Some(reporter) = Signer::<T, T::WorkerSigner>::keystore_accounts()
			.find(|account| T::Workers::is_active(&account.id))
		else {
			return;
		};
		Self::hand_over_rows(&sidecar);
		let reply = match sidecar.get(paths::ROW_REPORTS) {
			Ok(reply) if reply.is_success() => reply,
			Ok(reply) => {
				log::warn!(target: LOG, "sidecar refused GET /rows/reports: {}", reply.message());
				return;
			},
			Err(error) => {
				log::debug!(target: LOG, "sidecar {} unreachable for row reports ({error:?})", sidecar.url());
				return;
			},
		};
		let reports = match reply.json::<RowReports>() {
			Ok(answer) => answer.reports,
			Err(error) => {
				log::warn!(target: LOG, "sidecar's row reports do not decode ({error}); reporting none");
				return;
			},
		};
		let now: u64 = now.saturated_into();
		for report in &reports {
			Self::report(&reporter, report.into(), now);
		}
	}

	/// Posts each datanet's rows contributed since the last accepted hand-over to
	/// `POST /rows/check`.
	fn hand_over_rows(sidecar: &Sidecar) {
		for (datanet, info) in Datanet::<T>::iter() {
			let key = format!("tributary/datanets/ocw/checked/{datanet}").into_bytes();
			let cursor = StorageValueRef::persistent(&key);
			let from = cursor.get::<u64>().ok().flatten().unwrap_or(0);
			let to = info.next_row_id.min(from.saturating_add(MAX_ROWS_PER_HAND_OVER));
			if from >= to {
				continue;
			}
			let rows: Vec<RowToCheck> = (from..to)
				.filter_map(|row| {
					Rows::<T>::get(datanet, row).map(|info| RowToCheck {
						datanet,
						row,
						hash: Hash32(info.content_hash),
						contributed_at: info.contributed_at.saturated_into(),
					})
				})
				.collect();
			match sidecar.post(paths::ROW_CHECK, &RowsToCheck { rows }) {
				Ok(reply) if reply.is_success() => cursor.set(&to),
				Ok(reply) => {
					log::warn!(target: LOG, "sidecar refused rows {from}..{to} of datanet {datanet} to check: {}", reply.message());
				},
				Err(error) => {
					log::debug!(target: LOG, "sidecar {} unreachable for row checks ({error:?})", sidecar.url());
					return;
				},
			}
		}
	}

	fn report(reporter: &Account<T>, report: SidecarRowReport, now: u64) {
		let SidecarRowReport { datanet, row, kind, .. } = report;
		let done = format!("tributary/datanets/ocw/reported/{datanet}/{row}").into_bytes();
		if StorageValueRef::persistent(&done).get::<bool>().ok().flatten() == Some(true) {
			return;
		}
		if let Some(challenge) = Challenges::<T>::get(datanet, row) {
			if challenge.challenger == reporter.id {
				StorageValueRef::persistent(&done).set(&true);
			}
			return;
		}
		if !Self::reportable(&report) {
			return;
		}
		let key = format!("tributary/datanets/ocw/report/{datanet}/{row}").into_bytes();
		if Backoff::tries(&key) >= MAX_SUBMISSIONS || !BACKOFF.try_now(&key, now) {
			return;
		}
		let call = Call::report_row { datanet, row, kind };
		match Signer::<T, T::WorkerSigner>::any_account()
			.send_single_signed_transaction(reporter, call)
		{
			Some(Ok(())) => {
				log::info!(target: LOG, "reported datanet {datanet} row {row}: {kind:?}")
			},
			_ => {
				log::warn!(target: LOG, "could not report datanet {datanet} row {row}; will retry")
			},
		}
	}

	/// Whether `report_row` would accept the report now (an open challenge aside).
	fn reportable(report: &SidecarRowReport) -> bool {
		let Some(info) = Rows::<T>::get(report.datanet, report.row) else { return false };
		info.content_hash == report.content_hash
			&& Self::check_claim(report.datanet, report.row, &info, report.kind).is_ok()
	}
}
