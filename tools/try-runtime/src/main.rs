//! `tributary-try-runtime [--uri ws://127.0.0.1:9944] [--at 0x<block hash>]`: downloads the whole
//! state of a live chain at a block (its best finalized one by default) and runs this build of
//! the runtime's upgrade checks on it, natively: every pallet's `pre_upgrade`, `on_runtime_upgrade`
//! and `post_upgrade`, that each pallet's on-chain storage version is its in-code one, and every
//! pallet's `try_state` (the project pallets' invariants among them). It is what try-runtime-cli's
//! `on-runtime-upgrade live` checks, without the CLI. Exits 1 when a check fails, naming it.

use clap::Parser;
use frame_remote_externalities::{Builder, Mode, OnlineConfig};
use frame_support::traits::{TryState, TryStateSelect};
use frame_try_runtime::UpgradeCheckSelect;
use sp_runtime::traits::Header as _;
use std::process::ExitCode;
use tributary_runtime::{AllPalletsWithSystem, Block, Executive, Hash, VERSION};

#[derive(Parser)]
#[command(about = "Run this runtime's try-runtime checks on a live chain's state")]
struct Args {
	/// WebSocket RPC endpoint of a node of the chain.
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	uri: String,
	/// The block whose state to check; the best finalized block when absent.
	#[arg(long)]
	at: Option<Hash>,
}

#[tokio::main]
async fn main() -> ExitCode {
	let args = Args::parse();
	let online =
		OnlineConfig { transport_uris: vec![args.uri.clone()], at: args.at, ..Default::default() };
	let ext = match Builder::<Block>::new().mode(Mode::Online(online)).build().await {
		Ok(ext) => ext,
		Err(error) => {
			eprintln!("cannot load the state of {}: {error}", args.uri);
			return ExitCode::FAILURE;
		},
	};
	let block = *ext.header.number();
	let mut ext = ext.inner_ext;
	let outcome = ext.execute_with(|| {
		println!(
			"checking {} spec {} on the state of block {block} of {}",
			VERSION.spec_name, VERSION.spec_version, args.uri
		);
		let weight = Executive::try_runtime_upgrade(UpgradeCheckSelect::All)
			.map_err(|error| format!("upgrade checks: {error:?}"))?;
		println!("upgrade checks passed: on_runtime_upgrade weighs {weight}");
		<AllPalletsWithSystem as TryState<_>>::try_state(block, TryStateSelect::All)
			.map_err(|error| format!("try_state: {error:?}"))?;
		println!("try_state of every pallet passed");
		Ok::<(), String>(())
	});
	match outcome {
		Ok(()) => ExitCode::SUCCESS,
		Err(failure) => {
			eprintln!("FAILED {failure}");
			ExitCode::FAILURE
		},
	}
}
