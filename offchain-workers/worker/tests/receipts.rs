//! Inference receipts: a completion on a chain model version issues a receipt, the user signs it,
//! the chain's off-chain worker reads it SCALE-encoded and acknowledges it, across a restart.

mod common;

use codec::Decode;
use common::{start_worker, Client, Fixture};
use serde_json::{json, Value};
use sp_core::crypto::{AccountId32, Ss58Codec};
use sp_core::{sr25519, Pair};
use tributary_primitives::attribution::AttributionRecord;
use tributary_primitives::content_hash;
use tributary_primitives::hex;
use tributary_receipts::account::Account;
use tributary_receipts::book::{ChainSignedReceipt, Receipt, UserSignature};

const WORKER: [u8; 32] = [0x77; 32];
/// The genesis hash of the chain the receipts are for, as the off-chain worker names it.
const GENESIS: [u8; 32] = [0x6e; 32];
const CHAIN_MODEL: &str = "model-3-v2";

/// Rows in the store, an adapter serving chain model 3 version 2 with them as corpus, and the
/// same adapter under an id without a chain version.
async fn serve_chain_model(fixture: &Fixture, client: &Client) {
	let adapter = common::make_adapter(&fixture.base, 1);
	let adapter_hash = client.put_object(adapter.canonical_bytes().unwrap()).await;
	let mut corpus = Vec::new();
	for (i, text) in common::corpus().into_iter().take(8).enumerate() {
		corpus.push(
			json!({ "datanet": 2, "row": i, "hash": client.put_object(text.into_bytes()).await }),
		);
	}
	let registration = json!({ "id": CHAIN_MODEL, "adapter_hash": adapter_hash, "adapter_config": adapter.config,
		"corpus": corpus, "chain": { "model": 3, "version": 2 } });
	let (status, body) = client.post("/v1/adapters", registration.clone()).await;
	assert_eq!(status, 201, "{body}");
	assert_eq!(body["chain"], json!({ "model": 3, "version": 2 }));
	let (status, again) = client.post("/v1/adapters", registration).await;
	assert_eq!((status, &again), (201, &body), "the chain's worker may retry");
	let (status, body) = client
		.post("/v1/adapters", json!({ "id": "plain", "adapter_hash": adapter_hash, "adapter_config": adapter.config, "corpus": corpus }))
		.await;
	assert_eq!(status, 201, "{body}");

	let conflicts = [
		json!({ "id": CHAIN_MODEL, "adapter_hash": adapter_hash, "adapter_config": adapter.config, "chain": { "model": 3, "version": 3 } }),
		json!({ "id": "other", "adapter_hash": adapter_hash, "adapter_config": adapter.config, "chain": { "model": 3, "version": 2 } }),
	];
	for conflict in conflicts {
		let (status, body) = client.post("/v1/adapters", conflict).await;
		assert_eq!(status, 409, "{body}");
	}
	let (status, body) = client
		.post("/v1/adapters", json!({ "id": "both", "adapter_hash": adapter_hash, "adapter_config": adapter.config, "settings": {} }))
		.await;
	assert_eq!(status, 400, "{body}");
	assert!(
		body["error"]["message"]
			.as_str()
			.unwrap()
			.contains("exactly one of adapter_config"),
		"{body}"
	);
	let (status, body) = client
		.post("/v1/adapters", json!({ "id": "neither", "adapter_hash": adapter_hash }))
		.await;
	assert_eq!(status, 400, "{body}");
}

fn chain_of(models: &Value, id: &str) -> Value {
	let listed = models["data"].as_array().unwrap().iter().find(|m| m["id"] == id).unwrap();
	listed.get("chain").cloned().unwrap_or(Value::Null)
}

