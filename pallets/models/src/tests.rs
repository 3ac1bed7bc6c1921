//! Unit tests of every call and of the job lifecycle: success paths with their events and exact
//! balance effects, every `Error` variant (each through `assert_noop!`, which also checks that
//! storage is unchanged), bounded inputs at their bounds, and the draw. Then the adversarial
//! tests of issue 14's attacks 3 (assignment and verification) and 4 (bond floor, validator
//! set), each showing the attacker ends with less and the honest parties whole, and a property
//! test over random verifier honesty and silence.

use crate::{mock::*, *};
use codec::Encode;
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect, InspectHold},
		Get, Hooks,
	},
	BoundedVec,
};
use sp_runtime::{DispatchError, DispatchResult, TokenError};
use tributary_primitives::{
	content_hash,
	draw::draw_distinct,
	models::{
		BaseModelId, DatanetVersionRef, JobId, JobState, PinnedDatanetVersion, TrainingResult,
		LOSS_PPB,
	},
	rewards::SlashKind,
	training::{QuantFormat, TargetModules, TrainingMethod, TrainingSettings},
};

fn bounded<S: Get<u32>>(bytes: &[u8]) -> BoundedVec<u8, S> {
	bytes.to_vec().try_into().expect("test input within bound")
}

fn register_base() -> BaseModelId {
	let id = NextBaseModelId::<Test>::get();
	assert_ok!(Models::register_base_model(
		RuntimeOrigin::root(),
		bounded(b"tiny-llama"),
		bounded(b"llama"),
		content_hash(b"weights"),
		content_hash(b"config"),
		content_hash(b"tokenizer"),
		1_234_567,
		bounded(b"Apache-2.0"),
	));
	id
}

fn register_worker(worker: AccountId) {
	assert_ok!(Models::register_worker(
		RuntimeOrigin::signed(worker),
		bounded(b"http://127.0.0.1:9955"),
		bounded(b"cpu 2 cores"),
	));
}

/// Register the first `count` validators as workers.
fn register_workers(count: usize) {
	VALIDATORS[..count].iter().for_each(|worker| register_worker(*worker));
}

fn datanet_refs(refs: &[(u32, u32)]) -> DatanetRefsOf<Test> {
	refs.iter()
		.map(|(datanet, version)| DatanetVersionRef { datanet: *datanet, version: *version })
		.collect::<Vec<_>>()
		.try_into()
		.unwrap()
}

fn settings() -> TrainingSettings {
	TrainingSettings {
		method: TrainingMethod::QLora(QuantFormat::Nf4),
		target_modules: TargetModules::QV,
		seed: 7,
		..Default::default()
	}
}

const FEE: Balance = 1_003;

fn create_job(fee: Balance) -> JobId {
	let job = NextJobId::<Test>::get();
	assert_ok!(Models::create_model(
		RuntimeOrigin::signed(BUILDER),
		bounded(b"med-qa"),
		0,
		datanet_refs(&[(0, 1), (1, 1)]),
		settings(),
		fee,
	));
	job
}

fn result(eval_loss_ppb: u64) -> TrainingResult {
	TrainingResult {
		adapter_hash: content_hash(b"adapter"),
		adapter_bytes: 4096,
		train_loss_ppb: 2 * LOSS_PPB,
		eval_loss_ppb,
	}
}

fn job(id: JobId) -> JobInfo<Test> {
	Jobs::<Test>::get(id).unwrap()
}

fn trainer_of(id: JobId) -> AccountId {
	job(id).trainer.unwrap()
}

fn verifiers_of(id: JobId) -> Vec<AccountId> {
	job(id).verifiers.into_inner()
}

fn free(who: AccountId) -> Balance {
	Balances::balance(&who)
}

fn held(reason: HoldReason, who: AccountId) -> Balance {
	Balances::balance_on_hold(&reason.into(), &who)
}

/// The documented draw, computed independently of the pallet: the seed from the mock's
/// randomness (`blake2_256(subject ++ parent_hash)`, with the block number), then
/// `draw_distinct` over `eligible`.
fn expected_assignment(
	job: JobId,
	attempt: u32,
	eligible: &[AccountId],
) -> (AccountId, Vec<AccountId>) {
	let mut input = (b"tributary/assign".as_slice(), job, attempt).encode();
	input.extend_from_slice(System::parent_hash().as_ref());
	let random =
		(sp_runtime::testing::H256(sp_io::hashing::blake2_256(&input)), System::block_number());
	let seed = sp_io::hashing::blake2_256(&random.encode());
	let drawn = draw_distinct(&seed, eligible.len(), VerifiersPerJob::<Test>::get() as usize + 1);
	(eligible[drawn[0]], drawn[1..].iter().map(|index| eligible[*index]).collect())
}

/// Run to the block that draws `id` (its `on_initialize` draws it).
fn run_to_draw(id: JobId) {
	run_to_block(job(id).draw_at.expect("a scheduled draw"));
}

/// A job paying `FEE` on a fresh base model, opened among `workers` registered workers and drawn.
fn job_among_workers(workers: usize) -> JobId {
	register_base();
	register_workers(workers);
	let id = create_job(FEE);
	run_to_draw(id);
	id
}

/// The honest losses: the adapter's 1.0, the base model's 2.0 on the held-out rows.
const HONEST_EVAL: u64 = LOSS_PPB;
const HONEST_BASE: u64 = 2 * LOSS_PPB;

/// A job with 4 workers, trained with the honest claimed eval loss and in verification.
fn job_in_verification() -> JobId {
	let id = job_among_workers(4);
	assert_ok!(Models::submit_training_result(
		RuntimeOrigin::signed(trainer_of(id)),
		id,
		result(HONEST_EVAL)
	));
	id
}

fn verify(
	verifier: AccountId,
	id: JobId,
	eval_loss_ppb: u64,
	base_loss_ppb: u64,
) -> DispatchResult {
	Models::submit_verification(RuntimeOrigin::signed(verifier), id, eval_loss_ppb, base_loss_ppb)
}

/// Everything an account owns: free and held.
fn total(who: AccountId) -> Balance {
	Balances::total_balance(&who)
}

fn is_active(who: AccountId) -> bool {
	<Models as tributary_primitives::traits::WorkerSet<_>>::is_active(&who)
}

#[test]
fn register_base_model_by_origin_only_and_once_per_weights() {
	build_and_execute(|| {
		assert_eq!(register_base(), 0);
		System::assert_last_event(
			Event::BaseModelRegistered { base_model: 0, weights_hash: content_hash(b"weights") }
				.into(),
		);
		let info = BaseModels::<Test>::get(0).unwrap();
		assert_eq!(info.parameter_count, 1_234_567);
		assert_eq!(info.tokenizer_hash, content_hash(b"tokenizer"));
		let call = |origin, name: &[u8], weights: &[u8]| {
			Models::register_base_model(
				origin,
				bounded(name),
				bounded(&[b'a'; MAX_ARCH_LEN as usize]),
				content_hash(weights),
				content_hash(b"c"),
				content_hash(b"t"),
				1,
				bounded(&[b'l'; MAX_LICENSE_LEN as usize]),
			)
		};
		assert_noop!(call(RuntimeOrigin::signed(BUILDER), b"x", b"w2"), DispatchError::BadOrigin);
		assert_noop!(call(RuntimeOrigin::root(), b"", b"w2"), Error::<Test>::EmptyName);
		assert_noop!(
			call(RuntimeOrigin::root(), b"again", b"weights"),
			Error::<Test>::BaseModelExists
		);
		// Inputs at their bounds are accepted.
		assert_ok!(call(RuntimeOrigin::root(), &[b'n'; MAX_NAME_LEN as usize], b"w2"));
		assert!(NameOf::<Test>::try_from(vec![0; MAX_NAME_LEN as usize + 1]).is_err());
		assert!(ArchitectureOf::<Test>::try_from(vec![0; MAX_ARCH_LEN as usize + 1]).is_err());
		assert!(LicenseOf::<Test>::try_from(vec![0; MAX_LICENSE_LEN as usize + 1]).is_err());
	});
}

#[test]
fn workers_register_with_bond_and_unregister_when_idle() {
	build_and_execute(|| {
		let worker = VALIDATORS[0];
		assert_ok!(Models::register_worker(
			RuntimeOrigin::signed(worker),
			bounded(&[b'e'; MAX_ENDPOINT_LEN as usize]),
			bounded(&[b'd'; MAX_DEVICE_LEN as usize]),
		));
		System::assert_last_event(Event::WorkerRegistered { worker, bond: WORKER_BOND }.into());
		assert_eq!(held(HoldReason::WorkerBond, worker), WORKER_BOND);
		assert_eq!(WorkerList::<Test>::get().into_inner(), vec![worker]);
		assert!(EndpointOf::<Test>::try_from(vec![0; MAX_ENDPOINT_LEN as usize + 1]).is_err());
		assert!(DeviceOf::<Test>::try_from(vec![0; MAX_DEVICE_LEN as usize + 1]).is_err());

		let register =
			|who| Models::register_worker(RuntimeOrigin::signed(who), bounded(b"e"), bounded(b"d"));
		assert_noop!(register(worker), Error::<Test>::AlreadyRegistered);
		assert_noop!(register(BUILDER), DispatchError::BadOrigin);
		assert_noop!(register(UNFUNDED_VALIDATOR), TokenError::FundsUnavailable);

		assert_ok!(Models::unregister_worker(RuntimeOrigin::signed(worker)));
		System::assert_last_event(Event::WorkerUnregistered { worker }.into());
		assert_eq!(held(HoldReason::WorkerBond, worker), 0);
		assert_eq!(free(worker), INITIAL_BALANCE);
		assert!(WorkerList::<Test>::get().is_empty());
		assert_noop!(
			Models::unregister_worker(RuntimeOrigin::signed(worker)),
			Error::<Test>::NotRegistered
		);
	});
}

