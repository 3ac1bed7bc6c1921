//! The off-chain worker of a validator that runs a sidecar.
//!
//! Each block, for every worker key in the keystore whose account is an active worker (registered,
//! a validator, bond at the floor), it drives the jobs the chain assigned to that account on the
//! local sidecar (`--worker-url`):
//! - as **trainer**: post the train job (rows named by (datanet, row) so the adapter's corpus is
//!   known to attribution) and, once the sidecar reports it done, submit the adapter hash and
//!   losses;
//! - as **verifier**: post an eval of the trainer's adapter (the sidecar fetches it from its
//!   peers) on the same held-out rows, and submit its loss and the base model's loss alone on
//!   those rows (the chain checks that the adapter beats the base);
//!
//! and it has the sidecar serve every model version in storage (not only those whose acceptance it
//! saw), as model id
//! `model-<model>-v<version>`.
//!
//! Sidecar job ids are `<genesis>-job<job>-a<attempt>-<role>`, so each attempt of each role runs
//! once and a sidecar reused across chains never mixes them up. A train job the sidecar
//! lost (it was killed mid-run and marks such jobs failed) is posted again under a new run
//! suffix, at most [`MAX_SIDECAR_RUNS`] times; the chain pays a job only once whatever happens
//! off-chain. Transactions are submitted with exponential backoff (see
//! [`tributary_worker_client::retry`]) until the chain shows their effect.

use crate::*;
use alloc::{format, string::String, vec::Vec};
use frame_support::pallet_prelude::*;
use frame_system::{
	offchain::{Account, SendSignedTransaction, Signer},
	pallet_prelude::BlockNumberFor,
};
use sp_runtime::{
	offchain::{
		storage::StorageValueRef,
		storage_lock::{StorageLock, Time},
		Duration,
	},
	SaturatedConversion,
};
use tributary_primitives::traits::DatanetsInspect;
use tributary_primitives::{
	attribution::RowRef,
	datanets::PublishedRow,
	hex,
	models::{JobId, JobState, ModelId, ModelVersionId, PinnedDatanetVersion, TrainingResult},
};
use tributary_worker_client::{
	api::{
		adapters::{AdapterRegistration, ChainModel, CorpusRow},
		jobs::{
			loss_ppb, EvalJob, JobMetrics, JobRecord, JobRow, JobSettings, JobStatus, NamedRow,
			TrainJob,
		},
		paths,
		wire::Hash32,
	},
	retry::Backoff,
	Reply, Sidecar, SidecarError,
};

const LOG: &str = "tributary::models::ocw";
/// One run at a time: runs of consecutive blocks would otherwise poll and submit the same jobs.
const RUN_LOCK: &[u8] = b"tributary/models/ocw/lock";
/// How often a transaction is submitted or a version registered again when the chain or the
/// sidecar shows no effect yet (blocks).
const BACKOFF: Backoff = Backoff { first_wait: 3, max_wait: 50 };
/// How many times a train job is posted under a new id after the sidecar reported it failed.
pub const MAX_SIDECAR_RUNS: u32 = 3;

/// What a validator's worker does with one assigned job in the current phase.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Role {
	Train,
	Verify,
}

impl Role {
	fn name(self) -> &'static str {
		match self {
			Role::Train => "train",
			Role::Verify => "verify",
		}
	}
}

