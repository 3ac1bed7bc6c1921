//! Governance on the runtime itself: which origin each admin call needs, which track each origin's
//! referenda run on, that a parameter change applies to the next action, and whole referenda
//! (preimage, submission, decision deposit, conviction votes, confirmation, enactment) on the
//! development preset's fast tracks.

use codec::Encode;
use frame_support::{
	assert_ok,
	traits::{
		fungible::{Inspect, InspectHold},
		Get, Hooks, QueryPreimage, StorePreimage,
	},
};
use pallet_conviction_voting::{AccountVote, Conviction, Vote};
use pallet_referenda::TracksInfo as _;
use sp_genesis_builder::PresetId;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	traits::{BlakeTwo256, Dispatchable, Hash},
	DispatchError, Perbill,
};

use super::{
	origins::Origin,
	tracks::{self, TracksInfo, FAST},
};
use crate::{
	configs::{dynamic_params, RuntimeParameters, TreasuryAccount},
	genesis_config_presets, AccountId, Balances, BlockNumber, ConvictionVoting, OriginCaller,
	Preimage, Referenda, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, Scheduler, System,
	UNIT,
};

fn dev_chain() -> sp_io::TestExternalities {
	let storage = genesis_config_presets::preset_storage(&PresetId::from(
		sp_genesis_builder::DEV_RUNTIME_PRESET,
	))
	.expect("the development preset exists");
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

fn account(who: Sr25519Keyring) -> AccountId {
	who.to_account_id()
}

/// Every origin an admin call could come with.
fn all_origins() -> Vec<(&'static str, RuntimeOrigin)> {
	vec![
		("root", RuntimeOrigin::root()),
		("signed", RuntimeOrigin::signed(account(Sr25519Keyring::Alice))),
		("none", RuntimeOrigin::none()),
		("parameter_admin", Origin::ParameterAdmin.into()),
		("catalogue", Origin::Catalogue.into()),
		("treasurer", Origin::Treasurer.into()),
		("validator_admin", Origin::ValidatorAdmin.into()),
		("whitelisted_caller", Origin::WhitelistedCaller.into()),
	]
}

/// The origins, by name, that get past `call`'s origin check (any other error counts as past it).
fn origins_admitted(call: RuntimeCall) -> Vec<&'static str> {
	all_origins()
		.into_iter()
		.filter(|(_, origin)| {
			let result = frame_support::storage::with_transaction(|| {
				let result = call.clone().dispatch(origin.clone());
				sp_runtime::TransactionOutcome::Rollback(Ok::<_, DispatchError>(result))
			})
			.expect("rolled back");
			!matches!(result, Err(error) if error.error == DispatchError::BadOrigin)
		})
		.map(|(name, _)| name)
		.collect()
}

fn set_parameter(key_value: RuntimeParameters) -> RuntimeCall {
	RuntimeCall::Parameters(pallet_parameters::Call::set_parameter { key_value })
}

fn fee_split(model_owner: u32, contributors: u32, worker: u32, treasury: u32) -> RuntimeCall {
	let mut params = pallet_rewards::Params::<Runtime>::get();
	params.model_owner = Perbill::from_percent(model_owner);
	params.contributors = Perbill::from_percent(contributors);
	params.worker = Perbill::from_percent(worker);
	params.treasury = Perbill::from_percent(treasury);
	RuntimeCall::Rewards(pallet_rewards::Call::set_params { params })
}