#[test]
fn worker_set_is_bounded() {
	build_and_execute(|| {
		register_workers(MAX_WORKERS as usize);
		assert_eq!(WorkerList::<Test>::decode_len(), Some(MAX_WORKERS as usize));
		assert_noop!(
			Models::register_worker(
				RuntimeOrigin::signed(VALIDATORS[MAX_WORKERS as usize]),
				bounded(b"e"),
				bounded(b"d")
			),
			Error::<Test>::TooManyWorkers
		);
	});
}

#[test]
fn workers_with_open_attribution_records_cannot_unregister() {
	build_and_execute(|| {
		register_workers(1);
		let worker = VALIDATORS[0];
		set_open_records(worker, true);
		assert_noop!(
			Models::unregister_worker(RuntimeOrigin::signed(worker)),
			Error::<Test>::WorkerHasOpenRecords
		);
		assert_eq!(held(HoldReason::WorkerBond, worker), WORKER_BOND);

		// Once its records are final or rejected, the bond comes back.
		set_open_records(worker, false);
		assert_ok!(Models::unregister_worker(RuntimeOrigin::signed(worker)));
		assert_eq!(held(HoldReason::WorkerBond, worker), 0);
		assert_eq!(free(worker), INITIAL_BALANCE);
	});
}

#[test]
fn busy_workers_cannot_unregister() {
	build_and_execute(|| {
		let id = job_among_workers(4);
		assert_noop!(
			Models::unregister_worker(RuntimeOrigin::signed(trainer_of(id))),
			Error::<Test>::WorkerBusy
		);
	});
}

#[test]
fn create_model_holds_fee_pins_datanets_and_draws_its_workers_later() {
	build_and_execute(|| {
		register_base();
		register_workers(5);
		let id = create_job(FEE);
		assert_eq!(held(HoldReason::JobFee, BUILDER), FEE);
		System::assert_has_event(
			Event::ModelCreated { model: 0, owner: BUILDER, base_model: 0 }.into(),
		);
		System::assert_has_event(Event::JobCreated { job: id, model: 0, fee: FEE }.into());
		let draw_at = 1 + ASSIGNMENT_DELAY;
		System::assert_last_event(Event::JobScheduled { job: id, attempt: 1, draw_at }.into());
		// Nobody is assigned in the creator's block.
		let info = job(id);
		assert_eq!(
			(info.state, info.attempt, info.draw_at, info.trainer),
			(JobState::Open, 0, Some(draw_at), None)
		);
		assert_eq!(Models::job_view(id).unwrap().deadline, draw_at);
		assert!(VALIDATORS[..5].iter().all(|w| Models::jobs_for_worker(w).is_empty()));
		run_to_block(draw_at - 1);
		assert_eq!(job(id).state, JobState::Open);

		run_to_block(draw_at);
		let (trainer, verifiers) = expected_assignment(id, 1, &VALIDATORS[..5]);
		System::assert_last_event(
			Event::JobAssigned {
				job: id,
				attempt: 1,
				trainer,
				verifiers: verifiers.clone().try_into().unwrap(),
				deadline: draw_at + TRAINING_PERIOD,
			}
			.into(),
		);
		let info = job(id);
		assert_eq!((info.state, info.draw_at), (JobState::Training, None));
		assert_eq!((info.trainer, info.verifiers.into_inner()), (Some(trainer), verifiers.clone()));
		assert_eq!(verifiers.len(), VERIFIERS as usize);
		assert!(!verifiers.contains(&trainer));
		assert_eq!(info.base_weights_hash, content_hash(b"weights"));
		assert_eq!(
			info.datanets.into_inner(),
			vec![
				PinnedDatanetVersion {
					datanet: 0,
					version: 1,
					merkle_root: content_hash(&(0u32, 1u32).encode()),
					row_count: 10
				},
				PinnedDatanetVersion {
					datanet: 1,
					version: 1,
					merkle_root: content_hash(&(1u32, 1u32).encode()),
					row_count: 20
				},
			]
		);
		assert_eq!(info.settings, settings());
		assert_eq!(Models::jobs_for_worker(&trainer), vec![id]);
		for verifier in &verifiers {
			assert_eq!(Models::jobs_for_worker(verifier), vec![id]);
		}
		let model = Model::<Test>::get(0).unwrap();
		assert_eq!((model.owner, model.version_count, model.retired), (BUILDER, 0, false));
		assert_eq!(DrawQueueBounds::<Test>::get(), (1, 1), "the queue is empty");
	});
}

#[test]
fn on_initialize_draws_at_most_max_draws_per_block_and_carries_the_rest_over() {
	build_and_execute(|| {
		register_base();
		register_workers(MAX_WORKERS as usize);
		// Each job takes 2 of the 6 workers, each worker at most 2 jobs: room for all 3.
		assert_ok!(Models::set_verifiers_per_job(RuntimeOrigin::root(), 1));
		let jobs: Vec<JobId> = (0..3).map(|_| create_job(FEE)).collect();
		let draw_at = 1 + ASSIGNMENT_DELAY;
		go_to_block(draw_at);
		let weight = Models::on_initialize(draw_at);
		assert_eq!(weight, <() as WeightInfo>::draw_jobs(MAX_DRAWS_PER_BLOCK));
		let states: Vec<JobState> = jobs.iter().map(|id| job(*id).state).collect();
		assert_eq!(states, vec![JobState::Training, JobState::Training, JobState::Open]);
		// The third waits for the next block, whose randomness draws it.
		run_to_block(draw_at + 1);
		assert_eq!(job(jobs[2]).state, JobState::Training);
		assert_eq!(job(jobs[2]).attempt, 1);
		// An empty queue costs only the look at it.
		go_to_block(draw_at + 2);
		assert_eq!(Models::on_initialize(draw_at + 2), <() as WeightInfo>::draw_jobs(0));
	});
}

#[test]
fn create_model_errors() {
	build_and_execute(|| {
		register_base();
		let call = |who, name: &[u8], base, refs: &[(u32, u32)], settings, fee| {
			Models::create_model(
				RuntimeOrigin::signed(who),
				bounded(name),
				base,
				datanet_refs(refs),
				settings,
				fee,
			)
		};
		let ok_refs = &[(0, 1)];
		assert_noop!(call(BUILDER, b"", 0, ok_refs, settings(), FEE), Error::<Test>::EmptyName);
		assert_noop!(
			call(BUILDER, b"m", 9, ok_refs, settings(), FEE),
			Error::<Test>::UnknownBaseModel
		);
		assert_noop!(call(BUILDER, b"m", 0, &[], settings(), FEE), Error::<Test>::NoDatanets);
		assert_noop!(
			call(BUILDER, b"m", 0, &[(0, 1), (0, 2)], settings(), FEE),
			Error::<Test>::UnknownDatanetVersion
		);
		assert_noop!(
			call(BUILDER, b"m", 0, &[(0, 1), (1, 1), (0, 1)], settings(), FEE),
			Error::<Test>::DuplicateDatanetVersion
		);
		let bad = TrainingSettings { rank: 0, ..settings() };
		assert_noop!(
			call(BUILDER, b"m", 0, ok_refs, bad, FEE),
			Error::<Test>::InvalidTrainingSettings
		);
		let bad = TrainingSettings { eval_fraction_ppm: 0, ..settings() };
		assert_noop!(
			call(BUILDER, b"m", 0, ok_refs, bad, FEE),
			Error::<Test>::InvalidTrainingSettings
		);
		assert_noop!(
			call(BUILDER, b"m", 0, ok_refs, settings(), MIN_JOB_FEE - 1),
			Error::<Test>::FeeTooLow
		);
		assert_noop!(call(PAUPER, b"m", 0, ok_refs, settings(), FEE), TokenError::FundsUnavailable);
		// At the bounds: the most datanet versions, the smallest fee.
		publish_datanet_version(2, 1, 5);
		assert_ok!(call(BUILDER, b"m", 0, &[(0, 1), (1, 1), (2, 1)], settings(), MIN_JOB_FEE));
		let too_many: Vec<DatanetVersionRef> = (0..=MAX_DATANETS)
			.map(|d| DatanetVersionRef { datanet: d, version: 1 })
			.collect();
		assert!(DatanetRefsOf::<Test>::try_from(too_many).is_err());
	});
}

#[test]
fn jobs_wait_for_workers_and_poke_schedules_a_new_draw() {
	build_and_execute(|| {
		register_base();
		register_workers(VERIFIERS as usize);
		let id = create_job(FEE);
		assert_noop!(
			Models::poke_job(RuntimeOrigin::signed(OTHER), id),
			Error::<Test>::DrawPending
		);
		run_to_draw(id);
		System::assert_last_event(Event::JobWaitingForWorkers { job: id }.into());
		let info = job(id);
		assert_eq!((info.state, info.attempt, info.draw_at), (JobState::Open, 0, None));
		assert_noop!(
			Models::poke_job(RuntimeOrigin::signed(OTHER), id),
			Error::<Test>::NotEnoughWorkers
		);
		assert_noop!(
			Models::submit_training_result(RuntimeOrigin::signed(VALIDATORS[0]), id, result(1)),
			Error::<Test>::WrongJobState
		);

		register_worker(VALIDATORS[VERIFIERS as usize]);
		assert_ok!(Models::poke_job(RuntimeOrigin::signed(OTHER), id));
		let draw_at = System::block_number() + ASSIGNMENT_DELAY;
		System::assert_last_event(Event::JobScheduled { job: id, attempt: 1, draw_at }.into());
		assert_noop!(
			Models::poke_job(RuntimeOrigin::signed(OTHER), id),
			Error::<Test>::DrawPending
		);
		run_to_block(draw_at);
		let (trainer, _) = expected_assignment(id, 1, &VALIDATORS[..VERIFIERS as usize + 1]);
		assert_eq!(job(id).state, JobState::Training);
		assert_eq!(trainer_of(id), trainer);
		assert_noop!(Models::poke_job(RuntimeOrigin::signed(OTHER), 42), Error::<Test>::UnknownJob);
	});
}

