//! A tiny base model, adapters and a real worker on 127.0.0.1, all made inside the test.

#![allow(dead_code)]

use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use tch::{Device, Kind, Tensor};
use tributary_model::hf::{load_model, save_model, TOKENIZER_FILE};
use tributary_model::peft::PeftAdapter;
use tributary_model::{Llama, LlamaConfig, LoraSpec, TargetModule, TargetModules};
use tributary_trainer::pretrain::train_tokenizer;
use tributary_worker::config::Config;
use tributary_worker::server::{start, RunningWorker};

/// Context of the test base model: small, so the over-long prompt test stays cheap.
pub const CONTEXT: i64 = 192;

/// A chat template that lists tools and renders calls as `<tool_call>` JSON blocks (Hermes). It
/// lists the tools by name only (real templates list their JSON) to keep prompts within the test
/// model's 192 positions.
pub const TOOLS_TEMPLATE: &str = "{% if tools %}<|system|>\nTools:\n{% for tool in tools %}{{ tool.function.name }}\n{% endfor %}{% endif %}{% for message in messages %}<|{{ message.role }}|>\n{% if message.tool_calls %}{% for call in message.tool_calls %}<tool_call>\n{\"name\": \"{{ call.function.name }}\", \"arguments\": {{ call.function.arguments | tojson }}}\n</tool_call>\n{% endfor %}{% else %}{{ message.content }}\n{% endif %}{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}";

/// Gives the base model in `base` [`TOOLS_TEMPLATE`] as its chat template.
pub fn use_tools_template(base: &Path) {
	let config = json!({ "chat_template": TOOLS_TEMPLATE });
	std::fs::write(base.join("tokenizer_config.json"), config.to_string()).unwrap();
}

pub fn corpus() -> Vec<String> {
	let rivers = ["Rhine", "Danube", "Loire", "Elbe", "Tagus", "Po"];
	let verbs = ["carries", "floods", "feeds", "drains"];
	let places = ["the valley", "the old town", "the northern plain", "the delta"];
	(0..48)
		.map(|i| {
			format!(
				"Report {i}: the {} {} {} in spring. Water level is {} metres and rising slowly.",
				rivers[i % rivers.len()],
				verbs[i % verbs.len()],
				places[i % places.len()],
				i % 7 + 2
			)
		})
		.collect()
}

/// Writes a base model directory: BPE tokenizer on the corpus, random Llama weights with
/// embeddings scaled up from the 0.02 of a fresh init, so logits spread over a few units: greedy
/// choices are clear of float noise while sampling still varies with the seed.
pub fn make_base(dir: &Path) {
	let texts = corpus();
	let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
	let tokenizer = train_tokenizer(&refs, 320).unwrap();
	let vocab = tokenizer.get_vocab_size(true) as i64;
	let mut config = LlamaConfig::tiny(vocab, 64, 2, 4, 2);
	config.max_position_embeddings = CONTEXT;
	let random = Llama::random(config.clone(), 1, Device::Cpu).unwrap();
	let mut weights: HashMap<String, Tensor> = random.hf_weights().unwrap().into_iter().collect();
	let embeddings = weights.remove("model.embed_tokens.weight").unwrap() * 10.0;
	weights.insert("model.embed_tokens.weight".into(), embeddings);
	save_model(&Llama::from_weights(config, weights).unwrap(), dir).unwrap();
	tokenizer.save(dir.join(TOKENIZER_FILE), false).unwrap();
}

/// Target sets and ranks vary with the seed, so a batch mixes adapter shapes.
pub fn adapter_shape(seed: u64) -> LoraSpec {
	let targets = match seed % 3 {
		0 => TargetModules::ALL,
		1 => TargetModules::QV,
		_ => TargetModules::QV.with(TargetModule::Down).with(TargetModule::O),
	};
	LoraSpec::plain([2, 4, 8][(seed % 3) as usize], 16.0, targets)
}

/// A PEFT adapter for the base in `base`, with random non-zero B so it changes the output.
pub fn make_adapter(base: &Path, seed: u64) -> PeftAdapter {
	make_variant(base, &adapter_shape(seed), seed)
}

/// A DoRA adapter for the base in `base`: random B, and magnitudes moved off their start.
pub fn make_dora_adapter(base: &Path, seed: u64) -> PeftAdapter {
	make_variant(base, &LoraSpec { dora: true, ..adapter_shape(seed) }, seed)
}

