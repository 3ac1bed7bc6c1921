//! Unit tests of every call and of the job lifecycle: success paths with their events and exact
//! balance effects, every `Error` variant (each through `assert_noop!`, which also checks that
//! storage is unchanged), bounded inputs at their bounds, and the deterministic assignment.

use crate::{mock::*, *};
use codec::Encode;
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect, InspectHold},
		Get,
	},
	BoundedVec,
};
use sp_runtime::{DispatchError, TokenError};
use tributary_primitives::{
	content_hash,
	models::{
		BaseModelId, DatanetVersionRef, JobId, JobState, PinnedDatanetVersion, TrainingResult, LOSS_PPB,
	},
	rewards::SlashKind,
	training::{TargetModules, TrainingMethod, TrainingSettings, QuantFormat},
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

/// The documented assignment rule, computed independently of the pallet.
fn expected_assignment(job: JobId, attempt: u32, eligible: &[AccountId]) -> (AccountId, Vec<AccountId>) {
	let seed = sp_io::hashing::blake2_256(
		&(b"tributary/assign".as_slice(), job, attempt, System::parent_hash()).encode(),
	);
	let n = eligible.len();
	let start = (u64::from_le_bytes(seed[..8].try_into().unwrap()) % n as u64) as usize;
	let verifiers = (1..=VERIFIERS as usize).map(|i| eligible[(start + i) % n]).collect();
	(eligible[start], verifiers)
}

/// A job paying `FEE` on a fresh base model, opened among `workers` registered workers.
fn job_among_workers(workers: usize) -> JobId {
	register_base();
	register_workers(workers);
	create_job(FEE)
}

/// A job with 4 workers, trained with claimed eval loss 1.0 and in verification.
fn job_in_verification() -> JobId {
	let id = job_among_workers(4);
	assert_ok!(Models::submit_training_result(
		RuntimeOrigin::signed(trainer_of(id)),
		id,
		result(LOSS_PPB)
	));
	id
}

#[test]
fn register_base_model_by_origin_only_and_once_per_weights() {
	new_test_ext().execute_with(|| {
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
		assert_noop!(call(RuntimeOrigin::root(), b"again", b"weights"), Error::<Test>::BaseModelExists);
		// Inputs at their bounds are accepted.
		assert_ok!(call(RuntimeOrigin::root(), &[b'n'; MAX_NAME_LEN as usize], b"w2"));
		assert!(NameOf::<Test>::try_from(vec![0; MAX_NAME_LEN as usize + 1]).is_err());
		assert!(ArchitectureOf::<Test>::try_from(vec![0; MAX_ARCH_LEN as usize + 1]).is_err());
		assert!(LicenseOf::<Test>::try_from(vec![0; MAX_LICENSE_LEN as usize + 1]).is_err());
	});
}

#[test]
fn workers_register_with_bond_and_unregister_when_idle() {
	new_test_ext().execute_with(|| {
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

		let register = |who| {
			Models::register_worker(RuntimeOrigin::signed(who), bounded(b"e"), bounded(b"d"))
		};
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
	new_test_ext().execute_with(|| {
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
	new_test_ext().execute_with(|| {
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
	new_test_ext().execute_with(|| {
		let id = job_among_workers(4);
		assert_noop!(
			Models::unregister_worker(RuntimeOrigin::signed(trainer_of(id))),
			Error::<Test>::WorkerBusy
		);
	});
}

#[test]
fn create_model_holds_fee_pins_datanets_and_assigns_deterministically() {
	new_test_ext().execute_with(|| {
		let id = job_among_workers(5);
		assert_eq!(held(HoldReason::JobFee, BUILDER), FEE);
		System::assert_has_event(Event::ModelCreated { model: 0, owner: BUILDER, base_model: 0 }.into());
		System::assert_has_event(Event::JobCreated { job: id, model: 0, fee: FEE }.into());

		let (trainer, verifiers) = expected_assignment(id, 1, &VALIDATORS[..5]);
		System::assert_last_event(
			Event::JobAssigned {
				job: id,
				attempt: 1,
				trainer,
				verifiers: verifiers.clone().try_into().unwrap(),
				deadline: 1 + TRAINING_PERIOD,
			}
			.into(),
		);
		let info = job(id);
		assert_eq!(info.state, JobState::Training);
		assert_eq!((info.trainer, info.verifiers.into_inner()), (Some(trainer), verifiers.clone()));
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

		// Selection is a pure function of (job, attempt, parent hash, eligible workers); the
		// job's workers are still below capacity, so asking again gives the same answer.
		assert_eq!(
			Models::select_workers(id, 1),
			Some((trainer, VerifiersOf::<Test>::try_from(verifiers).unwrap()))
		);
	});
}

#[test]
fn create_model_errors() {
	new_test_ext().execute_with(|| {
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
		assert_noop!(call(BUILDER, b"m", 9, ok_refs, settings(), FEE), Error::<Test>::UnknownBaseModel);
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
		assert_noop!(call(BUILDER, b"m", 0, ok_refs, bad, FEE), Error::<Test>::InvalidTrainingSettings);
		let bad = TrainingSettings { eval_fraction_ppm: 0, ..settings() };
		assert_noop!(call(BUILDER, b"m", 0, ok_refs, bad, FEE), Error::<Test>::InvalidTrainingSettings);
		assert_noop!(
			call(BUILDER, b"m", 0, ok_refs, settings(), MIN_JOB_FEE - 1),
			Error::<Test>::FeeTooLow
		);
		assert_noop!(call(PAUPER, b"m", 0, ok_refs, settings(), FEE), TokenError::FundsUnavailable);
		// At the bounds: the most datanet versions, the smallest fee.
		publish_datanet_version(2, 1, 5);
		assert_ok!(call(BUILDER, b"m", 0, &[(0, 1), (1, 1), (2, 1)], settings(), MIN_JOB_FEE));
		let too_many: Vec<DatanetVersionRef> =
			(0..=MAX_DATANETS).map(|d| DatanetVersionRef { datanet: d, version: 1 }).collect();
		assert!(DatanetRefsOf::<Test>::try_from(too_many).is_err());
	});
}

#[test]
fn jobs_wait_for_workers_and_poke_assigns_them() {
	new_test_ext().execute_with(|| {
		register_base();
		register_workers(VERIFIERS as usize);
		let id = create_job(FEE);
		System::assert_last_event(Event::JobWaitingForWorkers { job: id }.into());
		assert_eq!(job(id).state, JobState::Open);
		assert_eq!(job(id).attempt, 0);
		assert_noop!(Models::poke_job(RuntimeOrigin::signed(OTHER), id), Error::<Test>::NotEnoughWorkers);
		assert_noop!(
			Models::submit_training_result(RuntimeOrigin::signed(VALIDATORS[0]), id, result(1)),
			Error::<Test>::WrongJobState
		);

		register_worker(VALIDATORS[VERIFIERS as usize]);
		assert_ok!(Models::poke_job(RuntimeOrigin::signed(OTHER), id));
		let (trainer, _) = expected_assignment(id, 1, &VALIDATORS[..VERIFIERS as usize + 1]);
		assert_eq!(job(id).state, JobState::Training);
		assert_eq!(trainer_of(id), trainer);
		assert_noop!(Models::poke_job(RuntimeOrigin::signed(OTHER), 42), Error::<Test>::UnknownJob);
	});
}

#[test]
fn workers_at_capacity_are_skipped() {
	new_test_ext().execute_with(|| {
		register_base();
		register_workers(4);
		// Every job takes all 4 workers; each worker takes at most MAX_JOBS_PER_WORKER (2).
		let first = create_job(FEE);
		let second = create_job(FEE);
		assert_eq!(job(second).state, JobState::Training);
		let third = create_job(FEE);
		assert_eq!(job(third).state, JobState::Open);
		assert_eq!(Models::jobs_for_worker(&VALIDATORS[0]), vec![first, second]);
		// A fifth worker alone is not enough.
		register_worker(VALIDATORS[4]);
		assert_noop!(
			Models::poke_job(RuntimeOrigin::signed(OTHER), third),
			Error::<Test>::NotEnoughWorkers
		);
	});
}

#[test]
fn submit_training_result_by_trainer_before_deadline() {
	new_test_ext().execute_with(|| {
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
		assert_noop!(
			Models::submit_verification(RuntimeOrigin::signed(verifier), id, 1),
			Error::<Test>::WrongJobState
		);
		System::set_block_number(1 + TRAINING_PERIOD + 1);
		assert_noop!(
			Models::submit_training_result(RuntimeOrigin::signed(trainer), id, result(1)),
			Error::<Test>::DeadlinePassed
		);
		System::set_block_number(1 + TRAINING_PERIOD);
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
		assert_eq!(info.deadline, 1 + TRAINING_PERIOD + VERIFICATION_PERIOD);
		assert_noop!(
			Models::submit_training_result(RuntimeOrigin::signed(trainer), id, result(1)),
			Error::<Test>::WrongJobState
		);
	});
}

#[test]
fn accepted_job_pays_the_whole_fee_once_and_records_lineage() {
	new_test_ext().execute_with(|| {
		let id = job_in_verification();
		let trainer = trainer_of(id);
		let verifiers = verifiers_of(id);
		let before: Vec<Balance> = verifiers.iter().map(|v| free(*v)).collect();
		let trainer_before = free(trainer);
		// Within 10% of the claimed 1.0: median of (0.95, 1.10, 0.90) is 0.95.
		let losses = [950_000_000, 1_100_000_000, 900_000_000];
		for (verifier, loss) in verifiers.iter().zip(losses).take(2) {
			assert_ok!(Models::submit_verification(RuntimeOrigin::signed(*verifier), id, loss));
			System::assert_last_event(
				Event::VerificationSubmitted { job: id, verifier: *verifier, eval_loss_ppb: loss }
					.into(),
			);
		}
		assert_noop!(
			Models::submit_verification(RuntimeOrigin::signed(verifiers[0]), id, 1),
			Error::<Test>::AlreadyVerified
		);
		assert_noop!(
			Models::submit_verification(RuntimeOrigin::signed(trainer), id, 1),
			Error::<Test>::NotVerifier
		);
		assert_ok!(Models::submit_verification(RuntimeOrigin::signed(verifiers[2]), id, losses[2]));

		// FEE = 1003: trainer share 501 (50%), verifiers 167 each, dust 1 to the trainer.
		let each = (FEE - FEE / 2) / VERIFIERS as Balance;
		let trainer_paid = FEE - each * VERIFIERS as Balance;
		assert_eq!((each, trainer_paid), (167, 502));
		System::assert_last_event(
			Event::JobCompleted {
				job: id,
				model: 0,
				version: 1,
				verified_eval_loss_ppb: 950_000_000,
				trainer_paid,
				each_verifier_paid: each,
			}
			.into(),
		);
		assert_eq!(free(trainer), trainer_before + trainer_paid);
		for (verifier, before) in verifiers.iter().zip(before) {
			assert_eq!(free(*verifier), before + each);
		}
		assert_eq!(held(HoldReason::JobFee, BUILDER), 0);
		assert_eq!(free(BUILDER), INITIAL_BALANCE - FEE);
		assert_eq!(job(id).state, JobState::Completed);
		assert!(Models::jobs_for_worker(&trainer).is_empty());

		let versions = Models::model_versions(0);
		assert_eq!(versions.len(), 1);
		let version = &versions[0];
		assert_eq!((version.version, version.job, version.base_model), (1, id, 0));
		assert_eq!(version.base_weights_hash, content_hash(b"weights"));
		assert_eq!(version.datanets.len(), 2);
		assert_eq!(version.result, result(LOSS_PPB));
		assert_eq!(version.verified_eval_loss_ppb, 950_000_000);
		assert_eq!(version.trainer, trainer);
		assert_eq!(version.verifiers, verifiers);
		assert_eq!(version.settings, settings());

		// Nothing more is accepted: no second payment.
		assert_noop!(
			Models::submit_verification(RuntimeOrigin::signed(verifiers[0]), id, 1),
			Error::<Test>::WrongJobState
		);
		assert_noop!(
			Models::submit_training_result(RuntimeOrigin::signed(trainer), id, result(1)),
			Error::<Test>::WrongJobState
		);
		System::set_block_number(100);
		assert_noop!(Models::poke_job(RuntimeOrigin::signed(OTHER), id), Error::<Test>::WrongJobState);
	});
}

#[test]
fn tolerance_bound_is_inclusive() {
	new_test_ext().execute_with(|| {
		let id = job_in_verification();
		// Exactly 10% above the claim of 1.0.
		for verifier in verifiers_of(id) {
			assert_ok!(Models::submit_verification(RuntimeOrigin::signed(verifier), id, 1_100_000_000));
		}
		assert_eq!(job(id).state, JobState::Completed);
	});
	new_test_ext().execute_with(|| {
		let id = job_in_verification();
		for verifier in verifiers_of(id) {
			assert_ok!(Models::submit_verification(RuntimeOrigin::signed(verifier), id, 1_100_000_001));
		}
		assert_ne!(job(id).state, JobState::Completed);
	});
}

#[test]
fn rejected_result_slashes_trainer_and_reassigns_then_fails_and_refunds() {
	new_test_ext().execute_with(|| {
		let id = job_among_workers(6);
		let trainer = trainer_of(id);
		assert_ok!(Models::submit_training_result(RuntimeOrigin::signed(trainer), id, result(LOSS_PPB)));
		let treasury_before = free(TREASURY);
		// The verifiers measure 2.0 against a claim of 1.0.
		for verifier in verifiers_of(id) {
			assert_ok!(Models::submit_verification(RuntimeOrigin::signed(verifier), id, 2 * LOSS_PPB));
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

		// Reassigned among the remaining workers, fee still held.
		let remaining: Vec<AccountId> =
			VALIDATORS[..6].iter().copied().filter(|w| *w != trainer).collect();
		let (second_trainer, second_verifiers) = expected_assignment(id, 2, &remaining);
		let info = job(id);
		assert_eq!((info.state, info.attempt), (JobState::Training, 2));
		assert_eq!(info.trainer, Some(second_trainer));
		assert_eq!(info.verifiers.into_inner(), second_verifiers);
		assert!(info.result.is_none() && info.verifications.is_empty());
		assert_eq!(held(HoldReason::JobFee, BUILDER), FEE);

		// The second attempt is rejected too: MAX_ATTEMPTS (2) is used up, the fee is refunded.
		assert_ok!(Models::submit_training_result(
			RuntimeOrigin::signed(second_trainer),
			id,
			result(LOSS_PPB)
		));
		for verifier in second_verifiers {
			assert_ok!(Models::submit_verification(RuntimeOrigin::signed(verifier), id, 3 * LOSS_PPB));
		}
		System::assert_last_event(Event::JobFailed { job: id, refunded: FEE }.into());
		assert_eq!(job(id).state, JobState::Failed);
		assert_eq!(held(HoldReason::JobFee, BUILDER), 0);
		assert_eq!(free(BUILDER), INITIAL_BALANCE);
		assert!(Models::model_versions(0).is_empty());
		assert!(VALIDATORS[..6].iter().all(|w| Models::jobs_for_worker(w).is_empty()));
		assert_noop!(Models::poke_job(RuntimeOrigin::signed(OTHER), id), Error::<Test>::WrongJobState);
	});
}

#[test]
fn verification_deadline_is_enforced() {
	new_test_ext().execute_with(|| {
		let id = job_in_verification();
		let verifier = verifiers_of(id)[0];
		System::set_block_number(job(id).deadline + 1);
		assert_noop!(
			Models::submit_verification(RuntimeOrigin::signed(verifier), id, LOSS_PPB),
			Error::<Test>::DeadlinePassed
		);
	});
}

#[test]
fn timeouts_reassign_and_finally_refund() {
	new_test_ext().execute_with(|| {
		let id = job_among_workers(5);
		let first_trainer = trainer_of(id);
		assert_noop!(
			Models::poke_job(RuntimeOrigin::signed(OTHER), id),
			Error::<Test>::DeadlineNotPassed
		);
		System::set_block_number(1 + TRAINING_PERIOD + 1);
		assert_ok!(Models::poke_job(RuntimeOrigin::signed(OTHER), id));
		System::assert_has_event(Event::JobTimedOut { job: id, attempt: 1 }.into());
		let (trainer, verifiers) = expected_assignment(id, 2, &VALIDATORS[..5]);
		assert_eq!((job(id).attempt, trainer_of(id), verifiers_of(id)), (2, trainer, verifiers));
		// A timeout is not a slash.
		assert_eq!(held(HoldReason::WorkerBond, first_trainer), WORKER_BOND);

		// The second attempt times out in verification; attempts are used up.
		assert_ok!(Models::submit_training_result(RuntimeOrigin::signed(trainer), id, result(1)));
		System::set_block_number(job(id).deadline + 1);
		assert_ok!(Models::poke_job(RuntimeOrigin::signed(OTHER), id));
		System::assert_last_event(Event::JobFailed { job: id, refunded: FEE }.into());
		assert_eq!(free(BUILDER), INITIAL_BALANCE);
		assert!(VALIDATORS[..5].iter().all(|w| Models::jobs_for_worker(w).is_empty()));
	});
}

#[test]
fn timeout_without_enough_workers_reopens_the_job() {
	new_test_ext().execute_with(|| {
		register_base();
		register_workers(4);
		let first = create_job(FEE);
		let second = create_job(FEE);
		// The second job's trainer is slashed out of the worker set, leaving 3 workers.
		let slashed = trainer_of(second);
		assert_ok!(Models::submit_training_result(
			RuntimeOrigin::signed(slashed),
			second,
			result(LOSS_PPB)
		));
		for verifier in verifiers_of(second) {
			assert_ok!(Models::submit_verification(RuntimeOrigin::signed(verifier), second, 0));
		}
		assert_eq!(job(second).state, JobState::Open);
		assert_eq!(WorkerList::<Test>::decode_len(), Some(3));

		System::set_block_number(1 + TRAINING_PERIOD + 1);
		assert_ok!(Models::poke_job(RuntimeOrigin::signed(OTHER), first));
		System::assert_last_event(Event::JobWaitingForWorkers { job: first }.into());
		let info = job(first);
		assert_eq!((info.state, info.attempt, info.trainer), (JobState::Open, 1, None));
		assert!(Models::jobs_for_worker(&slashed).is_empty());
	});
}

#[test]
fn model_owner_sets_price_transfers_and_retires() {
	new_test_ext().execute_with(|| {
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
		assert_noop!(Models::set_price(RuntimeOrigin::signed(BUILDER), 9, None), Error::<Test>::UnknownModel);

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
		assert_noop!(Models::retire(RuntimeOrigin::signed(OTHER), model), Error::<Test>::ModelRetired);
	});
}

#[test]
fn job_view_reports_state_and_assignment() {
	new_test_ext().execute_with(|| {
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
	use tributary_primitives::receipts::ModelsInspect;
	new_test_ext().execute_with(|| {
		let id = job_in_verification();
		assert!(<Models as ModelsInspect<_, _>>::model_version(0, 1).is_none());
		for verifier in verifiers_of(id) {
			assert_ok!(Models::submit_verification(RuntimeOrigin::signed(verifier), id, LOSS_PPB));
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
	new_test_ext().execute_with(|| {
		register_workers(1);
		slash_part_of_bond(VALIDATORS[0], 1_000);
		assert_ok!(Models::unregister_worker(RuntimeOrigin::signed(VALIDATORS[0])));
		assert_eq!(held(HoldReason::WorkerBond, VALIDATORS[0]), 0);
		assert_eq!(free(VALIDATORS[0]), INITIAL_BALANCE - 1_000);

		let id = job_in_verification();
		let trainer = trainer_of(id);
		slash_part_of_bond(trainer, 1_000);
		for verifier in verifiers_of(id) {
			assert_ok!(Models::submit_verification(RuntimeOrigin::signed(verifier), id, 2 * LOSS_PPB));
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
	use tributary_primitives::receipts::WorkerSet;
	new_test_ext().execute_with(|| {
		register_workers(3);
		assert_eq!(<Models as WorkerSet<_>>::workers(), VALIDATORS[..3].to_vec());
		assert!(<Models as WorkerSet<_>>::is_worker(&VALIDATORS[1]));
		assert!(!<Models as WorkerSet<_>>::is_worker(&BUILDER));
		assert_ok!(Models::unregister_worker(RuntimeOrigin::signed(VALIDATORS[1])));
		assert_eq!(<Models as WorkerSet<_>>::workers(), vec![VALIDATORS[0], VALIDATORS[2]]);
	});
}

/// The off-chain worker against a scripted sidecar: every HTTP request it makes is expected in
/// order (an unexpected one fails the test) and answered with the given JSON.
mod offchain_worker {
	use super::*;
	use crate::offchain::{Role, MAX_SIDECAR_RUNS};
	use frame_support::traits::Hooks;
	use serde_json::{json, Value};
	use sp_runtime::{generic::Preamble, testing::UintAuthorityId};
	use tributary_worker_client::testing::Testbed;

	fn offchain_ext() -> (sp_io::TestExternalities, Testbed) {
		let mut ext = new_test_ext();
		let sidecar = Testbed::install(&mut ext);
		(ext, sidecar)
	}

	/// Expect the job's request for `role` (run `runs`), answered with the job's state.
	fn expect_job(sidecar: &Testbed, id: JobId, role: Role, runs: u32, answer: Value) {
		let sidecar_id = Pallet::<Test>::sidecar_job_id(id, job(id).attempt, role, runs);
		let (path, body) = Pallet::<Test>::job_request(&sidecar_id, &job(id), role).unwrap();
		assert_eq!(body["rows"].as_array().map(Vec::len), Some(30), "every row of both pinned versions");
		sidecar.expect("POST", path, Some(&body), answer);
	}

	/// The calls the off-chain worker put in the pool, with their signers.
	fn submitted(sidecar: &Testbed) -> Vec<(Option<AccountId>, RuntimeCall)> {
		let signer = |preamble| match preamble {
			Preamble::Signed(who, ..) => Some(who),
			_ => None,
		};
		sidecar.submitted::<Extrinsic>().into_iter().map(|xt| (signer(xt.preamble), xt.function)).collect()
	}

	fn run_offchain_worker(block: u64) {
		System::set_block_number(block);
		Models::offchain_worker(block);
	}

	fn succeeded_training() -> Value {
		json!({
			"status": "succeeded",
			"result_hash": tributary_worker_client::json::hex(&content_hash(b"adapter")),
			"metrics": { "train_loss": 2.0, "eval_loss_after": 1.0, "adapter_bytes": 4096 },
		})
	}

	#[test]
	fn a_trainer_submits_its_sidecar_result_once_then_retries_with_backoff() {
		let (mut ext, sidecar) = offchain_ext();
		ext.execute_with(|| {
			let id = job_among_workers(4);
			let trainer = trainer_of(id);
			UintAuthorityId::set_all_keys([trainer]);

			expect_job(&sidecar, id, Role::Train, 0, json!({ "status": "running", "progress": { "step": 3, "total_steps": 9 } }));
			run_offchain_worker(2);
			assert!(submitted(&sidecar).is_empty(), "nothing to submit while training");

			expect_job(&sidecar, id, Role::Train, 0, succeeded_training());
			run_offchain_worker(3);
			let expected = RuntimeCall::Models(Call::submit_training_result { job: id, result: result(LOSS_PPB) });
			assert_eq!(submitted(&sidecar), vec![(Some(trainer), expected.clone())]);

			// The next blocks still show the job training (the transaction is in no block here):
			// no second submission until the backoff has passed, then a retry.
			for block in 4..6 {
				expect_job(&sidecar, id, Role::Train, 0, succeeded_training());
				run_offchain_worker(block);
				assert_eq!(submitted(&sidecar).len(), 1, "no resubmission in block {block}");
			}
			expect_job(&sidecar, id, Role::Train, 0, succeeded_training());
			run_offchain_worker(6);
			assert_eq!(submitted(&sidecar), vec![(Some(trainer), expected.clone()), (Some(trainer), expected)]);
		});
	}

	#[test]
	fn a_train_job_the_sidecar_lost_is_trained_again_under_a_new_id_a_bounded_number_of_times() {
		let (mut ext, sidecar) = offchain_ext();
		ext.execute_with(|| {
			let id = job_among_workers(4);
			UintAuthorityId::set_all_keys([trainer_of(id)]);
			let lost = json!({ "status": "failed", "error": "the worker restarted while this job was running" });
			for run in 0..MAX_SIDECAR_RUNS {
				expect_job(&sidecar, id, Role::Train, run, lost.clone());
				run_offchain_worker(2 + u64::from(run));
			}
			// The last run failed too: the worker stops and the chain times the attempt out.
			expect_job(&sidecar, id, Role::Train, MAX_SIDECAR_RUNS - 1, lost);
			run_offchain_worker(2 + u64::from(MAX_SIDECAR_RUNS));
			assert!(submitted(&sidecar).is_empty());
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
			let (path, body) = Pallet::<Test>::job_request(&sidecar_id, &job(id), Role::Verify).unwrap();
			assert_eq!(path, "/jobs/eval");
			assert_eq!(body["adapter"], tributary_worker_client::json::hex(&content_hash(b"adapter")));
			assert_eq!(body["held_out"], true);

			expect_job(&sidecar, id, Role::Verify, 0, json!({ "status": "succeeded", "metrics": { "eval_loss": 1.02 } }));
			run_offchain_worker(2);
			assert_eq!(
				submitted(&sidecar),
				vec![(Some(verifier), RuntimeCall::Models(Call::submit_verification { job: id, eval_loss_ppb: 1_020_000_000 }))]
			);
		});
	}

	#[test]
	fn an_accepted_version_is_registered_with_the_sidecar_until_it_serves_it() {
		let (mut ext, sidecar) = offchain_ext();
		ext.execute_with(|| {
			let id = job_in_verification();
			for verifier in verifiers_of(id) {
				assert_ok!(Models::submit_verification(RuntimeOrigin::signed(verifier), id, LOSS_PPB));
			}
			let registration = json!({
				"id": "model-0-v1",
				"adapter_hash": tributary_worker_client::json::hex(&content_hash(b"adapter")),
				"settings": tributary_worker_client::json::settings(&settings()),
				"corpus": tributary_worker_client::json::rows(&Pallet::<Test>::lineage_rows(&job(id).datanets).unwrap()),
				"chain": { "model": 0, "version": 1 },
			});
			// No worker key is needed to serve; the first try is refused, the retry succeeds.
			sidecar.expect("POST", "/v1/adapters", Some(&registration), json!({ "error": { "message": "busy" } }));
			run_offchain_worker(2);
			// Each block has its own events: the acceptance is only seen once.
			System::reset_events();
			sidecar.expect("POST", "/v1/adapters", Some(&registration), json!({ "id": "model-0-v1" }));
			run_offchain_worker(5);
			// Served: nothing more is sent.
			run_offchain_worker(12);
		});
	}
}