#[test]
fn workers_at_capacity_are_skipped() {
	build_and_execute(|| {
		register_base();
		register_workers(4);
		// Every job takes all 4 workers; each worker takes at most MAX_JOBS_PER_WORKER (2).
		let first = create_job(FEE);
		let second = create_job(FEE);
		let third = create_job(FEE);
		run_to_block(1 + ASSIGNMENT_DELAY + 1);
		assert_eq!(job(second).state, JobState::Training);
		assert_eq!(job(third).state, JobState::Open);
		System::assert_has_event(Event::JobWaitingForWorkers { job: third }.into());
		assert_eq!(Models::jobs_for_worker(&VALIDATORS[0]), vec![first, second]);
		assert_eq!(Models::eligible_workers(), Vec::<AccountId>::new());
		// A fifth worker alone is not enough.
		register_worker(VALIDATORS[4]);
		assert_noop!(
			Models::poke_job(RuntimeOrigin::signed(OTHER), third),
			Error::<Test>::NotEnoughWorkers
		);
	});
}

/// The block the first draw of a job created in block 1 happens in.
const DRAWN_AT: u64 = 1 + ASSIGNMENT_DELAY;

#[test]
fn submit_training_result_by_trainer_before_deadline() {
	build_and_execute(|| {
		let id = job_among_workers(4);
		let trainer = trainer_of(id);
		let verifier = verifiers_of(id)[0];
		assert_noop!(
			Models::submit_training_result(RuntimeOrigin::signed(trainer), 42, result(1)),
			Error::<Test>::UnknownJob
		);
		assert_noop!(
			Models::submit_training_result(RuntimeOrigin::signed(verifier), id, result(1)),
			Error::<Test>::NotTrainer
		);
		assert_noop!(verify(verifier, id, 1, 1), Error::<Test>::WrongJobState);
		go_to_block(DRAWN_AT + TRAINING_PERIOD + 1);
		assert_noop!(
			Models::submit_training_result(RuntimeOrigin::signed(trainer), id, result(1)),
			Error::<Test>::DeadlinePassed
		);
		go_to_block(DRAWN_AT + TRAINING_PERIOD);
		assert_ok!(Models::submit_training_result(
			RuntimeOrigin::signed(trainer),
			id,
			result(LOSS_PPB)
		));
		System::assert_last_event(
			Event::TrainingResultSubmitted { job: id, trainer, result: result(LOSS_PPB) }.into(),
		);
		let info = job(id);
		assert_eq!(info.state, JobState::Verifying);
		assert_eq!(info.deadline, DRAWN_AT + TRAINING_PERIOD + VERIFICATION_PERIOD);
		assert_noop!(
			Models::submit_training_result(RuntimeOrigin::signed(trainer), id, result(1)),
			Error::<Test>::WrongJobState
		);
	});
}

#[test]
fn an_agreeing_majority_decides_and_pays_the_whole_fee_once_with_lineage() {
	build_and_execute(|| {
		let id = job_in_verification();
		let trainer = trainer_of(id);
		let verifiers = verifiers_of(id);
		let before: Vec<Balance> = verifiers.iter().map(|v| free(*v)).collect();
		let trainer_before = free(trainer);
		// Within 10% of the claimed 1.0 and of each other.
		assert_ok!(verify(verifiers[0], id, 1_020_000_000, HONEST_BASE));
		System::assert_last_event(
			Event::VerificationSubmitted {
				job: id,
				verifier: verifiers[0],
				eval_loss_ppb: 1_020_000_000,
				base_loss_ppb: HONEST_BASE,
			}
			.into(),
		);
		assert_eq!(job(id).state, JobState::Verifying, "one of three is no majority");
		assert_noop!(verify(verifiers[0], id, 1, 1), Error::<Test>::AlreadyVerified);
		assert_noop!(verify(trainer, id, 1, 1), Error::<Test>::NotVerifier);
		assert_ok!(verify(verifiers[1], id, 990_000_000, HONEST_BASE));

		// Two of three agree: decided. FEE = 1003: trainer share 501 (50%), the two agreeing
		// verifiers 251 each, the trainer gets the rest (501).
		let each = (FEE - TrainerShare::get() * FEE) / 2;
		let trainer_paid = FEE - 2 * each;
		assert_eq!((each, trainer_paid), (251, 501));
		System::assert_last_event(
			Event::JobCompleted {
				job: id,
				model: 0,
				version: 1,
				verified_eval_loss_ppb: 990_000_000,
				trainer_paid,
				each_verifier_paid: each,
				paid_verifiers: 2,
			}
			.into(),
		);
		assert_eq!(free(trainer), trainer_before + trainer_paid);
		assert_eq!(free(verifiers[0]), before[0] + each);
		assert_eq!(free(verifiers[1]), before[1] + each);
		// The third had not reported: neither paid nor slashed.
		assert_eq!(free(verifiers[2]), before[2]);
		assert_eq!(held(HoldReason::WorkerBond, verifiers[2]), WORKER_BOND);
		assert!(slashes().is_empty());
		assert_eq!(held(HoldReason::JobFee, BUILDER), 0);
		assert_eq!(free(BUILDER), INITIAL_BALANCE - FEE);
		assert_eq!(job(id).state, JobState::Completed);
		assert!(verifiers
			.iter()
			.chain([&trainer])
			.all(|w| Models::jobs_for_worker(w).is_empty()));

		let versions = Models::model_versions(0);
		assert_eq!(versions.len(), 1);
		let version = &versions[0];
		assert_eq!((version.version, version.job, version.base_model), (1, id, 0));
		assert_eq!(version.base_weights_hash, content_hash(b"weights"));
		assert_eq!(version.datanets.len(), 2);
		assert_eq!(version.result, result(LOSS_PPB));
		assert_eq!(version.verified_eval_loss_ppb, 990_000_000);
		assert_eq!(version.trainer, trainer);
		assert_eq!(version.verifiers, verifiers);
		assert_eq!(version.settings, settings());

		// Nothing more is accepted: no second payment.
		assert_noop!(verify(verifiers[2], id, LOSS_PPB, HONEST_BASE), Error::<Test>::WrongJobState);
		assert_noop!(
			Models::submit_training_result(RuntimeOrigin::signed(trainer), id, result(1)),
			Error::<Test>::WrongJobState
		);
		go_to_block(100);
		assert_noop!(
			Models::poke_job(RuntimeOrigin::signed(OTHER), id),
			Error::<Test>::WrongJobState
		);
	});
}

#[test]
fn tolerance_bound_is_inclusive() {
	build_and_execute(|| {
		let id = job_in_verification();
		// Exactly 10% above the claim of 1.0.
		for verifier in verifiers_of(id).into_iter().take(2) {
			assert_ok!(verify(verifier, id, 1_100_000_000, HONEST_BASE));
		}
		assert_eq!(job(id).state, JobState::Completed);
	});
	build_and_execute(|| {
		let id = job_in_verification();
		for verifier in verifiers_of(id).into_iter().take(2) {
			assert_ok!(verify(verifier, id, 1_100_000_001, HONEST_BASE));
		}
		assert_ne!(job(id).state, JobState::Completed);
	});
}

#[test]
fn rejected_result_slashes_trainer_and_reschedules_then_fails_and_refunds() {
	build_and_execute(|| {
		let id = job_among_workers(6);
		let trainer = trainer_of(id);
		assert_ok!(Models::submit_training_result(
			RuntimeOrigin::signed(trainer),
			id,
			result(LOSS_PPB)
		));
		let treasury_before = free(TREASURY);
		// The verifiers measure 2.0 against a claim of 1.0.
		for verifier in verifiers_of(id).into_iter().take(2) {
			assert_ok!(verify(verifier, id, 2 * LOSS_PPB, 4 * LOSS_PPB));
		}
		System::assert_has_event(
			Event::TrainingRejected {
				job: id,
				trainer,
				claimed_eval_loss_ppb: LOSS_PPB,
				verified_eval_loss_ppb: 2 * LOSS_PPB,
				bond_slashed: WORKER_BOND,
			}
			.into(),
		);
		assert_eq!(
			slashes(),
			vec![SlashCall {
				reason: HoldReason::WorkerBond.into(),
				offender: trainer,
				amount: WORKER_BOND,
				kind: SlashKind::BadTrainer,
				beneficiary: None,
			}]
		);
		assert_eq!(free(TREASURY), treasury_before + WORKER_BOND);
		assert_eq!(held(HoldReason::WorkerBond, trainer), 0);
		assert_eq!(free(trainer), INITIAL_BALANCE - WORKER_BOND);
		assert!(!WorkerList::<Test>::get().contains(&trainer));
		assert!(Workers::<Test>::get(trainer).is_none());

		// Rescheduled, fee still held, then drawn among the remaining workers.
		let draw_at = DRAWN_AT + ASSIGNMENT_DELAY;
		System::assert_last_event(Event::JobScheduled { job: id, attempt: 2, draw_at }.into());
		let info = job(id);
		assert_eq!((info.state, info.attempt), (JobState::Open, 1));
		assert!(info.result.is_none() && info.verifications.is_empty() && info.trainer.is_none());
		assert_eq!(held(HoldReason::JobFee, BUILDER), FEE);
		run_to_block(draw_at);
		let remaining: Vec<AccountId> =
			VALIDATORS[..6].iter().copied().filter(|w| *w != trainer).collect();
		let (second_trainer, second_verifiers) = expected_assignment(id, 2, &remaining);
		let info = job(id);
		assert_eq!((info.state, info.attempt), (JobState::Training, 2));
		assert_eq!(info.trainer, Some(second_trainer));
		assert_eq!(info.verifiers.into_inner(), second_verifiers);

		// The second attempt is rejected too: MAX_ATTEMPTS (2) is used up, the fee is refunded.
		assert_ok!(Models::submit_training_result(
			RuntimeOrigin::signed(second_trainer),
			id,
			result(LOSS_PPB)
		));
		for verifier in second_verifiers.into_iter().take(2) {
			assert_ok!(verify(verifier, id, 3 * LOSS_PPB, 4 * LOSS_PPB));
		}
		System::assert_last_event(Event::JobFailed { job: id, refunded: FEE }.into());
		assert_eq!(job(id).state, JobState::Failed);
		assert_eq!(held(HoldReason::JobFee, BUILDER), 0);
		assert_eq!(free(BUILDER), INITIAL_BALANCE);
		assert!(Models::model_versions(0).is_empty());
		assert!(VALIDATORS[..6].iter().all(|w| Models::jobs_for_worker(w).is_empty()));
		assert_noop!(
			Models::poke_job(RuntimeOrigin::signed(OTHER), id),
			Error::<Test>::WrongJobState
		);
	});
}

