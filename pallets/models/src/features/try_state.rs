//! The pallet's invariants, checked by `try_state` (try-runtime) and after every unit test.

use crate::*;
use alloc::{
	collections::{BTreeMap, BTreeSet},
	format,
};
use frame_support::traits::{fungible::InspectHold, Get};
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchError, TryRuntimeError,
};
use tributary_primitives::invariants::{ensure_invariant, invariant_broken};
use tributary_primitives::models::{JobId, JobState, ModelId};

impl<T: Config> Pallet<T> {
	/// Check the pallet's invariants; the error names the broken one and its key.
	///
	/// - **Parameters**: `VerifiersPerJob` is between 1 and `MaxVerifiers`.
	/// - **Base models**: every id is below `NextBaseModelId`; `BaseModelByWeights` maps each base
	///   model's weights hash to it, and nothing else.
	/// - **Workers**: `WorkerList` lists each registered worker exactly once and nothing else; a
	///   registered worker holds no more bond than recorded (slashes only take from it).
	/// - **Active jobs**: each `WorkerJobs` list is non-empty, without repeats, and names only
	///   training or verifying jobs the worker is assigned to; conversely every training or
	///   verifying job is in the lists of its trainer and each verifier.
	/// - **Jobs**: every id is below `NextJobId`, for an existing model and base model; the fields
	///   fit the state (an open job has no workers or result, a training one a trainer and
	///   verifiers but no result, a verifying one its result; only open jobs wait for a draw);
	///   verifiers are distinct and exclude the trainer; reports come from distinct verifiers.
	/// - **Draw queue**: `DrawQueue` occupies exactly the positions `DrawQueueBounds` names; each
	///   entry is an open job waiting for its draw, and each such job is queued exactly once.
	/// - **Models**: every id is below `NextModelId`, on an existing base model; versions
	///   `1..=version_count` exist and no other, one per completed job of the model, each naming a
	///   completed job of that model.
	/// - **Holds**: each account holds exactly the fees of its open, training and verifying jobs
	///   (`JobFee`).
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let verifiers_per_job = VerifiersPerJob::<T>::get();
		ensure_invariant((1..=T::MaxVerifiers::get()).contains(&verifiers_per_job), || {
			format!("VerifiersPerJob: {verifiers_per_job} is not between 1 and MaxVerifiers")
		})?;

		let next_base = NextBaseModelId::<T>::get();
		for (base_model, info) in BaseModels::<T>::iter() {
			ensure_invariant(base_model < next_base, || {
				format!("BaseModels {base_model}: id not below NextBaseModelId {next_base}")
			})?;
			ensure_invariant(
				BaseModelByWeights::<T>::get(info.weights_hash) == Some(base_model),
				|| {
					format!("BaseModels {base_model}: BaseModelByWeights does not map its weights to it")
				},
			)?;
		}
		for (weights, base_model) in BaseModelByWeights::<T>::iter() {
			ensure_invariant(
				BaseModels::<T>::get(base_model).is_some_and(|info| info.weights_hash == weights),
				|| {
					format!(
						"BaseModelByWeights {weights:?}: base model {base_model} has other weights"
					)
				},
			)?;
		}

		let list = WorkerList::<T>::get();
		let listed: BTreeSet<&T::AccountId> = list.iter().collect();
		ensure_invariant(listed.len() == list.len(), || {
			"WorkerList: a worker is listed twice".into()
		})?;
		let mut registered = 0usize;
		for (worker, info) in Workers::<T>::iter() {
			registered += 1;
			ensure_invariant(listed.contains(&worker), || {
				format!("Workers {worker:?}: registered but not in WorkerList")
			})?;
			let held = T::Currency::balance_on_hold(&HoldReason::WorkerBond.into(), &worker);
			ensure_invariant(held <= info.bond, || {
				format!(
					"Workers {worker:?}: holds {held:?} of bond, more than the {:?} recorded",
					info.bond
				)
			})?;
		}
		ensure_invariant(registered == list.len(), || {
			format!("WorkerList: {} listed, {registered} registered", list.len())
		})?;

		// (job, worker) pairs of the active-job lists.
		let mut assigned = BTreeSet::<(JobId, T::AccountId)>::new();
		for (worker, jobs) in WorkerJobs::<T>::iter() {
			ensure_invariant(!jobs.is_empty(), || format!("WorkerJobs {worker:?}: empty entry"))?;
			for job_id in jobs.iter() {
				ensure_invariant(assigned.insert((*job_id, worker.clone())), || {
					format!("WorkerJobs {worker:?}: job {job_id} listed twice")
				})?;
				let active = Jobs::<T>::get(job_id).is_some_and(|job| {
					matches!(job.state, JobState::Training | JobState::Verifying)
						&& (job.trainer.as_ref() == Some(&worker)
							|| job.verifiers.contains(&worker))
				});
				ensure_invariant(active, || {
					format!(
						"WorkerJobs {worker:?}: job {job_id} is not an active job of this worker"
					)
				})?;
			}
		}

		let (head, next) = DrawQueueBounds::<T>::get();
		ensure_invariant(head <= next, || {
			format!("DrawQueueBounds: head {head} after next {next}")
		})?;
		// Per job, its entries in the draw queue.
		let mut queued = BTreeMap::<JobId, u32>::new();
		let mut occupied: u64 = 0;
		for (position, job_id) in DrawQueue::<T>::iter() {
			ensure_invariant((head..next).contains(&position), || {
				format!("DrawQueue {position}: outside the bounds ({head}, {next})")
			})?;
			occupied += 1;
			*queued.entry(job_id).or_default() += 1;
		}
		ensure_invariant(occupied == next - head, || {
			format!(
				"DrawQueue: {occupied} entries for the {} positions of ({head}, {next})",
				next - head
			)
		})?;

