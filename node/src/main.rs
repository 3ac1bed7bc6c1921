//! `tributary-node`: the Tributary validator node.

// `sc_cli::Error`, which every command returns as the polkadot-sdk templates do, is large; boxing
// it at each of our call sites would only obscure them.
#![allow(clippy::result_large_err)]

mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