#[test]
fn verification_deadline_is_enforced() {
	build_and_execute(|| {
		let id = job_in_verification();
		let verifier = verifiers_of(id)[0];
		go_to_block(job(id).deadline + 1);
		assert_noop!(verify(verifier, id, LOSS_PPB, HONEST_BASE), Error::<Test>::DeadlinePassed);
	});
}

#[test]
fn timeouts_slash_the_silent_reschedule_and_finally_refund() {
	build_and_execute(|| {
		let id = job_among_workers(5);
		let first_trainer = trainer_of(id);
		assert_noop!(
			Models::poke_job(RuntimeOrigin::signed(OTHER), id),
			Error::<Test>::DeadlineNotPassed
		);
		go_to_block(DRAWN_AT + TRAINING_PERIOD + 1);
		assert_ok!(Models::poke_job(RuntimeOrigin::signed(OTHER), id));
		System::assert_has_event(
			Event::DutyMissed { job: id, worker: first_trainer, slashed: TRAINER_TIMEOUT_SLASH }
				.into(),
		);
		System::assert_has_event(Event::JobTimedOut { job: id, attempt: 1 }.into());
		assert_eq!(
			held(HoldReason::WorkerBond, first_trainer),
			WORKER_BOND - TRAINER_TIMEOUT_SLASH
		);
		run_to_draw(id);
		// The timed-out trainer is suspended (below the floor), so it is not drawn again.
		let eligible: Vec<AccountId> =
			VALIDATORS[..5].iter().copied().filter(|w| *w != first_trainer).collect();
		let (trainer, verifiers) = expected_assignment(id, 2, &eligible);
		assert_eq!(
			(job(id).attempt, trainer_of(id), verifiers_of(id)),
			(2, trainer, verifiers.clone())
		);

		// The second attempt times out in verification with nobody reporting: every verifier
		// pays, the trainer is not at fault; attempts are used up.
		assert_ok!(Models::submit_training_result(RuntimeOrigin::signed(trainer), id, result(1)));
		go_to_block(job(id).deadline + 1);
		assert_ok!(Models::poke_job(RuntimeOrigin::signed(OTHER), id));
		for verifier in &verifiers {
			System::assert_has_event(
				Event::DutyMissed { job: id, worker: *verifier, slashed: VERIFIER_SLASH }.into(),
			);
			assert_eq!(held(HoldReason::WorkerBond, *verifier), WORKER_BOND - VERIFIER_SLASH);
		}
		assert_eq!(held(HoldReason::WorkerBond, trainer), WORKER_BOND);
		System::assert_has_event(Event::JobTimedOut { job: id, attempt: 2 }.into());
		System::assert_last_event(Event::JobFailed { job: id, refunded: FEE }.into());
		assert_eq!(free(BUILDER), INITIAL_BALANCE);
		assert!(VALIDATORS[..5].iter().all(|w| Models::jobs_for_worker(w).is_empty()));
		let kinds: Vec<(AccountId, Balance, SlashKind)> = slashes()
			.into_iter()
			.map(|slash| (slash.offender, slash.amount, slash.kind))
			.collect();
		assert_eq!(kinds[0], (first_trainer, TRAINER_TIMEOUT_SLASH, SlashKind::MissedDuty));
		assert!(kinds[1..]
			.iter()
			.all(|(_, amount, kind)| (*amount, *kind) == (VERIFIER_SLASH, SlashKind::MissedDuty)));
		assert_eq!(kinds.len(), 1 + VERIFIERS as usize);
	});
}

#[test]
fn timeout_without_enough_workers_reopens_the_job() {
	build_and_execute(|| {
		register_base();
		register_workers(4);
		let first = create_job(FEE);
		let second = create_job(FEE);
		run_to_block(DRAWN_AT);
		// The second job's trainer is slashed out of the worker set, leaving 3 workers.
		let slashed = trainer_of(second);
		assert_ok!(Models::submit_training_result(
			RuntimeOrigin::signed(slashed),
			second,
			result(LOSS_PPB)
		));
		for verifier in verifiers_of(second).into_iter().take(2) {
			assert_ok!(verify(verifier, second, 5 * LOSS_PPB, 6 * LOSS_PPB));
		}
		assert_eq!(job(second).state, JobState::Open);
		assert_eq!(WorkerList::<Test>::decode_len(), Some(3));

		go_to_block(DRAWN_AT + TRAINING_PERIOD + 1);
		assert_ok!(Models::poke_job(RuntimeOrigin::signed(OTHER), first));
		run_to_draw(first);
		System::assert_has_event(Event::JobWaitingForWorkers { job: first }.into());
		let info = job(first);
		assert_eq!(
			(info.state, info.attempt, info.trainer, info.draw_at),
			(JobState::Open, 1, None, None)
		);
		assert!(Models::jobs_for_worker(&slashed).is_empty());
	});
}

#[test]
fn model_owner_sets_price_transfers_and_retires() {
	build_and_execute(|| {
		register_base();
		create_job(FEE);
		let model = 0;
		assert_ok!(Models::set_price(RuntimeOrigin::signed(BUILDER), model, Some(25)));
		System::assert_last_event(Event::PriceSet { model, price_per_1k_tokens: Some(25) }.into());
		assert_eq!(Model::<Test>::get(model).unwrap().price_per_1k_tokens, Some(25));
		assert_noop!(
			Models::set_price(RuntimeOrigin::signed(OTHER), model, None),
			Error::<Test>::NotModelOwner
		);
		assert_noop!(
			Models::set_price(RuntimeOrigin::signed(BUILDER), 9, None),
			Error::<Test>::UnknownModel
		);

		assert_ok!(Models::transfer_ownership(RuntimeOrigin::signed(BUILDER), model, OTHER));
		System::assert_last_event(
			Event::OwnershipTransferred { model, from: BUILDER, to: OTHER }.into(),
		);
		assert_noop!(
			Models::retire(RuntimeOrigin::signed(BUILDER), model),
			Error::<Test>::NotModelOwner
		);
		assert_ok!(Models::retire(RuntimeOrigin::signed(OTHER), model));
		System::assert_last_event(Event::ModelRetired { model }.into());
		assert!(Model::<Test>::get(model).unwrap().retired);
		assert_noop!(
			Models::set_price(RuntimeOrigin::signed(OTHER), model, Some(1)),
			Error::<Test>::ModelRetired
		);
		assert_noop!(
			Models::transfer_ownership(RuntimeOrigin::signed(OTHER), model, BUILDER),
			Error::<Test>::ModelRetired
		);
		assert_noop!(
			Models::retire(RuntimeOrigin::signed(OTHER), model),
			Error::<Test>::ModelRetired
		);
	});
}

#[test]
fn job_view_reports_state_and_assignment() {
	build_and_execute(|| {
		let id = job_in_verification();
		let view = Models::job_view(id).unwrap();
		assert_eq!((view.id, view.model, view.owner, view.fee), (id, 0, BUILDER, FEE));
		assert_eq!(view.state, JobState::Verifying);
		assert_eq!(view.trainer, Some(trainer_of(id)));
		assert_eq!(view.verifiers, verifiers_of(id));
		assert_eq!(view.result, Some(result(LOSS_PPB)));
		assert_eq!(view.datanets.len(), 2);
		assert!(Models::job_view(42).is_none());
	});
}

#[test]
fn models_inspect_reports_owner_price_adapter_and_lineage() {
	use tributary_primitives::traits::ModelsInspect;
	build_and_execute(|| {
		let id = job_in_verification();
		assert!(<Models as ModelsInspect<_, _>>::model_version(0, 1).is_none());
		for verifier in verifiers_of(id).into_iter().take(2) {
			assert_ok!(verify(verifier, id, HONEST_EVAL, HONEST_BASE));
		}
		assert_ok!(Models::set_price(RuntimeOrigin::signed(BUILDER), 0, Some(40)));
		let facts = <Models as ModelsInspect<_, _>>::model_version(0, 1).unwrap();
		assert_eq!(facts.owner, BUILDER);
		assert_eq!(facts.price_per_1k_tokens, Some(40));
		assert!(!facts.retired);
		assert_eq!(facts.adapter, result(LOSS_PPB).adapter_hash);
		assert_eq!(facts.lineage, datanet_refs(&[(0, 1), (1, 1)]).into_inner());
		assert_ok!(Models::retire(RuntimeOrigin::signed(BUILDER), 0));
		assert!(<Models as ModelsInspect<_, _>>::model_version(0, 1).unwrap().retired);
		assert!(<Models as ModelsInspect<_, _>>::model_version(0, 2).is_none());
		assert!(<Models as ModelsInspect<_, _>>::model_version(1, 1).is_none());
	});
}

/// Take `amount` of a worker's bond the way another pallet (rewards, for a dispute the worker
/// lost) would.
fn slash_part_of_bond(worker: AccountId, amount: Balance) {
	use frame_support::traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
	};
	assert_ok!(Balances::transfer_on_hold(
		&HoldReason::WorkerBond.into(),
		&worker,
		&TREASURY,
		amount,
		Precision::Exact,
		Restriction::Free,
		Fortitude::Force,
	));
}

