//! Benchmarks of every call in its worst case: inputs at their bounds, a full worker set (so a
//! draw scans `MaxWorkers` workers), `MaxVerifiers` verifiers per job, the most datanet versions
//! per job, the deciding verification both when it pays and when it slashes and reschedules
//! (each after the most outvoted reports), the verification deadline with all but one verifier
//! silent, and `on_initialize` drawing `MaxDrawsPerBlock` jobs.

use super::*;
use crate::Pallet as Models;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{
		fungible::{Mutate, MutateHold},
		tokens::Precision,
		EnsureOrigin, Get,
	},
	BoundedVec,
};
use frame_system::RawOrigin;
use sp_runtime::traits::{Bounded, Saturating};
use tributary_primitives::{
	content_hash,
	models::{BaseModelId, JobId, JobState, ModelId, ModelVersionId, TrainingResult, LOSS_PPB},
	training::TrainingSettings,
	ContentHash,
};

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	T::Currency::set_balance(&who, BalanceOf::<T>::max_value() / 1024u32.into());
	who
}

fn filled<S: Get<u32>>(byte: u8) -> BoundedVec<u8, S> {
	vec![byte; S::get() as usize].try_into().expect("exactly at the bound")
}

/// `count` more registered workers, numbered after those already registered.
fn register_workers<T: Config>(count: u32) -> Vec<T::AccountId> {
	let first = WorkerList::<T>::decode_len().unwrap_or(0) as u32;
	(first..first + count)
		.map(|index| {
			let worker = funded::<T>("worker", index);
			Models::<T>::do_register_worker(worker.clone(), filled(b'e'), filled(b'd'))
				.expect("funded worker below MaxWorkers");
			worker
		})
		.collect()
}

fn base_model<T: Config>() -> BaseModelId {
	let id = NextBaseModelId::<T>::get();
	Models::<T>::do_register_base_model(BaseModelInfo {
		name: filled(b'n'),
		architecture: filled(b'a'),
		weights_hash: content_hash(b"benchmark weights"),
		config_hash: content_hash(b"benchmark config"),
		tokenizer_hash: content_hash(b"benchmark tokenizer"),
		parameter_count: u64::MAX,
		license: filled(b'l'),
	})
	.expect("first base model");
	id
}

fn datanet_refs<T: Config>(count: u32) -> DatanetRefsOf<T> {
	(0..count)
		.map(T::BenchmarkHelper::published_datanet_version)
		.collect::<Vec<_>>()
		.try_into()
		.expect("at most MaxDatanetsPerJob")
}

fn job_fee<T: Config>() -> BalanceOf<T> {
	T::MinJobFee::get().saturating_mul(1_000u32.into())
}

/// Move to the block that draws `job` and make the due draws there.
fn draw<T: Config>(job: JobId) {
	let draw_at = Jobs::<T>::get(job).and_then(|info| info.draw_at).expect("a scheduled draw");
	frame_system::Pallet::<T>::set_block_number(draw_at);
	Models::<T>::draw_due_jobs(draw_at);
}

/// Open a job on the most datanet versions; returns it.
fn open_job<T: Config>(owner: &T::AccountId, base: BaseModelId) -> JobId {
	open_job_on::<T>(owner, base, datanet_refs::<T>(T::MaxDatanetsPerJob::get()))
}

/// A job on datanet versions that already exist (many jobs can share them).
fn open_job_on<T: Config>(
	owner: &T::AccountId,
	base: BaseModelId,
	datanets: DatanetRefsOf<T>,
) -> JobId {
	let job = NextJobId::<T>::get();
	Models::<T>::do_create_model(
		owner.clone(),
		filled(b'm'),
		base,
		datanets,
		TrainingSettings::default(),
		job_fee::<T>(),
	)
	.expect("valid job");
	job
}

