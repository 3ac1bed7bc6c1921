//! Crash safety: the real `tributary-worker` binary is killed with SIGKILL at random moments
//! while it stores uploads, registers models, signs receipts, drops acknowledged receipts and
//! trains, again and again; some kills land mid-write (they leave temporary files behind). After
//! every restart nothing it acknowledged is lost, nothing is duplicated or comes back, no
//! temporary file is left, and every stored object hashes to its name.

mod common;

use common::{Client, Fixture, WorkerProcess};
use serde_json::{json, Value};
use sp_core::crypto::{AccountId32, Ss58Codec};
use sp_core::{sr25519, Pair};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tributary_model::rng::SplitMix64;
use tributary_primitives::{content_hash, hex};

/// SIGKILLs in the test.
const KILLS: u64 = 60;
const WORKER: [u8; 32] = [0x77; 32];
const GENESIS: [u8; 32] = [0x6e; 32];
const CHAIN_MODEL: &str = "model-3-v2";

/// What the worker answered with success: it must keep all of it.
#[derive(Clone, Default)]
struct Acknowledged {
	objects: BTreeSet<String>,
	models: BTreeSet<String>,
	/// Signed receipts the chain has not acknowledged yet.
	queued_receipts: BTreeSet<String>,
	/// Receipts the chain acknowledged: they must never come back.
	dropped_receipts: BTreeSet<String>,
	/// Receipts whose acknowledgement was cut off by a kill: queued or dropped, never twice.
	receipts_in_doubt: BTreeSet<String>,
	jobs: BTreeSet<String>,
}

/// How many of each write were acknowledged.
type Tally = BTreeMap<&'static str, usize>;

type Shared<T> = Arc<Mutex<T>>;

fn count(tally: &Shared<Tally>, what: &'static str) {
	*tally.lock().unwrap().entry(what).or_default() += 1;
}

/// The worker's answer, or `None` when the kill came first.
async fn send(request: reqwest::RequestBuilder) -> Option<(u16, Value)> {
	let response = request.send().await.ok()?;
	let status = response.status().as_u16();
	let body = response.bytes().await.ok()?;
	Some((status, serde_json::from_slice(&body).unwrap_or(Value::Null)))
}

/// Every signed receipt in the queue, paging as the chain's off-chain worker does.
async fn queued_receipts(client: &Client) -> Vec<String> {
	let mut ids = Vec::new();
	let mut after = String::new();
	loop {
		let path = format!("/receipts/pending?genesis={}{after}", hex::encode_0x(&GENESIS));
		let (status, page) = client.get(&path).await;
		assert_eq!(status, 200, "{page}");
		let page = page["receipts"].as_array().unwrap().clone();
		let Some(last) = page.last() else { return ids };
		after = format!("&after={}", last["sequence"]);
		ids.extend(page.iter().map(|entry| entry["id"].as_str().unwrap().to_string()));
	}
}

/// Files named like an interrupted write in `dir` (state files live at the top of their
/// directories).
fn partial_files(dir: &Path) -> Vec<String> {
	std::fs::read_dir(dir)
		.unwrap()
		.map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
		.filter(|name| name.contains(".partial-"))
		.map(|name| dir.join(name).display().to_string())
		.collect()
}

/// The temporary files of interrupted writes in the directories that hold state files.
fn torn_writes(data_dir: &Path) -> Vec<String> {
	let dirs = ["", "store/objects", "jobs", "receipts"];
	dirs.iter().flat_map(|dir| partial_files(&data_dir.join(dir))).collect()
}

/// After a restart: everything acknowledged is there once, nothing dropped came back, no write
/// left a temporary file, and each object not verified before hashes to its name.
async fn check(
	client: &Client,
	data_dir: &Path,
	acked: &Acknowledged,
	verified: &mut BTreeSet<String>,
) {
	let objects = data_dir.join("store/objects");
	for hash in &acked.objects {
		assert!(objects.join(hash).is_file(), "acknowledged object {hash} is lost");
	}
	for entry in std::fs::read_dir(&objects).unwrap() {
		let name = entry.unwrap().file_name().into_string().unwrap();
		if verified.insert(name.clone()) {
			let bytes = std::fs::read(objects.join(&name)).unwrap();
			assert_eq!(hex::encode(&content_hash(&bytes)), name, "object {name} is torn");
		}
	}
	let leftovers = torn_writes(data_dir);
	assert!(leftovers.is_empty(), "temporary files survived the restart: {leftovers:?}");

	let (status, models) = client.get("/v1/models").await;
	assert_eq!(status, 200);
	let ids: Vec<&str> = models["data"]
		.as_array()
		.unwrap()
		.iter()
		.map(|m| m["id"].as_str().unwrap())
		.collect();
	let unique: BTreeSet<&str> = ids.iter().copied().collect();
	assert_eq!(unique.len(), ids.len(), "a model is listed twice: {ids:?}");
	for model in &acked.models {
		assert!(unique.contains(model.as_str()), "acknowledged model {model} is lost");
	}

	let queued = queued_receipts(client).await;
	let unique: BTreeSet<&String> = queued.iter().collect();
	assert_eq!(unique.len(), queued.len(), "a receipt is queued twice: {queued:?}");
	for id in &acked.queued_receipts {
		assert!(unique.contains(id), "signed receipt {id} is lost");
	}
	for id in &acked.dropped_receipts {
		assert!(!unique.contains(id), "acknowledged receipt {id} came back");
	}

	for id in &acked.jobs {
		let (status, job) = client.get(&format!("/jobs/{id}")).await;
		assert_eq!(status, 200, "acknowledged job {id} is lost: {job}");
		assert!(job["runs"].as_u64().unwrap() <= 1, "train job {id} ran twice: {job}");
	}
}