#[test]
fn a_partly_slashed_bond_is_released_or_slashed_for_what_remains() {
	build_and_execute(|| {
		register_workers(1);
		slash_part_of_bond(VALIDATORS[0], 1_000);
		assert_ok!(Models::unregister_worker(RuntimeOrigin::signed(VALIDATORS[0])));
		assert_eq!(held(HoldReason::WorkerBond, VALIDATORS[0]), 0);
		assert_eq!(free(VALIDATORS[0]), INITIAL_BALANCE - 1_000);

		let id = job_in_verification();
		let trainer = trainer_of(id);
		slash_part_of_bond(trainer, 1_000);
		for verifier in verifiers_of(id).into_iter().take(2) {
			assert_ok!(verify(verifier, id, 2 * LOSS_PPB, 4 * LOSS_PPB));
		}
		System::assert_has_event(
			Event::TrainingRejected {
				job: id,
				trainer,
				claimed_eval_loss_ppb: LOSS_PPB,
				verified_eval_loss_ppb: 2 * LOSS_PPB,
				bond_slashed: WORKER_BOND - 1_000,
			}
			.into(),
		);
		assert_eq!(
			slashes().last().map(|slash| (slash.offender, slash.amount, slash.kind)),
			Some((trainer, WORKER_BOND - 1_000, SlashKind::BadTrainer))
		);
		assert_eq!(held(HoldReason::WorkerBond, trainer), 0);
	});
}

#[test]
fn worker_set_lists_registered_workers_in_order() {
	use tributary_primitives::traits::WorkerSet;
	build_and_execute(|| {
		register_workers(3);
		assert_eq!(<Models as WorkerSet<_>>::workers(), VALIDATORS[..3].to_vec());
		assert!(<Models as WorkerSet<_>>::is_worker(&VALIDATORS[1]));
		assert!(<Models as WorkerSet<_>>::is_active(&VALIDATORS[1]));
		assert!(!<Models as WorkerSet<_>>::is_worker(&BUILDER));
		assert!(!<Models as WorkerSet<_>>::is_active(&BUILDER));
		assert_ok!(Models::unregister_worker(RuntimeOrigin::signed(VALIDATORS[1])));
		assert_eq!(<Models as WorkerSet<_>>::workers(), vec![VALIDATORS[0], VALIDATORS[2]]);
	});
}

#[test]
fn set_verifiers_per_job_by_params_origin_within_bounds_applies_to_later_draws() {
	build_and_execute(|| {
		assert_eq!(VerifiersPerJob::<Test>::get(), VERIFIERS, "the genesis value");
		assert_noop!(
			Models::set_verifiers_per_job(RuntimeOrigin::signed(OTHER), 1),
			DispatchError::BadOrigin
		);
		for invalid in [0, MAX_VERIFIERS + 1] {
			assert_noop!(
				Models::set_verifiers_per_job(RuntimeOrigin::root(), invalid),
				Error::<Test>::InvalidVerifierCount
			);
		}
		assert_ok!(Models::set_verifiers_per_job(RuntimeOrigin::root(), MAX_VERIFIERS));
		System::assert_last_event(Event::VerifiersPerJobSet { verifiers: MAX_VERIFIERS }.into());
		let id = job_among_workers(MAX_WORKERS as usize);
		assert_eq!(verifiers_of(id).len(), MAX_VERIFIERS as usize);
		assert_ok!(Models::set_verifiers_per_job(RuntimeOrigin::root(), 1));
		assert_eq!(verifiers_of(id).len(), MAX_VERIFIERS as usize, "assigned jobs keep theirs");
	});
}

// ---- Attack 3: one predictable verifier, free false rejections, free timeouts, lazy trainers --

/// The assignment of a job created in a block with parent hash `creator_parent` and drawn in a
/// block with parent hash `draw_parent`, among 6 workers.
fn assignment_with(creator_parent: [u8; 32], draw_parent: [u8; 32]) -> (AccountId, Vec<AccountId>) {
	build_and_execute(|| {
		register_base();
		register_workers(MAX_WORKERS as usize);
		System::set_parent_hash(sp_runtime::testing::H256(creator_parent));
		let id = create_job(FEE);
		assert_eq!(job(id).trainer, None, "nothing is drawn in the creator's block");
		go_to_block(DRAWN_AT);
		System::set_parent_hash(sp_runtime::testing::H256(draw_parent));
		Models::on_initialize(DRAWN_AT);
		(trainer_of(id), verifiers_of(id))
	})
}

#[test]
fn attack_3_the_creator_cannot_predict_or_steer_who_verifies_its_job() {
	// What the creator knows when it acts (its own block's parent hash) does not decide the
	// draw: any creator block gives the same workers for the same later block...
	let later = [7u8; 32];
	let drawn = assignment_with([1u8; 32], later);
	for creator_parent in [[2u8; 32], [3u8; 32], [0xffu8; 32]] {
		assert_eq!(assignment_with(creator_parent, later), drawn);
	}
	// ...and the later block, made after the job, does: its randomness changes who is drawn.
	let mut outcomes: Vec<(AccountId, Vec<AccountId>)> =
		(0u8..8).map(|byte| assignment_with([1u8; 32], [byte; 32])).collect();
	outcomes.sort();
	outcomes.dedup();
	assert!(outcomes.len() > 1, "the later block's hash changes the draw: {outcomes:?}");
	// Every worker can be drawn to verify; none is "the next one after the trainer".
	let mut verifiers: Vec<AccountId> = outcomes.iter().flat_map(|(_, v)| v.clone()).collect();
	verifiers.sort();
	verifiers.dedup();
	assert!(verifiers.len() > VERIFIERS as usize, "{verifiers:?}");
}

#[test]
fn attack_3_a_verifier_rejecting_an_honest_trainer_is_outvoted_slashed_and_the_trainer_paid() {
	for lie in [
		(10 * HONEST_EVAL, HONEST_BASE),
		(HONEST_EVAL / 10, HONEST_BASE),
		(HONEST_EVAL, HONEST_EVAL),
	] {
		build_and_execute(|| {
			let id = job_in_verification();
			let trainer = trainer_of(id);
			let verifiers = verifiers_of(id);
			let (liar, honest) = (verifiers[0], &verifiers[1..]);
			let before: Vec<Balance> =
				[trainer, liar, honest[0], honest[1]].iter().map(|w| total(*w)).collect();
			// The liar reports first; alone or against one honest report it decides nothing.
			assert_ok!(verify(liar, id, lie.0, lie.1));
			assert_ok!(verify(honest[0], id, HONEST_EVAL, HONEST_BASE));
			assert_eq!(job(id).state, JobState::Verifying, "{lie:?}: no majority agrees yet");
			assert_ok!(verify(honest[1], id, HONEST_EVAL, HONEST_BASE));

			assert_eq!(job(id).state, JobState::Completed, "{lie:?}");
			System::assert_has_event(
				Event::VerifierOutvoted { job: id, verifier: liar, slashed: VERIFIER_SLASH }.into(),
			);
			assert_eq!(
				slashes()
					.into_iter()
					.map(|s| (s.offender, s.amount, s.kind))
					.collect::<Vec<_>>(),
				vec![(liar, VERIFIER_SLASH, SlashKind::WrongVerdict)]
			);
			let each = (FEE - TrainerShare::get() * FEE) / 2;
			assert_eq!(total(trainer), before[0] + FEE - 2 * each, "the honest trainer is paid");
			assert_eq!(total(liar), before[1] - VERIFIER_SLASH, "the liar ends with less");
			assert_eq!(total(honest[0]), before[2] + each);
			assert_eq!(total(honest[1]), before[3] + each);
		});
	}
}

#[test]
fn attack_3_silent_verifiers_lose_their_slash_at_the_deadline() {
	build_and_execute(|| {
		let id = job_in_verification();
		let trainer = trainer_of(id);
		let verifiers = verifiers_of(id);
		let before: Vec<Balance> = verifiers.iter().map(|w| total(*w)).collect();
		let trainer_before = total(trainer);
		// One honest report, two silent: no majority before the deadline.
		assert_ok!(verify(verifiers[0], id, HONEST_EVAL, HONEST_BASE));
		go_to_block(job(id).deadline + 1);
		assert_ok!(Models::poke_job(RuntimeOrigin::signed(OTHER), id));
		for (verifier, before) in verifiers[1..].iter().zip(&before[1..]) {
			System::assert_has_event(
				Event::DutyMissed { job: id, worker: *verifier, slashed: VERIFIER_SLASH }.into(),
			);
			System::assert_has_event(
				Event::WorkerSuspended { worker: *verifier, held: WORKER_BOND - VERIFIER_SLASH }
					.into(),
			);
			assert_eq!(total(*verifier), before - VERIFIER_SLASH, "silence costs");
			assert!(!is_active(*verifier));
		}
		// Whoever reported decides: the honest trainer and the one honest verifier are paid.
		assert_eq!(job(id).state, JobState::Completed);
		let each = FEE - TrainerShare::get() * FEE;
		assert_eq!(total(verifiers[0]), before[0] + each);
		assert_eq!(total(trainer), trainer_before + FEE - each);
	});
}

#[test]
fn attack_3_with_no_report_at_all_the_job_is_retried_and_the_trainer_is_not_at_fault() {
	build_and_execute(|| {
		let id = job_in_verification();
		let trainer = trainer_of(id);
		go_to_block(job(id).deadline + 1);
		assert_ok!(Models::poke_job(RuntimeOrigin::signed(OTHER), id));
		System::assert_has_event(Event::JobTimedOut { job: id, attempt: 1 }.into());
		assert_eq!(slashes().len(), VERIFIERS as usize);
		assert!(slashes()
			.iter()
			.all(|s| s.offender != trainer && s.kind == SlashKind::MissedDuty));
		assert_eq!(total(trainer), INITIAL_BALANCE);
		assert!(is_active(trainer));
		assert_eq!((job(id).state, job(id).draw_at.is_some()), (JobState::Open, true));
	});
}

#[test]
fn attack_3_disagreeing_reports_at_the_deadline_decide_nothing_and_slash_no_reporter() {
	build_and_execute(|| {
		let id = job_in_verification();
		let verifiers = verifiers_of(id);
		assert_ok!(verify(verifiers[0], id, HONEST_EVAL, HONEST_BASE));
		assert_ok!(verify(verifiers[1], id, 10 * HONEST_EVAL, HONEST_BASE));
		go_to_block(job(id).deadline + 1);
		assert_ok!(Models::poke_job(RuntimeOrigin::signed(OTHER), id));
		System::assert_has_event(Event::VerificationInconclusive { job: id, reports: 2 }.into());
		// Only the silent one pays; which of the two reporters lied is not known.
		assert_eq!(
			slashes().into_iter().map(|s| (s.offender, s.kind)).collect::<Vec<_>>(),
			vec![(verifiers[2], SlashKind::MissedDuty)]
		);
		assert_eq!(job(id).state, JobState::Open);
	});
}

