//! Harness for integration tests that run the real `tributary-node` binary on loopback.

// Each test binary uses its own subset of these helpers.
#![allow(dead_code)]

pub mod calls;
pub mod governance;
pub mod network;
pub mod rewards;
pub mod sidecar;

use std::{
	io::{Read, Write},
	net::{TcpListener, TcpStream},
	path::PathBuf,
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};
use tributary_primitives::hex;

use codec::{Decode, Encode};
use frame_system::{EventRecord, Phase};
use serde_json::{json, Value};
use sp_core::{crypto::AccountId32, H256};
use sp_io::hashing;
use sp_runtime::DispatchError;
use tributary_runtime::{Balance, Nonce, RuntimeEvent};

/// A port nobody listens on right now (the OS picks it).
pub fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0")
		.expect("bind loopback")
		.local_addr()
		.unwrap()
		.port()
}

/// A running `tributary-node`: a process this test started (killed and reaped on drop), or one
/// it only talks to (a zombienet validator); its log kept for failures.
pub struct Node {
	child: Option<Child>,
	pub rpc_port: u16,
	/// 0 for an attached node (its peers are somebody else's business).
	pub p2p_port: u16,
	log_path: PathBuf,
	_base: Option<tempfile::TempDir>,
}

pub struct NodeConfig<'a> {
	/// `--dev`, `--chain local`, or `--chain <file>` arguments.
	pub chain_args: Vec<String>,
	/// Extra arguments, e.g. `--alice`, `--bootnodes`.
	pub extra_args: Vec<String>,
	pub name: &'a str,
}

impl Node {
	pub fn start(config: NodeConfig) -> Node {
		let base = tempfile::Builder::new().prefix("tributary-node-test").tempdir().unwrap();
		let rpc_port = free_port();
		let p2p_port = free_port();
		let log_path = base.path().join(format!("{}.log", config.name));
		let log = std::fs::File::create(&log_path).unwrap();
		let child = Command::new(env!("CARGO_BIN_EXE_tributary-node"))
			.args(&config.chain_args)
			.arg("--base-path")
			.arg(base.path())
			.args(["--rpc-port", &rpc_port.to_string()])
			.args(["--listen-addr", &format!("/ip4/127.0.0.1/tcp/{p2p_port}")])
			.args(["--no-prometheus", "--no-telemetry", "--no-mdns"])
			.args(["--name", config.name])
			.args(&config.extra_args)
			.stdin(Stdio::null())
			.stdout(log.try_clone().unwrap())
			.stderr(log)
			.spawn()
			.expect("start tributary-node");
		let mut node = Node { child: Some(child), rpc_port, p2p_port, log_path, _base: Some(base) };
		node.wait_for_rpc();
		node
	}

	/// A `--dev` node (Alice alone, with the sudo key), once it has authored its first block.
	pub fn start_dev(name: &str) -> Node {
		let node =
			Node::start(NodeConfig { chain_args: vec!["--dev".into()], extra_args: vec![], name });
		node.wait_until("first block", Duration::from_secs(120), || {
			(node.best_number() >= 1).then_some(())
		});
		node
	}

	/// A node somebody else runs, reached on `rpc_port`, writing its log to `log_path`.
	pub fn attach(rpc_port: u16, log_path: PathBuf) -> Node {
		let mut node = Node { child: None, rpc_port, p2p_port: 0, log_path, _base: None };
		node.wait_for_rpc();
		node
	}