/// Puts objects of random sizes until the kill.
async fn upload(client: Client, seed: u64, acked: Shared<Acknowledged>, tally: Shared<Tally>) {
	let mut rng = SplitMix64(seed);
	loop {
		let size = 1_000 + (rng.next_u64() % 200_000) as usize;
		let bytes: Vec<u8> = (0..size).map(|_| rng.next_u64() as u8).collect();
		let hash = hex::encode(&content_hash(&bytes));
		let put = client.http.put(format!("{}/store", client.url)).body(bytes);
		match send(put).await {
			Some((200, body)) => {
				assert_eq!(body["hash"], hash.as_str());
				acked.lock().unwrap().objects.insert(hash);
				count(&tally, "uploads");
			},
			Some((status, body)) => panic!("upload refused: {status} {body}"),
			None => return,
		}
	}
}

/// Serves the chain model under new ids until the kill.
async fn register(
	client: Client,
	round: u64,
	registration: Value,
	acked: Shared<Acknowledged>,
	tally: Shared<Tally>,
) {
	for n in 0.. {
		let id = format!("alias-{round}-{n}");
		let mut body = registration.clone();
		body["id"] = id.clone().into();
		body.as_object_mut().unwrap().remove("chain");
		match send(client.http.post(format!("{}/v1/adapters", client.url)).json(&body)).await {
			Some((201, _)) => {
				acked.lock().unwrap().models.insert(id);
				count(&tally, "registrations");
			},
			Some((status, body)) => panic!("registration refused: {status} {body}"),
			None => return,
		}
	}
}

/// Completes with a receipt, signs it, and now and then acknowledges signed receipts as the
/// chain does, until the kill.
async fn sign_receipts(
	client: Client,
	round: u64,
	acked: Shared<Acknowledged>,
	tally: Shared<Tally>,
) {
	let ferdie = sr25519::Pair::from_string("//Ferdie", None).unwrap();
	let user = AccountId32::from(ferdie.public().0).to_ss58check();
	for n in 0.. {
		let nonce = round * 1_000 + n;
		let request = json!({ "model": CHAIN_MODEL, "prompt": "Report 3: the", "max_tokens": 4,
			"temperature": 0, "receipt": { "user": user, "nonce": nonce, "max_fee": "1000", "expiry": 500 } });
		let post = client.http.post(format!("{}/v1/completions", client.public_url)).json(&request);
		let Some((200, answer)) = send(post).await else { return };
		let receipt = &answer["receipt"];
		let id = receipt["id"].as_str().unwrap().to_string();
		let payload = hex::decode(receipt["signing_payload"].as_str().unwrap()).unwrap();
		let signature = hex::encode_0x(&ferdie.sign(&payload).0);
		let sign = json!({ "id": id, "signature": signature });
		match send(client.http.post(format!("{}/v1/receipts", client.public_url)).json(&sign)).await
		{
			Some((202, _)) => {
				acked.lock().unwrap().queued_receipts.insert(id);
				count(&tally, "receipt signatures");
			},
			Some((status, body)) => panic!("signature refused: {status} {body}"),
			None => return,
		}
		if n % 3 == 2 {
			let ids: Vec<String> = {
				let mut acked = acked.lock().unwrap();
				let ids: Vec<String> = acked.queued_receipts.iter().take(2).cloned().collect();
				for id in &ids {
					acked.queued_receipts.remove(id);
					acked.receipts_in_doubt.insert(id.clone());
				}
				ids
			};
			let ack = client.http.post(format!("{}/receipts/ack", client.url));
			match send(ack.json(&json!({ "ids": ids }))).await {
				Some((200, _)) => {
					let mut acked = acked.lock().unwrap();
					for id in ids {
						acked.receipts_in_doubt.remove(&id);
						acked.dropped_receipts.insert(id);
					}
					count(&tally, "receipt acknowledgements");
				},
				Some((status, body)) => panic!("acknowledgement refused: {status} {body}"),
				None => return,
			}
		}
	}
}