#[test]
fn attack_3_a_trainer_that_misses_its_deadline_loses_its_timeout_slash() {
	build_and_execute(|| {
		let id = job_among_workers(4);
		let trainer = trainer_of(id);
		let before = total(trainer);
		go_to_block(job(id).deadline + 1);
		assert_ok!(Models::poke_job(RuntimeOrigin::signed(OTHER), id));
		assert_eq!(total(trainer), before - TRAINER_TIMEOUT_SLASH);
		assert_eq!(
			slashes()
				.into_iter()
				.map(|s| (s.offender, s.amount, s.kind))
				.collect::<Vec<_>>(),
			vec![(trainer, TRAINER_TIMEOUT_SLASH, SlashKind::MissedDuty)]
		);
		System::assert_has_event(
			Event::WorkerSuspended { worker: trainer, held: WORKER_BOND - TRAINER_TIMEOUT_SLASH }
				.into(),
		);
		// The verifiers had nothing to do yet: they keep their bonds.
		for verifier in verifiers_of(id) {
			assert_eq!(total(verifier), INITIAL_BALANCE);
		}
	});
}

#[test]
fn attack_3_a_lazy_trainer_is_rejected_not_paid_and_slashed() {
	build_and_execute(|| {
		// The trainer returns an untrained adapter and honestly claims its loss, the base's.
		let id = job_among_workers(4);
		let trainer = trainer_of(id);
		let before = total(trainer);
		let untrained = HONEST_BASE - HONEST_BASE / 100;
		assert_ok!(Models::submit_training_result(
			RuntimeOrigin::signed(trainer),
			id,
			result(untrained)
		));
		let verifiers = verifiers_of(id);
		for verifier in verifiers.iter().take(2) {
			assert_ok!(verify(*verifier, id, untrained, HONEST_BASE));
		}
		System::assert_has_event(
			Event::TrainingWithoutImprovement {
				job: id,
				trainer,
				verified_eval_loss_ppb: untrained,
				verified_base_loss_ppb: HONEST_BASE,
				slashed: LAZY_TRAINER_SLASH,
			}
			.into(),
		);
		assert_eq!(total(trainer), before - LAZY_TRAINER_SLASH, "not paid, and slashed");
		assert_eq!(
			slashes()
				.into_iter()
				.map(|s| (s.offender, s.amount, s.kind))
				.collect::<Vec<_>>(),
			vec![(trainer, LAZY_TRAINER_SLASH, SlashKind::BadTrainer)]
		);
		// The honest verifiers lose nothing; the fee stays held for the retry.
		assert!(verifiers.iter().all(|v| total(*v) == INITIAL_BALANCE));
		assert_eq!(held(HoldReason::JobFee, BUILDER), FEE);
		let info = job(id);
		assert_eq!((info.state, info.draw_at.is_some()), (JobState::Open, true));
		assert!(Models::model_versions(0).is_empty());
		// It stays a worker, suspended until it tops up.
		assert!(Workers::<Test>::contains_key(trainer) && !is_active(trainer));
	});
}

#[test]
fn attack_3_a_verifier_lying_about_the_base_loss_cannot_make_an_honest_trainer_look_lazy() {
	build_and_execute(|| {
		let id = job_in_verification();
		let trainer = trainer_of(id);
		let verifiers = verifiers_of(id);
		assert_ok!(verify(verifiers[0], id, HONEST_EVAL, HONEST_EVAL));
		assert_ok!(verify(verifiers[1], id, HONEST_EVAL, HONEST_BASE));
		assert_ok!(verify(verifiers[2], id, HONEST_EVAL, HONEST_BASE));
		assert_eq!(job(id).state, JobState::Completed);
		assert_eq!(total(verifiers[0]), INITIAL_BALANCE - VERIFIER_SLASH);
		assert!(total(trainer) > INITIAL_BALANCE);
	});
}

// ---- Attack 4: bonds slashed to zero keep working; removed authorities keep working ----------

#[test]
fn attack_4_a_worker_below_the_bond_floor_is_not_drawn_and_cannot_act_until_it_tops_up() {
	build_and_execute(|| {
		let id = job_in_verification();
		let worker = verifiers_of(id)[0];
		// Another pallet (a lost attribution dispute) took its whole bond.
		slash_part_of_bond(worker, WORKER_BOND);
		assert!(!is_active(worker));
		assert_noop!(verify(worker, id, HONEST_EVAL, HONEST_BASE), Error::<Test>::BondBelowFloor);
		assert!(!Models::eligible_workers().contains(&worker));
		// A job opened now is never drawn onto it: only 3 active workers remain, too few.
		let second = create_job(FEE);
		run_to_draw(second);
		System::assert_has_event(Event::JobWaitingForWorkers { job: second }.into());

		assert_noop!(
			Models::top_up_bond(RuntimeOrigin::signed(BUILDER)),
			Error::<Test>::NotRegistered
		);
		assert_ok!(Models::top_up_bond(RuntimeOrigin::signed(worker)));
		System::assert_last_event(Event::BondToppedUp { worker, amount: WORKER_BOND }.into());
		assert_eq!(held(HoldReason::WorkerBond, worker), WORKER_BOND);
		assert_eq!(total(worker), INITIAL_BALANCE - WORKER_BOND, "lying again costs a fresh bond");
		assert_noop!(
			Models::top_up_bond(RuntimeOrigin::signed(worker)),
			Error::<Test>::BondNotShort
		);
		assert!(is_active(worker));
		assert!(Models::eligible_workers().contains(&worker));
		assert_ok!(verify(worker, id, HONEST_EVAL, HONEST_BASE));
	});
}

#[test]
fn attack_4_top_up_needs_the_funds() {
	build_and_execute(|| {
		register_workers(1);
		let worker = VALIDATORS[0];
		slash_part_of_bond(worker, 1_000);
		let spendable = free(worker) - 1;
		assert_ok!(<Balances as frame_support::traits::fungible::Mutate<_>>::transfer(
			&worker,
			&OTHER,
			spendable,
			frame_support::traits::tokens::Preservation::Preserve,
		));
		assert_noop!(
			Models::top_up_bond(RuntimeOrigin::signed(worker)),
			TokenError::FundsUnavailable
		);
	});
}

#[test]
fn attack_4_a_worker_whose_validator_left_is_not_drawn_cannot_act_and_is_removed() {
	build_and_execute(|| {
		let id = job_in_verification();
		let departed = verifiers_of(id)[0];
		leave_validator_set(departed);
		assert!(!is_active(departed));
		assert!(<Models as tributary_primitives::traits::WorkerSet<_>>::is_worker(&departed));
		assert_noop!(verify(departed, id, HONEST_EVAL, HONEST_BASE), Error::<Test>::NotValidator);
		assert!(!Models::eligible_workers().contains(&departed));

		assert_noop!(
			Models::remove_departed_worker(RuntimeOrigin::signed(OTHER), VALIDATORS[7]),
			Error::<Test>::NotRegistered
		);
		let still = trainer_of(id);
		assert_noop!(
			Models::remove_departed_worker(RuntimeOrigin::signed(OTHER), still),
			Error::<Test>::StillValidator
		);
		assert_noop!(
			Models::remove_departed_worker(RuntimeOrigin::signed(OTHER), departed),
			Error::<Test>::WorkerBusy
		);
		// The job is decided without it; its duty there ends.
		for verifier in verifiers_of(id).into_iter().skip(1) {
			assert_ok!(verify(verifier, id, HONEST_EVAL, HONEST_BASE));
		}
		set_open_records(departed, true);
		assert_noop!(
			Models::remove_departed_worker(RuntimeOrigin::signed(OTHER), departed),
			Error::<Test>::WorkerHasOpenRecords
		);
		set_open_records(departed, false);
		assert_ok!(Models::remove_departed_worker(RuntimeOrigin::signed(OTHER), departed));
		System::assert_last_event(
			Event::DepartedWorkerRemoved { worker: departed, released: WORKER_BOND }.into(),
		);
		assert!(!WorkerList::<Test>::get().contains(&departed));
		assert_eq!(total(departed), INITIAL_BALANCE, "an honest departing validator is whole");
		// Jobs from now on are drawn among the others only.
		let second = create_job(FEE);
		run_to_draw(second);
		System::assert_has_event(Event::JobWaitingForWorkers { job: second }.into());
	});
}

// ---- Property: random verifier honesty and silence --------------------------------------------

#[derive(Clone, Copy, Debug)]
enum Verifier {
	Honest,
	/// Reports ten times the true adapter loss.
	LiesHigh,
	/// Reports a tenth of the true adapter loss.
	LiesLow,
	/// Reports the adapter's true loss as the base's (no improvement).
	LiesBase,
	Silent,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Trainer {
	Honest,
	/// Claims a third of the true loss.
	Lies,
	/// Returns an untrained adapter and claims its true loss.
	Lazy,
}

mod property {
	use super::*;
	use proptest::prelude::*;

	fn verifier() -> impl Strategy<Value = Verifier> {
		prop_oneof![
			3 => Just(Verifier::Honest),
			1 => Just(Verifier::LiesHigh),
			1 => Just(Verifier::LiesLow),
			1 => Just(Verifier::LiesBase),
			1 => Just(Verifier::Silent),
		]
	}

	fn everyone() -> Vec<AccountId> {
		[BUILDER, OTHER, TREASURY].into_iter().chain(VALIDATORS).collect()
	}