	/// Wait until the RPC server answers; fail at once, with the log, if the process exits.
	fn wait_for_rpc(&mut self) {
		let start = Instant::now();
		while self.try_rpc("system_health", json!([])).is_err() {
			if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
				panic!(
					"tributary-node exited with {status}\n--- node log ---\n{}",
					self.log_tail()
				);
			}
			if start.elapsed() > Duration::from_secs(120) {
				panic!("RPC did not answer within 120 s\n--- node log ---\n{}", self.log_tail());
			}
			std::thread::sleep(Duration::from_millis(250));
		}
	}

	/// The tail of the node's log, for failure messages.
	pub fn log_tail(&self) -> String {
		let log = std::fs::read_to_string(&self.log_path).unwrap_or_default();
		let lines: Vec<&str> = log.lines().collect();
		lines[lines.len().saturating_sub(40)..].join("\n")
	}

	/// Poll `probe` every 500 ms until it yields a value; panic with the node log on timeout.
	pub fn wait_until<T>(
		&self,
		what: &str,
		timeout: Duration,
		mut probe: impl FnMut() -> Option<T>,
	) -> T {
		let start = Instant::now();
		loop {
			if let Some(value) = probe() {
				return value;
			}
			if start.elapsed() > timeout {
				panic!(
					"timed out after {timeout:?} waiting for: {what}\n--- node log ---\n{}",
					self.log_tail()
				);
			}
			std::thread::sleep(Duration::from_millis(500));
		}
	}

	/// JSON-RPC over HTTP; `Err` carries the JSON-RPC error object or the transport error.
	pub fn try_rpc(&self, method: &str, params: Value) -> Result<Value, Value> {
		http_json_rpc(self.rpc_port, method, params)
	}

	/// JSON-RPC call that must succeed.
	pub fn rpc(&self, method: &str, params: Value) -> Value {
		self.try_rpc(method, params.clone()).unwrap_or_else(|e| {
			panic!("{method}({params}) failed: {e}\n--- node log ---\n{}", self.log_tail())
		})
	}

	pub fn best_number(&self) -> u64 {
		let header = self.rpc("chain_getHeader", json!([]));
		hex_number(&header["number"])
	}

	pub fn finalized_number(&self) -> u64 {
		let hash = self.rpc("chain_getFinalizedHead", json!([]));
		let header = self.rpc("chain_getHeader", json!([hash]));
		hex_number(&header["number"])
	}

	pub fn genesis_hash(&self) -> H256 {
		let hash = self.rpc("chain_getBlockHash", json!([0]));
		H256::from_slice(&hex::decode(hash.as_str().unwrap()).expect("hex"))
	}

	pub fn account_nonce(&self, who: &AccountId32) -> Nonce {
		self.rpc("system_accountNextIndex", json!([who.to_string()])).as_u64().unwrap() as Nonce
	}

	/// Free balance of `who` at the best block, read straight from `System::Account` storage.
	pub fn free_balance(&self, who: &AccountId32) -> Balance {
		let key = system_account_key(who);
		let value = self.rpc("state_getStorage", json!([hex::encode_0x(&key)]));
		match value.as_str() {
			None => 0,
			Some(hex) => {
				let info = frame_system::AccountInfo::<Nonce, pallet_balances::AccountData<Balance>>::decode(
					&mut &hex::decode(hex).expect("hex")[..],
				)
				.expect("AccountInfo decodes");
				info.data.free
			},
		}
	}

	/// Submit an encoded extrinsic; the node's answer (hash or error object).
	pub fn submit(&self, extrinsic: &impl Encode) -> Result<Value, Value> {
		self.try_rpc("author_submitExtrinsic", json!([hex::encode_0x(&extrinsic.encode())]))
	}

	/// Submit a signed extrinsic, wait for the block that includes it, and return the events it
	/// emitted, or the error it failed with.
	pub fn apply(&self, extrinsic: &impl Encode) -> Result<Vec<RuntimeEvent>, DispatchError> {
		let extrinsic_hex = hex::encode_0x(&extrinsic.encode());
		if let Err(e) = self.submit(extrinsic) {
			panic!("the pool refused the extrinsic: {e}\n--- node log ---\n{}", self.log_tail());
		}
		let number = self.wait_until("extrinsic included", Duration::from_secs(60), || {
			self.block_containing(&extrinsic_hex, 5)
		});
		let hash = self.rpc("chain_getBlockHash", json!([number]));
		let block = self.rpc("chain_getBlock", json!([hash]));
		let index = block["block"]["extrinsics"]
			.as_array()
			.and_then(|xts| xts.iter().position(|x| x.as_str() == Some(extrinsic_hex.as_str())))
			.expect("the block found holds the extrinsic") as u32;
		let mut events = Vec::new();
		for record in self.events_at(&hash) {
			if record.phase != Phase::ApplyExtrinsic(index) {
				continue;
			}
			if let RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
				dispatch_error,
				..
			}) = record.event
			{
				return Err(dispatch_error);
			}
			events.push(record.event);
		}
		Ok(events)
	}

	/// `System::Events` of a block.
	pub fn events_at(&self, block_hash: &Value) -> Vec<EventRecord<RuntimeEvent, H256>> {
		let mut key = hashing::twox_128(b"System").to_vec();
		key.extend(hashing::twox_128(b"Events"));
		let value = self.rpc("state_getStorage", json!([hex::encode_0x(&key), block_hash]));
		value.as_str().map_or_else(Vec::new, |hex| {
			Vec::<EventRecord<RuntimeEvent, H256>>::decode(&mut &hex::decode(hex).expect("hex")[..])
				.expect("System::Events decodes with this runtime's types")
		})
	}

	/// Events of every block from `from` to the best block, with their block numbers.
	pub fn events_since(&self, from: u64) -> Vec<(u64, RuntimeEvent)> {
		(from..=self.best_number())
			.flat_map(|number| {
				self.events_at(&self.rpc("chain_getBlockHash", json!([number])))
					.into_iter()
					.map(move |r| (number, r.event))
			})
			.collect()
	}

	/// Search the last blocks for an extrinsic with these exact bytes.
	pub fn block_containing(&self, extrinsic_hex: &str, search_back: u64) -> Option<u64> {
		let best = self.best_number();
		(best.saturating_sub(search_back)..=best).find(|n| {
			let hash = self.rpc("chain_getBlockHash", json!([n]));
			let block = self.rpc("chain_getBlock", json!([hash]));
			block["block"]["extrinsics"]
				.as_array()
				.is_some_and(|xts| xts.iter().any(|x| x.as_str() == Some(extrinsic_hex)))
		})
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		let Some(child) = self.child.as_mut() else { return };
		// SIGTERM lets the node close its database; SIGKILL if it does not stop in time.
		let _ = Command::new("kill").arg(child.id().to_string()).status();
		let deadline = Instant::now() + Duration::from_secs(20);
		while Instant::now() < deadline {
			if let Ok(Some(_)) = child.try_wait() {
				return;
			}
			std::thread::sleep(Duration::from_millis(100));
		}
		let _ = child.kill();
		let _ = child.wait();
	}
}