impl<T: Config> Pallet<T> {
	pub(crate) fn offchain_work(now: BlockNumberFor<T>) {
		let Some(sidecar) = Sidecar::configured() else { return };
		let mut lock = StorageLock::<Time>::with_deadline(RUN_LOCK, Duration::from_millis(120_000));
		let Ok(_guard) = lock.try_lock() else {
			log::debug!(target: LOG, "the previous run is still going; skipping block {now:?}");
			return;
		};
		let now: u64 = now.saturated_into();
		for account in Signer::<T, T::WorkerSigner>::keystore_accounts() {
			if !Workers::<T>::contains_key(&account.id) {
				continue;
			}
			if let Err(why) = Self::ensure_active(&account.id) {
				// Suspended (bond below the floor: `top_up_bond`) or no longer a validator: the
				// chain would refuse its results.
				log::warn!(target: LOG, "worker {:?} may not act: {why:?}", account.id);
				continue;
			}
			for job_id in WorkerJobs::<T>::get(&account.id) {
				let Some(job) = Jobs::<T>::get(job_id) else { continue };
				if let Some(role) = Self::role_of(&account.id, &job) {
					Self::drive(&sidecar, &account, job_id, &job, role, now);
				}
			}
		}
		Self::serve_accepted_versions(&sidecar, now);
	}

	/// What `worker` still has to do for `job`, if anything.
	fn role_of(worker: &T::AccountId, job: &JobInfo<T>) -> Option<Role> {
		match job.state {
			JobState::Training if job.trainer.as_ref() == Some(worker) => Some(Role::Train),
			JobState::Verifying
				if job.verifiers.contains(worker)
					&& !job.verifications.iter().any(|report| report.verifier == *worker) =>
			{
				Some(Role::Verify)
			},
			_ => None,
		}
	}

	/// Short tag of this chain, so sidecar job ids of different chains never collide.
	pub(crate) fn chain_tag() -> String {
		let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
		hex::encode(&genesis.as_ref()[..4])
	}

	/// Offchain storage key of one action on one attempt of a job.
	fn action_key(job_id: JobId, attempt: u32, action: &str) -> Vec<u8> {
		format!("tributary/models/ocw/job{job_id}-a{attempt}/{action}").into_bytes()
	}

	fn drive(
		sidecar: &Sidecar,
		account: &Account<T>,
		job_id: JobId,
		job: &JobInfo<T>,
		role: Role,
		now: u64,
	) {
		let runs_key = Self::action_key(job_id, job.attempt, &format!("{}-runs", role.name()));
		let runs = StorageValueRef::persistent(&runs_key).get::<u32>().ok().flatten().unwrap_or(0);
		let sidecar_id = Self::sidecar_job_id(job_id, job.attempt, role, runs);
		let Some(request) = Self::job_request(&sidecar_id, job, role) else {
			log::error!(target: LOG, "job {job_id}: a pinned datanet version has lost rows; not posting it");
			return;
		};
		// Posting is idempotent (the sidecar answers with the existing job for a repeated id and
		// request), so every run posts and reads the job's state from the answer.
		let reply = match request.post(sidecar) {
			Ok(reply) if reply.is_success() => reply,
			Ok(reply) => {
				log::error!(target: LOG, "sidecar refused {sidecar_id}: {}", reply.message());
				return;
			},
			Err(error) => {
				log::warn!(target: LOG, "sidecar {} unreachable for job {job_id} ({error:?})", sidecar.url());
				return;
			},
		};
		let record: JobRecord = match reply.json() {
			Ok(record) => record,
			Err(error) => {
				log::warn!(target: LOG, "sidecar's answer for {sidecar_id} is no job record ({error})");
				return;
			},
		};
		match record.status {
			JobStatus::Succeeded => Self::submit_outcome(account, job_id, job, role, &record, now),
			JobStatus::Failed => {
				let error = record.error.as_deref().unwrap_or("no reason given");
				if role == Role::Train && runs + 1 < MAX_SIDECAR_RUNS {
					log::warn!(target: LOG, "sidecar job {sidecar_id} failed ({error}); training job {job_id} again");
					StorageValueRef::persistent(&runs_key).set(&(runs + 1));
				} else {
					log::error!(
						target: LOG,
						"sidecar job {sidecar_id} failed ({error}); job {job_id} will time out on chain"
					);
				}
			},
			// Shown in the node's log (info), so a fine-tune's progress is visible where the
			// validator looks.
			status => log::info!(
				target: LOG,
				"sidecar job {sidecar_id} is {status:?}: step {} of {}, loss {}",
				record.progress.step,
				record.progress.total_steps,
				record.progress.loss.map_or("-".into(), |loss| format!("{loss:.3}"))
			),
		}
	}

