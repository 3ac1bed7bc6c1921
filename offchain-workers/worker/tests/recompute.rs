//! Dispute recomputation: a second worker, holding nothing but the base model and its peer,
//! recomputes the attribution record of the first worker's receipted answer from the receipt's
//! `output_hash` and the record's method, byte for byte — though it serves in bf16 and the first
//! in f32 (attribution always runs in f32).

mod common;

use codec::{Decode, Encode};
use common::{start_worker, Client, Fixture};
use serde_json::{json, Value};
use tributary_attribution::corpus::output_hash;
use tributary_attribution::HfTokenizer;
use tributary_model::hf::TOKENIZER_FILE;
use tributary_primitives::attribution::{
	AttributionMethod, AttributionRecord, InfluenceParams, InfluenceScoring, RagParams,
};
use tributary_primitives::content_hash;
use tributary_primitives::hex;
use tributary_receipts::account::Account;
use tributary_worker::api::attribution::canonical_tokens;

const CHAIN: (u32, u32) = (0, 1);

fn record_of(attribution: &Value) -> AttributionRecord {
	AttributionRecord::decode(
		&mut &hex::decode(attribution["record_scale"].as_str().unwrap()).unwrap()[..],
	)
	.unwrap()
}

/// Serves `adapter` as the chain model version with `corpus` on `client`'s worker.
async fn register(
	client: &Client,
	adapter_hash: &str,
	adapter: &tributary_model::peft::PeftAdapter,
	corpus: &Value,
) {
	let registration = json!({ "id": "model-0-v1", "adapter_hash": adapter_hash, "adapter_config": adapter.config,
		"corpus": corpus, "chain": { "model": CHAIN.0, "version": CHAIN.1 } });
	let (status, body) = client.post("/v1/adapters", registration).await;
	assert_eq!(status, 201, "{body}");
}

