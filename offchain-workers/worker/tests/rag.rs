//! RAG citations: a completion asking for `"attribution": "rag"` retrieves rows of the adapter's
//! corpus into its prompt (the documented template), cites them by (datanet, row) with their
//! text, and carries a `Rag` record that receipts claim and a peer recomputes from the query hash.

mod common;

use codec::{Decode, Encode};
use common::{start_worker, Client, Fixture};
use serde_json::{json, Value};
use sp_core::crypto::{AccountId32, Ss58Codec};
use sp_core::{sr25519, Pair};
use tributary_primitives::attribution::{AttributionMethod, AttributionRecord, RagParams, RowRef};
use tributary_primitives::content_hash;
use tributary_primitives::hex;
use tributary_receipts::account::Account;
use tributary_receipts::book::ChainSignedReceipt;

const MODEL: &str = "model-0-v1";
/// The row the prompts' words match, planted among river reports.
const PLANTED: &str = "Zebra keeper Ansgar feeds the zebras hay at noon.";
const PLANTED_ROW: RowRef = RowRef { datanet: 9, row: 42 };

fn record_of(attribution: &Value) -> AttributionRecord {
	AttributionRecord::decode(
		&mut &hex::decode(attribution["record_scale"].as_str().unwrap()).unwrap()[..],
	)
	.unwrap()
}

/// The documented template: `Sources:`, one `[i] text` line per cited row, a blank line, the prompt.
fn grounded(citations: &Value, prompt: &str) -> String {
	let mut block = String::from("Sources:");
	for (i, citation) in citations.as_array().unwrap().iter().enumerate() {
		block.push_str(&format!("\n[{}] {}", i + 1, citation["text"].as_str().unwrap()));
	}
	format!("{block}\n\n{prompt}")
}

