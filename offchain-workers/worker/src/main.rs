//! `tributary-worker`: serves until SIGINT/SIGTERM, then drains in-flight requests and exits.
//! If the engine thread dies (a panic in the decode loop), it exits with status 70 so its
//! supervisor (systemd, a container runtime) starts a fresh one.

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
		let scheme = if worker.https { "https" } else { "http" };
		println!("tributary-worker: public API on {scheme}://{}", worker.addr);
		println!(
			"tributary-worker: operator API on http://{} (the node's --worker-url; keep it private)",
			worker.operator_addr
		);
		tokio::select! {
			_ = wait_for_signal() => {},
			message = engine_panicked(&worker.engine) => {
				eprintln!(
					"tributary-worker: the engine thread panicked ({message}); exiting so a supervisor restarts the worker"
				);
				return std::process::ExitCode::from(70);
			},
		}
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

/// Returns (with the panic's message) once the engine thread has panicked.
async fn engine_panicked(engine: &tributary_engine::Engine) -> String {
	let mut checks = tokio::time::interval(std::time::Duration::from_secs(1));
	loop {
		checks.tick().await;
		if let tributary_engine::EngineState::Panicked(message) = engine.state() {
			return message;
		}
	}
}
