//! Call decoding and dispatch of the project pallets, in the runtime as the chain runs it, on the
//! development genesis (Alice the validator, six endowed dev accounts).
//!
//! Input: a sequence of operations. An operation byte below [`ADVANCE`] is a call: its low three
//! bits pick the origin (Alice … Ferdie signed, root, none) and a `RuntimeCall` follows, decoded as
//! an extrinsic's call is; calls to other pallets are skipped. An operation byte of [`ADVANCE`] or
//! more runs the project pallets' block hooks over `2^(byte - ADVANCE)` blocks (at most 64;
//! longer waits chain several, up to [`MAX_BLOCKS`] per input, so one input stays fast).
//! Built with the `try-runtime` feature, every pallet's `try_state` runs after each operation.

use codec::DecodeLimit;
use frame_support::dispatch::GetDispatchInfo;
use frame_support::traits::{OnFinalize, OnIdle, OnInitialize};
use sp_keyring::Sr25519Keyring;
use sp_runtime::traits::Dispatchable;
use std::sync::OnceLock;
use tributary_runtime::{
	Attribution, BlockNumber, Datanets, Models, Rewards, RuntimeCall, RuntimeOrigin, System,
};

/// Operation bytes from here on advance blocks.
pub const ADVANCE: u8 = 0xf0;
/// The most blocks one input advances (about 5 ms each in the instrumented build).
pub const MAX_BLOCKS: u32 = 512;
/// How deep the runtime lets a call's arguments nest.
const DEPTH_LIMIT: u32 = 256;

/// The dev accounts that sign calls, by the origin bits 0 to 5.
pub const SIGNERS: [Sr25519Keyring; 6] = [
	Sr25519Keyring::Alice,
	Sr25519Keyring::Bob,
	Sr25519Keyring::Charlie,
	Sr25519Keyring::Dave,
	Sr25519Keyring::Eve,
	Sr25519Keyring::Ferdie,
];
/// Origin bits of root and of no origin.
pub const ROOT: u8 = 6;
pub const NONE: u8 = 7;

/// The pallets whose hooks run between blocks.
type Hooked = (System, Datanets, Models, Attribution, Rewards);

fn genesis() -> &'static sp_runtime::Storage {
	static GENESIS: OnceLock<sp_runtime::Storage> = OnceLock::new();
	GENESIS.get_or_init(|| {
		let dev = sp_genesis_builder::PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET);
		tributary_runtime::genesis_config_presets::preset_storage(&dev).expect("the dev preset")
	})
}

pub fn run(data: &[u8]) {
	sp_io::TestExternalities::new(genesis().clone()).execute_with(|| {
		next_block();
		let mut blocks_left = MAX_BLOCKS;
		let mut input = data;
		while let Some((&operation, rest)) = input.split_first() {
			input = rest;
			if operation >= ADVANCE {
				let blocks = (1u32 << (operation - ADVANCE).min(6)).min(blocks_left);
				blocks_left -= blocks;
				for _ in 0..blocks {
					next_block();
				}
			} else {
				let Ok(call) = RuntimeCall::decode_with_depth_limit(DEPTH_LIMIT, &mut input) else {
					return;
				};
				if !is_project_call(&call) {
					continue;
				}
				// The weight a block author would charge is computed from the arguments.
				call.get_dispatch_info();
				let _ = call.dispatch(origin(operation & 7));
			}
			check_invariants();
		}
	});
}

fn is_project_call(call: &RuntimeCall) -> bool {
	matches!(
		call,
		RuntimeCall::Datanets(_)
			| RuntimeCall::Models(_)
			| RuntimeCall::Attribution(_)
			| RuntimeCall::Rewards(_)
	)
}

fn origin(bits: u8) -> RuntimeOrigin {
	match bits {
		ROOT => RuntimeOrigin::root(),
		NONE => RuntimeOrigin::none(),
		signer => RuntimeOrigin::signed(SIGNERS[usize::from(signer)].to_account_id()),
	}
}

/// Ends the current block and starts the next, with the project pallets' hooks (idle work given
/// the whole block).
fn next_block() {
	let now: BlockNumber = System::block_number();
	if now > 0 {
		let limit =
			<tributary_runtime::Runtime as frame_system::Config>::BlockWeights::get().max_block;
		<Hooked as OnIdle<BlockNumber>>::on_idle(now, limit);
		<Hooked as OnFinalize<BlockNumber>>::on_finalize(now);
	}
	System::reset_events();
	System::set_block_number(now + 1);
	<Hooked as OnInitialize<BlockNumber>>::on_initialize(now + 1);
}

#[cfg(feature = "try-runtime")]
fn check_invariants() {
	use frame_support::traits::{TryState, TryStateSelect};
	let now = System::block_number();
	<tributary_runtime::AllPalletsWithSystem as TryState<BlockNumber>>::try_state(
		now,
		TryStateSelect::All,
	)
	.unwrap_or_else(|error| panic!("an invariant broke in block {now}: {error:?}"));
}

#[cfg(not(feature = "try-runtime"))]
fn check_invariants() {}