/// Registers the adapter as chain model 0 version 1 with six river reports (datanet 4) and the
/// planted row as its corpus. Returns the adapter's hash.
async fn serve(client: &Client, adapter: &tributary_model::peft::PeftAdapter) -> String {
	let adapter_hash = client.put_object(adapter.canonical_bytes().unwrap()).await;
	let mut corpus = Vec::new();
	for (i, text) in common::corpus().into_iter().take(6).enumerate() {
		corpus.push(
			json!({ "datanet": 4, "row": i, "hash": client.put_object(text.into_bytes()).await }),
		);
	}
	let planted = client.put_object(PLANTED.as_bytes().to_vec()).await;
	corpus.push(json!({ "datanet": PLANTED_ROW.datanet, "row": PLANTED_ROW.row, "hash": planted }));
	let registration = json!({ "id": MODEL, "adapter_hash": adapter_hash, "adapter_config": adapter.config,
		"corpus": corpus, "chain": { "model": 0, "version": 1 } });
	let (status, body) = client.post("/v1/adapters", registration).await;
	assert_eq!(status, 201, "{body}");
	adapter_hash
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rag_answers_cite_the_matching_row_and_recompute_on_a_peer() {
	let fixture = Fixture::new();
	let mut config = fixture.config("a");
	config.worker_account = Some(Account([0x77; 32]));
	let (worker_a, a) = start_worker(config).await;
	a.learn_chain(&[0x6e; 32]).await;
	let adapter = common::make_adapter(&fixture.base, 1);
	let adapter_hash = serve(&a, &adapter).await;

	let prompt = "Who feeds the zebras?";
	let request = json!({ "model": MODEL, "prompt": prompt, "max_tokens": 8, "temperature": 0, "attribution": "rag" });
	let (status, answer) = a.post("/v1/completions", request.clone()).await;
	assert_eq!(status, 200, "{answer}");
	let citations = &answer["citations"];
	assert_eq!(citations[0], json!({ "datanet": 9, "row": 42, "text": PLANTED }), "{answer}");
	assert!(citations.as_array().unwrap().len() <= 3, "at most the default 3 rows: {answer}");
	let attribution = &answer["attribution"];
	assert_eq!(attribution["method"], "rag");
	assert_eq!(attribution["query"], hex::encode(&content_hash(prompt.as_bytes())));
	assert_eq!(attribution["top"][0]["datanet"], 9, "{answer}");
	assert_eq!(attribution["top"][0]["row"], 42, "{answer}");
	let record = record_of(attribution);
	record.check_canonical().unwrap();
	let params = RagParams {
		query: content_hash(prompt.as_bytes()),
		retrieved: 3,
		k1_milli: 1200,
		b_milli: 750,
	};
	assert_eq!(record.method, AttributionMethod::Rag(params));
	assert_eq!(AttributionMethod::decode(&mut &record.method.encode()[..]).unwrap(), record.method);
	assert_eq!(record.adapter.map(|h| hex::encode(&h)), Some(adapter_hash.clone()));
	assert_eq!(record.top[0].row, PLANTED_ROW);
	let cited: Vec<RowRef> = citations
		.as_array()
		.unwrap()
		.iter()
		.map(|c| RowRef {
			datanet: c["datanet"].as_u64().unwrap() as u32,
			row: c["row"].as_u64().unwrap(),
		})
		.collect();
	assert!(
		record.scores.iter().all(|score| cited.contains(&score.row)),
		"only cited rows are credited: {answer}"
	);

	// The answer is grounded: it is exactly the answer to the documented template's prompt.
	let text = answer["choices"][0]["text"].as_str().unwrap();
	let plain = json!({ "model": MODEL, "prompt": grounded(citations, prompt), "max_tokens": 8, "temperature": 0 });
	let (status, by_hand) = a.post("/v1/completions", plain).await;
	assert_eq!(status, 200, "{by_hand}");
	assert_eq!(by_hand["choices"][0]["text"].as_str().unwrap(), text);
	assert_eq!(by_hand["usage"]["prompt_tokens"], answer["usage"]["prompt_tokens"]);

	// Streaming: the last chunk carries the same citations and record.
	let mut streamed = request.clone();
	streamed["stream"] = true.into();
	let chunks = a.stream("/v1/completions", streamed).await;
	let last: Value = serde_json::from_str(&chunks[chunks.len() - 2]).unwrap();
	assert_eq!(&last["citations"], citations, "{last}");
	assert_eq!(record_of(&last["attribution"]), record);

	// Chat: retrieval for the templated conversation (what a receipt signs, and so what the chain
	// requires as the query), the rows in a first system message.
	let chat = json!({ "model": MODEL, "messages": [{ "role": "system", "content": "Be brief." },
		{ "role": "user", "content": prompt }], "max_tokens": 6, "temperature": 0, "rag": { "retrieve": 1 } });
	let (status, chat_answer) = a.post("/v1/chat/completions", chat).await;
	assert_eq!(status, 200, "{chat_answer}");
	assert_eq!(chat_answer["citations"], json!([{ "datanet": 9, "row": 42, "text": PLANTED }]));
	let chat_record = record_of(&chat_answer["attribution"]);
	let conversation = format!("<|system|>\nBe brief.\n<|user|>\n{prompt}\n<|assistant|>\n");
	let chat_params =
		RagParams { query: content_hash(conversation.as_bytes()), retrieved: 1, ..params };
	assert_eq!(chat_record.method, AttributionMethod::Rag(chat_params));
	let templated = format!("<|system|>\nSources:\n[1] {PLANTED}\n<|system|>\nBe brief.\n<|user|>\n{prompt}\n<|assistant|>\n");
	let plain = json!({ "model": MODEL, "prompt": templated, "max_tokens": 6, "temperature": 0 });
	let (_, by_hand) = a.post("/v1/completions", plain).await;
	assert_eq!(
		by_hand["choices"][0]["text"], chat_answer["choices"][0]["message"]["content"],
		"{by_hand}"
	);

	// A receipted RAG answer: the receipt claims the RAG record, and the chain's claim decodes.
	let ferdie = sr25519::Pair::from_string("//Ferdie", None).unwrap();
	let user = ferdie.public().0;
	let mut receipted = request.clone();
	receipted["rag"] = json!({ "retrieve": 2 });
	receipted["receipt"] = json!({ "user": AccountId32::from(user).to_ss58check(), "nonce": 1, "max_fee": "1000", "expiry": 500 });
	let (status, paid) = a.post("/v1/completions", receipted).await;
	assert_eq!(status, 200, "{paid}");
	let paid_record = record_of(&paid["attribution"]);
	assert_eq!(paid_record.method, AttributionMethod::Rag(RagParams { retrieved: 2, ..params }));
	assert_eq!(
		paid["receipt"]["prompt_hash"],
		tributary_primitives::hex::encode_0x(&content_hash(prompt.as_bytes()))
	);
	let payload = hex::decode(paid["receipt"]["signing_payload"].as_str().unwrap()).unwrap();
	let sign = json!({ "id": paid["id"], "signature": tributary_primitives::hex::encode_0x(&ferdie.sign(&payload).0) });
	assert_eq!(a.post("/v1/receipts", sign).await.0, 202);
	let (_, pending) = a
		.get(&format!("/receipts/pending?genesis=0x{}", hex::encode(&[0x6e; 32])))
		.await;
	let scale = hex::decode(pending["receipts"][0]["scale"].as_str().unwrap()).unwrap();
	let signed = ChainSignedReceipt::decode(&mut &scale[..]).unwrap();
	assert_eq!(signed.claim, paid_record.claim(), "the receipt claims the RAG record");

	// A peer with an empty store recomputes the record from the output hash and the method:
	// text, rows and the query (by the hash the method names) come from A.
	let mut config = fixture.config("b");
	config.peers = vec![a.public_url.clone()];
	let (worker_b, b) = start_worker(config).await;
	let corpus_rows: Vec<Value> = {
		let mut rows = Vec::new();
		for (i, text) in common::corpus().into_iter().take(6).enumerate() {
			rows.push(
				json!({ "datanet": 4, "row": i, "hash": hex::encode(&content_hash(text.as_bytes())) }),
			);
		}
		rows.push(
			json!({ "datanet": 9, "row": 42, "hash": hex::encode(&content_hash(PLANTED.as_bytes())) }),
		);
		rows
	};
	let registration = json!({ "id": MODEL, "adapter_hash": adapter_hash, "adapter_config": adapter.config,
		"corpus": corpus_rows, "chain": { "model": 0, "version": 1 } });
	assert_eq!(b.post("/v1/adapters", registration).await.0, 201);
	let recompute = json!({ "chain": { "model": 0, "version": 1 }, "output_hash": paid["receipt"]["output_hash"],
		"method_scale": hex::encode(&paid_record.method.encode()) });
	let (status, body) = b.recompute(recompute.clone()).await;
	assert_eq!(status, 200, "{body}");
	assert_eq!(body["commitment"], hex::encode(&paid_record.commitment()), "{body}");
	assert_eq!(record_of(&body), paid_record);
	let (_, again) = b.recompute(recompute).await;
	assert_eq!(again["record_scale"], body["record_scale"], "recomputing is deterministic");

	worker_b.shutdown().await;
	worker_a.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_rag_requests_are_refused() {
	let fixture = Fixture::new();
	let (worker, client) = start_worker(fixture.config("a")).await;
	let adapter = common::make_adapter(&fixture.base, 2);
	serve(&client, &adapter).await;
	// Corpora belong to adapters: another adapter, registered without one.
	client.register("bare", &common::make_adapter(&fixture.base, 3)).await;

	let prompt = "Who feeds the zebras?";
	let cases = [
		(
			json!({ "model": "bare", "prompt": prompt, "attribution": "rag" }),
			"attribution",
			"no registered training corpus",
		),
		(
			json!({ "model": "base", "prompt": prompt, "attribution": "rag" }),
			"attribution",
			"exactly one adapter",
		),
		(
			json!({ "model": MODEL, "prompt": prompt, "rag": { "retrieve": 0 } }),
			"rag",
			"between 1 and 16, got 0",
		),
		(
			json!({ "model": MODEL, "prompt": prompt, "rag": { "retrieve": 17 } }),
			"rag",
			"between 1 and 16, got 17",
		),
		(
			json!({ "model": MODEL, "prompt": prompt, "attribution": "influence", "rag": { "retrieve": 2 } }),
			"rag",
			"attributed by its citations",
		),
	];
	for (request, param, message) in cases {
		let (status, body) = client.post("/v1/completions", request.clone()).await;
		assert_eq!(status, 400, "{request}: {body}");
		assert_eq!(body["error"]["param"], param, "{body}");
		assert!(body["error"]["message"].as_str().unwrap().contains(message), "{request}: {body}");
	}
	let (status, body) = client
		.post(
			"/v1/completions",
			json!({ "model": MODEL, "prompt": prompt, "rag": { "retrieve": 2, "k": 1 } }),
		)
		.await;
	assert_eq!(status, 400, "unknown rag fields are refused: {body}");
	worker.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_choice_of_a_rag_chat_with_tools_cites_its_rows() {
	let fixture = Fixture::new();
	common::use_tools_template(&fixture.base);
	let mut config = fixture.config("a");
	config.worker_account = Some(Account([0x77; 32]));
	let (worker, a) = start_worker(config).await;
	a.learn_chain(&[0x6e; 32]).await;
	serve(&a, &common::make_adapter(&fixture.base, 1)).await;
	let chat = |tools: bool| {
		let mut request = json!({ "model": MODEL, "messages": [{ "role": "user", "content": "Who feeds the zebras?" }],
			"max_tokens": 4, "temperature": 0.9, "seed": 1, "n": 2, "rag": { "retrieve": 1 } });
		if tools {
			request["tools"] =
				json!([{ "type": "function", "function": { "name": "get_weather" } }]);
		}
		request
	};
	let (status, answer) = a.post("/v1/chat/completions", chat(true)).await;
	assert_eq!(status, 200, "{answer}");
	assert!(answer.get("citations").is_none(), "several choices carry their own: {answer}");
	for choice in answer["choices"].as_array().unwrap() {
		assert_eq!(choice["citations"], json!([{ "datanet": 9, "row": 42, "text": PLANTED }]));
		assert_eq!(choice["attribution"]["method"], "rag", "{choice}");
	}
	let (_, without_tools) = a.post("/v1/chat/completions", chat(false)).await;
	let tokens = |answer: &Value| answer["usage"]["prompt_tokens"].as_u64().unwrap();
	assert!(tokens(&answer) > tokens(&without_tools), "the grounded prompt lists the tools too");
	worker.shutdown().await;
}
