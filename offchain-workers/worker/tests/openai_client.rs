//! The official OpenAI Python client (installed into the project venv by scripts/setup.sh) lists
//! models, completes and streams against the real `tributary-worker` binary.

mod common;

use common::{make_adapter, make_base, Client};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The worker binary on 127.0.0.1 (port picked by the OS); killed when dropped so a failing
/// assertion never leaves it running.
struct WorkerProcess {
	child: Child,
	/// The public API, what the OpenAI client talks to.
	url: String,
	/// The operator API, where the test registers adapters.
	operator_url: String,
}

impl WorkerProcess {
	fn spawn(base: &Path, data_dir: &Path) -> WorkerProcess {
		let mut child = Command::new(env!("CARGO_BIN_EXE_tributary-worker"))
			.args(["--listen", "127.0.0.1:0", "--operator-listen", "127.0.0.1:0"])
			.arg("--base-model")
			.arg(base)
			.arg("--data-dir")
			.arg(data_dir)
			.stdout(Stdio::piped())
			.spawn()
			.expect("the tributary-worker binary starts");
		// The worker prints its bound addresses once it listens; reading them avoids a port race.
		let stdout = child.stdout.take().unwrap();
		let mut lines = BufReader::new(stdout).lines();
		let mut address_after = |prefix: &str| loop {
			match lines.next() {
				Some(Ok(line)) => {
					if let Some(rest) = line.strip_prefix(prefix) {
						break rest.split_whitespace().next().unwrap().to_string();
					}
				},
				_ => {
					let status = child.wait().unwrap();
					panic!("tributary-worker exited ({status}) before listening");
				},
			}
		};
		let url = address_after("tributary-worker: public API on ");
		let operator_url = address_after("tributary-worker: operator API on ");
		// Keep draining stdout so the worker never blocks on a full pipe.
		std::thread::spawn(move || lines.for_each(drop));
		WorkerProcess { child, url, operator_url }
	}
}

impl Drop for WorkerProcess {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

/// The venv python with `openai` importable, or a failure that says how to get it.
fn venv_python() -> PathBuf {
	let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
	let python = workspace.join(".venv/bin/python");
	let import = Command::new(&python).args(["-c", "import openai"]).output();
	match import {
		Ok(output) if output.status.success() => python,
		Ok(output) => panic!(
			"{} cannot import openai ({}); run scripts/setup.sh",
			python.display(),
			String::from_utf8_lossy(&output.stderr).trim()
		),
		Err(e) => {
			panic!("no project venv python at {} ({e}); run scripts/setup.sh", python.display())
		},
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_openai_client_lists_completes_and_streams() {
	let python = venv_python();
	let root = tempfile::tempdir().unwrap();
	let base = root.path().join("base");
	make_base(&base);
	let adapter = make_adapter(&base, 1);
	let worker = WorkerProcess::spawn(&base, &root.path().join("data"));
	let client = Client {
		http: reqwest::Client::new(),
		url: worker.operator_url.clone(),
		public_url: worker.url.clone(),
	};

	let deadline = Instant::now() + Duration::from_secs(30);
	while client.get("/health").await.0 != 200 {
		assert!(Instant::now() < deadline, "{}/health never answered 200", worker.url);
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
	client.register("rivers-v1", &adapter).await;

	let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/openai_client_check.py");
	let url = worker.url.clone();
	let output = tokio::task::spawn_blocking(move || {
		Command::new(&python)
			.arg(&script)
			.arg(&url)
			.arg("rivers-v1")
			.output()
			.expect("the venv python runs")
	})
	.await
	.unwrap();
	let stdout = String::from_utf8_lossy(&output.stdout);
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(
		output.status.success(),
		"openai_client_check.py failed ({})\n{stdout}\n{stderr}",
		output.status
	);
	assert!(stdout.starts_with("ok: models ["), "{stdout}");
	assert!(stdout.contains("'rivers-v1'"), "{stdout}");
	println!("{stdout}");
}