/// The receipt a response carries, checked field by field against the answer.
fn check_receipt(answer: &Value, prompt: &str, text: &str, user: &[u8; 32]) -> Receipt {
	let receipt = &answer["receipt"];
	assert_eq!(receipt["id"], answer["id"], "{answer}");
	assert_eq!((receipt["model"].as_u64(), receipt["version"].as_u64()), (Some(3), Some(2)));
	assert_eq!(
		receipt["adapter"],
		format!("0x{}", answer["attribution"]["adapter"].as_str().unwrap())
	);
	assert_eq!(receipt["prompt_hash"], hex::encode_0x(&content_hash(prompt.as_bytes())));
	assert_eq!(receipt["output_hash"], hex::encode_0x(&content_hash(text.as_bytes())));
	assert_eq!(receipt["tokens_in"], answer["usage"]["prompt_tokens"], "{answer}");
	assert_eq!(receipt["tokens_out"], answer["usage"]["completion_tokens"], "{answer}");
	assert_eq!(receipt["max_fee"], "1000000000000");
	assert_eq!(receipt["worker"], hex::encode_0x(&WORKER));
	assert_eq!(receipt["user"], hex::encode_0x(user));
	assert_eq!(receipt["expiry"], 500);
	assert_eq!(receipt["genesis"], hex::encode_0x(&GENESIS));
	let payload = hex::decode(receipt["signing_payload"].as_str().unwrap()).unwrap();
	let decoded = Receipt::from_signing_payload(&payload, &GENESIS)
		.expect("domain, genesis, then the receipt");
	assert_eq!(decoded.signing_payload(&GENESIS), payload);
	assert_eq!(
		(decoded.nonce, decoded.max_fee, decoded.worker),
		(receipt["nonce"].as_u64().unwrap(), 1_000_000_000_000, WORKER)
	);
	decoded
}