#[test]
fn each_admin_call_admits_only_its_governance_origin_and_root() {
	dev_chain().execute_with(|| {
		let bob = account(Sr25519Keyring::Bob);
		let economics = vec![
			set_parameter(RuntimeParameters::Models(
				dynamic_params::models::Parameters::MinJobFee(
					dynamic_params::models::MinJobFee,
					Some(2 * UNIT),
				),
			)),
			fee_split(30, 40, 20, 10),
			RuntimeCall::Attribution(pallet_attribution::Call::set_params {
				params: crate::configs::attribution_params(1),
			}),
			RuntimeCall::Models(pallet_models::Call::set_verifiers_per_job { verifiers: 1 }),
		];
		for call in economics {
			assert_eq!(origins_admitted(call.clone()), ["root", "parameter_admin"], "{call:?}");
		}

		let catalogue = vec![
			RuntimeCall::Models(pallet_models::Call::register_base_model {
				name: b"another".to_vec().try_into().unwrap(),
				architecture: b"llama".to_vec().try_into().unwrap(),
				weights_hash: [7; 32],
				config_hash: [8; 32],
				tokenizer_hash: [9; 32],
				parameter_count: 1,
				license: b"Apache-2.0".to_vec().try_into().unwrap(),
			}),
			RuntimeCall::Datanets(pallet_datanets::Call::resolve_challenge {
				datanet: 0,
				row: 0,
				uphold: true,
			}),
		];
		for call in catalogue {
			assert_eq!(origins_admitted(call.clone()), ["root", "catalogue"], "{call:?}");
		}

		let spend = RuntimeCall::Treasury(pallet_treasury::Call::spend {
			asset_kind: Box::new(()),
			amount: UNIT,
			beneficiary: Box::new(bob.clone()),
			valid_from: None,
		});
		assert_eq!(origins_admitted(spend), ["root", "treasurer"]);

		let whitelisted =
			RuntimeCall::Whitelist(pallet_whitelist::Call::dispatch_whitelisted_call {
				call_hash: [0; 32].into(),
				call_encoded_len: 0,
				call_weight_witness: Default::default(),
			});
		// A signed account may only relay a call the whitelisted caller track already approved
		// (the pallet's deferred dispatch), which fails later for lack of one.
		assert_eq!(origins_admitted(whitelisted), ["root", "signed", "whitelisted_caller"]);

		for call in [
			RuntimeCall::Validators(pallet_validators::Call::add_validator {
				who: bob.clone().into(),
			}),
			RuntimeCall::Validators(pallet_validators::Call::remove_validator {
				who: account(Sr25519Keyring::Alice).into(),
			}),
		] {
			assert_eq!(origins_admitted(call.clone()), ["root", "validator_admin"], "{call:?}");
		}

		let committee_seat =
			RuntimeCall::TechnicalMembership(pallet_membership::Call::add_member {
				who: bob.into(),
			});
		assert_eq!(origins_admitted(committee_seat), ["root"]);
	});
}

#[test]
fn each_origin_has_its_track_and_others_have_none() {
	dev_chain().execute_with(|| {
		assert_ok!(TracksInfo::check_integrity());
		let expected = [
			(OriginCaller::system(frame_system::RawOrigin::Root), tracks::ROOT),
			(Origin::WhitelistedCaller.into(), tracks::WHITELISTED_CALLER),
			(Origin::ParameterAdmin.into(), tracks::PARAMETER_ADMIN),
			(Origin::Catalogue.into(), tracks::CATALOGUE),
			(Origin::Treasurer.into(), tracks::TREASURER),
			(Origin::ValidatorAdmin.into(), tracks::VALIDATOR_ADMIN),
		];
		for (origin, track) in expected {
			assert_eq!(TracksInfo::track_for(&origin), Ok(track), "{origin:?}");
			let info = TracksInfo::info(track).expect("listed");
			assert_eq!(info.decision_period, FAST.decision, "the dev preset runs fast");
		}
		let signed =
			OriginCaller::system(frame_system::RawOrigin::Signed(account(Sr25519Keyring::Alice)));
		assert_eq!(TracksInfo::track_for(&signed), Err(()));
		assert_eq!(TracksInfo::track_for(&frame_system::RawOrigin::None.into()), Err(()));
	});
}

#[test]
fn a_chain_without_a_development_preset_runs_the_production_periods() {
	let storage = <crate::RuntimeGenesisConfig as sp_runtime::BuildStorage>::build_storage(
		&Default::default(),
	)
	.expect("the default genesis builds");
	sp_io::TestExternalities::new(storage).execute_with(|| {
		let root = TracksInfo::info(tracks::ROOT).expect("listed");
		assert_eq!(root.decision_period, 14 * tracks::DAYS);
		assert_eq!(root.confirm_period, tracks::DAYS);
		assert!(TracksInfo::tracks().all(|track| track.info.decision_period > FAST.decision));
	});
}

#[test]
fn a_parameter_change_applies_to_the_next_worker_and_datanet() {
	dev_chain().execute_with(|| {
		// Alice validates on the development preset, so her worker may register.
		let (alice, charlie) = (account(Sr25519Keyring::Alice), account(Sr25519Keyring::Charlie));
		let bond = 7 * UNIT;
		assert_ok!(set_parameter(RuntimeParameters::Models(
			dynamic_params::models::Parameters::WorkerBond(
				dynamic_params::models::WorkerBond,
				Some(bond),
			)
		))
		.dispatch(Origin::ParameterAdmin.into()));
		assert_ok!(pallet_models::Pallet::<Runtime>::register_worker(
			RuntimeOrigin::signed(alice.clone()),
			b"http://127.0.0.1:8520".to_vec().try_into().unwrap(),
			b"cpu".to_vec().try_into().unwrap(),
		));
		assert_eq!(Balances::total_balance_on_hold(&alice), bond);

		let deposit = 3 * UNIT;
		assert_ok!(set_parameter(RuntimeParameters::Datanets(
			dynamic_params::datanets::Parameters::DatanetDeposit(
				dynamic_params::datanets::DatanetDeposit,
				Some(deposit),
			)
		))
		.dispatch(Origin::ParameterAdmin.into()));
		assert_ok!(pallet_datanets::Pallet::<Runtime>::create_datanet(
			RuntimeOrigin::signed(charlie.clone()),
			b"fevers".to_vec().try_into().unwrap(),
			Default::default(),
			Default::default(),
			Default::default(),
			b"CC-BY-4.0".to_vec().try_into().unwrap(),
			tributary_primitives::datanets::Visibility::Public,
		));
		assert_eq!(Balances::total_balance_on_hold(&charlie), deposit);
	});
}