fn recompute_request(output_hash: &str, method: &AttributionMethod) -> Value {
	json!({ "chain": { "model": CHAIN.0, "version": CHAIN.1 }, "output_hash": output_hash, "method_scale": hex::encode(&method.encode()) })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_peer_recomputes_the_record_of_a_receipted_answer() {
	let fixture = Fixture::new();
	let mut config = fixture.config("a");
	config.worker_account = Some(Account([0x77; 32]));
	let (worker_a, a) = start_worker(config).await;
	a.learn_chain(&[0x6e; 32]).await;
	let adapter = common::make_adapter(&fixture.base, 1);
	let adapter_hash = a.put_object(adapter.canonical_bytes().unwrap()).await;
	// A row that the greedy answer copies (found through the adapter served without a corpus),
	// so the record credits somebody.
	let prompt = "Report 2: the";
	let probe =
		json!({ "id": "probe", "adapter_hash": adapter_hash, "adapter_config": adapter.config });
	assert_eq!(a.post("/v1/adapters", probe).await.0, 201);
	let greedy = a
		.complete(json!({ "model": "probe", "prompt": prompt, "max_tokens": 12, "temperature": 0 }))
		.await;
	let mut rows = common::corpus().into_iter().take(7).collect::<Vec<_>>();
	rows.push(format!("{prompt}{greedy}"));
	let mut corpus = Vec::new();
	for (i, text) in rows.into_iter().enumerate() {
		corpus
			.push(json!({ "datanet": 4, "row": i, "hash": a.put_object(text.into_bytes()).await }));
	}
	let corpus = Value::from(corpus);
	register(&a, &adapter_hash, &adapter, &corpus).await;

	let receipt = |nonce: u64| json!({ "user": hex::encode_0x(&[0x11; 32]), "nonce": nonce, "max_fee": "1000", "expiry": 500 });
	let request = json!({ "model": "model-0-v1", "prompt": prompt, "max_tokens": 12, "temperature": 0, "receipt": receipt(1) });
	let (status, answer) = a.post("/v1/completions", request.clone()).await;
	assert_eq!(status, 200, "{answer}");
	let text = answer["choices"][0]["text"].as_str().unwrap().to_string();
	let record = record_of(&answer["attribution"]);
	let output = answer["receipt"]["output_hash"].as_str().unwrap().to_string();
	assert_eq!(output, hex::encode_0x(&content_hash(text.as_bytes())));

	// The record covers the canonical tokens of the returned text, whatever ids were generated.
	let tokenizer = HfTokenizer::from_file(&fixture.base.join(TOKENIZER_FILE)).unwrap();
	let tokens = canonical_tokens(&tokenizer, &text).unwrap();
	assert_eq!(record.output, output_hash(&tokens));
	assert_eq!(answer["attribution"]["output"], hex::encode(&output_hash(&tokens)));
	assert_eq!(text, greedy);
	assert_eq!(answer["attribution"]["top"][0]["row"], 7, "the answer copies row 7: {answer}");

	// The streamed answer is the same text, so it carries the same record.
	let mut streamed = request.clone();
	streamed["stream"] = true.into();
	streamed["receipt"] = receipt(2);
	let chunks = a.stream("/v1/completions", streamed).await;
	let last: Value = serde_json::from_str(&chunks[chunks.len() - 2]).unwrap();
	assert_eq!(record_of(&last["attribution"]), record, "{last}");

	// The receipted text is in A's store under its output hash, for peers.
	let stored = a.http.get(format!("{}/store/{}", a.url, &output[2..])).send().await.unwrap();
	assert_eq!(stored.status().as_u16(), 200);
	assert_eq!(stored.bytes().await.unwrap(), text.as_bytes());

	// B holds only the base model: adapter, rows and text come from A. It serves in bf16.
	let mut config = fixture.config("b");
	config.peers = vec![a.public_url.clone()];
	config.dtype = Some(tributary_model::ServingDtype::Bf16);
	let (worker_b, b) = start_worker(config).await;
	let (_, health) = b.get("/health").await;
	assert_eq!(
		(health["dtype"].as_str(), health["device"]["device"].as_str()),
		(Some("bf16"), Some("cpu"))
	);
	b.complete(json!({ "model": "base", "prompt": prompt, "max_tokens": 4, "temperature": 0 }))
		.await;
	register(&b, &adapter_hash, &adapter, &corpus).await;
	let (status, first) = b.recompute(recompute_request(&output, &record.method)).await;
	assert_eq!(status, 200, "{first}");
	assert_eq!(first["commitment"], hex::encode(&record.commitment()), "{first}");
	assert_eq!(first["top"], answer["attribution"]["top"]);
	assert_eq!(
		AttributionRecord::decode(
			&mut &hex::decode(first["record_scale"].as_str().unwrap()).unwrap()[..]
		)
		.unwrap(),
		record
	);
	let (status, second) = b.recompute(recompute_request(&output[2..], &record.method)).await;
	assert_eq!(status, 200, "{second}");
	assert_eq!(second["record_scale"], first["record_scale"], "recomputing is deterministic");
	let (_, own) = a.recompute(recompute_request(&output, &record.method)).await;
	assert_eq!(own["record_scale"], first["record_scale"], "{own}");

	// The method's parameters are the ones the chain gives, not the server's.
	let AttributionMethod::SuffixSpan(params) = record.method else {
		panic!("receipts default to suffix spans")
	};
	let longer = AttributionMethod::SuffixSpan(tributary_primitives::attribution::SpanParams {
		min_span_len: 64,
		..params
	});
	let (status, body) = b.recompute(recompute_request(&output, &longer)).await;
	assert_eq!(status, 200, "{body}");
	assert_eq!(record_of(&body).method, longer);
	assert!(
		record_of(&body).scores.is_empty(),
		"no span of 64 tokens in a 12-token answer: {body}"
	);

	// A chat answer's record recomputes the same way.
	let chat = json!({ "model": "model-0-v1", "messages": [{ "role": "user", "content": "Water level?" }], "max_tokens": 8,
		"temperature": 0, "receipt": receipt(4) });
	let (status, chat_answer) = a.post("/v1/chat/completions", chat).await;
	assert_eq!(status, 200, "{chat_answer}");
	let chat_record = record_of(&chat_answer["attribution"]);
	let chat_text = chat_answer["choices"][0]["message"]["content"].as_str().unwrap();
	assert_eq!(chat_record.output, output_hash(&canonical_tokens(&tokenizer, chat_text).unwrap()));
	let chat_output = chat_answer["receipt"]["output_hash"].as_str().unwrap();
	let (status, body) = b.recompute(recompute_request(chat_output, &chat_record.method)).await;
	assert_eq!(status, 200, "{body}");
	assert_eq!(body["commitment"], hex::encode(&chat_record.commitment()), "{body}");

	// Influence records recompute too, through the same influence path (sketch built on B).
	let mut influence = request.clone();
	influence["attribution"] = "influence".into();
	influence["receipt"] = receipt(3);
	let (status, answer) = a.post("/v1/completions", influence).await;
	assert_eq!(status, 200, "{answer}");
	let influence_record = record_of(&answer["attribution"]);
	// The record names the settings it was computed with; they round-trip through SCALE.
	let served = InfluenceParams {
		scoring: InfluenceScoring::DataInf { damping_milli: 100 },
		projection_dim: 16,
		projection_seed: 0,
	};
	assert_eq!(influence_record.method, AttributionMethod::Influence(served));
	assert_eq!(
		AttributionMethod::decode(&mut &influence_record.method.encode()[..]).unwrap(),
		influence_record.method
	);
	let influence_output = answer["receipt"]["output_hash"].as_str().unwrap().to_string();
	let (status, body) = b
		.recompute(recompute_request(&influence_output, &influence_record.method))
		.await;
	assert_eq!(status, 200, "{body}");
	assert_eq!(body["commitment"], hex::encode(&influence_record.commitment()), "{body}");
	assert_eq!(body["top"], answer["attribution"]["top"]);
	// Other scoring is reproducible from the same sketch, and the record names it.
	let tracin = AttributionMethod::Influence(InfluenceParams {
		scoring: InfluenceScoring::TracIn,
		..served
	});
	let (status, body) = b.recompute(recompute_request(&influence_output, &tracin)).await;
	assert_eq!(status, 200, "{body}");
	assert_eq!(record_of(&body).method, tracin);
	assert_ne!(
		body["commitment"],
		hex::encode(&influence_record.commitment()),
		"other scoring, other record"
	);
	// So is another projection (a record made after the chain changed its influence settings):
	// the worker builds that projection's sketch beside the first.
	for other in [
		InfluenceParams { projection_dim: 8, ..served },
		InfluenceParams { projection_seed: 9, ..served },
	] {
		let method = AttributionMethod::Influence(other);
		let (status, body) = b.recompute(recompute_request(&influence_output, &method)).await;
		assert_eq!(status, 200, "{other:?}: {body}");
		assert_eq!(record_of(&body).method, method);
		assert_ne!(
			body["commitment"],
			hex::encode(&influence_record.commitment()),
			"other projection, other record"
		);
	}
	// Settings nobody can compute are refused.
	for (params, named) in [
		(
			InfluenceParams { projection_dim: InfluenceParams::MAX_PROJECTION_DIM + 1, ..served },
			"projection_dim",
		),
		(InfluenceParams { projection_dim: 0, ..served }, "projection_dim"),
		(
			InfluenceParams { scoring: InfluenceScoring::DataInf { damping_milli: 0 }, ..served },
			"damping_milli",
		),
	] {
		let (status, body) = b
			.recompute(recompute_request(&influence_output, &AttributionMethod::Influence(params)))
			.await;
		assert_eq!(status, 400, "{params:?}: {body}");
		assert_eq!(body["error"]["param"], "method_scale", "{body}");
		assert!(body["error"]["message"].as_str().unwrap().contains(named), "{body}");
	}

	// Errors.
	let mut unknown_version = recompute_request(&output, &record.method);
	unknown_version["chain"]["version"] = 9.into();
	let (status, body) = b.recompute(unknown_version).await;
	assert_eq!(status, 404, "{body}");
	assert_eq!(body["error"]["code"], "model_not_found");
	assert!(
		body["error"]["message"].as_str().unwrap().contains("chain model 0 version 9"),
		"{body}"
	);

	let nowhere = hex::encode(&content_hash(b"an answer nobody gave"));
	let (status, body) = b.recompute(recompute_request(&nowhere, &record.method)).await;
	assert_eq!(status, 404, "{body}");
	assert_eq!(
		body["error"]["code"], "output_unavailable",
		"a withheld text is named as such: {body}"
	);
	assert!(body["error"]["message"].as_str().unwrap().contains(&nowhere), "{body}");

	let trailing = format!("{}00", hex::encode(&record.method.encode()));
	for undecodable in ["zz", "0x07", "00", "abc", &trailing] {
		let mut bad = recompute_request(&output, &record.method);
		bad["method_scale"] = undecodable.into();
		let (status, body) = b.recompute(bad).await;
		assert_eq!(status, 400, "{undecodable}: {body}");
		assert_eq!(body["error"]["param"], "method_scale", "{body}");
	}
	// A RAG record whose query nobody holds cannot be recomputed: 404 naming the query's hash.
	let rag = AttributionMethod::Rag(RagParams {
		query: [1; 32],
		retrieved: 3,
		k1_milli: 1200,
		b_milli: 750,
	});
	let (status, body) = b.recompute(recompute_request(&output, &rag)).await;
	assert_eq!(status, 404, "{body}");
	assert!(body["error"]["message"].as_str().unwrap().contains(&hex::encode(&[1; 32])), "{body}");
	let mut bad_hash = recompute_request(&output, &record.method);
	bad_hash["output_hash"] = "0x1234".into();
	assert_eq!(b.recompute(bad_hash).await.0, 400);

	worker_b.shutdown().await;
	worker_a.shutdown().await;
}

/// In a dispute nobody may hold the text. Workers that are each other's peers (as `scripts/dev.sh`
/// starts them) answer that with a prompt 404 instead of passing the request back and forth.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mutual_peers_answer_an_object_nobody_has_with_404() {
	let fixture = Fixture::new();
	let ports: Vec<u16> = (0..2)
		.map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap())
		.collect::<Vec<_>>()
		.iter()
		.map(|listener| listener.local_addr().unwrap().port())
		.collect();
	let mut workers = Vec::new();
	for (name, own, peer) in [("x", ports[0], ports[1]), ("y", ports[1], ports[0])] {
		let mut config = fixture.config(name);
		config.listen = std::net::SocketAddr::from(([127, 0, 0, 1], own));
		config.peers = vec![format!("http://127.0.0.1:{peer}")];
		workers.push(start_worker(config).await);
	}
	let (x, y) = (&workers[0].1, &workers[1].1);
	let only_on_y = y.put_object(b"held by y".to_vec()).await;
	let status = |client: &Client, path: String| {
		let request = client.http.get(format!("{}{path}", client.url)).send();
		async move {
			tokio::time::timeout(std::time::Duration::from_secs(5), request)
				.await
				.expect("answered promptly")
				.unwrap()
				.status()
				.as_u16()
		}
	};
	assert_eq!(
		status(x, format!("/store/{only_on_y}?local=true")).await,
		404,
		"a local-only read does not ask peers"
	);
	assert_eq!(
		status(x, format!("/store/{only_on_y}")).await,
		200,
		"a plain read fetches from the peer"
	);
	assert_eq!(
		status(x, format!("/store/{only_on_y}?local=true")).await,
		200,
		"and keeps the fetched copy"
	);
	let nowhere = hex::encode(&content_hash(b"nobody has this"));
	assert_eq!(status(x, format!("/store/{nowhere}")).await, 404);
	assert_eq!(status(y, format!("/store/{nowhere}")).await, 404);
	for (worker, _) in workers {
		worker.shutdown().await;
	}
}