async fn pending(client: &Client) -> Vec<Value> {
	let (status, body) = client
		.get(&format!("/receipts/pending?genesis={}", hex::encode_0x(&GENESIS)))
		.await;
	assert_eq!(status, 200, "{body}");
	body["receipts"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn receipts_are_signed_queued_and_acknowledged_across_a_restart() {
	let fixture = Fixture::new();
	let mut config = fixture.config("data");
	config.worker_account = Some(Account(WORKER));
	let (worker, client) = start_worker(config.clone()).await;
	serve_chain_model(&fixture, &client).await;

	let ferdie = sr25519::Pair::from_string("//Ferdie", None).unwrap();
	let user: [u8; 32] = ferdie.public().0;
	let receipt_request = |nonce: u64| json!({ "user": AccountId32::from(user).to_ss58check(), "nonce": nonce, "max_fee": "1000000000000", "expiry": 500 });
	let prompt = "Report 2: the";
	let request = |nonce: u64| json!({ "model": CHAIN_MODEL, "prompt": prompt, "max_tokens": 10, "temperature": 0, "receipt": receipt_request(nonce) });
	// No receipt before the chain's off-chain worker has said which chain this worker serves.
	let (status, body) = client.post("/v1/completions", request(7)).await;
	assert_eq!(status, 503, "{body}");
	assert_eq!(body["error"]["code"], "chain_unknown", "{body}");
	let (status, body) = client.get("/receipts/pending?genesis=0x12").await;
	assert_eq!(status, 400, "{body}");
	assert!(pending(&client).await.is_empty());
	let (status, first) = client.post("/v1/completions", request(7)).await;
	assert_eq!(status, 200, "{first}");
	let text = first["choices"][0]["text"].as_str().unwrap().to_string();
	let first_receipt = check_receipt(&first, prompt, &text, &user);
	assert_eq!(
		first["attribution"]["method"], "suffix_span",
		"a receipt implies attribution: {first}"
	);
	let first_id = first["id"].as_str().unwrap().to_string();

	// Chat: the prompt hash covers the rendered chat prompt.
	let chat = json!({ "model": CHAIN_MODEL, "messages": [{ "role": "user", "content": "Water level?" }], "max_tokens": 6,
		"temperature": 0, "receipt": receipt_request(8) });
	let (status, second) = client.post("/v1/chat/completions", chat).await;
	assert_eq!(status, 200, "{second}");
	let chat_text = second["choices"][0]["message"]["content"].as_str().unwrap();
	check_receipt(&second, "<|user|>\nWater level?\n<|assistant|>\n", chat_text, &user);
	let second_id = second["id"].as_str().unwrap().to_string();

	// Streaming: the last chunk before [DONE] carries the receipt.
	let mut streamed = request(9);
	streamed["stream"] = true.into();
	let chunks = client.stream("/v1/completions", streamed).await;
	let last: Value = serde_json::from_str(&chunks[chunks.len() - 2]).unwrap();
	assert_eq!(
		last["receipt"]["output_hash"],
		hex::encode_0x(&content_hash(text.as_bytes())),
		"{last}"
	);
	assert_eq!(last["receipt"]["nonce"], 9);
	let streamed_id = last["receipt"]["id"].as_str().unwrap().to_string();

	let payload = first_receipt.signing_payload(&GENESIS);
	let eve = sr25519::Pair::from_string("//Eve", None).unwrap();
	let (status, body) = client
		.post(
			"/v1/receipts",
			json!({ "id": first_id, "signature": hex::encode_0x(&eve.sign(&payload).0) }),
		)
		.await;
	assert_eq!(status, 400, "{body}");
	let message = body["error"]["message"].as_str().unwrap();
	assert!(
		message.contains(&format!("signature does not verify for user {}", hex::encode_0x(&user))),
		"{body}"
	);
	let (status, body) = client
		.post(
			"/v1/receipts",
			json!({ "id": "cmpl-unknown", "signature": hex::encode_0x(&[0; 64]) }),
		)
		.await;
	assert_eq!(status, 404, "{body}");
	let (status, body) = client
		.post("/v1/receipts", json!({ "id": first_id, "signature": "0x1234" }))
		.await;
	assert_eq!(status, 400, "{body}");
	assert!(pending(&client).await.is_empty(), "nothing is signed yet");

	let signature = ferdie.sign(&payload).0;
	let sign = json!({ "id": first_id, "signature": hex::encode_0x(&signature) });
	let (status, body) = client.post("/v1/receipts", sign.clone()).await;
	assert_eq!((status, &body), (202, &json!({ "id": first_id, "status": "queued" })));
	assert_eq!(
		client.post("/v1/receipts", sign).await.0,
		202,
		"the same signature again is a no-op"
	);
	let (status, body) = client
		.post(
			"/v1/receipts",
			json!({ "id": first_id, "signature": hex::encode_0x(&ferdie.sign(&payload).0) }),
		)
		.await;
	assert_eq!(status, 409, "{body}");

	// Receipts wait for their signature and for the chain across a restart, and so does the model's chain version.
	worker.shutdown().await;
	let (worker, client) = start_worker(config.clone()).await;
	let (status, body) = client.post("/v1/completions", request(12)).await;
	assert_eq!(status, 200, "the chain is remembered across the restart: {body}");
	let (_, models) = client.get("/v1/models").await;
	assert_eq!(chain_of(&models, CHAIN_MODEL), json!({ "model": 3, "version": 2 }));
	assert_eq!(chain_of(&models, "plain"), Value::Null);
	let listed = pending(&client).await;
	assert_eq!(listed.len(), 1, "{listed:?}");
	assert_eq!((&listed[0]["id"], &listed[0]["nonce"]), (&json!(first_id), &json!(7)));
	assert_eq!(listed[0]["user"], hex::encode_0x(&user));
	let scale = hex::decode(listed[0]["scale"].as_str().unwrap()).unwrap();
	let signed = ChainSignedReceipt::decode(&mut &scale[..]).unwrap();
	assert_eq!(signed.receipt, first_receipt);
	assert_eq!((signed.user, signed.signature), (user, UserSignature::Sr25519(signature)));
	let record_scale = hex::decode(first["attribution"]["record_scale"].as_str().unwrap()).unwrap();
	let record = AttributionRecord::decode(&mut &record_scale[..]).unwrap();
	assert_eq!(signed.claim, record.claim(), "the claim of the answer's record");

	let second_payload =
		hex::decode(second["receipt"]["signing_payload"].as_str().unwrap()).unwrap();
	let (status, _) = client
		.post(
			"/v1/receipts",
			json!({ "id": second_id, "signature": hex::encode_0x(&ferdie.sign(&second_payload).0) }),
		)
		.await;
	assert_eq!(status, 202);
	let ids: Vec<Value> = pending(&client).await.iter().map(|r| r["id"].clone()).collect();
	assert_eq!(ids, [json!(first_id), json!(second_id)], "oldest signature first");

	let (status, body) =
		client.post("/receipts/ack", json!({ "ids": [first_id, "cmpl-unknown"] })).await;
	assert_eq!((status, &body), (200, &json!({ "removed": 1 })));
	let ids: Vec<Value> = pending(&client).await.iter().map(|r| r["id"].clone()).collect();
	assert_eq!(ids, [json!(second_id)]);
	let (_, body) = client.post("/receipts/ack", json!({ "ids": [second_id] })).await;
	assert_eq!(body, json!({ "removed": 1 }));
	assert!(pending(&client).await.is_empty());

	// Receipts are only for chain model versions.
	for model in ["plain", "base"] {
		let (status, body) = client
			.post(
				"/v1/completions",
				json!({ "model": model, "prompt": prompt, "max_tokens": 4, "receipt": receipt_request(10) }),
			)
			.await;
		assert_eq!(status, 400, "{body}");
		assert!(
			body["error"]["message"].as_str().unwrap().contains(&format!("model {model} ")),
			"{body}"
		);
	}
	let mut bad_fee = request(11);
	bad_fee["receipt"]["max_fee"] = "-1".into();
	assert_eq!(client.post("/v1/completions", bad_fee).await.0, 400);
	let mut bad_user = request(12);
	bad_user["receipt"]["user"] = "0x1234".into();
	assert_eq!(client.post("/v1/completions", bad_user).await.0, 400);
	worker.shutdown().await;

	// A worker without its chain account issues no receipts.
	let (worker, client) = start_worker(fixture.config("data")).await;
	let (status, body) = client.post("/v1/completions", request(13)).await;
	assert_eq!(status, 503, "{body}");
	assert!(body["error"]["message"].as_str().unwrap().contains("worker_account"), "{body}");
	worker.shutdown().await;

	// Receipts nobody signed expire after their TTL.
	let receipts_dir = config.data_dir.join("receipts");
	let unsigned = || {
		std::fs::read_dir(&receipts_dir)
			.unwrap()
			.filter_map(|entry| entry.unwrap().file_name().into_string().ok())
			.filter(|name| name.starts_with("cmpl-") && name.ends_with(".scale"))
			.count()
	};
	assert_eq!(unsigned(), 2, "the streamed answer's and the one after the restart");
	let mut short_lived = config.clone();
	short_lived.unsigned_receipt_ttl_secs = 1;
	let (worker, client) = start_worker(short_lived).await;
	let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
	while unsigned() > 0 {
		assert!(std::time::Instant::now() < deadline, "unsigned receipts never expired");
		tokio::time::sleep(std::time::Duration::from_millis(200)).await;
	}
	let late = json!({ "id": streamed_id, "signature": hex::encode_0x(&[0; 64]) });
	assert_eq!(client.post("/v1/receipts", late).await.0, 404, "an expired receipt is gone");
	worker.shutdown().await;
}

/// The chain's off-chain worker names the attribution methods in force with every read of the
/// queue; new records use them from then on (and after a restart), and settings no worker could
/// compute are refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn records_follow_the_methods_the_chain_names() {
	use codec::Encode;
	use tributary_primitives::attribution::{AttributionMethod, MethodSettings};
	let fixture = Fixture::new();
	let config = fixture.config("data");
	let (worker, client) = start_worker(config.clone()).await;
	serve_chain_model(&fixture, &client).await;
	let request = json!({ "model": CHAIN_MODEL, "prompt": "Report 2: the", "max_tokens": 10, "temperature": 0, "attribution": true });
	let method_of = |answer: &Value| {
		let scale = hex::decode(answer["attribution"]["record_scale"].as_str().unwrap()).unwrap();
		AttributionRecord::decode(&mut &scale[..]).unwrap().method
	};
	let (_, answer) = client.post("/v1/completions", request.clone()).await;
	assert_eq!(
		method_of(&answer),
		AttributionMethod::SuffixSpan(MethodSettings::DEFAULT.span),
		"the defaults until told"
	);

	let mut methods = MethodSettings::DEFAULT;
	methods.span.min_span_len = 6;
	methods.rag.max_retrieved = 2;
	let learn = |methods: &str| {
		format!("/receipts/pending?genesis={}&methods={methods}", hex::encode_0x(&GENESIS))
	};
	let (status, body) = client.get(&learn(&hex::encode_0x(&methods.encode()))).await;
	assert_eq!(status, 200, "{body}");
	let (_, answer) = client.post("/v1/completions", request.clone()).await;
	assert_eq!(answer["attribution"]["min_span_len"], 6, "{answer}");
	assert_eq!(method_of(&answer), AttributionMethod::SuffixSpan(methods.span));
	let mut rag = request.clone();
	rag["attribution"] = "rag".into();
	rag["rag"] = json!({ "retrieve": 3 });
	let (status, body) = client.post("/v1/completions", rag).await;
	assert_eq!(status, 400, "the chain's retrieval bound: {body}");
	assert!(body["error"]["message"].as_str().unwrap().contains("between 1 and 2"), "{body}");

	let mut unworkable = methods;
	unworkable.influence.projection_dim = 1 << 20;
	for (bad, reason) in [
		("0x1234", "MethodSettings"),
		("0xzz", "hex"),
		(&hex::encode_0x(&unworkable.encode())[..], "projection_dim"),
	] {
		let (status, body) = client.get(&learn(bad)).await;
		assert_eq!(status, 400, "{body}");
		assert!(body["error"]["message"].as_str().unwrap().contains(reason), "{body}");
	}
	worker.shutdown().await;
	let (worker, client) = start_worker(config).await;
	let (_, answer) = client.post("/v1/completions", request).await;
	assert_eq!(
		method_of(&answer),
		AttributionMethod::SuffixSpan(methods.span),
		"remembered across a restart"
	);
	worker.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_of_several_choices_has_its_own_attribution_and_receipt() {
	let fixture = Fixture::new();
	let mut config = fixture.config("data");
	config.worker_account = Some(Account(WORKER));
	let (worker, client) = start_worker(config).await;
	serve_chain_model(&fixture, &client).await;
	assert!(pending(&client).await.is_empty(), "names the chain");
	let user: [u8; 32] = sr25519::Pair::from_string("//Ferdie", None).unwrap().public().0;
	let receipt = json!({ "user": AccountId32::from(user).to_ss58check(), "nonce": 20, "max_fee": "1000000000000", "expiry": 500 });
	let prompts = ["Report 2: the", "Report 5: the"];
	let request = json!({ "model": CHAIN_MODEL, "prompt": prompts, "n": 2, "max_tokens": 8,
		"temperature": 0.9, "seed": 4, "receipt": receipt });
	let (status, answer) = client.post("/v1/completions", request.clone()).await;
	assert_eq!(status, 200, "{answer}");
	assert!(answer.get("receipt").is_none() && answer.get("attribution").is_none(), "{answer}");
	let choices = answer["choices"].as_array().unwrap();
	assert_eq!(choices.len(), 4);
	for (i, choice) in choices.iter().enumerate() {
		assert_eq!(choice["index"], i);
		let text = choice["text"].as_str().unwrap();
		let receipt = &choice["receipt"];
		assert_eq!(receipt["id"], format!("{}-{i}", answer["id"].as_str().unwrap()), "{choice}");
		assert_eq!(receipt["nonce"], 20 + i as u64);
		assert_eq!(receipt["output_hash"], hex::encode_0x(&content_hash(text.as_bytes())));
		let prompt = prompts[i / 2];
		assert_eq!(receipt["prompt_hash"], hex::encode_0x(&content_hash(prompt.as_bytes())));
		assert_eq!(choice["attribution"]["method"], "suffix_span", "{choice}");
		let record = hex::decode(choice["attribution"]["record_scale"].as_str().unwrap()).unwrap();
		AttributionRecord::decode(&mut &record[..]).expect("a record per choice");
	}

	// Streamed: each choice's last chunk carries its receipt, for the same texts.
	let mut streamed = request;
	streamed["stream"] = true.into();
	streamed["receipt"]["nonce"] = 40.into();
	let chunks = client.stream("/v1/completions", streamed).await;
	let mut texts = vec![String::new(); 4];
	let mut receipts = vec![Value::Null; 4];
	for chunk in &chunks[..chunks.len() - 1] {
		let chunk: Value = serde_json::from_str(chunk).unwrap();
		let choice = &chunk["choices"][0];
		let index = choice["index"].as_u64().unwrap() as usize;
		texts[index].push_str(choice["text"].as_str().unwrap());
		if !choice["receipt"].is_null() {
			receipts[index] = choice["receipt"].clone();
		}
	}
	for (i, choice) in choices.iter().enumerate() {
		assert_eq!(texts[i], choice["text"].as_str().unwrap(), "choice {i}");
		assert_eq!(receipts[i]["nonce"], 40 + i as u64, "{:?}", receipts[i]);
		assert_eq!(receipts[i]["output_hash"], choice["receipt"]["output_hash"]);
	}
	worker.shutdown().await;
}
