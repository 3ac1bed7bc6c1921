//! The sidecar's request bodies and request targets, sent over loopback to a real worker (a
//! random tiny base model, both listeners, started once per process). Whatever the bytes, the
//! answer is a complete HTTP response, and the worker stays up. A 500 (or any 5xx but 503) is a
//! defect; 503 is the answer for a part that is legitimately unavailable (a registered adapter
//! whose bytes are in no store, receipts on a worker without an account).
//!
//! Input: a selector byte naming the route, then the body (POST) or the path or query (GET, its
//! bytes percent-encoded as a client would send them).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::OnceLock;
use std::time::Duration;
use tributary_model::{DeviceChoice, LlamaConfig};
use tributary_worker::config::Config;

/// The id the fuzzed worker serves its base model under.
pub const BASE_MODEL_ID: &str = "tiny-base";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Listener {
	Public,
	Operator,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
	Get,
	Post,
}

/// Every route that reads a JSON body, a path parameter or a query.
const ROUTES: [(Listener, Method, &str); 16] = [
	(Listener::Public, Method::Post, "/v1/completions"),
	(Listener::Public, Method::Post, "/v1/chat/completions"),
	(Listener::Public, Method::Post, "/v1/receipts"),
	(Listener::Operator, Method::Post, "/v1/adapters"),
	(Listener::Operator, Method::Post, "/v1/ensembles"),
	(Listener::Operator, Method::Post, "/v1/merges"),
	(Listener::Operator, Method::Post, "/receipts/ack"),
	(Listener::Operator, Method::Post, "/attribution/recompute"),
	(Listener::Operator, Method::Post, "/jobs/train"),
	(Listener::Operator, Method::Post, "/jobs/eval"),
	(Listener::Operator, Method::Post, "/rows/check"),
	(Listener::Operator, Method::Get, "/receipts/pending?"),
	(Listener::Operator, Method::Get, "/jobs/"),
	(Listener::Public, Method::Get, "/v1/models/"),
	(Listener::Public, Method::Get, "/store/"),
	(Listener::Public, Method::Get, "/rows/"),
];

/// The selector byte of the route at `path`, for seeds.
pub fn selector(path: &str) -> u8 {
	ROUTES.iter().position(|(_, _, p)| *p == path).expect("a fuzzed route") as u8
}

struct Sidecar {
	public: SocketAddr,
	operator: SocketAddr,
	_runtime: tokio::runtime::Runtime,
}

/// The worker, started on first use: generation capped at 8 tokens so valid requests stay cheap.
fn sidecar() -> &'static Sidecar {
	static SIDECAR: OnceLock<Sidecar> = OnceLock::new();
	SIDECAR.get_or_init(|| {
		let dir = crate::scratch::dir().join("sidecar");
		let base = dir.join("base");
		let texts: Vec<String> = (0..64)
			.map(|i| {
				format!("row {i}: the river carries silt to the delta at dawn, {} boats", i % 9)
			})
			.collect();
		let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
		let mut shape = LlamaConfig::tiny(0, 32, 2, 4, 2);
		shape.max_position_embeddings = 256;
		tributary_trainer::pretrain::write_random_base(&base, &texts, 320, shape, 1).unwrap();
		let runtime = tokio::runtime::Runtime::new().unwrap();
		let worker = runtime
			.block_on(tributary_worker::server::start(Config {
				listen: ([127, 0, 0, 1], 0).into(),
				operator_listen: ([127, 0, 0, 1], 0).into(),
				data_dir: dir.join("data"),
				base_model: Some(base),
				base_model_id: BASE_MODEL_ID.into(),
				device: DeviceChoice::Cpu,
				max_new_tokens: 8,
				body_timeout_secs: 5,
				..Config::default()
			}))
			.unwrap();
		let sidecar =
			Sidecar { public: worker.addr, operator: worker.operator_addr, _runtime: runtime };
		// Serves until the process ends.
		std::mem::forget(worker);
		sidecar
	})
}

pub fn run(data: &[u8]) {
	let Some((&selector, input)) = data.split_first() else { return };
	let (listener, method, route) = ROUTES[usize::from(selector) % ROUTES.len()];
	let sidecar = sidecar();
	let addr = if listener == Listener::Public { sidecar.public } else { sidecar.operator };
	let request = match method {
		Method::Post => {
			let head = format!(
				"POST {route} HTTP/1.1\r\nHost: fuzz\r\nContent-Type: application/json\r\n\
				 Content-Length: {}\r\nConnection: close\r\n\r\n",
				input.len()
			);
			[head.as_bytes(), input].concat()
		},
		Method::Get => format!(
			"GET {route}{} HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n",
			percent_encoded(input)
		)
		.into_bytes(),
	};
	let response = exchange(addr, &request);
	let status = status_of(&response).unwrap_or_else(|| {
		panic!("{route}: no HTTP response to {:?}: {:?}", lossy(input), lossy(&response))
	});
	assert!(
		status < 500 || status == 503,
		"{route}: {status} for {:?}: {}",
		lossy(input),
		lossy(&response)
	);
}

/// Sends a request and reads the whole response (the worker closes after it).
fn exchange(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
	let mut stream = TcpStream::connect(addr).expect("the worker is listening");
	stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
	// A worker that answers before reading the whole body may close the write side early.
	let _ = stream.write_all(request);
	let mut response = Vec::new();
	if let Err(e) = stream.read_to_end(&mut response) {
		assert!(!response.is_empty(), "reading the response failed: {e}");
	}
	response
}

fn status_of(response: &[u8]) -> Option<u16> {
	let line = response.strip_prefix(b"HTTP/1.1 ")?;
	std::str::from_utf8(line.get(..3)?).ok()?.parse().ok()
}

/// `bytes` as a request target: unreserved characters and the query's `=`, `&` and `/` as they
/// are, every other byte `%XX`.
fn percent_encoded(bytes: &[u8]) -> String {
	bytes
		.iter()
		.map(|&b| match b {
			b'A'..=b'Z'
			| b'a'..=b'z'
			| b'0'..=b'9'
			| b'-'
			| b'.'
			| b'_'
			| b'~'
			| b'='
			| b'&'
			| b'/' => char::from(b).to_string(),
			_ => format!("%{b:02X}"),
		})
		.collect()
}

fn lossy(bytes: &[u8]) -> String {
	String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).into_owned()
}