	/// The sidecar's id of a job's attempt in one role; `runs` counts earlier runs it lost.
	pub(crate) fn sidecar_job_id(job_id: JobId, attempt: u32, role: Role, runs: u32) -> String {
		let id = format!("{}-job{job_id}-a{attempt}-{}", Self::chain_tag(), role.name());
		if runs == 0 {
			id
		} else {
			format!("{id}-r{runs}")
		}
	}

	/// The sidecar job for `role`; `None` when the job's rows are gone.
	pub(crate) fn job_request(
		sidecar_id: &str,
		job: &JobInfo<T>,
		role: Role,
	) -> Option<JobRequest> {
		let rows: Vec<JobRow> = Self::lineage_rows(&job.datanets)?
			.iter()
			.map(|(name, row)| JobRow::Named(NamedRow::published(*name, row)))
			.collect();
		let settings = JobSettings::from(&job.settings);
		Some(match role {
			Role::Train => JobRequest::Train(TrainJob {
				id: sidecar_id.into(),
				rows,
				settings,
				register_as: Some(sidecar_id.into()),
			}),
			Role::Verify => JobRequest::Eval(EvalJob {
				id: sidecar_id.into(),
				rows,
				model: None,
				adapter: Some(Hash32(job.result.as_ref()?.adapter_hash)),
				settings: Some(settings),
				held_out: true,
				sequence_length: None,
				batch_size: None,
			}),
		})
	}

	fn submit_outcome(
		account: &Account<T>,
		job_id: JobId,
		job: &JobInfo<T>,
		role: Role,
		record: &JobRecord,
		now: u64,
	) {
		let call = match (role, &record.metrics) {
			(Role::Train, Some(JobMetrics::Train(metrics))) => {
				let result = record.result_hash.and_then(|adapter_hash| {
					Some(TrainingResult {
						adapter_hash: adapter_hash.0,
						adapter_bytes: metrics.adapter_bytes,
						train_loss_ppb: loss_ppb(metrics.train_loss?)?,
						eval_loss_ppb: loss_ppb(metrics.eval_loss_after)?,
					})
				});
				let Some(result) = result else {
					log::error!(target: LOG, "job {job_id}: the sidecar's train result is incomplete: {record:?}");
					return;
				};
				Call::submit_training_result { job: job_id, result }
			},
			(Role::Verify, Some(JobMetrics::Eval(metrics))) => {
				let (Some(eval_loss_ppb), Some(base_loss_ppb)) =
					(loss_ppb(metrics.eval_loss), loss_ppb(metrics.base_loss))
				else {
					log::error!(target: LOG, "job {job_id}: the sidecar's eval losses are not finite: {record:?}");
					return;
				};
				Call::submit_verification { job: job_id, eval_loss_ppb, base_loss_ppb }
			},
			_ => {
				log::error!(target: LOG, "job {job_id}: the sidecar's {} job succeeded without its metrics: {record:?}", role.name());
				return;
			},
		};
		if !BACKOFF.try_now(
			&Self::action_key(job_id, job.attempt, &format!("submit-{}", role.name())),
			now,
		) {
			return;
		}
		match Signer::<T, T::WorkerSigner>::any_account()
			.send_single_signed_transaction(account, call)
		{
			Some(Ok(())) => {
				log::info!(target: LOG, "submitted the {} result of job {job_id}", role.name())
			},
			_ => {
				log::warn!(target: LOG, "could not submit the {} result of job {job_id}; will retry", role.name())
			},
		}
	}

