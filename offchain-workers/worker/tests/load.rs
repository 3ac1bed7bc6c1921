//! Load and abuse against a real worker on 127.0.0.1: 1,000 concurrent streams over 100 adapters
//! while other clients send malformed JSON, oversized bodies, bodies a byte at a time, unknown
//! models, and streams they abandon halfway. The worker stays up, answers bad input with 4xx,
//! serves every good stream, gives back every key/value block, and its memory stays bounded.
//! Prints p50/p99 latency of the good streams and the answers to the bad requests.

mod common;

use common::{metric, start_worker, Client, Fixture};
use futures::future::join_all;
use futures::StreamExt;
use serde_json::json;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const STREAMS: usize = 1_000;
const ADAPTERS: usize = 100;

/// This process's resident memory, in MB.
fn resident_mb() -> f64 {
	let status = std::fs::read_to_string("/proc/self/status").unwrap();
	let kb: f64 = status
		.lines()
		.find_map(|line| line.strip_prefix("VmRSS:"))
		.and_then(|rest| rest.split_whitespace().next())
		.and_then(|kb| kb.parse().ok())
		.unwrap();
	kb / 1024.0
}

/// A good stream: its text and how long it took, or what went wrong.
async fn good_stream(client: &Client, i: usize) -> Result<Duration, String> {
	let started = Instant::now();
	let body = json!({ "model": format!("a{}", i % ADAPTERS), "prompt": "Report", "max_tokens": 8,
		"temperature": 0.8, "seed": i, "stream": true });
	let response = client
		.http
		.post(format!("{}/v1/completions", client.public_url))
		.json(&body)
		.send()
		.await
		.map_err(|e| e.to_string())?;
	if response.status() != 200 {
		return Err(format!("status {}", response.status()));
	}
	let text = response.text().await.map_err(|e| e.to_string())?;
	match text.trim_end().ends_with("data: [DONE]") {
		true => Ok(started.elapsed()),
		false => Err(format!("the stream ended without [DONE]: {text}")),
	}
}

/// A stream read to its first chunk, then dropped with the connection.
async fn abandoned_stream(client: &Client, i: usize) -> u16 {
	let body = json!({ "model": format!("a{}", i % ADAPTERS), "prompt": "Report", "max_tokens": 64,
		"temperature": 0.8, "seed": i, "stream": true, "stop": [] });
	let response = client
		.http
		.post(format!("{}/v1/completions", client.public_url))
		.json(&body)
		.send()
		.await
		.unwrap();
	let status = response.status().as_u16();
	let mut chunks = response.bytes_stream();
	let _first = chunks.next().await;
	status
}

