//! The worker serving a real instruct model: SmolLM2-135M-Instruct as `scripts/base-model.sh`
//! converts it from its PyPI wheel (into `.data/smollm2-135m-instruct`, part of
//! `scripts/setup.sh`). Its config (rope_theta 100000 under transformers 5's `rope_parameters`,
//! tied embeddings) and its ChatML chat template must be honoured for the answer to make sense.

mod common;

use common::start_worker;
use serde_json::json;
use std::net::SocketAddr;
use std::path::PathBuf;
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

#[tokio::test(flavor = "multi_thread")]
async fn smollm2_answers_a_chat_as_transformers_does() {
	let data = tempfile::tempdir().unwrap();
	let config = Config {
		listen: SocketAddr::from(([127, 0, 0, 1], 0)),
		data_dir: data.path().to_path_buf(),
		base_model: Some(smollm2()),
		base_model_id: "smollm2-135m-instruct".into(),
		..Config::default()
	};
	let (worker, client) = start_worker(config).await;
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