	proptest! {
		#![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

		#[test]
		fn an_honest_majority_decides_right_and_balances_are_conserved(
			k in 1..=MAX_VERIFIERS,
			behaviour in proptest::collection::vec(verifier(), MAX_VERIFIERS as usize),
			order_keys in proptest::collection::vec(any::<u32>(), MAX_VERIFIERS as usize),
			trainer_kind in prop_oneof![Just(Trainer::Honest), Just(Trainer::Lies), Just(Trainer::Lazy)],
		) {
			build_and_execute(|| {
				let issuance = Balances::total_issuance();
				let sum = || everyone().into_iter().map(total).sum::<Balance>();
				let before_all = sum();
				assert_ok!(Models::set_verifiers_per_job(RuntimeOrigin::root(), k));
				let id = job_among_workers(MAX_WORKERS as usize);
				let trainer = trainer_of(id);
				let verifiers = verifiers_of(id);
				let behaviour = &behaviour[..k as usize];
				let before: Vec<Balance> = verifiers.iter().map(|v| total(*v)).collect();
				let trainer_before = total(trainer);
				let (true_eval, base) = match trainer_kind {
					Trainer::Lazy => (HONEST_BASE, HONEST_BASE),
					_ => (HONEST_EVAL, HONEST_BASE),
				};
				let claim = if trainer_kind == Trainer::Lies { true_eval / 3 } else { true_eval };
				// Verifiers report in a random order.
				let mut order: Vec<usize> = (0..k as usize).collect();
				order.sort_by_key(|index| order_keys[*index]);
				assert_ok!(Models::submit_training_result(RuntimeOrigin::signed(trainer), id, result(claim)));
				for index in order.iter().copied() {
					let report = match behaviour[index] {
						Verifier::Honest => Some((true_eval, base)),
						Verifier::LiesHigh => Some((10 * true_eval, base)),
						Verifier::LiesLow => Some((true_eval / 10, base)),
						Verifier::LiesBase => Some((true_eval, true_eval)),
						Verifier::Silent => None,
					};
					if let Some((eval, base)) = report {
						if job(id).state == JobState::Verifying {
							assert_ok!(verify(verifiers[index], id, eval, base));
						}
					}
				}
				if job(id).state == JobState::Verifying {
					go_to_block(job(id).deadline + 1);
					assert_ok!(Models::poke_job(RuntimeOrigin::signed(OTHER), id));
				}

				let honest = behaviour.iter().filter(|b| matches!(b, Verifier::Honest)).count();
				if 2 * honest > k as usize {
					match trainer_kind {
						Trainer::Honest => {
							assert_eq!(job(id).state, JobState::Completed, "{behaviour:?} {order:?}");
							assert!(total(trainer) > trainer_before, "the honest trainer is paid");
						},
						Trainer::Lies => {
							assert_ne!(job(id).state, JobState::Completed);
							assert_eq!(total(trainer), trainer_before - WORKER_BOND, "the lying trainer loses its bond");
						},
						Trainer::Lazy => {
							assert_ne!(job(id).state, JobState::Completed);
							assert_eq!(total(trainer), trainer_before - LAZY_TRAINER_SLASH, "the lazy trainer pays");
						},
					}
					for (index, kind) in behaviour.iter().enumerate() {
						if matches!(kind, Verifier::Honest) {
							assert!(total(verifiers[index]) >= before[index], "honest verifiers are whole");
						}
					}
				}
				// Every report the majority outvoted was a lie.
				for slash in slashes() {
					if slash.kind == SlashKind::WrongVerdict {
						let index = verifiers.iter().position(|v| *v == slash.offender).unwrap();
						assert!(!matches!(behaviour[index], Verifier::Honest) || 2 * honest <= k as usize);
					}
				}
				assert_eq!(Balances::total_issuance(), issuance);
				assert_eq!(sum(), before_all, "nothing is created or lost");
			});
		}
	}
}

/// The off-chain worker against a scripted sidecar: every HTTP request it makes is expected in
/// order (an unexpected one fails the test) and answered with the given JSON.
mod offchain_worker {
	use super::*;
	use crate::offchain::{Role, MAX_SIDECAR_RUNS};
	use frame_support::traits::Hooks;
	use serde_json::{json, Value};
	use sp_runtime::testing::UintAuthorityId;
	use tributary_worker_client::testing::Testbed;

	fn offchain_ext() -> (sp_io::TestExternalities, Testbed) {
		let mut ext = new_test_ext();
		let sidecar = Testbed::install(&mut ext);
		(ext, sidecar)
	}

	/// Expect the job's request for `role` (run `runs`), answered with `answer` of it.
	fn expect_job(
		sidecar: &Testbed,
		id: JobId,
		role: Role,
		runs: u32,
		answer: impl FnOnce(&Value) -> Value,
	) {
		let sidecar_id = Pallet::<Test>::sidecar_job_id(id, job(id).attempt, role, runs);
		let request = Pallet::<Test>::job_request(&sidecar_id, &job(id), role).unwrap();
		let body = request.body();
		assert_eq!(
			body["rows"].as_array().map(Vec::len),
			Some(30),
			"every row of both pinned versions"
		);
		assert_eq!(
			body["rows"][1]["byte_len"], 2,
			"with its declared length, which the sidecar checks"
		);
		sidecar.expect("POST", request.path(), Some(&body), answer(&body));
	}

	/// The sidecar's job record of the request `spec` of `kind`.
	fn record(kind: &str, spec: &Value, status: &str, fields: Value) -> Value {
		let mut spec = spec.clone();
		spec["kind"] = kind.into();
		let mut record = json!({
			"spec": spec, "status": status, "progress": { "step": 0, "total_steps": 9, "loss": null },
			"result_hash": null, "model": null, "metrics": null, "error": null, "runs": 1,
		});
		for (key, value) in fields.as_object().unwrap() {
			record[key] = value.clone();
		}
		record
	}

	fn run_offchain_worker(block: u64) {
		go_to_block(block);
		Models::offchain_worker(block);
	}

	fn succeeded_training(spec: &Value) -> Value {
		record(
			"train",
			spec,
			"succeeded",
			json!({
				"result_hash": tributary_primitives::hex::encode(&content_hash(b"adapter")),
				"metrics": {
					"eval_loss_before": 2.5, "eval_loss_after": 1.0, "perplexity_after": 2.7,
					"steps": 9, "train_tokens_per_epoch": 900, "tokens_per_sec": 100.0,
					"seconds": 9.0, "train_loss": 2.0, "adapter_bytes": 4096,
				},
			}),
		)
	}

	#[test]
	fn a_trainer_submits_its_sidecar_result_once_then_retries_with_backoff() {
		let (mut ext, sidecar) = offchain_ext();
		ext.execute_with(|| {
			let id = job_among_workers(4);
			let trainer = trainer_of(id);
			UintAuthorityId::set_all_keys([trainer]);

			expect_job(&sidecar, id, Role::Train, 0, |spec| {
				record(
					"train",
					spec,
					"running",
					json!({ "progress": { "step": 3, "total_steps": 9, "loss": 2.5 } }),
				)
			});
			run_offchain_worker(DRAWN_AT + 1);
			assert!(
				sidecar.submitted::<Extrinsic>().is_empty(),
				"nothing to submit while training"
			);

			expect_job(&sidecar, id, Role::Train, 0, succeeded_training);
			run_offchain_worker(DRAWN_AT + 2);
			let expected = RuntimeCall::Models(Call::submit_training_result {
				job: id,
				result: result(LOSS_PPB),
			});
			assert_eq!(sidecar.submitted::<Extrinsic>(), vec![(Some(trainer), expected.clone())]);

			// The next blocks still show the job training (the transaction is in no block here):
			// no second submission until the backoff has passed, then a retry.
			for block in DRAWN_AT + 3..DRAWN_AT + 5 {
				expect_job(&sidecar, id, Role::Train, 0, succeeded_training);
				run_offchain_worker(block);
				assert_eq!(
					sidecar.submitted::<Extrinsic>().len(),
					1,
					"no resubmission in block {block}"
				);
			}
			expect_job(&sidecar, id, Role::Train, 0, succeeded_training);
			run_offchain_worker(DRAWN_AT + 5);
			assert_eq!(
				sidecar.submitted::<Extrinsic>(),
				vec![(Some(trainer), expected.clone()), (Some(trainer), expected)]
			);
			check_invariants();
		});
	}

	#[test]
	fn a_train_job_the_sidecar_lost_is_trained_again_under_a_new_id_a_bounded_number_of_times() {
		let (mut ext, sidecar) = offchain_ext();
		ext.execute_with(|| {
			let id = job_among_workers(4);
			UintAuthorityId::set_all_keys([trainer_of(id)]);
			let lost = |spec: &Value| {
				record(
					"train",
					spec,
					"failed",
					json!({ "error": "the worker restarted while this job was running" }),
				)
			};
			for run in 0..MAX_SIDECAR_RUNS {
				expect_job(&sidecar, id, Role::Train, run, lost);
				run_offchain_worker(DRAWN_AT + 1 + u64::from(run));
			}
			// The last run failed too: the worker stops and the chain times the attempt out.
			expect_job(&sidecar, id, Role::Train, MAX_SIDECAR_RUNS - 1, lost);
			run_offchain_worker(DRAWN_AT + 1 + u64::from(MAX_SIDECAR_RUNS));
			assert!(sidecar.submitted::<Extrinsic>().is_empty());
			check_invariants();
		});
	}

