//! Runtime-level tests: genesis presets build, and a signed transfer goes through `Executive`
//! with fees charged, exactly as a block author would apply it.

use crate::{
	genesis_config_presets::{self, ENDOWMENT},
	signing::sign_extrinsic,
	Address, Balances, BalancesCall, Executive, Header, Runtime, RuntimeCall, System,
	UncheckedExtrinsic, UNIT,
};
use frame_support::traits::fungible::Inspect;
use sp_genesis_builder::PresetId;
use sp_keyring::Sr25519Keyring;
use sp_runtime::traits::Header as _;

/// The externalities of preset `name`'s genesis.
fn preset_storage(name: &str) -> sp_io::TestExternalities {
	let storage = genesis_config_presets::preset_storage(&PresetId::from(name))
		.unwrap_or_else(|| panic!("preset {name} exists"));
	sp_io::TestExternalities::new(storage)
}

fn signed_transfer(
	from: Sr25519Keyring,
	to: Sr25519Keyring,
	amount: u128,
	nonce: u32,
) -> UncheckedExtrinsic {
	let call = RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
		dest: Address::Id(to.to_account_id()),
		value: amount,
	});
	sign_extrinsic(call, &from.pair(), nonce, System::block_hash(0))
}

/// Open block 1 on top of genesis, as a block author would before applying extrinsics.
fn start_block_1() {
	let header = Header::new(
		1,
		Default::default(),
		Default::default(),
		System::block_hash(0),
		Default::default(),
	);
	Executive::initialize_block(&header);
}

#[test]
fn development_preset_builds_with_alice_as_sole_authority() {
	preset_storage(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let aura = pallet_aura::Authorities::<Runtime>::get();
		assert_eq!(aura.len(), 1);
		assert_eq!(aura[0], Sr25519Keyring::Alice.public().into());
		assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), 1);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(Sr25519Keyring::Alice.to_account_id()));
		assert_eq!(Balances::balance(&Sr25519Keyring::Bob.to_account_id()), ENDOWMENT);
		assert_eq!(pallet_models::VerifiersPerJob::<Runtime>::get(), 1);
	});
}

#[test]
fn local_testnet_preset_builds_with_three_validators() {
	preset_storage(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let aura = pallet_aura::Authorities::<Runtime>::get();
		let expected: Vec<_> =
			[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
				.iter()
				.map(|k| k.public().into())
				.collect();
		assert_eq!(aura.into_inner(), expected);
		assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), 3);
		// The validator set and the session's validators both come from the session keys.
		let accounts: Vec<_> =
			[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
				.iter()
				.map(|k| k.to_account_id())
				.collect();
		assert_eq!(pallet_validators::Validators::<Runtime>::get().into_inner(), accounts);
		assert_eq!(pallet_session::Validators::<Runtime>::get(), accounts);
		// Too few validators for 3 verifiers next to a trainer.
		assert_eq!(pallet_models::VerifiersPerJob::<Runtime>::get(), 1);
		// Governed by referenda only.
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
	});
}

#[test]
fn unknown_preset_is_refused() {
	assert!(genesis_config_presets::get_preset(&PresetId::from("no-such-preset")).is_none());
	assert_eq!(genesis_config_presets::preset_names().len(), 2);
}

#[test]
fn signed_transfer_applies_through_executive_and_charges_fees() {
	preset_storage(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let alice = Sr25519Keyring::Alice.to_account_id();
		let bob = Sr25519Keyring::Bob.to_account_id();
		start_block_1();

		let amount = 10 * UNIT;
		let xt = signed_transfer(Sr25519Keyring::Alice, Sr25519Keyring::Bob, amount, 0);
		let outcome = Executive::apply_extrinsic(xt).expect("transaction is valid");
		assert!(outcome.is_ok(), "transfer dispatch failed: {outcome:?}");

		let alice_after = Balances::balance(&alice);
		assert_eq!(Balances::balance(&bob), ENDOWMENT + amount);
		let fee = ENDOWMENT - amount - alice_after;
		assert!(fee > 0, "a signed transfer must pay a fee");
		assert_eq!(
			Balances::balance(&crate::configs::TreasuryAccount::get()),
			genesis_config_presets::TREASURY_ENDOWMENT + fee,
			"the fee goes to the treasury"
		);
		assert_eq!(System::account_nonce(&alice), 1);
		assert!(System::events().iter().any(|e| matches!(
			e.event,
			crate::RuntimeEvent::TransactionPayment(
				pallet_transaction_payment::Event::TransactionFeePaid { ref who, actual_fee, .. }
			) if *who == alice && actual_fee == fee
		)));
	});
}