/// A full worker set, `MaxVerifiers` verifiers per job and a job drawn among them, trained on
/// the most datanet versions.
fn assigned_job<T: Config>() -> (T::AccountId, JobId) {
	register_workers::<T>(T::MaxWorkers::get());
	VerifiersPerJob::<T>::put(T::MaxVerifiers::get());
	let base = base_model::<T>();
	let owner = funded::<T>("builder", 0);
	let job = open_job::<T>(&owner, base);
	draw::<T>(job);
	assert_eq!(Jobs::<T>::get(job).unwrap().state, JobState::Training);
	(owner, job)
}

fn claimed_result() -> TrainingResult {
	TrainingResult {
		adapter_hash: content_hash(b"benchmark adapter"),
		adapter_bytes: u64::MAX,
		train_loss_ppb: 2 * LOSS_PPB,
		eval_loss_ppb: LOSS_PPB,
	}
}

/// The base model's loss the benchmarks' verifiers report: twice the adapter's, a clear
/// improvement.
const BASE_LOSS_PPB: u64 = 2 * LOSS_PPB;

/// An assigned job whose result is in and whose verifiers have reported so that the next
/// report decides: first the most reports the majority will outvote (a hundred times
/// `reported_loss_ppb`), then all but one of the majority with `reported_loss_ppb`. Returns the
/// verifier whose report decides.
fn job_awaiting_deciding_verification<T: Config>(reported_loss_ppb: u64) -> (JobId, T::AccountId) {
	let (_, job) = assigned_job::<T>();
	let info = Jobs::<T>::get(job).unwrap();
	Models::<T>::do_submit_training_result(info.trainer.unwrap(), job, claimed_result()).unwrap();
	let majority = info.verifiers.len() / 2 + 1;
	let outvoted = info.verifiers.len() - majority;
	let (deciding, others) =
		info.verifiers[..outvoted + majority].split_last().expect("a verifier");
	for (index, verifier) in others.iter().enumerate() {
		let loss = if index < outvoted { 100 * reported_loss_ppb } else { reported_loss_ppb };
		Models::<T>::do_submit_verification(verifier.clone(), job, loss, BASE_LOSS_PPB).unwrap();
	}
	(job, deciding.clone())
}

fn owned_model<T: Config>() -> (T::AccountId, u32) {
	let (owner, job) = assigned_job::<T>();
	(owner, Jobs::<T>::get(job).unwrap().model)
}

impl<T: Config> Pallet<T> {
	/// `count` more registered, bonded workers, for other pallets' benchmarks.
	pub fn benchmark_workers(count: u32) -> Vec<T::AccountId> {
		register_workers::<T>(count)
	}

	/// A priced model version trained on `datanets` through the whole job flow (draw, result,
	/// verifications), for other pallets' benchmarks. Returns the model, the version and its
	/// adapter hash.
	pub fn benchmark_model_version(
		datanets: DatanetRefsOf<T>,
	) -> (ModelId, ModelVersionId, ContentHash) {
		let needed = VerifiersPerJob::<T>::get().saturating_add(1);
		let registered = WorkerList::<T>::decode_len().unwrap_or(0) as u32;
		register_workers::<T>(needed.saturating_sub(registered));
		let owner = funded::<T>("model owner", 0);
		let job = NextJobId::<T>::get();
		Models::<T>::do_create_model(
			owner.clone(),
			filled(b'm'),
			base_model::<T>(),
			datanets,
			TrainingSettings::default(),
			job_fee::<T>(),
		)
		.expect("enough workers, a base model and published versions");
		draw::<T>(job);
		let info = Jobs::<T>::get(job).expect("just created");
		let result = claimed_result();
		Models::<T>::do_submit_training_result(info.trainer.expect("drawn"), job, result)
			.expect("the drawn trainer reports");
		// A majority decides; the others' reports would come too late.
		for verifier in info.verifiers.iter().take(info.verifiers.len() / 2 + 1) {
			Models::<T>::do_submit_verification(
				verifier.clone(),
				job,
				result.eval_loss_ppb,
				BASE_LOSS_PPB,
			)
			.expect("a drawn verifier agrees");
		}
		let model = info.model;
		Models::<T>::do_set_price(owner, model, Some(1_000u32.into())).expect("the owner prices");
		(model, 1, result.adapter_hash)
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_base_model() -> Result<(), BenchmarkError> {
		let origin =
			T::BaseModelOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let weights_hash = content_hash(b"weights");

		#[extrinsic_call]
		_(
			origin as T::RuntimeOrigin,
			filled(b'n'),
			filled(b'a'),
			weights_hash,
			content_hash(b"config"),
			content_hash(b"tokenizer"),
			u64::MAX,
			filled(b'l'),
		);

		frame_system::Pallet::<T>::assert_last_event(
			Event::<T>::BaseModelRegistered { base_model: 0, weights_hash }.into(),
		);
		Ok(())
	}

	#[benchmark]
	fn register_worker() -> Result<(), BenchmarkError> {
		register_workers::<T>(T::MaxWorkers::get().saturating_sub(1));
		let origin =
			T::WorkerOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let worker = T::WorkerOrigin::ensure_origin(origin.clone())
			.map_err(|_| BenchmarkError::Weightless)?;
		T::Currency::set_balance(&worker, BalanceOf::<T>::max_value() / 1024u32.into());

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, filled(b'e'), filled(b'd'));

		frame_system::Pallet::<T>::assert_last_event(
			Event::<T>::WorkerRegistered { worker, bond: T::WorkerBond::get() }.into(),
		);
		Ok(())
	}

