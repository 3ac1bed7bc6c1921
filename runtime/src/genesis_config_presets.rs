//! Genesis presets: `development` (Alice validates alone and holds the sudo key) and
//! `local_testnet` (Alice, Bob and Charlie validate; no sudo: referenda decide every admin call).
//!
//! The validators are `session.keys`: per validator its account (twice: account and validator
//! id) and its session keys (Aura, GRANDPA, worker). Aura's and GRANDPA's authorities and the
//! validator set follow from them. `scripts/dev.sh`, zombienet and the tests' two-validator
//! network rewrite `session.keys` in these patches, so their shape stays the plain pallet
//! genesis configs.

use crate::{
	configs::{attribution_params, RewardsPot, TreasuryAccount},
	AccountId, AttributionConfig, BalancesConfig, GovernanceConfig, ModelsConfig, Runtime,
	RuntimeGenesisConfig, SessionConfig, SessionKeys, SudoConfig, TechnicalMembershipConfig,
	EXISTENTIAL_DEPOSIT, UNIT,
};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use pallet_revive::AddressMapper;
use serde_json::Value;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// What every endowed dev account starts with.
pub const ENDOWMENT: u128 = 1_000_000 * UNIT;
/// Verifiers drawn per fine-tune job on a network of `validators` validators: 3 (a majority
/// of 2 decides, one liar is outvoted) once there are 4 or more, so a trainer and 3 verifiers
/// fit; 1 on the small dev networks (`development`: Alice alone, which never has the 2 workers a
/// job needs; `local_testnet` and the tests' two-validator network derived from it).
fn verifiers_per_job(validators: usize) -> u32 {
	if validators >= 4 {
		3
	} else {
		1
	}
}

/// What the treasury account starts with: enough to exist, so fees and slashes of any size can be
/// paid into it.
pub const TREASURY_ENDOWMENT: u128 = UNIT;

fn testnet_genesis(
	validators: Vec<(AccountId, SessionKeys)>,
	endowed_accounts: Vec<AccountId>,
	sudo_key: Option<AccountId>,
	technical_committee: Vec<AccountId>,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed_accounts
				.iter()
				.cloned()
				.map(|k| (k, ENDOWMENT))
				.chain(dev_ethereum_accounts().map(|k| (k, DEV_ETHEREUM_ENDOWMENT)))
				.chain([
					(TreasuryAccount::get(), TREASURY_ENDOWMENT),
					// The rewards pot keeps exactly this floor; it is never paid out.
					(RewardsPot::get(), EXISTENTIAL_DEPOSIT),
				])
				.collect::<Vec<_>>(),
		},
		session: SessionConfig {
			keys: validators
				.iter()
				.map(|(who, keys)| (who.clone(), who.clone(), keys.clone()))
				.collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: sudo_key },
		models: ModelsConfig {
			verifiers_per_job: verifiers_per_job(validators.len()),
			..Default::default()
		},
		attribution: AttributionConfig {
			params: Some(attribution_params(validators.len() as u32)),
		},
		// Both presets are development networks: referenda decide in minutes.
		governance: GovernanceConfig { fast_periods: true },
		technical_membership: TechnicalMembershipConfig {
			members: technical_committee.try_into().expect("a committee of at most 32"),
		},
	})
}

/// A well-known dev validator: its account, and as session keys its sr25519 key for Aura and
/// the worker, its ed25519 key for GRANDPA (what `--alice` and friends put in a node's keystore).
pub fn dev_validator(sr25519: Sr25519Keyring, ed25519: Ed25519Keyring) -> (AccountId, SessionKeys) {
	let keys = SessionKeys {
		aura: sr25519.public().into(),
		grandpa: ed25519.public().into(),
		worker: sr25519.public().into(),
	};
	(sr25519.to_account_id(), keys)
}

/// The well-known dev accounts that hold funds in both presets.
fn endowed_dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect()
}

/// The well-known Ethereum dev keys Alith and Baltathar (the ones eth-rpc and Moonbeam's tools
/// know), endowed in both presets so MetaMask and ethers can use the dev network at once. An
/// Ethereum key's account is its 20-byte address followed by twelve `0xEE` bytes.
///
/// They hold little next to the sr25519 dev accounts, so those keep their share of the issuance:
/// the dev referenda pass on their votes alone within the fast tracks' periods.
pub const DEV_ETHEREUM_ENDOWMENT: u128 = 1_000 * UNIT;
pub const DEV_ETHEREUM_ADDRESSES: [[u8; 20]; 2] = [
	sp_core::hex2array!("f24ff3a9cf04c71dbc94d0b566f7a27b94566cac"),
	sp_core::hex2array!("3cd0a705a2dc65e5b1e1205896baa2be8a07c6e0"),
];

fn dev_ethereum_accounts() -> impl Iterator<Item = AccountId> {
	DEV_ETHEREUM_ADDRESSES.iter().map(|address| {
		<Runtime as pallet_revive::Config>::AddressMapper::to_fallback_account_id(
			&(*address).into(),
		)
	})
}

/// The technical committee of both presets, which may whitelist calls for the fast track.
fn dev_technical_committee() -> Vec<AccountId> {
	[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
		.iter()
		.map(|k| k.to_account_id())
		.collect()
}

/// Genesis of the `development` preset: Alice authors and finalizes alone.
pub fn development_config_genesis() -> Value {
	testnet_genesis(
		vec![dev_validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		endowed_dev_accounts(),
		Some(Sr25519Keyring::Alice.to_account_id()),
		dev_technical_committee(),
	)
}

/// Genesis of the `local_testnet` preset: Alice, Bob and Charlie validate.
pub fn local_config_genesis() -> Value {
	testnet_genesis(
		vec![
			dev_validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			dev_validator(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			dev_validator(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
		],
		endowed_dev_accounts(),
		None,
		dev_technical_committee(),
	)
}

/// The JSON patch of the preset named `id`, if there is one.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	Some(
		serde_json::to_string(&patch)
			.expect("serialization to json is expected to work; qed")
			.into_bytes(),
	)
}

/// The presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}

/// Genesis storage of the preset `id`, built as the node builds it: the preset's patch merged over
/// the runtime's default config, then every pallet's genesis build. For native tests and the fuzz
/// targets, which run the runtime on a `TestExternalities`.
#[cfg(feature = "std")]
pub fn preset_storage(id: &PresetId) -> Option<sp_runtime::Storage> {
	use sp_runtime::BuildStorage;
	let patch: Value = serde_json::from_slice(&get_preset(id)?).expect("a preset is JSON");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default())
		.expect("the default genesis config serializes");
	merge_patch(&mut config, patch);
	let bytes = serde_json::to_vec(&config).expect("a JSON value serializes");
	let config: RuntimeGenesisConfig =
		serde_json::from_slice(&bytes).expect("a preset merged over the defaults is a config");
	Some(config.build_storage().expect("a preset's genesis builds"))
}

/// Merges a genesis patch into a config: objects key by key, anything else replaced.
#[cfg(feature = "std")]
fn merge_patch(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) => {
			for (key, value) in patch {
				merge_patch(base.entry(key).or_insert(Value::Null), value);
			}
		},
		(base, patch) => *base = patch,
	}
}
