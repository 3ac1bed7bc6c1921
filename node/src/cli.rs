//! Command-line interface of `tributary-node`.

use sc_cli::RunCmd;

#[derive(Debug, clap::Parser)]
pub struct Cli {
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	#[clap(flatten)]
	pub run: RunCmd,

	/// URL of this validator's worker sidecar (`tributary-worker`), e.g.
	/// `http://127.0.0.1:8420`. The off-chain workers train and verify the jobs assigned to the
	/// validator there, have it serve accepted models, and bring its signed receipts on chain.
	/// Without it they do nothing.
	#[arg(long, value_name = "URL", value_parser = parse_worker_url)]
	pub worker_url: Option<String>,
}

fn parse_worker_url(url: &str) -> Result<String, String> {
	if url.starts_with("http://") || url.starts_with("https://") {
		Ok(url.trim_end_matches('/').to_string())
	} else {
		Err(format!("{url:?} is not an http:// or https:// URL"))
	}
}

#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management: generate, inspect, and `insert` session (aura, gran) and worker (trwk)
	/// keys into the keystore.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Export the chain specification.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Benchmarks: `benchmark pallet` measures extrinsic weights (needs a build with
	/// `--features runtime-benchmarks`).
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),

	/// Database metadata.
	ChainInfo(sc_cli::ChainInfoCmd),
}