/// Runs blocks up to `n`: the scheduler is what moves referenda (their alarms) and enacts them.
fn run_to(n: BlockNumber) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Scheduler::on_initialize(next);
	}
}

/// Notes `call`'s preimage, submits it for `origin`'s track, places the decision deposit and has
/// Alice, Bob, Charlie, Dave, Eve and Ferdie vote aye with conviction: half the endowed issuance.
/// Returns the referendum's index.
fn propose_and_vote(origin: OriginCaller, call: RuntimeCall) -> u32 {
	let alice = account(Sr25519Keyring::Alice);
	let encoded = call.encode();
	assert_ok!(Preimage::note_preimage(RuntimeOrigin::signed(alice.clone()), encoded.clone()));
	// Submitted by its preimage's hash, as polkadot.js apps does.
	let proposal = Preimage::pick(BlakeTwo256::hash(&encoded), encoded.len() as u32);
	let index = pallet_referenda::ReferendumCount::<Runtime>::get();
	assert_ok!(Referenda::submit(
		RuntimeOrigin::signed(alice.clone()),
		Box::new(origin),
		proposal,
		frame_support::traits::schedule::DispatchTime::After(0),
	));
	assert_ok!(Referenda::place_decision_deposit(RuntimeOrigin::signed(alice), index));
	for voter in [
		Sr25519Keyring::Alice,
		Sr25519Keyring::Bob,
		Sr25519Keyring::Charlie,
		Sr25519Keyring::Dave,
		Sr25519Keyring::Eve,
		Sr25519Keyring::Ferdie,
	] {
		let balance = Balances::balance(&account(voter)) / 2;
		assert_ok!(ConvictionVoting::vote(
			RuntimeOrigin::signed(account(voter)),
			index,
			AccountVote::Standard {
				vote: Vote { aye: true, conviction: Conviction::Locked1x },
				balance
			},
		));
	}
	index
}

/// The block by which a referendum voted in at block 1 is enacted on the fast tracks: prepared,
/// confirmed, enacted, and the scheduler's alarm blocks between.
const ENACTED_BY: BlockNumber = 1 + FAST.prepare + FAST.confirm + FAST.min_enactment + 4;
// Within about two minutes of 3-second blocks.
const _: () = assert!(ENACTED_BY * 3 <= 120);

#[test]
fn a_referendum_on_the_parameters_track_changes_the_fee_split_within_minutes() {
	dev_chain().execute_with(|| {
		let before = pallet_rewards::Params::<Runtime>::get();
		let index = propose_and_vote(Origin::ParameterAdmin.into(), fee_split(25, 50, 15, 10));
		assert_eq!(pallet_rewards::Params::<Runtime>::get(), before, "not before it passes");

		run_to(ENACTED_BY);
		let after = pallet_rewards::Params::<Runtime>::get();
		assert_eq!(after.contributors, Perbill::from_percent(50));
		assert_eq!(after.model_owner, Perbill::from_percent(25));
		assert!(System::events().iter().any(|record| matches!(
			record.event,
			RuntimeEvent::Referenda(pallet_referenda::Event::Confirmed { index: i, .. }) if i == index
		)));
	});
}

#[test]
fn a_referendum_on_the_treasury_track_pays_a_spend() {
	dev_chain().execute_with(|| {
		let (alice, dave) = (account(Sr25519Keyring::Alice), account(Sr25519Keyring::Dave));
		assert_ok!(Balances::transfer_keep_alive(
			RuntimeOrigin::signed(alice),
			TreasuryAccount::get().into(),
			1_000 * UNIT,
		));
		let spend = RuntimeCall::Treasury(pallet_treasury::Call::spend {
			asset_kind: Box::new(()),
			amount: 250 * UNIT,
			beneficiary: Box::new(dave.clone()),
			valid_from: None,
		});
		propose_and_vote(Origin::Treasurer.into(), spend);
		run_to(ENACTED_BY);
		let dave_before = Balances::balance(&dave);
		assert_ok!(crate::Treasury::payout(RuntimeOrigin::signed(dave.clone()), 0));
		assert_eq!(Balances::balance(&dave), dave_before + 250 * UNIT);
	});
}