#[test]
fn transfer_with_a_bad_signature_is_refused() {
	preset_storage(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		start_block_1();
		// Signed by Bob, claimed to come from Alice.
		let mut xt = signed_transfer(Sr25519Keyring::Bob, Sr25519Keyring::Charlie, UNIT, 0);
		if let sp_runtime::generic::Preamble::Signed(ref mut address, _, _) = xt.0.preamble {
			*address = Address::Id(Sr25519Keyring::Alice.to_account_id());
		}
		let alice_before = Balances::balance(&Sr25519Keyring::Alice.to_account_id());
		assert!(Executive::apply_extrinsic(xt).is_err());
		assert_eq!(Balances::balance(&Sr25519Keyring::Alice.to_account_id()), alice_before);
	});
}

#[test]
fn only_validators_pass_the_worker_origin() {
	use crate::{configs::EnsureValidator, RuntimeOrigin};
	use frame_support::traits::EnsureOrigin;

	preset_storage(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let alice = Sr25519Keyring::Alice.to_account_id();
		assert_eq!(
			EnsureValidator::try_origin(RuntimeOrigin::signed(alice.clone())).ok(),
			Some(alice)
		);
		let bob = Sr25519Keyring::Bob.to_account_id();
		assert!(EnsureValidator::try_origin(RuntimeOrigin::signed(bob)).is_err());
		assert!(EnsureValidator::try_origin(RuntimeOrigin::root()).is_err());
	});
}

#[test]
fn treasury_exists_from_genesis_so_any_fee_can_be_paid_into_it() {
	use crate::{configs::TreasuryAccount, genesis_config_presets::TREASURY_ENDOWMENT};

	for preset in
		[sp_genesis_builder::DEV_RUNTIME_PRESET, sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET]
	{
		preset_storage(preset).execute_with(|| {
			assert_eq!(Balances::balance(&TreasuryAccount::get()), TREASURY_ENDOWMENT, "{preset}");
		});
	}
}

/// What try-runtime-cli checks on an upgrade holds on each preset's genesis: every pallet's
/// on-chain storage version is its in-code one, the whole state decodes, and every pallet's
/// `try_state` (the project pallets' invariants included) passes.
#[cfg(feature = "try-runtime")]
#[test]
fn genesis_passes_the_try_runtime_upgrade_checks() {
	for preset in
		[sp_genesis_builder::DEV_RUNTIME_PRESET, sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET]
	{
		preset_storage(preset).execute_with(|| {
			Executive::try_runtime_upgrade(frame_try_runtime::UpgradeCheckSelect::All)
				.unwrap_or_else(|error| panic!("preset {preset}: {error:?}"));
		});
	}
	// The project pallets' `try_state` is part of them: a reward the pot cannot pay fails them.
	preset_storage(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		pallet_rewards::Claimable::<Runtime>::insert(Sr25519Keyring::Bob.to_account_id(), UNIT);
		assert!(
			Executive::try_runtime_upgrade(frame_try_runtime::UpgradeCheckSelect::All).is_err(),
			"an unfunded claim passed the upgrade checks"
		);
	});
}

#[test]
fn a_transfer_costs_what_it_cost_before_the_evm() {
	use frame_support::dispatch::GetDispatchInfo;
	preset_storage(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let call = RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
			dest: Address::Id(Sr25519Keyring::Bob.to_account_id()),
			value: UNIT,
		});
		let info = call.get_dispatch_info();
		let len = 150;
		let fee = pallet_transaction_payment::Pallet::<Runtime>::compute_fee(len, &info, 0);
		// Before pallet-revive the fee was IdentityFee: one planck per picosecond of ref_time
		// (base extrinsic weight and call weight) plus one per byte. BlockRatioFee<1, 1> keeps it.
		let base = crate::configs::RuntimeBlockWeights::get()
			.get(info.class)
			.base_extrinsic
			.ref_time();
		let expected = u128::from(base + info.call_weight.ref_time() + u64::from(len));
		assert_eq!(fee, expected);
		// About 0.2 milli-TRIB: sane for a transfer.
		assert!(fee < crate::MILLI_UNIT, "transfer fee {fee} planck");
	});
}