fn system_account_key(who: &AccountId32) -> Vec<u8> {
	let mut key = hashing::twox_128(b"System").to_vec();
	key.extend(hashing::twox_128(b"Account"));
	let raw: &[u8] = who.as_ref();
	key.extend(hashing::blake2_128(raw));
	key.extend_from_slice(raw);
	key
}

fn hex_number(v: &Value) -> u64 {
	u64::from_str_radix(v.as_str().expect("hex number").trim_start_matches("0x"), 16).unwrap()
}

/// One HTTP/1.1 request on its own connection (so no client crate is needed): status and body.
pub fn http(
	port: u16,
	method: &str,
	path: &str,
	content_type: &str,
	body: &[u8],
) -> std::io::Result<(u16, Vec<u8>)> {
	let mut stream = TcpStream::connect(("127.0.0.1", port))?;
	stream.set_read_timeout(Some(Duration::from_secs(60)))?;
	let head = format!(
		"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {content_type}\r\n\
		 Content-Length: {}\r\nConnection: close\r\n\r\n",
		body.len()
	);
	stream.write_all(head.as_bytes())?;
	stream.write_all(body)?;
	let mut response = Vec::new();
	stream.read_to_end(&mut response)?;
	let split = response
		.windows(4)
		.position(|w| w == b"\r\n\r\n")
		.ok_or_else(|| std::io::Error::other("response without header/body separator"))?;
	let head = String::from_utf8_lossy(&response[..split]).into_owned();
	let status = head
		.split_whitespace()
		.nth(1)
		.and_then(|code| code.parse().ok())
		.ok_or_else(|| std::io::Error::other(format!("no status in {head:?}")))?;
	Ok((status, response[split + 4..].to_vec()))
}

fn http_json_rpc(port: u16, method: &str, params: Value) -> Result<Value, Value> {
	let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
	let (status, payload) = http(port, "POST", "/", "application/json", body.as_bytes())
		.map_err(|e| json!({"transport": e.to_string()}))?;
	if status != 200 {
		return Err(json!({"transport": format!("HTTP {status}")}));
	}
	let reply: Value = serde_json::from_slice(&payload).map_err(
		|e| json!({"transport": format!("bad JSON reply: {e}: {}", String::from_utf8_lossy(&payload))}),
	)?;
	match reply.get("error") {
		Some(error) => Err(error.clone()),
		None => Ok(reply["result"].clone()),
	}
}