		let next_job = NextJobId::<T>::get();
		let mut fees = BTreeMap::<T::AccountId, BalanceOf<T>>::new();
		let mut completed = BTreeMap::<ModelId, u32>::new();
		for (job_id, job) in Jobs::<T>::iter() {
			ensure_invariant(job_id < next_job, || {
				format!("Jobs {job_id}: id not below NextJobId {next_job}")
			})?;
			ensure_invariant(Model::<T>::contains_key(job.model), || {
				format!("Jobs {job_id}: unknown model {}", job.model)
			})?;
			ensure_invariant(
				BaseModels::<T>::get(job.base_model)
					.is_some_and(|base| base.weights_hash == job.base_weights_hash),
				|| {
					format!(
						"Jobs {job_id}: base model {} unknown or with other weights",
						job.base_model
					)
				},
			)?;
			let verifiers: BTreeSet<&T::AccountId> = job.verifiers.iter().collect();
			ensure_invariant(
				verifiers.len() == job.verifiers.len()
					&& job.trainer.as_ref().is_none_or(|trainer| !verifiers.contains(trainer)),
				|| format!("Jobs {job_id}: verifiers repeat or include the trainer"),
			)?;
			let reporters: BTreeSet<&T::AccountId> =
				job.verifications.iter().map(|report| &report.verifier).collect();
			ensure_invariant(
				reporters.len() == job.verifications.len() && reporters.is_subset(&verifiers),
				|| format!("Jobs {job_id}: a report is repeated or not from a verifier"),
			)?;
			let in_queue = queued.remove(&job_id).unwrap_or(0);
			let shape = match job.state {
				JobState::Open => {
					job.trainer.is_none()
						&& job.verifiers.is_empty()
						&& job.result.is_none()
						&& job.verifications.is_empty()
						&& in_queue == u32::from(job.draw_at.is_some())
				},
				JobState::Training | JobState::Verifying => {
					let workers_listed = job
						.trainer
						.iter()
						.chain(job.verifiers.iter())
						.all(|worker| assigned.contains(&(job_id, worker.clone())));
					job.trainer.is_some()
						&& !job.verifiers.is_empty()
						&& job.draw_at.is_none()
						&& in_queue == 0 && workers_listed
						&& (job.state == JobState::Verifying) == job.result.is_some()
						&& (job.state == JobState::Verifying || job.verifications.is_empty())
				},
				JobState::Completed | JobState::Failed => job.draw_at.is_none() && in_queue == 0,
			};
			ensure_invariant(shape, || {
				format!(
					"Jobs {job_id}: fields do not fit state {:?} (trainer, verifiers, result, \
					 reports, draw {:?} queued {in_queue} times, workers' active jobs)",
					job.state, job.draw_at
				)
			})?;
			match job.state {
				JobState::Open | JobState::Training | JobState::Verifying => {
					let total = fees.entry(job.owner.clone()).or_insert_with(Zero::zero);
					*total = total.saturating_add(job.fee);
				},
				JobState::Completed => *completed.entry(job.model).or_default() += 1,
				JobState::Failed => {},
			}
		}
		if let Some((job_id, _)) = queued.first_key_value() {
			return Err(DispatchError::Other(invariant_broken(format!(
				"DrawQueue: names job {job_id}, which does not exist"
			))));
		}

		let next_model = NextModelId::<T>::get();
		for (model, info) in Model::<T>::iter() {
			ensure_invariant(model < next_model, || {
				format!("Model {model}: id not below NextModelId {next_model}")
			})?;
			ensure_invariant(BaseModels::<T>::contains_key(info.base_model), || {
				format!("Model {model}: unknown base model {}", info.base_model)
			})?;
			for version in 1..=info.version_count {
				ensure_invariant(ModelVersions::<T>::contains_key(model, version), || {
					format!("Model {model}: version {version} of {} missing", info.version_count)
				})?;
			}
			let jobs = completed.remove(&model).unwrap_or(0);
			ensure_invariant(jobs == info.version_count, || {
				format!("Model {model}: {} versions but {jobs} completed jobs", info.version_count)
			})?;
		}
		if let Some((model, jobs)) = completed.first_key_value() {
			return Err(DispatchError::Other(invariant_broken(format!(
				"Jobs: {jobs} completed jobs of model {model}, which does not exist"
			))));
		}
		for (model, version, info) in ModelVersions::<T>::iter() {
			let version_count = Model::<T>::get(model).map_or(0, |m| m.version_count);
			ensure_invariant((1..=version_count).contains(&version), || {
				format!("ModelVersions ({model}, {version}): beyond the model's {version_count} versions")
			})?;
			ensure_invariant(
				Jobs::<T>::get(info.job)
					.is_some_and(|job| job.state == JobState::Completed && job.model == model),
				|| {
					format!(
						"ModelVersions ({model}, {version}): job {} is not a completed job of it",
						info.job
					)
				},
			)?;
		}

		let reason = HoldReason::JobFee.into();
		for (owner, recorded) in fees {
			let held = T::Currency::balance_on_hold(&reason, &owner);
			ensure_invariant(held == recorded, || {
				format!("JobFee hold of {owner:?}: {held:?} held, {recorded:?} in open jobs' fees")
			})?;
		}
		Ok(())
	}
}