/// Calls a precompile as `who` would from an Ethereum transaction, returning its output and
/// whether it reverted.
fn call_precompile(
	who: &sp_runtime::AccountId32,
	address: [u8; 20],
	input: Vec<u8>,
) -> (Vec<u8>, bool) {
	let result = pallet_revive::Pallet::<Runtime>::bare_call(
		crate::RuntimeOrigin::signed(who.clone()),
		address.into(),
		Default::default(),
		pallet_revive::TransactionLimits::WeightAndDeposit {
			weight_limit: frame_support::weights::Weight::from_parts(500_000_000_000, 10_000_000),
			deposit_limit: 1_000 * UNIT,
		},
		input,
		&pallet_revive::ExecConfig::new_substrate_tx(),
	);
	let output = result.result.expect("the precompile ran");
	let reverted = output.did_revert();
	(output.data, reverted)
}

#[test]
fn datanets_precompile_creates_what_the_extrinsic_creates_and_reverts_with_pallet_errors() {
	use crate::precompiles::datanets::IDatanets;
	use pallet_revive::precompiles::alloy::sol_types::{Revert, SolCall, SolError};
	const DATANETS: [u8; 20] = sp_core::hex2array!("0000000000000000000000000000000054010000");
	preset_storage(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		start_block_1();
		let alice = Sr25519Keyring::Alice.to_account_id();
		let bob = Sr25519Keyring::Bob.to_account_id();
		let create = IDatanets::createDatanetCall {
			name: "licenses".into(),
			summary: "license texts".into(),
			license: "MIT".into(),
		}
		.abi_encode();

		let (output, reverted) = call_precompile(&alice, DATANETS, create.clone());
		assert!(!reverted);
		let id = IDatanets::createDatanetCall::abi_decode_returns(&output).unwrap();
		let by_precompile = pallet_datanets::Datanet::<Runtime>::get(id).unwrap();

		let extrinsic = pallet_datanets::Call::<Runtime>::create_datanet {
			name: b"licenses".to_vec().try_into().unwrap(),
			summary: b"license texts".to_vec().try_into().unwrap(),
			description: Default::default(),
			tags: Default::default(),
			license: b"MIT".to_vec().try_into().unwrap(),
			visibility: tributary_primitives::datanets::Visibility::Public,
		};
		frame_support::assert_ok!(
			frame_support::traits::UnfilteredDispatchable::dispatch_bypass_filter(
				extrinsic,
				crate::RuntimeOrigin::signed(bob.clone())
			)
		);
		let by_extrinsic = pallet_datanets::Datanet::<Runtime>::get(id + 1).unwrap();
		assert_eq!(by_precompile.owner, alice);
		assert_eq!(by_extrinsic.owner, bob);
		assert_eq!(
			pallet_datanets::Datanet::<Runtime>::get(id).map(|d| (
				d.name,
				d.summary,
				d.license,
				d.visibility,
				d.deposit
			)),
			Some((
				by_extrinsic.name,
				by_extrinsic.summary,
				by_extrinsic.license,
				by_extrinsic.visibility,
				by_extrinsic.deposit
			))
		);

		// The same name again: the pallet's error, by name.
		let (output, reverted) = call_precompile(&alice, DATANETS, create);
		assert!(reverted);
		assert_eq!(Revert::abi_decode(&output).unwrap().reason, "Datanets.NameTaken");
		// An unknown datanet.
		let (output, reverted) = call_precompile(
			&alice,
			DATANETS,
			IDatanets::datanetCall { datanetId: u32::MAX }.abi_encode(),
		);
		assert!(reverted);
		assert_eq!(Revert::abi_decode(&output).unwrap().reason, "Datanets.UnknownDatanet");
	});
}
