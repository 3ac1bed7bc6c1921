//! The official OpenAI Python client (installed into the project venv by scripts/setup.sh) lists
//! models, completes and streams against the real `tributary-worker` binary, whose base model's
//! chat template lists tools in the Hermes syntax.

mod common;

use common::{make_adapter, make_base, WorkerProcess};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

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
	common::use_tools_template(&base);
	let adapter = make_adapter(&base, 1);
	let worker = WorkerProcess::spawn(&base, &root.path().join("data"), &[]);
	let client = worker.client();

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