	/// Every row of the pinned versions with its chain name, or `None` when a version no longer
	/// holds the rows it was pinned with.
	pub(crate) fn lineage_rows(
		datanets: &[PinnedDatanetVersion],
	) -> Option<Vec<(RowRef, PublishedRow)>> {
		let mut rows = Vec::new();
		for pinned in datanets {
			let published = T::Datanets::published_rows(pinned.datanet, pinned.version);
			if published.len() != pinned.row_count as usize {
				return None;
			}
			rows.extend(
				published
					.into_iter()
					.map(|row| (RowRef { datanet: pinned.datanet, row: row.row }, row)),
			);
		}
		Some(rows)
	}

	/// Have the sidecar serve every model version on chain it does not serve yet. The versions
	/// are read from storage, not from this block's events, so a validator whose off-chain worker
	/// missed the block that accepted a version (it was down, syncing, or busy) still serves it
	/// and can recompute its disputed records.
	fn serve_accepted_versions(sidecar: &Sidecar, now: u64) {
		for (model, version) in ModelVersions::<T>::iter_keys() {
			let served = format!("tributary/models/ocw/served/{model}-{version}").into_bytes();
			if StorageValueRef::persistent(&served).get::<bool>().ok().flatten() == Some(true) {
				continue;
			}
			let key = format!("tributary/models/ocw/serve/{model}-{version}").into_bytes();
			if BACKOFF.try_now(&key, now) && Self::serve(sidecar, model, version) {
				StorageValueRef::persistent(&served).set(&true);
			}
		}
	}

	/// Register a model version with the sidecar; true once it serves it.
	fn serve(sidecar: &Sidecar, model: ModelId, version: ModelVersionId) -> bool {
		let Some(info) = ModelVersions::<T>::get(model, version) else { return true };
		let Some(rows) = Self::lineage_rows(&info.datanets) else {
			log::error!(target: LOG, "model {model} v{version}: its datanet versions lost rows; not serving it");
			return true;
		};
		let body = AdapterRegistration::<()> {
			id: format!("model-{model}-v{version}"),
			adapter_hash: Hash32(info.result.adapter_hash),
			adapter_config: None,
			settings: Some(JobSettings::from(&info.settings)),
			chain: Some(ChainModel { model, version }),
			corpus: rows
				.iter()
				.map(|(name, row)| CorpusRow {
					datanet: name.datanet,
					row: name.row,
					hash: Hash32(row.content_hash),
				})
				.collect(),
		};
		match sidecar.post(paths::ADAPTERS, &body) {
			Ok(reply) if reply.is_success() => {
				log::info!(target: LOG, "the sidecar serves model {model} v{version} as model-{model}-v{version}");
				true
			},
			Ok(reply) => {
				log::warn!(target: LOG, "sidecar refused model {model} v{version}: {}", reply.message());
				false
			},
			Err(error) => {
				log::warn!(target: LOG, "registering model {model} v{version} failed: {error:?}");
				false
			},
		}
	}
}

/// A sidecar job request of either kind.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum JobRequest {
	Train(TrainJob),
	Eval(EvalJob),
}

impl JobRequest {
	pub(crate) fn path(&self) -> &'static str {
		match self {
			JobRequest::Train(_) => paths::TRAIN_JOB,
			JobRequest::Eval(_) => paths::EVAL_JOB,
		}
	}

	fn post(&self, sidecar: &Sidecar) -> Result<Reply, SidecarError> {
		match self {
			JobRequest::Train(job) => sidecar.post(self.path(), job),
			JobRequest::Eval(job) => sidecar.post(self.path(), job),
		}
	}

	/// The request's JSON body, as the tests expect it.
	#[cfg(test)]
	pub(crate) fn body(&self) -> serde_json::Value {
		match self {
			JobRequest::Train(job) => serde_json::to_value(job),
			JobRequest::Eval(job) => serde_json::to_value(job),
		}
		.expect("the contract's types serialize")
	}
}
