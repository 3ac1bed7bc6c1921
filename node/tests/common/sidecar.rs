//! The worker sidecar (`tributary-worker`) as a process next to a node, and the base model it
//! serves, made by `tributary-trainer pretrain` like `scripts/dev.sh` does.

use std::{
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

use serde_json::Value;

use super::{free_port, http};

/// A binary of the workspace built next to `tributary-node` (`cargo test --workspace` builds
/// them all).
pub fn workspace_binary(name: &str) -> PathBuf {
	let path = Path::new(env!("CARGO_BIN_EXE_tributary-node")).with_file_name(name);
	assert!(
		path.exists(),
		"{} is missing: build the workspace with `cargo test --workspace --no-run`",
		path.display()
	);
	path
}

/// A small base model pretrained on `text` until it recites it: tokenizer and Llama weights in
/// `dir/base` (about 20 s on 2 cores).
pub fn pretrain_base(dir: &Path, text: &str) -> PathBuf {
	let source = dir.join("pretrain-corpus.txt");
	std::fs::write(&source, text).unwrap();
	let out = dir.join("base");
	let output = Command::new(workspace_binary("tributary-trainer"))
		.args(["pretrain", "--out"])
		.arg(&out)
		.arg("--source")
		.arg(&source)
		.args([
			"--steps",
			"1000",
			"--lr",
			"0.003",
			"--vocab-size",
			"320",
			"--hidden",
			"64",
			"--layers",
			"2",
			"--seq-len",
			"64",
		])
		.output()
		.expect("run tributary-trainer pretrain");
	assert!(
		output.status.success(),
		"pretrain failed: {}",
		String::from_utf8_lossy(&output.stderr)
	);
	out
}

/// A running sidecar. Its data directory outlives restarts.
pub struct Sidecar {
	process: Process,
	/// The public API's port (what peers and users reach).
	pub port: u16,
	/// The operator API's port (what the node's `--worker-url` and these tests reach).
	pub operator_port: u16,
	log_path: PathBuf,
	name: String,
}

/// Who starts and kills a sidecar.
enum Process {
	/// This test, with these arguments; killed on drop.
	Owned { args: Vec<String>, child: Option<Child> },
	/// `zombienet/sidecar.sh` (a zombienet validator's sidecar, which outlives the test).
	Script(PathBuf),
}

impl Sidecar {
	/// Start `tributary-worker` with its public API on `port` and its operator API on a free
	/// loopback port, its data in `dir/<name>`, serving `base`, fetching from `peers` (their public
	/// ports) and issuing receipts as `account`.
	pub fn start(
		name: &str,
		dir: &Path,
		base: &Path,
		port: u16,
		peers: &[u16],
		account: &str,
	) -> Sidecar {
		let operator_port = free_port();
		let mut args = vec![
			"--listen".to_string(),
			format!("127.0.0.1:{port}"),
			"--operator-listen".to_string(),
			format!("127.0.0.1:{operator_port}"),
			"--data-dir".into(),
			dir.join(name).display().to_string(),
			"--base-model".into(),
			base.display().to_string(),
			"--worker-account".into(),
			account.into(),
		];
		for peer in peers {
			args.extend(["--peer".to_string(), format!("http://127.0.0.1:{peer}")]);
		}
		let mut sidecar = Sidecar {
			process: Process::Owned { args, child: None },
			port,
			operator_port,
			log_path: dir.join(format!("{name}.log")),
			name: name.into(),
		};
		sidecar.spawn();
		sidecar
	}

	/// The running sidecar of zombienet validator `name`, started and killed by `script`
	/// (`zombienet/sidecar.sh`).
	pub fn attach(
		name: &str,
		port: u16,
		operator_port: u16,
		script: PathBuf,
		log_path: PathBuf,
	) -> Sidecar {
		Sidecar {
			process: Process::Script(script),
			port,
			operator_port,
			log_path,
			name: name.into(),
		}
	}

	/// A loopback port for a sidecar that starts later (peers name each other).
	pub fn reserve_port() -> u16 {
		free_port()
	}

	/// The operator API, the node's `--worker-url`.
	pub fn url(&self) -> String {
		format!("http://127.0.0.1:{}", self.operator_port)
	}

	/// The public API, the endpoint a worker registers on chain.
	pub fn public_url(&self) -> String {
		format!("http://127.0.0.1:{}", self.port)
	}

	fn spawn(&mut self) {
		match &mut self.process {
			Process::Owned { args, child } => {
				let log = std::fs::OpenOptions::new()
					.create(true)
					.append(true)
					.open(&self.log_path)
					.unwrap();
				*child = Some(
					Command::new(workspace_binary("tributary-worker"))
						.args(args.iter())
						.stdin(Stdio::null())
						.stdout(log.try_clone().unwrap())
						.stderr(log)
						.spawn()
						.expect("start tributary-worker"),
				);
			},
			Process::Script(script) => run_script(script, "start", &self.name),
		}
		let start = Instant::now();
		while self.get("/health").0 != 200 {
			assert!(
				start.elapsed() < Duration::from_secs(60),
				"sidecar {} did not start:\n{}",
				self.name,
				self.log_tail()
			);
			std::thread::sleep(Duration::from_millis(200));
		}
	}

	/// Kill the process at once (SIGKILL: no draining, no cleanup), as a crash would.
	pub fn kill(&mut self) {
		match &mut self.process {
			Process::Owned { child, .. } => {
				if let Some(mut child) = child.take() {
					let _ = child.kill();
					let _ = child.wait();
				}
			},
			Process::Script(script) => run_script(script, "kill", &self.name),
		}
	}

	/// Start again on the same port and data directory.
	pub fn restart(&mut self) {
		self.kill();
		self.spawn();
	}

	pub fn log_tail(&self) -> String {
		let log = std::fs::read_to_string(&self.log_path).unwrap_or_default();
		let lines: Vec<&str> = log.lines().collect();
		lines[lines.len().saturating_sub(40)..].join("\n")
	}

	fn request(&self, method: &str, path: &str, content_type: &str, body: &[u8]) -> (u16, Value) {
		match http(self.operator_port, method, path, content_type, body) {
			Ok((status, body)) => (status, serde_json::from_slice(&body).unwrap_or(Value::Null)),
			Err(_) => (0, Value::Null),
		}
	}

	/// Status (0 when unreachable) and JSON body.
	pub fn get(&self, path: &str) -> (u16, Value) {
		self.request("GET", path, "application/json", b"")
	}

	pub fn post(&self, path: &str, body: &Value) -> (u16, Value) {
		self.request("POST", path, "application/json", body.to_string().as_bytes())
	}

	pub fn put(&self, path: &str, bytes: &[u8]) -> (u16, Value) {
		self.request("PUT", path, "application/octet-stream", bytes)
	}

	/// Kills and restarts the sidecar while its train job `id` runs: the job resumes.
	pub fn restart_during_train_job(&mut self, id: &str) {
		self.restart();
		let (_, interrupted) = self.get(&format!("/jobs/{id}"));
		assert!(
			interrupted["status"] != "failed" && interrupted["resumed"] == 1,
			"a train job killed mid-run resumes from its checkpoint: {interrupted}"
		);
	}

	/// The adapter hash of train job `id`, which a restart interrupted once and which then
	/// finished under its own id in one run, nothing trained again under another.
	pub fn resumed_train_job_adapter(&self, id: &str) -> String {
		let (_, resumed) = self.get(&format!("/jobs/{id}"));
		assert_eq!(
			(&resumed["status"], &resumed["runs"], &resumed["resumed"]),
			(&Value::from("succeeded"), &Value::from(1), &Value::from(1)),
			"the interrupted job finished under its own id, in one run: {resumed}"
		);
		let (status, _) = self.get(&format!("/jobs/{id}-r1"));
		assert_eq!(status, 404, "nothing was trained again under a new id");
		resumed["result_hash"]
			.as_str()
			.expect("a finished train job has its adapter")
			.into()
	}
}

impl Drop for Sidecar {
	fn drop(&mut self) {
		if matches!(self.process, Process::Owned { .. }) {
			self.kill();
		}
	}
}

/// `sidecar.sh ACTION NAME`, which must succeed.
fn run_script(script: &Path, action: &str, name: &str) {
	let status = Command::new(script).args([action, name]).status().expect("run sidecar.sh");
	assert!(status.success(), "{} {action} {name} failed: {status}", script.display());
}
