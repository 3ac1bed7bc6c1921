//! `tributary-worker`: serves until SIGINT/SIGTERM, then drains in-flight requests and exits.

use clap::Parser;
use tributary_worker::config::{Cli, Config};

fn main() -> std::process::ExitCode {
	let config = match Config::from_cli(Cli::parse()) {
		Ok(config) => config,
		Err(e) => {
			eprintln!("tributary-worker: {e}");
			return std::process::ExitCode::from(2);
		},
	};
	let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
	runtime.block_on(async move {
		let worker = match tributary_worker::server::start(config).await {
			Ok(worker) => worker,
			Err(e) => {
				eprintln!("tributary-worker: {e}");
				return std::process::ExitCode::FAILURE;
			},
		};
		println!("tributary-worker: public API on http://{}", worker.addr);
		println!(
			"tributary-worker: operator API on http://{} (the node's --worker-url; keep it private)",
			worker.operator_addr
		);
		wait_for_signal().await;
		println!("tributary-worker: shutting down, draining in-flight requests");
		worker.shutdown().await;
		std::process::ExitCode::SUCCESS
	})
}

async fn wait_for_signal() {
	let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
		.expect("SIGTERM handler installs");
	tokio::select! {
		_ = tokio::signal::ctrl_c() => {},
		_ = terminate.recv() => {},
	}
}
