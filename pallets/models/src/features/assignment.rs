//! Drawing a job's trainer and verifiers with randomness its creator could not know, the queue
//! of scheduled draws, and bookkeeping of workers' active jobs.

use crate::*;
use alloc::vec::Vec;
use codec::Encode;
use frame_support::{
	pallet_prelude::*,
	traits::{Defensive, Randomness},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::Saturating;
use tributary_primitives::traits::WorkerSet;
use tributary_primitives::{
	draw::draw_distinct,
	models::{JobId, JobState},
};

/// Domain separator of the assignment seed.
const ASSIGNMENT_DOMAIN: &[u8] = b"tributary/assign";

impl<T: Config> Pallet<T> {
	/// Active workers (see [`WorkerSet::is_active`]) in registration order, each with its number
	/// of active jobs.
	fn active_workers_with_load() -> Vec<(T::AccountId, usize)> {
		WorkerList::<T>::get()
			.into_iter()
			.filter(Self::is_active)
			.map(|worker| {
				let load = WorkerJobs::<T>::decode_len(&worker).unwrap_or(0);
				(worker, load)
			})
			.collect()
	}

	/// The workers a draw picks from: active, with fewer than `MaxJobsPerWorker` active jobs, in
	/// registration order.
	pub fn eligible_workers() -> Vec<T::AccountId> {
		let capacity = T::MaxJobsPerWorker::get() as usize;
		Self::active_workers_with_load()
			.into_iter()
			.filter(|(_, load)| *load < capacity)
			.map(|(worker, _)| worker)
			.collect()
	}

	/// The trainer and verifiers attempt `attempt` of `job` gets when drawn in this block from
	/// `eligible`, if there are at least `k + 1` of them (`k` = [`VerifiersPerJob`]).
	///
	/// With `seed = blake2_256(SCALE(T::Randomness::random(SCALE(b"tributary/assign", job,
	/// attempt))))`, `draw_distinct(seed, eligible.len(), k + 1)` picks the workers: the first
	/// trains, the others verify in draw order.
	pub fn draw_workers(
		job: JobId,
		attempt: u32,
		eligible: &[T::AccountId],
	) -> Option<(T::AccountId, VerifiersOf<T>)> {
		let verifier_count = VerifiersPerJob::<T>::get().min(T::MaxVerifiers::get()) as usize;
		if eligible.len() < verifier_count + 1 {
			return None;
		}
		let subject = (ASSIGNMENT_DOMAIN, job, attempt).encode();
		let seed = sp_io::hashing::blake2_256(&T::Randomness::random(&subject).encode());
		let drawn = draw_distinct(&seed, eligible.len(), verifier_count + 1);
		let (trainer, verifiers) = drawn.split_first()?;
		let verifiers: Vec<T::AccountId> =
			verifiers.iter().map(|index| eligible[*index].clone()).collect();
		Some((eligible[*trainer].clone(), VerifiersOf::<T>::try_from(verifiers).ok()?))
	}

	/// Put the job's next attempt in the draw queue: it is `Open` and drawn in block
	/// `now + AssignmentDelay`.
	pub(crate) fn schedule_draw(job_id: JobId, job: &mut JobInfo<T>) {
		let draw_at =
			frame_system::Pallet::<T>::block_number().saturating_add(T::AssignmentDelay::get());
		job.state = JobState::Open;
		job.draw_at = Some(draw_at);
		job.trainer = None;
		job.verifiers = BoundedVec::new();
		job.result = None;
		job.verifications = BoundedVec::new();
		DrawQueueBounds::<T>::mutate(|(_, next)| {
			DrawQueue::<T>::insert(*next, job_id);
			next.saturating_inc();
		});
		Self::deposit_event(Event::JobScheduled {
			job: job_id,
			attempt: job.attempt.saturating_add(1),
			draw_at,
		});
	}

	/// Draw the workers of the scheduled jobs due by `now`, oldest first, at most
	/// `MaxDrawsPerBlock` (the rest stay queued for the next block). A job without enough
	/// eligible workers stays `Open` and unscheduled (`JobWaitingForWorkers`).
	pub(crate) fn draw_due_jobs(now: BlockNumberFor<T>) -> Weight {
		let (mut head, next) = DrawQueueBounds::<T>::get();
		let capacity = T::MaxJobsPerWorker::get() as usize;
		// Read once per block, then kept current as draws add jobs to workers.
		let mut pool: Option<Vec<(T::AccountId, usize)>> = None;
		let mut drawn = 0u32;
		while head < next && drawn < T::MaxDrawsPerBlock::get() {
			let job_entry = DrawQueue::<T>::get(head)
				.and_then(|job_id| Some((job_id, Jobs::<T>::get(job_id)?)));
			if let Some((_, job)) = &job_entry {
				if job.draw_at.is_some_and(|draw_at| draw_at > now) {
					break;
				}
			}
			DrawQueue::<T>::remove(head);
			head.saturating_inc();
			drawn.saturating_inc();
			let Some((job_id, mut job)) = job_entry else { continue };
			// Only a scheduled `Open` job is drawn; the queue holds nothing else.
			if job.state != JobState::Open || job.draw_at.take().is_none() {
				continue;
			}
			let pool = pool.get_or_insert_with(Self::active_workers_with_load);
			let eligible: Vec<T::AccountId> = pool
				.iter()
				.filter(|(_, load)| *load < capacity)
				.map(|(worker, _)| worker.clone())
				.collect();
			match Self::draw_workers(job_id, job.attempt.saturating_add(1), &eligible) {
				Some((trainer, verifiers)) => {
					for (worker, load) in pool.iter_mut() {
						if *worker == trainer || verifiers.contains(worker) {
							load.saturating_inc();
						}
					}
					Self::apply_assignment(job_id, &mut job, trainer, verifiers);
				},
				None => Self::deposit_event(Event::JobWaitingForWorkers { job: job_id }),
			}
			Jobs::<T>::insert(job_id, job);
		}
		DrawQueueBounds::<T>::put((head, next));
		T::WeightInfo::draw_jobs(drawn)
	}

	/// Give the job its next attempt's workers and start its training phase.
	pub(crate) fn apply_assignment(
		job_id: JobId,
		job: &mut JobInfo<T>,
		trainer: T::AccountId,
		verifiers: VerifiersOf<T>,
	) {
		for worker in core::iter::once(&trainer).chain(verifiers.iter()) {
			// Draws only pick workers below capacity, so this cannot fail.
			let _ = WorkerJobs::<T>::mutate(worker, |jobs| jobs.try_push(job_id)).defensive();
		}
		job.attempt.saturating_inc();
		job.state = JobState::Training;
		job.draw_at = None;
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
