//! Deterministic choice of a job's trainer and verifiers, and bookkeeping of workers' active
//! jobs.

use crate::*;
use alloc::vec::Vec;
use codec::Encode;
use frame_support::{pallet_prelude::*, traits::Defensive};
use sp_runtime::traits::Saturating;
use tributary_primitives::models::{JobId, JobState};

/// Domain separator of the assignment seed.
const ASSIGNMENT_DOMAIN: &[u8] = b"tributary/assign";

impl<T: Config> Pallet<T> {
	/// The trainer and verifiers attempt `attempt` of `job` would get in this block, if there are
	/// enough eligible workers.
	///
	/// Eligible workers are the registered ones with fewer than `MaxJobsPerWorker` active jobs, in
	/// registration order; `n` is their count and `k` is `VerifiersPerJob`. With
	/// `seed = blake2_256(SCALE(b"tributary/assign", job, attempt, parent_hash))` and
	/// `start = u64::from_le_bytes(seed[0..8]) mod n`, the trainer is eligible worker `start` and
	/// the verifiers are the `k` workers after it, wrapping around. Needs `n ≥ k + 1`.
	pub fn select_workers(job: JobId, attempt: u32) -> Option<(T::AccountId, VerifiersOf<T>)> {
		let capacity = T::MaxJobsPerWorker::get() as usize;
		let eligible: Vec<T::AccountId> = WorkerList::<T>::get()
			.into_iter()
			.filter(|worker| WorkerJobs::<T>::decode_len(worker).unwrap_or(0) < capacity)
			.collect();
		let verifier_count = T::VerifiersPerJob::get() as usize;
		let n = eligible.len();
		if n < verifier_count + 1 {
			return None;
		}
		let seed = sp_io::hashing::blake2_256(
			&(ASSIGNMENT_DOMAIN, job, attempt, frame_system::Pallet::<T>::parent_hash()).encode(),
		);
		let mut start_bytes = [0u8; 8];
		start_bytes.copy_from_slice(&seed[..8]);
		let start = (u64::from_le_bytes(start_bytes) % n as u64) as usize;
		let verifiers: Vec<T::AccountId> =
			(1..=verifier_count).map(|offset| eligible[(start + offset) % n].clone()).collect();
		let verifiers = VerifiersOf::<T>::try_from(verifiers).ok()?;
		Some((eligible[start].clone(), verifiers))
	}

	/// Give the job its next attempt's workers and start its training phase.
	pub(crate) fn apply_assignment(
		job_id: JobId,
		job: &mut JobInfo<T>,
		trainer: T::AccountId,
		verifiers: VerifiersOf<T>,
	) {
		for worker in core::iter::once(&trainer).chain(verifiers.iter()) {
			// Selection only picks workers below capacity, so this cannot fail.
			let _ = WorkerJobs::<T>::mutate(worker, |jobs| jobs.try_push(job_id)).defensive();
		}
		job.attempt.saturating_inc();
		job.state = JobState::Training;
		job.deadline =
			frame_system::Pallet::<T>::block_number().saturating_add(T::TrainingPeriod::get());
		job.trainer = Some(trainer.clone());
		job.verifiers = verifiers.clone();
		job.result = None;
		job.verifications = BoundedVec::new();
		Self::deposit_event(Event::JobAssigned {
			job: job_id,
			attempt: job.attempt,
			trainer,
			verifiers,
			deadline: job.deadline,
		});
	}

	/// Assign the job if enough workers are eligible, otherwise leave it `Open`.
	pub(crate) fn assign_or_wait(job_id: JobId, job: &mut JobInfo<T>) {
		match Self::select_workers(job_id, job.attempt.saturating_add(1)) {
			Some((trainer, verifiers)) => Self::apply_assignment(job_id, job, trainer, verifiers),
			None => {
				job.state = JobState::Open;
				job.trainer = None;
				job.verifiers = BoundedVec::new();
				job.result = None;
				job.verifications = BoundedVec::new();
				Self::deposit_event(Event::JobWaitingForWorkers { job: job_id });
			},
		}
	}

	/// Remove the job from its assigned workers' active jobs.
	pub(crate) fn release_workers(job_id: JobId, job: &JobInfo<T>) {
		for worker in job.trainer.iter().chain(job.verifiers.iter()) {
			WorkerJobs::<T>::mutate_exists(worker, |jobs| {
				if let Some(list) = jobs {
					list.retain(|j| *j != job_id);
					if list.is_empty() {
						*jobs = None;
					}
				}
			});
		}
	}
}