/// Submits one small train job.
async fn train(
	client: Client,
	round: u64,
	rows: Vec<String>,
	acked: Shared<Acknowledged>,
	tally: Shared<Tally>,
) {
	let id = format!("train-{round}");
	let spec = json!({ "id": id, "rows": rows,
		"settings": { "rank": 4, "alpha": 8, "batch_size": 4, "sequence_length": 32, "epochs": 1,
			"max_steps": 3, "seed": round, "eval_fraction_ppm": 150000, "target_modules": ["q_proj", "v_proj"] },
		"register_as": format!("trained-{round}") });
	match send(client.http.post(format!("{}/jobs/train", client.url)).json(&spec)).await {
		Some((202, _)) => {
			acked.lock().unwrap().jobs.insert(id);
			count(&tally, "train jobs");
		},
		Some((status, body)) => panic!("train job refused: {status} {body}"),
		None => {},
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_at_random_moments_loses_nothing_acknowledged() {
	let fixture = Fixture::new();
	let data_dir = fixture.data_dir("data");
	let account = hex::encode_0x(&WORKER);
	let args = ["--worker-account", &account, "--max-lora-rank", "8"];
	let acked: Shared<Acknowledged> = Default::default();
	let tally: Shared<Tally> = Default::default();
	let mut verified = BTreeSet::new();

	// Set-up: rows, the adapter serving the chain model, the chain's genesis.
	let worker = WorkerProcess::spawn(&fixture.base, &data_dir, &args);
	let client = worker.client();
	let adapter = common::make_adapter(&fixture.base, 1);
	let adapter_hash = client.put_object(adapter.canonical_bytes().unwrap()).await;
	let mut rows = Vec::new();
	let mut corpus = Vec::new();
	for (i, text) in common::corpus().into_iter().enumerate() {
		let hash = client.put_object(text.into_bytes()).await;
		corpus.push(json!({ "datanet": 2, "row": i, "hash": hash }));
		rows.push(hash);
	}
	let registration = json!({ "id": CHAIN_MODEL, "adapter_hash": adapter_hash,
		"adapter_config": adapter.config, "corpus": corpus, "chain": { "model": 3, "version": 2 } });
	let (status, body) = client.post("/v1/adapters", registration.clone()).await;
	assert_eq!(status, 201, "{body}");
	client.learn_chain(&GENESIS).await;
	{
		let mut acked = acked.lock().unwrap();
		acked.objects.insert(adapter_hash);
		acked.objects.extend(rows.iter().cloned());
		acked.models.insert(CHAIN_MODEL.into());
	}
	worker.kill();

	let mut rng = SplitMix64(0xc4a5);
	let started = std::time::Instant::now();
	// Temporary files the kills left mid-write: the restarts had these to clean up.
	let mut torn = 0;
	for round in 0..KILLS {
		let worker = WorkerProcess::spawn(&fixture.base, &data_dir, &args);
		let client = worker.client();
		let promised = acked.lock().unwrap().clone();
		check(&client, &data_dir, &promised, &mut verified).await;
		let mut writers = vec![
			tokio::spawn(upload(client.clone(), rng.next_u64(), acked.clone(), tally.clone())),
			tokio::spawn(register(
				client.clone(),
				round,
				registration.clone(),
				acked.clone(),
				tally.clone(),
			)),
			tokio::spawn(sign_receipts(client.clone(), round, acked.clone(), tally.clone())),
		];
		if round % 4 == 0 {
			let rows = rows.clone();
			writers.push(tokio::spawn(train(
				client.clone(),
				round,
				rows,
				acked.clone(),
				tally.clone(),
			)));
		}
		// Most kills land within a fraction of a second; every tenth lets a job finish training.
		let alive = if round % 10 == 9 { 4_000 } else { 30 + rng.next_u64() % 700 };
		tokio::time::sleep(Duration::from_millis(alive)).await;
		worker.kill();
		for writer in writers {
			writer.await.expect("a writer found the worker breaking a promise");
		}
		torn += torn_writes(&data_dir).len();
	}
	let worker = WorkerProcess::spawn(&fixture.base, &data_dir, &args);
	let client = worker.client();
	let promised = acked.lock().unwrap().clone();
	check(&client, &data_dir, &promised, &mut verified).await;
	let mut trained = 0;
	for id in &promised.jobs {
		let job = client.wait_for_job(id).await;
		trained += (job["status"] == "succeeded") as usize;
	}
	worker.kill();

	println!(
		"{KILLS} SIGKILLs in {:.0} s, {torn} temporary files of interrupted writes cleaned up; acknowledged {:?}; {} objects verified; {trained} train jobs succeeded",
		started.elapsed().as_secs_f64(),
		tally.lock().unwrap(),
		verified.len()
	);
	assert!(torn > 0, "no kill landed in the middle of a write: the test proved nothing");
}