#[test]
fn a_referendum_without_enough_support_is_rejected_and_changes_nothing() {
	dev_chain().execute_with(|| {
		let alice = account(Sr25519Keyring::Alice);
		let before = pallet_rewards::Params::<Runtime>::get();
		let call = fee_split(10, 10, 70, 10);
		assert_ok!(Preimage::note_preimage(RuntimeOrigin::signed(alice.clone()), call.encode()));
		assert_ok!(Referenda::submit(
			RuntimeOrigin::signed(alice.clone()),
			Box::new(Origin::ParameterAdmin.into()),
			Preimage::bound(call).unwrap(),
			frame_support::traits::schedule::DispatchTime::After(0),
		));
		assert_ok!(Referenda::place_decision_deposit(RuntimeOrigin::signed(alice.clone()), 0));
		// One TRIB of aye: far below the support the track asks for, all the decision period.
		assert_ok!(ConvictionVoting::vote(
			RuntimeOrigin::signed(alice),
			0,
			AccountVote::Standard {
				vote: Vote { aye: true, conviction: Conviction::None },
				balance: UNIT
			},
		));
		run_to(1 + FAST.prepare + FAST.decision + 4);
		assert_eq!(pallet_rewards::Params::<Runtime>::get(), before);
		assert!(System::events().iter().any(|record| matches!(
			record.event,
			RuntimeEvent::Referenda(pallet_referenda::Event::Rejected { index: 0, .. })
		)));
	});
}

/// Runs blocks up to `n` with the session rotations as well as the scheduler's work.
fn run_sessions_to(n: BlockNumber) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		crate::Session::on_initialize(next);
		Scheduler::on_initialize(next);
	}
}

fn aura_authorities() -> Vec<AccountId> {
	pallet_aura::Authorities::<Runtime>::get()
		.iter()
		.map(|key| AccountId::from(<[u8; 32]>::try_from(AsRef::<[u8]>::as_ref(key)).unwrap()))
		.collect()
}

fn register_worker(who: &AccountId) -> sp_runtime::DispatchResult {
	crate::Models::register_worker(
		RuntimeOrigin::signed(who.clone()),
		b"http://127.0.0.1:8420".to_vec().try_into().unwrap(),
		b"cpu".to_vec().try_into().unwrap(),
	)
}

#[test]
fn a_validator_added_by_referendum_authors_two_sessions_later_and_its_worker_registers() {
	dev_chain().execute_with(|| {
		let (alice, dave) = (account(Sr25519Keyring::Alice), account(Sr25519Keyring::Dave));
		let period = crate::configs::SessionPeriod::get();
		assert_eq!(aura_authorities(), std::slice::from_ref(&alice));
		assert!(register_worker(&dave).is_err(), "not a validator yet");

		let (keys, proof) = crate::signing::session_keys_with_proof(
			&Sr25519Keyring::Dave.pair(),
			&sp_keyring::Ed25519Keyring::Dave.pair(),
			&dave,
		);
		assert_ok!(crate::Session::set_keys(RuntimeOrigin::signed(dave.clone()), keys, proof));
		let add = RuntimeCall::Validators(pallet_validators::Call::add_validator {
			who: dave.clone().into(),
		});
		propose_and_vote(Origin::ValidatorAdmin.into(), add);
		run_sessions_to(ENACTED_BY);
		assert_eq!(
			pallet_validators::Validators::<Runtime>::get().into_inner(),
			[alice.clone(), dave.clone()]
		);
		assert_eq!(
			aura_authorities(),
			std::slice::from_ref(&alice),
			"not before the session after next"
		);

		// Enacted in session 0 or 1: in force by the start of session 3 at the latest.
		run_sessions_to(3 * period + 1);
		assert_eq!(aura_authorities(), [alice.clone(), dave.clone()]);
		assert!(pallet_grandpa::PendingChange::<Runtime>::exists(), "GRANDPA's set follows");
		assert_ok!(register_worker(&dave));

		// And out again: its worker may no longer act, and anyone can remove it.
		let remove = RuntimeCall::Validators(pallet_validators::Call::remove_validator {
			who: dave.clone().into(),
		});
		let start = System::block_number();
		propose_and_vote(Origin::ValidatorAdmin.into(), remove);
		run_sessions_to(start + ENACTED_BY + 3 * period);
		assert_eq!(aura_authorities(), std::slice::from_ref(&alice));
		assert_ok!(crate::Models::remove_departed_worker(
			RuntimeOrigin::signed(alice),
			dave.clone()
		));
		assert!(pallet_models::Workers::<Runtime>::get(&dave).is_none());
	});
}