	#[benchmark]
	fn unregister_worker() {
		let workers = register_workers::<T>(T::MaxWorkers::get());
		let worker = workers[0].clone();

		#[extrinsic_call]
		_(RawOrigin::Signed(worker.clone()));

		frame_system::Pallet::<T>::assert_last_event(
			Event::<T>::WorkerUnregistered { worker }.into(),
		);
	}

	#[benchmark]
	fn create_model(d: Linear<1, { T::MaxDatanetsPerJob::get() }>) {
		register_workers::<T>(T::MaxWorkers::get());
		let base = base_model::<T>();
		let owner = funded::<T>("builder", 0);
		let refs = datanet_refs::<T>(d);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(owner),
			filled(b'm'),
			base,
			refs,
			TrainingSettings::default(),
			job_fee::<T>(),
		);

		assert_eq!(Jobs::<T>::get(0).unwrap().state, JobState::Open);
	}

	#[benchmark]
	fn submit_training_result() {
		let (_, job) = assigned_job::<T>();
		let trainer = Jobs::<T>::get(job).unwrap().trainer.unwrap();

		#[extrinsic_call]
		_(RawOrigin::Signed(trainer), job, claimed_result());

		assert_eq!(Jobs::<T>::get(job).unwrap().state, JobState::Verifying);
	}

	#[benchmark]
	fn submit_verification_accepted() {
		let (job, deciding) = job_awaiting_deciding_verification::<T>(LOSS_PPB);

		#[extrinsic_call]
		submit_verification(RawOrigin::Signed(deciding), job, LOSS_PPB, BASE_LOSS_PPB);

		assert_eq!(Jobs::<T>::get(job).unwrap().state, JobState::Completed);
	}

	#[benchmark]
	fn submit_verification_rejected() {
		// The majority measures ten times the claimed loss: the outvoted verifiers and the
		// trainer are slashed, the trainer removed and the job rescheduled.
		let (job, deciding) = job_awaiting_deciding_verification::<T>(10 * LOSS_PPB);
		let trainer = Jobs::<T>::get(job).unwrap().trainer.unwrap();

		#[extrinsic_call]
		submit_verification(RawOrigin::Signed(deciding), job, 10 * LOSS_PPB, BASE_LOSS_PPB);

		assert!(Workers::<T>::get(&trainer).is_none());
		assert_eq!(Jobs::<T>::get(job).unwrap().state, JobState::Open);
	}

	#[benchmark]
	fn poke_job() {
		// The verification deadline with one report (when one report does not decide at once)
		// and every other verifier silent: each silent one is slashed, then the report decides
		// and pays.
		let (_, job) = assigned_job::<T>();
		let info = Jobs::<T>::get(job).unwrap();
		Models::<T>::do_submit_training_result(info.trainer.unwrap(), job, claimed_result())
			.unwrap();
		if info.verifiers.len() > 1 {
			Models::<T>::do_submit_verification(
				info.verifiers[0].clone(),
				job,
				LOSS_PPB,
				BASE_LOSS_PPB,
			)
			.unwrap();
		}
		let deadline = Jobs::<T>::get(job).unwrap().deadline;
		frame_system::Pallet::<T>::set_block_number(deadline.saturating_add(1u32.into()));
		let caller: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), job);

		assert_ne!(Jobs::<T>::get(job).unwrap().state, JobState::Verifying);
	}

	#[benchmark]
	fn set_price() {
		let (owner, model) = owned_model::<T>();
		let price = Some(T::MinJobFee::get());

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, price);

		frame_system::Pallet::<T>::assert_last_event(
			Event::<T>::PriceSet { model, price_per_1k_tokens: price }.into(),
		);
	}

	#[benchmark]
	fn transfer_ownership() {
		let (owner, model) = owned_model::<T>();
		let new_owner: T::AccountId = account("new owner", 0, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), model, new_owner.clone());

		frame_system::Pallet::<T>::assert_last_event(
			Event::<T>::OwnershipTransferred { model, from: owner, to: new_owner }.into(),
		);
	}

	#[benchmark]
	fn retire() {
		let (owner, model) = owned_model::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model);

		frame_system::Pallet::<T>::assert_last_event(Event::<T>::ModelRetired { model }.into());
	}

	#[benchmark]
	fn top_up_bond() {
		let worker = register_workers::<T>(1).remove(0);
		// A slash (here or in another pallet) took the whole bond.
		let bond = T::WorkerBond::get();
		T::Currency::release(&HoldReason::WorkerBond.into(), &worker, bond, Precision::Exact)
			.unwrap();

		#[extrinsic_call]
		_(RawOrigin::Signed(worker.clone()));

		frame_system::Pallet::<T>::assert_last_event(
			Event::<T>::BondToppedUp { worker, amount: bond }.into(),
		);
	}

	#[benchmark]
	fn remove_departed_worker() {
		let workers = register_workers::<T>(T::MaxWorkers::get());
		let worker = workers[0].clone();
		T::BenchmarkHelper::leave_validator_set(&worker);
		let caller: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), worker.clone());

		frame_system::Pallet::<T>::assert_last_event(
			Event::<T>::DepartedWorkerRemoved { worker, released: T::WorkerBond::get() }.into(),
		);
	}

	#[benchmark]
	fn set_verifiers_per_job() -> Result<(), BenchmarkError> {
		let origin =
			T::ParamsOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let verifiers = T::MaxVerifiers::get();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, verifiers);

		assert_eq!(VerifiersPerJob::<T>::get(), verifiers);
		Ok(())
	}

	/// `on_initialize` drawing `n` due jobs among a full worker set, `MaxVerifiers` each.
	#[benchmark]
	fn draw_jobs(n: Linear<0, { T::MaxDrawsPerBlock::get() }>) {
		register_workers::<T>(T::MaxWorkers::get());
		VerifiersPerJob::<T>::put(T::MaxVerifiers::get());
		let base = base_model::<T>();
		let owner = funded::<T>("builder", 0);
		let datanets = datanet_refs::<T>(T::MaxDatanetsPerJob::get());
		let jobs: Vec<JobId> =
			(0..n).map(|_| open_job_on::<T>(&owner, base, datanets.clone())).collect();
		let now =
			frame_system::Pallet::<T>::block_number().saturating_add(T::AssignmentDelay::get());
		frame_system::Pallet::<T>::set_block_number(now);

		#[block]
		{
			Models::<T>::draw_due_jobs(now);
		}

		for job in jobs {
			assert_eq!(Jobs::<T>::get(job).unwrap().state, JobState::Training);
		}
	}

	impl_benchmark_test_suite!(Models, crate::mock::new_test_ext(), crate::mock::Test);
}