	#[test]
	fn a_verifier_evaluates_the_trainers_adapter_on_the_held_out_rows() {
		let (mut ext, sidecar) = offchain_ext();
		ext.execute_with(|| {
			let id = job_in_verification();
			let verifier = verifiers_of(id)[0];
			UintAuthorityId::set_all_keys([verifier]);
			let sidecar_id = Pallet::<Test>::sidecar_job_id(id, 1, Role::Verify, 0);
			let request = Pallet::<Test>::job_request(&sidecar_id, &job(id), Role::Verify).unwrap();
			assert_eq!(request.path(), "/jobs/eval");
			let body = request.body();
			assert_eq!(
				body["adapter"],
				tributary_primitives::hex::encode(&content_hash(b"adapter"))
			);
			assert_eq!(body["held_out"], true);
			let eval = |metrics: Value| {
				move |spec: &Value| record("eval", spec, "succeeded", json!({ "metrics": metrics }))
			};

			// An eval without the base model's loss (undefined, NaN) submits nothing.
			expect_job(
				&sidecar,
				id,
				Role::Verify,
				0,
				eval(
					json!({ "adapter_hash": null, "rows": 3, "tokens": 30, "eval_loss": 1.02, "perplexity": 2.8 }),
				),
			);
			run_offchain_worker(DRAWN_AT + 1);
			assert!(sidecar.submitted::<Extrinsic>().is_empty());
			expect_job(
				&sidecar,
				id,
				Role::Verify,
				0,
				eval(json!({
					"adapter_hash": null, "rows": 3, "tokens": 30, "eval_loss": 1.02, "perplexity": 2.8,
					"base_loss": 2.5,
				})),
			);
			run_offchain_worker(DRAWN_AT + 2);
			assert_eq!(
				sidecar.submitted::<Extrinsic>(),
				vec![(
					Some(verifier),
					RuntimeCall::Models(Call::submit_verification {
						job: id,
						eval_loss_ppb: 1_020_000_000,
						base_loss_ppb: 2_500_000_000
					})
				)]
			);
			check_invariants();
		});
	}

	#[test]
	fn every_accepted_version_in_storage_is_registered_with_the_sidecar_until_it_serves_it() {
		let (mut ext, sidecar) = offchain_ext();
		ext.execute_with(|| {
			let id = job_in_verification();
			for verifier in verifiers_of(id).into_iter().take(2) {
				assert_ok!(verify(verifier, id, HONEST_EVAL, HONEST_BASE));
			}
			let registration = json!({
				"id": "model-0-v1",
				"adapter_hash": tributary_primitives::hex::encode(&content_hash(b"adapter")),
				"settings": {
					"method": "qlora-nf4", "rank": 8, "alpha": 16, "dropout_ppm": 50_000,
					"target_modules": ["q_proj", "v_proj"], "learning_rate_ppb": 2_000_000,
					"batch_size": 8, "sequence_length": 128, "epochs": 1, "max_steps": 0, "seed": 7,
					"eval_fraction_ppm": 100_000,
				},
				"corpus": Pallet::<Test>::lineage_rows(&job(id).datanets)
					.unwrap()
					.iter()
					.map(|(name, row)| json!({
						"datanet": name.datanet,
						"row": name.row,
						"hash": tributary_primitives::hex::encode(&row.content_hash),
					}))
					.collect::<Vec<_>>(),
				"chain": { "model": 0, "version": 1 },
			});
			// The off-chain worker missed the block that accepted the version: it still finds it in
			// storage. No worker key is needed to serve; the first try is refused, the retry succeeds.
			System::reset_events();
			sidecar.expect(
				"POST",
				"/v1/adapters",
				Some(&registration),
				json!({ "error": { "message": "busy", "type": "server_error", "param": null, "code": null } }),
			);
			run_offchain_worker(DRAWN_AT + 1);
			sidecar.expect(
				"POST",
				"/v1/adapters",
				Some(&registration),
				json!({ "id": "model-0-v1", "adapters": [] }),
			);
			run_offchain_worker(DRAWN_AT + 4);
			// Served: nothing more is sent.
			run_offchain_worker(DRAWN_AT + 11);
			check_invariants();
		});
	}
}

/// Base models named in the chain spec are registered at genesis, in order.
#[test]
fn genesis_registers_the_chain_specs_base_models() {
	use sp_runtime::BuildStorage;
	let model = GenesisBaseModel {
		name: "smollm2".into(),
		architecture: "llama".into(),
		weights_hash: format!("0x{}", "ab".repeat(32)),
		config_hash: "cd".repeat(32),
		tokenizer_hash: "ef".repeat(32),
		parameter_count: 134_515_008,
		license: "Apache-2.0".into(),
	};
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	crate::GenesisConfig::<Test> { base_models: vec![model.clone()], ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	sp_io::TestExternalities::new(storage).execute_with(|| {
		let info = BaseModels::<Test>::get(0).expect("registered as base model 0");
		assert_eq!(info.name.to_vec(), b"smollm2".to_vec());
		assert_eq!(info.weights_hash, [0xab; 32]);
		assert_eq!(info.tokenizer_hash, [0xef; 32]);
		assert_eq!(info.parameter_count, 134_515_008);
		assert_eq!(BaseModelByWeights::<Test>::get([0xab; 32]), Some(0));
		check_invariants();
	});
	let bad = GenesisBaseModel { config_hash: "zz".into(), ..model };
	assert!(bad.info::<Test>().unwrap_err().contains("configHash"));
}

/// `try_state` (run after every test and every block here) finds a broken invariant and names it
/// with its key.
mod try_state {
	use super::*;

	/// The invariant `do_try_state` finds broken.
	fn broken() -> &'static str {
		match Models::do_try_state() {
			Err(DispatchError::Other(message)) => message,
			other => panic!("expected a broken invariant, got {other:?}"),
		}
	}

	#[test]
	fn broken_counters_active_jobs_queues_and_holds_are_caught() {
		new_test_ext().execute_with(|| {
			let id = job_among_workers(4);
			assert_ok!(Models::do_try_state());

			// The job counter would hand out the job's id again.
			NextJobId::<Test>::put(id);
			assert_eq!(broken(), format!("Jobs {id}: id not below NextJobId {id}"));
			NextJobId::<Test>::put(id + 1);

			// The trainer's active jobs forget the job it trains.
			let trainer = trainer_of(id);
			let jobs = WorkerJobs::<Test>::take(trainer);
			assert!(
				broken().starts_with(&format!("Jobs {id}: fields do not fit state Training")),
				"{}",
				broken()
			);
			WorkerJobs::<Test>::insert(trainer, jobs);

			// A second draw queued for a job that has its workers.
			let (head, next) = DrawQueueBounds::<Test>::get();
			DrawQueue::<Test>::insert(next, id);
			DrawQueueBounds::<Test>::put((head, next + 1));
			assert!(broken().starts_with(&format!("Jobs {id}: ")), "{}", broken());
			DrawQueue::<Test>::remove(next);
			DrawQueueBounds::<Test>::put((head, next));

			// A fee recorded but not held.
			Jobs::<Test>::mutate(id, |job| job.as_mut().unwrap().fee += 1);
			assert_eq!(
				broken(),
				format!(
					"JobFee hold of {BUILDER:?}: {FEE:?} held, {:?} in open jobs' fees",
					FEE + 1
				)
			);
		});
	}
}

#[test]
fn migration_to_v1_keeps_every_job_and_version_with_the_new_settings_off() {
	use crate::migrations::v1::{v0, MigrateV0ToV1};
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};

	build_and_execute(|| {
		let completed = job_in_verification();
		let verifiers = verifiers_of(completed);
		assert_ok!(verify(verifiers[0], completed, 1_000_000_000, HONEST_BASE));
		assert_ok!(verify(verifiers[1], completed, 1_000_000_000, HONEST_BASE));
		let open = create_job(FEE);
		let (jobs, versions): (Vec<_>, Vec<_>) =
			(Jobs::<Test>::iter().collect(), ModelVersions::<Test>::iter().collect());
		assert_eq!((jobs.len(), versions.len()), (2, 1));

		// The same entries as version 0 wrote them: settings without the four new fields.
		let old_settings = |s: &TrainingSettings| v0::TrainingSettings {
			method: s.method,
			rank: s.rank,
			alpha: s.alpha,
			dropout_ppm: s.dropout_ppm,
			target_modules: s.target_modules,
			learning_rate_ppb: s.learning_rate_ppb,
			batch_size: s.batch_size,
			sequence_length: s.sequence_length,
			epochs: s.epochs,
			max_steps: s.max_steps,
			seed: s.seed,
			eval_fraction_ppm: s.eval_fraction_ppm,
		};
		for (id, info) in &jobs {
			let old = v0::JobInfo::<Test> {
				model: info.model,
				owner: info.owner,
				base_model: info.base_model,
				base_weights_hash: info.base_weights_hash,
				datanets: info.datanets.clone(),
				settings: old_settings(&info.settings),
				fee: info.fee,
				state: info.state,
				attempt: info.attempt,
				draw_at: info.draw_at,
				trainer: info.trainer,
				verifiers: info.verifiers.clone(),
				deadline: info.deadline,
				result: info.result,
				verifications: info.verifications.clone(),
			};
			frame_support::storage::unhashed::put_raw(
				&Jobs::<Test>::hashed_key_for(id),
				&old.encode(),
			);
		}
		for (model, version, info) in &versions {
			let old = v0::ModelVersionInfo::<Test> {
				job: info.job,
				base_model: info.base_model,
				base_weights_hash: info.base_weights_hash,
				datanets: info.datanets.clone(),
				settings: old_settings(&info.settings),
				result: info.result,
				verified_eval_loss_ppb: info.verified_eval_loss_ppb,
				trainer: info.trainer,
				verifiers: info.verifiers.clone(),
				created_at: info.created_at,
			};
			let key = ModelVersions::<Test>::hashed_key_for(model, version);
			frame_support::storage::unhashed::put_raw(&key, &old.encode());
		}
		StorageVersion::new(0).put::<Models>();
		assert!(Jobs::<Test>::try_get(open).is_err(), "the old layout does not decode as v1");

		MigrateV0ToV1::<Test>::on_runtime_upgrade();
		assert_eq!(Models::on_chain_storage_version(), 1);
		assert_eq!(Jobs::<Test>::iter().collect::<Vec<_>>(), jobs);
		assert_eq!(ModelVersions::<Test>::iter().collect::<Vec<_>>(), versions);
		assert!(!job(open).settings.use_dora && job(open).settings.early_stopping_patience == 0);

		// A second upgrade finds version 1 and leaves the entries alone (translating v1 entries
		// as v0 would fail to decode and drop them).
		MigrateV0ToV1::<Test>::on_runtime_upgrade();
		assert_eq!(Jobs::<Test>::iter().collect::<Vec<_>>(), jobs);
	});
}
