//! `eth-rpc`: serves the Ethereum JSON-RPC (MetaMask, ethers, viem) for a Tributary node.
//!
//! pallet-revive's server, generated against Tributary's own metadata: the workspace patches
//! `revive-dev-runtime`, where the server's build script reads the chain metadata, with
//! `chain-metadata/` (see the workspace's `[patch.crates-io]`).

use pallet_revive_eth_rpc::cli;

fn main() -> anyhow::Result<()> {
	cli::run(cli::CliCommand::parse_cli()?)
}