/// A body sent one byte a second over a raw connection; the worker's answer's status.
async fn slow_client(address: &str) -> u16 {
	let mut socket = tokio::net::TcpStream::connect(address).await.unwrap();
	let head = "POST /v1/completions HTTP/1.1\r\nHost: worker\r\nContent-Type: application/json\r\nContent-Length: 64\r\n\r\n";
	socket.write_all(head.as_bytes()).await.unwrap();
	let mut answer = Vec::new();
	for _ in 0..64 {
		if socket.write_all(b" ").await.is_err() {
			break;
		}
		let mut buffer = [0u8; 1024];
		match tokio::time::timeout(Duration::from_secs(1), socket.read(&mut buffer)).await {
			Ok(Ok(0)) | Ok(Err(_)) => break,
			Ok(Ok(read)) => {
				answer.extend_from_slice(&buffer[..read]);
				break;
			},
			Err(_) => {},
		}
	}
	let answer = String::from_utf8_lossy(&answer);
	answer
		.split_whitespace()
		.nth(1)
		.and_then(|status| status.parse().ok())
		.unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_streams_over_a_hundred_adapters_survive_abuse() {
	let fixture = Fixture::new();
	let mut config = fixture.config("data");
	config.max_batch = 64;
	config.max_queue = 2 * STREAMS;
	config.max_request_bytes = 64 * 1024;
	config.body_timeout_secs = 2;
	config.device_cache_bytes = 16 << 20;
	let (worker, client) = start_worker(config).await;
	for seed in 0..ADAPTERS as u64 {
		client
			.register(&format!("a{seed}"), &common::make_adapter(&fixture.base, seed))
			.await;
	}
	let memory_before = resident_mb();
	let public = client.public_url.clone();
	let address = public.trim_start_matches("http://").to_string();
	let post = |body: reqwest::Body| {
		let request = client.http.post(format!("{public}/v1/completions"));
		async move {
			let response =
				request.header("content-type", "application/json").body(body).send().await;
			response.map_or(0, |r| r.status().as_u16())
		}
	};

	let started = Instant::now();
	let good = join_all((0..STREAMS).map(|i| good_stream(&client, i)));
	let malformed =
		join_all((0..50).map(|i| post(format!("{{\"model\": \"a{i}\", \"prompt\": ").into())));
	let oversized = join_all((0..20).map(|_| post(vec![b' '; 100 * 1024].into())));
	let unknown = join_all((0..50).map(|i| {
		post(json!({ "model": format!("nobody-{i}"), "prompt": "Report" }).to_string().into())
	}));
	let abandoned = join_all((0..50).map(|i| abandoned_stream(&client, i)));
	let slow = join_all((0..20).map(|_| slow_client(&address)));
	let (good, malformed, oversized, unknown, abandoned, slow) =
		tokio::join!(good, malformed, oversized, unknown, abandoned, slow);
	let elapsed = started.elapsed();

	let mut answers: BTreeMap<&str, BTreeMap<u16, usize>> = BTreeMap::new();
	for (kind, statuses) in [
		("malformed JSON", &malformed),
		("oversized body", &oversized),
		("unknown model", &unknown),
		("abandoned stream", &abandoned),
		("byte-a-second body", &slow),
	] {
		for status in statuses {
			*answers.entry(kind).or_default().entry(*status).or_default() += 1;
		}
	}
	let errors: Vec<&String> = good.iter().filter_map(|r| r.as_ref().err()).collect();
	let mut latencies: Vec<f64> =
		good.iter().filter_map(|r| r.as_ref().ok()).map(|d| d.as_secs_f64()).collect();
	latencies.sort_by(f64::total_cmp);
	let percentile = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
	println!(
		"{STREAMS} streams over {ADAPTERS} adapters with abuse in {:.1} s: p50 {:.2} s, p99 {:.2} s, {} errors; bad requests answered {answers:?}",
		elapsed.as_secs_f64(),
		percentile(0.5),
		percentile(0.99),
		errors.len()
	);
	assert!(errors.is_empty(), "good streams failed: {:?}", &errors[..errors.len().min(5)]);
	assert_eq!(answers["malformed JSON"].keys().collect::<Vec<_>>(), [&400]);
	assert_eq!(answers["oversized body"].keys().collect::<Vec<_>>(), [&413]);
	assert_eq!(answers["unknown model"].keys().collect::<Vec<_>>(), [&404]);
	assert_eq!(answers["abandoned stream"].keys().collect::<Vec<_>>(), [&200]);
	assert_eq!(answers["byte-a-second body"].keys().collect::<Vec<_>>(), [&408]);

	// Abandoned streams end at their next token: every block comes back.
	let deadline = Instant::now() + Duration::from_secs(30);
	loop {
		let metrics = client.metrics().await;
		if metric(&metrics, "tributary_worker_kv_blocks_used") == 0.0 {
			break;
		}
		assert!(Instant::now() < deadline, "key/value blocks were not returned:\n{metrics}");
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
	let memory_after = resident_mb();
	println!("resident memory {memory_before:.0} MB before the load, {memory_after:.0} MB after");
	assert!(memory_after < memory_before + 1024.0, "memory grew by over 1 GB");
	let (status, health) = client.get("/health").await;
	assert_eq!(status, 200, "{health}");
	assert!(good_stream(&client, 0).await.is_ok(), "still serving");
	worker.shutdown().await;
}