fn make_variant(base: &Path, spec: &LoraSpec, seed: u64) -> PeftAdapter {
	let mut model = load_model(base, Kind::Float, Device::Cpu).unwrap();
	model.add_lora(spec, seed).unwrap();
	tch::no_grad(|| {
		let mut rng = tributary_model::rng::SplitMix64(seed ^ 0x5eed);
		for (_, mut b) in model.lora_weights().into_values() {
			let values = rng.normal(&b.size(), 0.3, Device::Cpu);
			b.copy_(&values);
		}
		for mut magnitude in model.lora_magnitudes().into_values() {
			let scale = rng.normal(&magnitude.size(), 0.2, Device::Cpu) + 1.0;
			let _ = magnitude.g_mul_(&scale);
		}
	});
	PeftAdapter::from_model(&model, "tiny-base").unwrap()
}

pub struct Fixture {
	pub root: tempfile::TempDir,
	pub base: PathBuf,
}

impl Fixture {
	pub fn new() -> Fixture {
		let root = tempfile::tempdir().unwrap();
		let base = root.path().join("base");
		make_base(&base);
		Fixture { root, base }
	}

	pub fn data_dir(&self, name: &str) -> PathBuf {
		self.root.path().join(name)
	}

	pub fn config(&self, data: &str) -> Config {
		Config {
			listen: SocketAddr::from(([127, 0, 0, 1], 0)),
			operator_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
			data_dir: self.data_dir(data),
			base_model: Some(self.base.clone()),
			device_cache_bytes: 4 << 20,
			host_cache_bytes: 16 << 20,
			max_lora_rank: 8,
			..Config::default()
		}
	}
}

/// Talks to a worker's operator listener (which serves every route); `public_url` is its public
/// listener, what peers and users reach.
#[derive(Clone)]
pub struct Client {
	pub http: reqwest::Client,
	pub url: String,
	pub public_url: String,
}

impl Client {
	pub fn new(worker: &RunningWorker) -> Client {
		Client {
			http: reqwest::Client::new(),
			url: format!("http://{}", worker.operator_addr),
			public_url: format!("http://{}", worker.addr),
		}
	}

	pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
		let response =
			self.http.post(format!("{}{path}", self.url)).json(&body).send().await.unwrap();
		let status = response.status().as_u16();
		(status, response.json().await.unwrap())
	}

	pub async fn get(&self, path: &str) -> (u16, Value) {
		let response = self.http.get(format!("{}{path}", self.url)).send().await.unwrap();
		let status = response.status().as_u16();
		(status, response.json().await.unwrap_or(Value::Null))
	}

	pub async fn put_object(&self, bytes: Vec<u8>) -> String {
		let response =
			self.http.put(format!("{}/store", self.url)).body(bytes).send().await.unwrap();
		assert_eq!(response.status().as_u16(), 200);
		let body: Value = response.json().await.unwrap();
		body["hash"].as_str().unwrap().to_string()
	}

	/// Uploads the adapter's weights and serves it as `id`; returns its hex hash.
	pub async fn register(&self, id: &str, adapter: &PeftAdapter) -> String {
		let hash = self.put_object(adapter.canonical_bytes().unwrap()).await;
		let (status, body) = self
			.post(
				"/v1/adapters",
				json!({ "id": id, "adapter_hash": hash, "adapter_config": adapter.config }),
			)
			.await;
		assert_eq!(status, 201, "{body}");
		hash
	}

	/// Non-streaming completion text.
	pub async fn complete(&self, body: Value) -> String {
		let (status, response) = self.post("/v1/completions", body).await;
		assert_eq!(status, 200, "{response}");
		response["choices"][0]["text"].as_str().unwrap().to_string()
	}

	/// The chunks' data payloads of a streamed request, `[DONE]` included.
	pub async fn stream(&self, path: &str, body: Value) -> Vec<String> {
		let response =
			self.http.post(format!("{}{path}", self.url)).json(&body).send().await.unwrap();
		assert_eq!(response.status().as_u16(), 200);
		let text = response.text().await.unwrap();
		text.lines()
			.filter_map(|l| l.strip_prefix("data: "))
			.map(str::to_string)
			.collect()
	}

	/// The text of a streamed completion (text or chat), checking it ends with `[DONE]`.
	pub async fn stream_text(&self, path: &str, body: Value) -> String {
		let chunks = self.stream(path, body).await;
		assert_eq!(chunks.last().map(String::as_str), Some("[DONE]"), "{chunks:?}");
		let mut text = String::new();
		for chunk in &chunks[..chunks.len() - 1] {
			let value: Value = serde_json::from_str(chunk).unwrap();
			assert!(value.get("error").is_none(), "{value}");
			let choice = &value["choices"][0];
			if let Some(piece) = choice["text"].as_str() {
				text.push_str(piece);
			}
			if let Some(piece) = choice["delta"]["content"].as_str() {
				text.push_str(piece);
			}
		}
		text
	}

	/// Name the chain receipts are for, as the chain's off-chain worker does when it reads the
	/// receipt queue.
	pub async fn learn_chain(&self, genesis: &[u8; 32]) {
		let genesis = tributary_primitives::hex::encode_0x(genesis);
		let (status, body) = self.get(&format!("/receipts/pending?genesis={genesis}")).await;
		assert_eq!(status, 200, "{body}");
	}

	/// `POST /attribution/recompute` until the recomputation is no longer running (`202`), as the
	/// chain's off-chain worker does block after block.
	pub async fn recompute(&self, request: Value) -> (u16, Value) {
		let started = std::time::Instant::now();
		loop {
			let (status, body) = self.post("/attribution/recompute", request.clone()).await;
			if status != 202 {
				return (status, body);
			}
			assert_eq!(body, serde_json::json!({ "state": "running" }));
			assert!(
				started.elapsed() < std::time::Duration::from_secs(300),
				"recomputation still running after 5 minutes"
			);
		}
	}

	/// The job's record once it succeeded or failed (at most 5 minutes).
	pub async fn wait_for_job(&self, id: &str) -> Value {
		let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
		loop {
			let (status, job) = self.get(&format!("/jobs/{id}")).await;
			assert_eq!(status, 200, "{job}");
			if matches!(job["status"].as_str(), Some("succeeded" | "failed")) {
				return job;
			}
			assert!(std::time::Instant::now() < deadline, "job {id} did not finish: {job}");
			tokio::time::sleep(std::time::Duration::from_millis(100)).await;
		}
	}

	pub async fn metrics(&self) -> String {
		self.http
			.get(format!("{}/metrics", self.url))
			.send()
			.await
			.unwrap()
			.text()
			.await
			.unwrap()
	}
}

pub async fn start_worker(config: Config) -> (RunningWorker, Client) {
	let worker = start(config).await.unwrap();
	let client = Client::new(&worker);
	(worker, client)
}

/// A metric's value from the Prometheus text (first sample whose name and labels start with `prefix`).
pub fn metric(text: &str, prefix: &str) -> f64 {
	text.lines()
		.find(|l| l.starts_with(prefix))
		.and_then(|l| l.rsplit(' ').next())
		.and_then(|v| v.parse().ok())
		.unwrap_or_else(|| panic!("no metric {prefix} in\n{text}"))
}

/// The worker binary on 127.0.0.1 (port picked by the OS); killed when dropped so a failing
/// assertion never leaves it running.
pub struct WorkerProcess {
	child: Child,
	/// The public API, what the OpenAI client talks to.
	pub url: String,
	/// The operator API, where the test registers adapters.
	pub operator_url: String,
}

impl WorkerProcess {
	/// Starts the binary on `base` and `data_dir`, with `args` besides.
	pub fn spawn(base: &Path, data_dir: &Path, args: &[&str]) -> WorkerProcess {
		let mut child = Command::new(env!("CARGO_BIN_EXE_tributary-worker"))
			.args(["--listen", "127.0.0.1:0", "--operator-listen", "127.0.0.1:0"])
			.arg("--base-model")
			.arg(base)
			.arg("--data-dir")
			.arg(data_dir)
			.args(args)
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

	/// A client of this process's operator and public APIs.
	pub fn client(&self) -> Client {
		Client {
			http: reqwest::Client::new(),
			url: self.operator_url.clone(),
			public_url: self.url.clone(),
		}
	}

	/// SIGKILL: no chance to flush or clean up, like a power cut for the process.
	pub fn kill(mut self) {
		self.child.kill().expect("the worker can be killed");
		self.child.wait().expect("the killed worker is reaped");
	}
}

impl Drop for WorkerProcess {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}
