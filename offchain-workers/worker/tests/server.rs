//! The worker end to end over HTTP on 127.0.0.1: OpenAI endpoints, batching equivalence, streams,
//! seeds, bad input, eviction, restart, peers and load.

mod common;

use common::{metric, start_worker, Client, Fixture};
use futures::future::join_all;
use serde_json::{json, Value};

fn greedy(model: &str, prompt: &str, max_tokens: usize) -> Value {
	json!({ "model": model, "prompt": prompt, "max_tokens": max_tokens, "temperature": 0 })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn batched_requests_for_different_adapters_match_each_request_alone() {
	let fixture = Fixture::new();
	let (worker, client) = start_worker(fixture.config("data")).await;
	let mut models = vec!["base".to_string()];
	for seed in 0..6 {
		let id = format!("river-{seed}");
		client.register(&id, &common::make_adapter(&fixture.base, seed)).await;
		models.push(id);
	}
	let prompts = ["Report 3: the", "Water level is", "the Danube floods"];
	let mut alone = Vec::new();
	for (i, model) in models.iter().enumerate() {
		alone.push(client.complete(greedy(model, prompts[i % 3], 16)).await);
	}
	assert!(
		alone.iter().skip(1).any(|t| t != &alone[0]),
		"adapters should change the text: {alone:?}"
	);
	for _ in 0..2 {
		let together = join_all(
			models
				.iter()
				.enumerate()
				.map(|(i, m)| client.complete(greedy(m, prompts[i % 3], 16))),
		)
		.await;
		assert_eq!(together, alone);
	}
	let metrics = client.metrics().await;
	let steps = metric(&metrics, "tributary_worker_batch_size_count");
	let single_row_steps = metric(&metrics, "tributary_worker_batch_size_bucket{le=\"1\"}");
	assert!(
		steps > single_row_steps,
		"some decode steps must have batched several rows:\n{metrics}"
	);
	worker.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn streaming_equals_non_streaming_and_a_seed_replays_its_text() {
	let fixture = Fixture::new();
	let (worker, client) = start_worker(fixture.config("data")).await;
	client.register("river", &common::make_adapter(&fixture.base, 2)).await;
	let sampled = |seed: u64, stream: bool| {
		json!({ "model": "river", "prompt": "Report 7: the", "max_tokens": 24, "temperature": 0.9,
			"top_p": 0.95, "top_k": 40, "seed": seed, "stream": stream, "stop": ["metres"] })
	};
	let first = client.complete(sampled(7, false)).await;
	let again = client.complete(sampled(7, false)).await;
	let streamed = client.stream_text("/v1/completions", sampled(7, true)).await;
	assert_eq!(first, again);
	assert_eq!(first, streamed);
	assert!(!first.contains("metres"));
	let others: Vec<String> =
		join_all((8..12).map(|seed| client.complete(sampled(seed, false)))).await;
	assert!(
		others.iter().any(|t| t != &first),
		"other seeds should give other samples: {first:?} {others:?}"
	);

	let chat = |stream: bool| {
		json!({ "model": "river", "messages": [{"role": "system", "content": "Rivers."}, {"role": "user", "content": "Danube?"}],
			"max_tokens": 20, "temperature": 0.7, "seed": 3, "stream": stream })
	};
	let (status, body) = client.post("/v1/chat/completions", chat(false)).await;
	assert_eq!(status, 200, "{body}");
	assert_eq!(body["object"], "chat.completion");
	assert_eq!(body["choices"][0]["message"]["role"], "assistant");
	let text = body["choices"][0]["message"]["content"].as_str().unwrap().to_string();
	assert_eq!(text, client.stream_text("/v1/chat/completions", chat(true)).await);
	let usage = &body["usage"];
	assert_eq!(
		usage["total_tokens"],
		usage["prompt_tokens"].as_u64().unwrap() + usage["completion_tokens"].as_u64().unwrap()
	);

	let chunks = client.stream("/v1/chat/completions", chat(true)).await;
	let first_chunk: Value = serde_json::from_str(&chunks[0]).unwrap();
	assert_eq!(first_chunk["object"], "chat.completion.chunk");
	assert_eq!(first_chunk["choices"][0]["delta"]["role"], "assistant");
	let last: Value = serde_json::from_str(&chunks[chunks.len() - 2]).unwrap();
	assert!(matches!(last["choices"][0]["finish_reason"].as_str(), Some("stop" | "length")));
	worker.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn models_health_and_metrics_are_served() {
	let fixture = Fixture::new();
	let (worker, client) = start_worker(fixture.config("data")).await;
	let hash = client.register("river", &common::make_adapter(&fixture.base, 1)).await;
	let (status, models) = client.get("/v1/models").await;
	assert_eq!(status, 200);
	assert_eq!(models["object"], "list");
	let ids: Vec<&str> = models["data"]
		.as_array()
		.unwrap()
		.iter()
		.map(|m| m["id"].as_str().unwrap())
		.collect();
	assert_eq!(ids, ["base", "river"]);
	let (status, model) = client.get("/v1/models/river").await;
	assert_eq!(status, 200);
	assert_eq!(model["adapters"][0]["adapter"], hash.as_str());
	let (status, health) = client.get("/health").await;
	assert_eq!((status, health["status"].as_str()), (200, Some("ok")));
	for part in ["engine", "jobs", "store", "disk"] {
		assert_eq!(health["parts"][part]["status"], "ok", "{health}");
	}
	let adapter_bytes = common::make_adapter(&fixture.base, 1).canonical_bytes().unwrap();
	assert_eq!(health["parts"]["store"]["used_bytes"], adapter_bytes.len() as u64, "{health}");
	assert!(health["parts"]["disk"]["free_bytes"].as_u64().unwrap() > 0, "{health}");
	// The tests' workers run with the default device (auto): the CPU here, f32 there.
	let device = health["device"]["device"].as_str().unwrap().to_string();
	assert_eq!(health["dtype"], if device == "cpu" { "f32" } else { "bf16" }, "{health}");
	assert!(health["device"]["memory_bytes"].as_u64().unwrap() > 0, "{health}");
	client.complete(greedy("river", "Report", 4)).await;
	let metrics = client.metrics().await;
	for name in [
		"tributary_worker_queue_depth",
		"tributary_worker_batch_size_count",
		"tributary_worker_tokens_generated_total",
		"tributary_worker_decode_tokens_per_second",
		"tributary_worker_adapter_cache_hits_total{tier=\"disk\"}",
		"tributary_worker_adapter_load_seconds_count",
		"tributary_worker_device_memory_bytes",
	] {
		metric(&metrics, name);
	}
	let info = format!(
		"tributary_worker_device_info{{device=\"{device}\",dtype=\"{}\",name=",
		health["dtype"].as_str().unwrap()
	);
	assert!(metrics.contains(&info), "{info} in {metrics}");
	worker.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_input_gets_openai_errors_and_the_worker_keeps_serving() {
	let fixture = Fixture::new();
	let mut config = fixture.config("data");
	config.max_batch = 1;
	config.max_queue = 2;
	// Nothing parsed stays in host memory, so the corruption below is met at load time.
	config.host_cache_bytes = 0;
	let (worker, client) = start_worker(config.clone()).await;

	let (status, body) = client.post("/v1/completions", greedy("no-such-model", "hi", 4)).await;
	assert_eq!(status, 404);
	assert_eq!(body["error"]["code"], "model_not_found");
	assert_eq!(body["error"]["type"], "invalid_request_error");

	let response = client
		.http
		.post(format!("{}/v1/chat/completions", client.url))
		.header("content-type", "application/json")
		.body("{\"model\": \"base\", \"messages\": [")
		.send()
		.await
		.unwrap();
	assert_eq!(response.status().as_u16(), 400);
	let body: Value = response.json().await.unwrap();
	assert!(body["error"]["message"].as_str().unwrap().contains("invalid JSON"), "{body}");

	let long_prompt = "Report 1: the Rhine carries the valley in spring. ".repeat(40);
	let (status, body) = client.post("/v1/completions", greedy("base", &long_prompt, 4)).await;
	assert_eq!(status, 400);
	assert_eq!(body["error"]["code"], "context_length_exceeded");

	let (status, _) = client
		.post("/v1/completions", json!({"model": "base", "prompt": "x", "temperature": 5}))
		.await;
	assert_eq!(status, 400);

	// The plain chat template lists no tools: calls are refused, tool_choice "none" is answered.
	let weather = json!([{ "type": "function", "function": { "name": "get_weather" } }]);
	let chat = |choice: &str| {
		json!({ "model": "base", "messages": [{ "role": "user", "content": "Weather?" }],
		"max_tokens": 4, "tools": weather, "tool_choice": choice })
	};
	let (status, body) = client.post("/v1/chat/completions", chat("auto")).await;
	assert_eq!((status, body["error"]["param"].as_str()), (400, Some("tools")), "{body}");
	let (status, body) = client.post("/v1/chat/completions", chat("none")).await;
	assert_eq!(status, 200, "{body}");

	// A corrupt adapter: the request fails naming the hash; the adapter is quarantined.
	let adapter = common::make_adapter(&fixture.base, 4);
	let hash = client.register("broken", &adapter).await;
	// Let the registration's prefetch (which reads the good bytes) finish first.
	while !client
		.metrics()
		.await
		.contains("tributary_worker_adapter_cache_hits_total{tier=\"disk\"} 1")
	{
		tokio::time::sleep(std::time::Duration::from_millis(20)).await;
	}
	let object = config.data_dir.join("store/objects").join(&hash);
	let mut bytes = std::fs::read(&object).unwrap();
	let last = bytes.len() - 1;
	bytes[last] ^= 0xff;
	std::fs::write(&object, bytes).unwrap();
	let (status, body) = client.post("/v1/completions", greedy("broken", "Report", 4)).await;
	assert_eq!(status, 503, "{body}");
	assert_eq!(body["error"]["code"], "adapter_quarantined");
	assert!(body["error"]["message"].as_str().unwrap().contains(&hash));
	assert!(config.data_dir.join("store/quarantine").join(&hash).is_file());
	let (status, _) = client.post("/v1/completions", greedy("broken", "Report", 4)).await;
	assert_eq!(status, 503);
	assert_eq!(metric(&client.metrics().await, "tributary_worker_quarantined_adapters"), 1.0);
	client.complete(greedy("base", "Report", 4)).await;
	// Good bytes stored again lift the quarantine.
	client.put_object(adapter.canonical_bytes().unwrap()).await;
	client.complete(greedy("broken", "Report", 4)).await;

	// A full queue answers 429 at once while admitted requests complete.
	let flood = join_all((0..12).map(|_| {
		let client = &client;
		async move { client.post("/v1/completions", greedy("base", "Report", 40)).await }
	}))
	.await;
	let statuses: Vec<u16> = flood.iter().map(|(s, _)| *s).collect();
	assert!(statuses.contains(&429), "{statuses:?}");
	assert!(statuses.contains(&200), "{statuses:?}");
	let rejected = flood.iter().find(|(s, _)| *s == 429).unwrap();
	assert_eq!(rejected.1["error"]["type"], "rate_limit_error");
	client.complete(greedy("base", "Report", 4)).await;
	worker.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn evicted_adapters_reload_and_give_identical_text() {
	let fixture = Fixture::new();
	let mut config = fixture.config("data");
	// Room for two adapters on the device tier and none in host memory: every switch reloads.
	config.device_cache_bytes = 2 * tributary_engine::adapters::SlotStacks::slot_bytes(
		&tributary_model::LlamaConfig::from_file(&fixture.base.join("config.json")).unwrap(),
		config.max_lora_rank,
		tch::Kind::Float,
	);
	config.host_cache_bytes = 0;
	let (worker, client) = start_worker(config).await;
	for seed in 0..4 {
		client
			.register(&format!("m{seed}"), &common::make_adapter(&fixture.base, seed))
			.await;
	}
	let mut first = Vec::new();
	for seed in 0..4 {
		first.push(client.complete(greedy(&format!("m{seed}"), "Water level", 12)).await);
	}
	for seed in (0..4).rev() {
		assert_eq!(
			client.complete(greedy(&format!("m{seed}"), "Water level", 12)).await,
			first[seed]
		);
	}
	let metrics = client.metrics().await;
	assert!(
		metric(&metrics, "tributary_worker_adapter_cache_hits_total{tier=\"disk\"}") >= 6.0,
		"{metrics}"
	);
	worker.shutdown().await;
}

/// A worker whose key/value pool holds 9 blocks of 4 positions, serving adapters `m0` and `m1`.
async fn small_pool_worker(
	fixture: &Fixture,
	preemption: bool,
) -> (tributary_worker::server::RunningWorker, Client) {
	let mut config = fixture.config("data");
	config.preemption = preemption;
	let base = tributary_model::LlamaConfig::from_file(&fixture.base.join("config.json")).unwrap();
	config.kv_block_size = 4;
	config.kv_cache_bytes =
		9 * tributary_model::paged::PagedKvCache::block_bytes(&base, 4, tch::Kind::Float);
	let (worker, client) = start_worker(config).await;
	for seed in 0..2 {
		client
			.register(&format!("m{seed}"), &common::make_adapter(&fixture.base, seed))
			.await;
	}
	(worker, client)
}

/// Request `i` of eight over `m0` and `m1`: each needs 4 blocks (≤ 16 positions) by its end.
fn small_pool_request(i: usize) -> Value {
	greedy(&format!("m{}", i % 2), ["Water level", "Report 3: the"][i / 2 % 2], 10)
}

/// The eight requests' texts, each alone and then all together.
async fn alone_and_together(client: &Client) -> (Vec<String>, Vec<String>) {
	let mut alone = Vec::new();
	for i in 0..8 {
		alone.push(client.complete(small_pool_request(i)).await);
	}
	let together = join_all((0..8).map(|i| client.complete(small_pool_request(i)))).await;
	(alone, together)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn requests_wait_for_key_value_blocks_and_oversized_ones_are_refused() {
	let fixture = Fixture::new();
	// Without preemption each request reserves prompt + max_tokens when it joins: two of ≤ 16
	// positions fit the 9 blocks at a time.
	let (worker, client) = small_pool_worker(&fixture, false).await;
	let (alone, together) = alone_and_together(&client).await;
	assert_eq!(together, alone, "requests that waited for blocks give the same text");
	let metrics = client.metrics().await;
	assert_eq!(metric(&metrics, "tributary_worker_kv_blocks_total"), 9.0);
	assert_eq!(
		metric(&metrics, "tributary_worker_kv_blocks_used"),
		0.0,
		"finished sequences return their blocks"
	);
	assert_eq!(
		metric(&metrics, "tributary_worker_batch_size_bucket{le=\"2\"}"),
		metric(&metrics, "tributary_worker_batch_size_count")
	);

	// 40 positions can never fit in 36: refused at once, and the worker keeps serving.
	let (status, body) = client.post("/v1/completions", greedy("m0", "Water level", 38)).await;
	assert_eq!(status, 400, "{body}");
	assert_eq!(body["error"]["code"], "context_length_exceeded");
	assert!(body["error"]["message"].as_str().unwrap().contains("kv_cache_bytes"), "{body}");
	assert_eq!(client.complete(small_pool_request(0)).await, alone[0]);
	worker.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_pool_preempts_the_newest_sequence_which_resumes_to_the_same_text() {
	let fixture = Fixture::new();
	// With preemption eight requests join at once and outgrow the pool as they decode.
	let (worker, client) = small_pool_worker(&fixture, true).await;
	let (alone, together) = alone_and_together(&client).await;
	assert_eq!(together, alone, "preempted sequences continue to the same text");
	let metrics = client.metrics().await;
	assert!(metric(&metrics, "tributary_worker_preemptions_total") > 0.0, "{metrics}");
	assert!(
		metric(&metrics, "tributary_worker_batch_size_bucket{le=\"2\"}")
			< metric(&metrics, "tributary_worker_batch_size_count"),
		"more than two sequences decoded together"
	);
	assert_eq!(metric(&metrics, "tributary_worker_kv_blocks_used"), 0.0);
	worker.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_shared_prompt_prefix_is_computed_once_per_adapter() {
	let fixture = Fixture::new();
	let mut config = fixture.config("data");
	config.kv_block_size = 4;
	let (worker, client) = start_worker(config.clone()).await;
	client.register("river", &common::make_adapter(&fixture.base, 2)).await;
	let system = "Report 1: the Rhine carries the valley in spring, and the gauges rise. ";
	let prompt = |question: &str| format!("{system}{question}");
	let cached = |metrics: &str| metric(metrics, "tributary_worker_prefix_cached_tokens_total");

	let first = client.complete(greedy("river", &prompt("Water level"), 8)).await;
	assert_eq!(cached(&client.metrics().await), 0.0);
	let again = client.complete(greedy("river", &prompt("Water level"), 8)).await;
	assert_eq!(again, first, "the cached prefix continues as computed");
	let reused = cached(&client.metrics().await);
	assert!(reused >= 12.0, "whole blocks before the last prompt token: {reused}");
	// Another question after the same system prompt takes the system prompt's blocks.
	let other = client.complete(greedy("river", &prompt("Report 3: the"), 8)).await;
	assert!(cached(&client.metrics().await) >= reused + 12.0);
	// The base model (or another adapter) computes its own: keys and values depend on the adapter.
	client.complete(greedy("base", &prompt("Water level"), 8)).await;
	let after_base = cached(&client.metrics().await);
	assert!(after_base >= reused + 12.0);
	worker.shutdown().await;

	// The same texts from a worker that caches nothing.
	config.prefix_caching = false;
	config.data_dir = fixture.data_dir("uncached");
	let (worker, client) = start_worker(config).await;
	client.register("river", &common::make_adapter(&fixture.base, 2)).await;
	assert_eq!(client.complete(greedy("river", &prompt("Water level"), 8)).await, first);
	assert_eq!(client.complete(greedy("river", &prompt("Report 3: the"), 8)).await, other);
	assert_eq!(cached(&client.metrics().await), 0.0);
	worker.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn adapters_are_fetched_from_a_peer_and_verified() {
	let fixture = Fixture::new();
	let (first, first_client) = start_worker(fixture.config("first")).await;
	let adapter = common::make_adapter(&fixture.base, 5);
	let hash = first_client.register("river", &adapter).await;
	let mut config = fixture.config("second");
	config.peers = vec![first_client.public_url.clone()];
	let (second, second_client) = start_worker(config.clone()).await;
	let (status, body) = second_client
		.post(
			"/v1/adapters",
			json!({ "id": "river", "adapter_hash": hash, "adapter_config": adapter.config }),
		)
		.await;
	assert_eq!(status, 201, "{body}");
	assert!(config.data_dir.join("store/objects").join(&hash).is_file());
	assert_eq!(
		second_client.complete(greedy("river", "Report", 8)).await,
		first_client.complete(greedy("river", "Report", 8)).await
	);
	let missing = "ab".repeat(32);
	let (status, _) = second_client.get(&format!("/store/{missing}")).await;
	assert_eq!(status, 404);
	second.shutdown().await;
	first.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_public_listener_serves_https_and_peers_fetch_over_it() {
	let fixture = Fixture::new();
	let certificate = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
	let cert_pem = certificate.serialize_pem().unwrap();
	let (cert, key) = (fixture.data_dir("cert.pem"), fixture.data_dir("key.pem"));
	std::fs::write(&cert, &cert_pem).unwrap();
	std::fs::write(&key, certificate.serialize_private_key_pem()).unwrap();

	let mut config = fixture.config("first");
	config.tls_cert = Some(cert.clone());
	config.tls_key = Some(key.clone());
	let (first, first_client) = start_worker(config).await;
	assert!(first.https);
	let https = format!("https://localhost:{}", first.addr.port());
	let trusting = reqwest::Client::builder()
		.add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap())
		.build()
		.unwrap();
	let health = trusting.get(format!("{https}/health")).send().await.unwrap();
	assert_eq!(health.status().as_u16(), 200);
	let untrusting = reqwest::Client::new().get(format!("{https}/health")).send().await;
	assert!(untrusting.is_err(), "a self-signed certificate is not trusted by default");
	let plain = reqwest::get(format!("http://{}/health", first.addr)).await;
	assert!(plain.map_or(true, |r| !r.status().is_success()), "no plain HTTP on the TLS port");

	// A peer that trusts the certificate fetches an adapter over HTTPS.
	let adapter = common::make_adapter(&fixture.base, 5);
	let hash = first_client.register("river", &adapter).await;
	let mut config = fixture.config("second");
	config.peers = vec![https.clone()];
	config.peer_ca = Some(cert.clone());
	let (second, second_client) = start_worker(config).await;
	let registration =
		json!({ "id": "river", "adapter_hash": hash, "adapter_config": adapter.config });
	let (status, body) = second_client.post("/v1/adapters", registration).await;
	assert_eq!(status, 201, "{body}");
	assert_eq!(
		second_client.complete(greedy("river", "Report", 8)).await,
		first_client.complete(greedy("river", "Report", 8)).await
	);
	second.shutdown().await;
	first.shutdown().await;

	// A key that is not PEM stops the worker at start, naming the file.
	let mut config = fixture.config("third");
	config.tls_cert = Some(cert);
	config.tls_key = Some(fixture.base.join("config.json"));
	let error = tributary_worker::server::start(config).await.err().unwrap().to_string();
	assert!(error.contains("config.json"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn shutdown_drains_streams_in_flight() {
	let fixture = Fixture::new();
	let (worker, client) = start_worker(fixture.config("data")).await;
	let body = json!({ "model": "base", "prompt": "Report", "max_tokens": 120, "temperature": 0.8, "seed": 1,
		"stream": true, "stop": [] });
	let response = client
		.http
		.post(format!("{}/v1/completions", client.url))
		.json(&body)
		.send()
		.await
		.unwrap();
	assert_eq!(response.status().as_u16(), 200);
	let url = client.url.clone();
	let shutdown = tokio::spawn(worker.shutdown());
	let text = response.text().await.unwrap();
	let chunks: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("data: ")).collect();
	assert_eq!(chunks.last(), Some(&"[DONE]"), "the stream in flight finishes");
	let finish: Value = serde_json::from_str(chunks[chunks.len() - 2]).unwrap();
	assert!(finish["choices"][0]["finish_reason"].is_string());
	shutdown.await.unwrap();
	assert!(
		reqwest::get(format!("{url}/health")).await.is_err(),
		"no new connections after shutdown"
	);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_ensemble_and_its_merged_version_give_the_same_text() {
	let fixture = Fixture::new();
	let mut config = fixture.config("data");
	config.max_lora_rank = 16;
	let (worker, client) = start_worker(config).await;
	client.register("a", &common::make_adapter(&fixture.base, 1)).await;
	client.register("b", &common::make_adapter(&fixture.base, 2)).await;
	let members = json!([{ "model": "a", "weight": 0.7 }, { "model": "b", "weight": 0.3 }]);
	let (status, ensemble) =
		client.post("/v1/ensembles", json!({ "id": "a+b", "members": members })).await;
	assert_eq!(status, 201, "{ensemble}");
	let (status, merged) = client
		.post("/v1/merges", json!({ "id": "a+b merged", "members": members }))
		.await;
	assert_eq!(status, 201, "{merged}");
	assert_eq!(merged["adapters"].as_array().unwrap().len(), 1);
	let prompt = "Report 5: the";
	let from_ensemble = client.complete(greedy("a+b", prompt, 16)).await;
	assert_eq!(from_ensemble, client.complete(greedy("a+b merged", prompt, 16)).await);
	let sampled = |model: &str| json!({ "model": model, "prompt": prompt, "max_tokens": 24, "temperature": 1.0, "seed": 11 });
	let merged_sample = client.complete(sampled("a+b merged")).await;
	assert_ne!(
		merged_sample,
		client.complete(sampled("a")).await,
		"the merge is not just its first member"
	);
	assert_ne!(
		merged_sample,
		client.complete(sampled("b")).await,
		"the merge is not just its second member"
	);
	let (status, too_big) = client
		.post("/v1/merges", json!({ "id": "big", "members": [{ "model": "b", "weight": 1.0 }, { "model": "b", "weight": 1.0 }, { "model": "b", "weight": 1.0 }] }))
		.await;
	assert_eq!(status, 400, "{too_big}");
	worker.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn attribution_records_are_deterministic_and_match_between_stream_and_json() {
	let fixture = Fixture::new();
	let (worker, client) = start_worker(fixture.config("data")).await;
	let adapter = common::make_adapter(&fixture.base, 3);
	let hash = client.put_object(adapter.canonical_bytes().unwrap()).await;
	let mut corpus = Vec::new();
	for (i, row) in common::corpus().into_iter().enumerate() {
		let row_hash = client.put_object(row.into_bytes()).await;
		corpus.push(json!({ "datanet": 7, "row": i, "hash": row_hash }));
	}
	let registration = json!({ "id": "river", "adapter_hash": hash, "adapter_config": adapter.config, "corpus": corpus });
	let (status, body) = client.post("/v1/adapters", registration).await;
	assert_eq!(status, 201, "{body}");
	let request = |stream: bool| json!({ "model": "river", "prompt": "Report 4: the Tagus", "max_tokens": 24, "temperature": 0, "attribution": true, "stream": stream });
	let (status, first) = client.post("/v1/completions", request(false)).await;
	assert_eq!(status, 200, "{first}");
	let record = &first["attribution"];
	assert_eq!(record["method"], "suffix_span");
	assert_eq!(record["adapter"], hash.as_str());
	let total: u64 = record["scores"]
		.as_array()
		.unwrap()
		.iter()
		.map(|s| s["parts_per_billion"].as_u64().unwrap())
		.sum();
	assert!(total <= 1_000_000_000);
	let scale =
		tributary_primitives::hex::decode(record["record_scale"].as_str().unwrap()).unwrap();
	let decoded = <tributary_primitives::attribution::AttributionRecord as codec::Decode>::decode(
		&mut &scale[..],
	)
	.unwrap();
	assert_eq!(tributary_store::parse(record["corpus"].as_str().unwrap()).unwrap(), decoded.corpus);
	let (_, second) = client.post("/v1/completions", request(false)).await;
	assert_eq!(second["attribution"], first["attribution"], "same answer, same record");
	let chunks = client.stream("/v1/completions", request(true)).await;
	let last: Value = serde_json::from_str(&chunks[chunks.len() - 2]).unwrap();
	assert_eq!(last["attribution"], first["attribution"]);

	// Influence for a registered adapter: its sketch is built at the first request, then reused.
	let influence_request = |stream: bool| json!({ "model": "river", "prompt": "Report 4: the Tagus", "max_tokens": 24, "temperature": 0, "attribution": "influence", "stream": stream });
	let (status, first) = client.post("/v1/completions", influence_request(false)).await;
	assert_eq!(status, 200, "{first}");
	let influence = &first["attribution"];
	assert_eq!(influence["method"], "influence", "{influence}");
	assert_eq!(influence["corpus"], record["corpus"]);
	let sketch = fixture
		.data_dir("data")
		.join("influence")
		.join(&hash)
		.join(format!("{}.influence", influence["sketch"].as_str().unwrap()));
	let sketch_bytes = std::fs::read(&sketch).expect("the sketch is written beside the adapter");
	let chunks = client.stream("/v1/completions", influence_request(true)).await;
	let last: Value = serde_json::from_str(&chunks[chunks.len() - 2]).unwrap();
	assert_eq!(last["attribution"], *influence, "stream and JSON give the same influence record");
	assert_eq!(std::fs::read(&sketch).unwrap(), sketch_bytes);
	client.register("plain", &common::make_adapter(&fixture.base, 4)).await;
	let (status, refused) = client
		.post(
			"/v1/completions",
			json!({ "model": "plain", "prompt": "Report", "attribution": true }),
		)
		.await;
	assert_eq!(status, 400);
	assert!(refused["error"]["message"].as_str().unwrap().contains("training corpus"), "{refused}");
	worker.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_store_verifies_hashes_and_limits_sizes() {
	let fixture = Fixture::new();
	let mut config = fixture.config("data");
	config.max_object_bytes = 64 * 1024;
	let (worker, client) = start_worker(config).await;
	let hash = client.put_object(b"a datanet row".to_vec()).await;
	assert_eq!(
		hash,
		tributary_primitives::hex::encode(&tributary_primitives::content_hash(b"a datanet row"))
	);
	let get = client.http.get(format!("{}/store/{hash}", client.url)).send().await.unwrap();
	assert_eq!(get.bytes().await.unwrap().as_ref(), b"a datanet row");
	let wrong = client
		.http
		.put(format!("{}/store/{}", client.url, "00".repeat(32)))
		.body("other bytes")
		.send()
		.await
		.unwrap();
	assert_eq!(wrong.status().as_u16(), 400);
	let body: Value = wrong.json().await.unwrap();
	assert!(body["error"]["message"].as_str().unwrap().contains("not the expected"), "{body}");
	let (status, _) = client.get("/store/not-a-hash").await;
	assert_eq!(status, 400);
	let large = client
		.http
		.put(format!("{}/store", client.url))
		.body(vec![7u8; 100 * 1024])
		.send()
		.await
		.unwrap();
	assert_eq!(large.status().as_u16(), 413);
	worker.shutdown().await;
}

/// A `PUT /store` whose body the test feeds piece by piece, with no `Content-Length`.
struct TrickledUpload {
	pieces: futures::channel::mpsc::UnboundedSender<Result<Vec<u8>, std::io::Error>>,
	answer: tokio::task::JoinHandle<(u16, Value)>,
}

impl TrickledUpload {
	fn start(client: &Client) -> TrickledUpload {
		let (pieces, body) = futures::channel::mpsc::unbounded();
		let request = client
			.http
			.put(format!("{}/store", client.url))
			.body(reqwest::Body::wrap_stream(body))
			.send();
		let answer = tokio::spawn(async move {
			let response = request.await.unwrap();
			(response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
		});
		TrickledUpload { pieces, answer }
	}

	fn send(&self, bytes: &[u8]) {
		let _ = self.pieces.unbounded_send(Ok(bytes.to_vec()));
	}

	async fn finish(self) -> (u16, Value) {
		drop(self.pieces);
		self.answer.await.unwrap()
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn uploads_stream_to_disk_within_the_size_limit_the_quota_and_the_upload_slots() {
	let fixture = Fixture::new();
	let mut config = fixture.config("data");
	config.max_object_bytes = 64 * 1024;
	config.store_quota_bytes = Some(128 * 1024);
	config.max_concurrent_uploads = 1;
	let (worker, client) = start_worker(config).await;
	let objects = fixture.data_dir("data").join("store/objects");
	let object_count = || std::fs::read_dir(&objects).unwrap().count();

	// Pieces with no declared length: streamed into place, named by their hash.
	let upload = TrickledUpload::start(&client);
	for _ in 0..10 {
		upload.send(&[5; 4096]);
		tokio::time::sleep(std::time::Duration::from_millis(5)).await;
	}
	// The only upload slot is taken: a second upload waits for nobody, it is refused.
	let response = client.http.put(format!("{}/store", client.url)).body("row").send().await;
	let refused = response.unwrap();
	assert_eq!(refused.status().as_u16(), 429);
	let body: Value = refused.json().await.unwrap();
	assert_eq!(body["error"]["code"], "too_many_uploads", "{body}");
	let (status, stored) = upload.finish().await;
	assert_eq!(status, 200, "{stored}");
	let expected = tributary_primitives::content_hash(&[5; 40960]);
	assert_eq!(stored["hash"], tributary_primitives::hex::encode(&expected));
	assert_eq!(object_count(), 1);

	// Past the object limit with no declared length: cut off at the limit, nothing kept.
	let upload = TrickledUpload::start(&client);
	for _ in 0..20 {
		upload.send(&[6; 4096]);
	}
	let (status, body) = upload.finish().await;
	assert_eq!(status, 413, "{body}");
	assert_eq!(object_count(), 1, "no partial file is left");

	// Past the quota: a clear 507 naming the setting; the store keeps serving what it has.
	client.put_object(vec![7u8; 60 * 1024]).await;
	let full = client
		.http
		.put(format!("{}/store", client.url))
		.body(vec![8u8; 30 * 1024])
		.send()
		.await
		.unwrap();
	assert_eq!(full.status().as_u16(), 507);
	let body: Value = full.json().await.unwrap();
	assert!(body["error"]["message"].as_str().unwrap().contains("--store-quota-bytes"), "{body}");
	assert_eq!(object_count(), 2);
	let (status, health) = client.get("/health").await;
	assert_eq!(status, 200, "a full quota refuses writes, it does not take the worker down");
	assert_eq!(health["parts"]["store"]["used_bytes"], 100 * 1024, "{health}");
	assert_eq!(health["parts"]["store"]["quota_bytes"], 128 * 1024, "{health}");
	client.put_object(b"a small row still fits".to_vec()).await;

	// A store that cannot be written to takes the worker out of rotation until it is back.
	let moved = fixture.data_dir("objects-elsewhere");
	std::fs::rename(&objects, &moved).unwrap();
	let (status, health) = client.get("/health").await;
	assert_eq!((status, &health["status"]), (503, &json!("down")), "{health}");
	assert_eq!(health["parts"]["store"]["status"], "down", "{health}");
	assert_eq!(health["parts"]["engine"]["status"], "ok", "{health}");
	std::fs::rename(&moved, &objects).unwrap();
	assert_eq!(client.get("/health").await.0, 200);
	worker.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_int8_base_serves_adapters() {
	let fixture = Fixture::new();
	let mut config = fixture.config("data");
	config.int8 = true;
	let (worker, client) = start_worker(config).await;
	client.register("river", &common::make_adapter(&fixture.base, 1)).await;
	let text = client.complete(greedy("river", "Report 1: the", 12)).await;
	assert_eq!(
		text,
		client
			.stream_text(
				"/v1/completions",
				json!({ "model": "river", "prompt": "Report 1: the",
		"max_tokens": 12, "temperature": 0, "stream": true })
			)
			.await
	);
	worker.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_registration_cannot_change_an_adapters_config_or_corpus() {
	let fixture = Fixture::new();
	let (worker, client) = start_worker(fixture.config("data")).await;
	let adapter = common::make_adapter(&fixture.base, 1);
	let hash = client.put_object(adapter.canonical_bytes().unwrap()).await;
	let row = client.put_object(b"the first row".to_vec()).await;
	let corpus = json!([{ "datanet": 1, "row": 0, "hash": row }]);
	let register = |id: &str, config: Value, corpus: Value| json!({ "id": id, "adapter_hash": hash, "adapter_config": config, "corpus": corpus });
	let config = serde_json::to_value(&adapter.config).unwrap();
	let (status, body) = client
		.post("/v1/adapters", register("river", config.clone(), corpus.clone()))
		.await;
	assert_eq!(status, 201, "{body}");
	let before = client.complete(greedy("river", "Report 1: the", 8)).await;

	// Another id for the same adapter with another alpha would change what "river" serves.
	let mut other_config = config.clone();
	other_config["lora_alpha"] = json!(64.0);
	let (status, body) =
		client.post("/v1/adapters", register("thief", other_config, json!([]))).await;
	assert_eq!(status, 409, "{body}");
	assert!(body["error"]["message"].as_str().unwrap().contains("another config"), "{body}");
	// Another corpus would change whom its answers credit.
	let other_rows = json!([{ "datanet": 9, "row": 0, "hash": row }]);
	let (status, body) =
		client.post("/v1/adapters", register("thief", config.clone(), other_rows)).await;
	assert_eq!(status, 409, "{body}");
	assert!(body["error"]["message"].as_str().unwrap().contains("training corpus"), "{body}");
	assert_eq!(
		client.get("/v1/models/thief").await.0,
		404,
		"nothing of a refused registration is kept"
	);
	assert_eq!(client.complete(greedy("river", "Report 1: the", 8)).await, before);
	// The same facts under a second id are fine.
	let (status, body) = client.post("/v1/adapters", register("alias", config, corpus)).await;
	assert_eq!(status, 201, "{body}");
	worker.shutdown().await;
}

/// The public listener answers the OpenAI routes, receipts signed by users and objects for peers,
/// and nothing that changes what the worker serves, stores or submits; the operator listener
/// answers everything.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn operator_routes_are_never_served_on_the_public_listener() {
	let fixture = Fixture::new();
	let (worker, client) = start_worker(fixture.config("data")).await;
	assert!(worker.addr.ip().is_loopback() && worker.operator_addr.ip().is_loopback());
	assert_ne!(worker.addr, worker.operator_addr);
	let hash = client.register("river", &common::make_adapter(&fixture.base, 1)).await;
	let public = |path: &str| format!("{}{path}", client.public_url);
	let http = &client.http;

	// Public: models, completions, objects for peers, health.
	assert_eq!(http.get(public("/health")).send().await.unwrap().status(), 200);
	assert_eq!(http.get(public("/v1/models/river")).send().await.unwrap().status(), 200);
	let completion = http.post(public("/v1/completions")).json(&greedy("river", "Report", 4));
	assert_eq!(completion.send().await.unwrap().status(), 200);
	assert_eq!(http.get(public(&format!("/store/{hash}"))).send().await.unwrap().status(), 200);

	// Operator only: 404 on the public listener whatever the body, served on the operator one.
	let adapter = json!({ "id": "thief", "adapter_hash": hash, "adapter_config": {} });
	let job = json!({ "id": "job-1" });
	let operator_only: Vec<(reqwest::Method, String, Value)> = vec![
		(reqwest::Method::POST, "/v1/adapters".into(), adapter),
		(reqwest::Method::POST, "/v1/ensembles".into(), json!({ "id": "e", "members": [] })),
		(reqwest::Method::POST, "/v1/merges".into(), json!({ "id": "m", "members": [] })),
		(reqwest::Method::PUT, "/store".into(), Value::Null),
		(reqwest::Method::PUT, format!("/store/{hash}"), Value::Null),
		(reqwest::Method::POST, "/jobs/train".into(), job.clone()),
		(reqwest::Method::POST, "/jobs/eval".into(), job),
		(reqwest::Method::GET, "/jobs/job-1".into(), Value::Null),
		(reqwest::Method::GET, "/receipts/pending".into(), Value::Null),
		(reqwest::Method::POST, "/receipts/ack".into(), json!({ "ids": [] })),
		(reqwest::Method::POST, "/attribution/recompute".into(), json!({})),
		(reqwest::Method::POST, "/rows/check".into(), json!({ "rows": [] })),
		(reqwest::Method::GET, "/rows/reports".into(), Value::Null),
		(reqwest::Method::GET, "/metrics".into(), Value::Null),
	];
	for (method, path, body) in operator_only {
		// The route's own answer may be 404 too (no such job); an absent route says `unknown_url`.
		let route_absent = |base: &str| {
			let request = http.request(method.clone(), format!("{base}{path}")).json(&body);
			async move {
				let response = request.send().await.unwrap();
				let status = response.status().as_u16();
				let body: Value = response.json().await.unwrap_or(Value::Null);
				status == 404 && body["error"]["code"] == "unknown_url"
			}
		};
		assert!(route_absent(&client.public_url).await, "{method} {path} on the public listener");
		assert!(!route_absent(&client.url).await, "{method} {path} on the operator listener");
	}
	assert_eq!(
		client.get("/v1/models/thief").await.0,
		404,
		"nothing registered through the public listener"
	);
	worker.shutdown().await;
}
