//! The job API: train and eval jobs run once, persist on disk, and survive a restart.

mod common;

use common::{start_worker, Fixture};
use serde_json::{json, Value};

fn train_spec(id: &str, rows: &[String], seed: u64) -> Value {
	json!({
		"id": id,
		"rows": rows,
		"settings": { "rank": 4, "alpha": 8, "batch_size": 4, "sequence_length": 32, "epochs": 1,
			"max_steps": 3, "seed": seed, "eval_fraction_ppm": 150000, "target_modules": ["q_proj", "v_proj"] },
		"register_as": "river-ft",
	})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn jobs_run_once_and_survive_a_restart() {
	let fixture = Fixture::new();
	let config = fixture.config("data");
	let (worker, client) = start_worker(config.clone()).await;
	let mut rows = Vec::new();
	for row in common::corpus() {
		rows.push(client.put_object(row.into_bytes()).await);
	}

	let (status, job) = client.post("/jobs/train", train_spec("train-1", &rows, 1)).await;
	assert_eq!(status, 202, "{job}");
	assert_eq!(job["status"], "queued");
	let (status, again) = client.post("/jobs/train", train_spec("train-1", &rows, 1)).await;
	assert_eq!(status, 200, "{again}");
	let (status, conflict) = client.post("/jobs/train", train_spec("train-1", &rows, 2)).await;
	assert_eq!(status, 409, "{conflict}");

	let trained = client.wait_for_job("train-1").await;
	assert_eq!(trained["status"], "succeeded", "{trained}");
	assert_eq!(trained["runs"], 1);
	assert_eq!(trained["model"], "river-ft");
	let adapter_hash = trained["result_hash"].as_str().unwrap().to_string();
	assert!(trained["metrics"]["eval_loss_after"].as_f64().unwrap().is_finite());
	let prompt = json!({ "model": "river-ft", "prompt": "Report 2: the", "max_tokens": 10, "temperature": 0 });
	let text_before = client.complete(prompt.clone()).await;

	let (status, _) = client
		.post("/jobs/eval", json!({ "id": "eval-1", "rows": rows, "model": "river-ft", "sequence_length": 32, "batch_size": 4 }))
		.await;
	assert_eq!(status, 202);
	let evaluated = client.wait_for_job("eval-1").await;
	assert_eq!(evaluated["status"], "succeeded", "{evaluated}");
	assert_eq!(evaluated["metrics"]["adapter_hash"], adapter_hash.as_str());
	assert!(evaluated["metrics"]["eval_loss"].as_f64().unwrap() > 0.0);

	// Bad jobs are refused up front or fail with a reason.
	let (status, _) = client.post("/jobs/train", json!({ "id": "../escape", "rows": rows })).await;
	assert_eq!(status, 400);
	let (status, _) =
		client.post("/jobs/train", json!({ "id": "x", "rows": ["not-a-hash"] })).await;
	assert_eq!(status, 400);
	let (status, _) = client
		.post("/jobs/eval", json!({ "id": "x", "rows": rows, "surprise": 1 }))
		.await;
	assert_eq!(status, 400);
	let missing = "cd".repeat(32);
	let (status, _) = client
		.post("/jobs/eval", json!({ "id": "eval-missing", "rows": [missing] }))
		.await;
	assert_eq!(status, 202);
	let failed = client.wait_for_job("eval-missing").await;
	assert_eq!(failed["status"], "failed");
	assert!(failed["error"].as_str().unwrap().contains(&missing), "{failed}");
	let (status, _) = client.get("/jobs/no-such-job").await;
	assert_eq!(status, 404);
	worker.shutdown().await;

	// A crash left a train job running without its adapter (nor a checkpoint yet), and an eval
	// queued.
	let jobs_dir = config.data_dir.join("jobs");
	let mut interrupted: Value =
		serde_json::from_str(&std::fs::read_to_string(jobs_dir.join("train-1.json")).unwrap())
			.unwrap();
	interrupted["spec"]["id"] = "train-crashed".into();
	interrupted["status"] = "running".into();
	interrupted["result_hash"] = Value::Null;
	interrupted["model"] = Value::Null;
	std::fs::write(jobs_dir.join("train-crashed.json"), interrupted.to_string()).unwrap();
	let queued = json!({
		"spec": { "kind": "eval", "id": "eval-queued", "rows": rows, "model": "river-ft", "sequence_length": 32, "batch_size": 4 },
		"status": "queued", "progress": { "step": 0, "total_steps": 0, "loss": null },
		"result_hash": null, "model": null, "metrics": null, "error": null, "runs": 0,
	});
	std::fs::write(jobs_dir.join("eval-queued.json"), queued.to_string()).unwrap();
	// And one record was damaged on disk.
	std::fs::write(jobs_dir.join("torn.json"), "{\"spec\": {\"kind\": \"ev").unwrap();

	let (worker, client) = start_worker(config.clone()).await;
	let (_, after) = client.get("/jobs/train-1").await;
	assert_eq!(after, trained, "a finished job is unchanged by a restart");
	let (status, resubmitted) = client.post("/jobs/train", train_spec("train-1", &rows, 1)).await;
	assert_eq!((status, &resubmitted["runs"]), (200, &json!(1)), "never run twice");
	let crashed = client.wait_for_job("train-crashed").await;
	assert_eq!(crashed["status"], "succeeded", "an interrupted train job resumes: {crashed}");
	assert_eq!((&crashed["runs"], &crashed["resumed"]), (&json!(1), &json!(1)), "{crashed}");
	assert_eq!(crashed["result_hash"], trained["result_hash"], "the same job's adapter");
	let resumed = client.wait_for_job("eval-queued").await;
	assert_eq!(resumed["status"], "succeeded", "{resumed}");
	assert_eq!(resumed["metrics"], evaluated["metrics"]);
	let stored = client
		.http
		.get(format!("{}/store/{adapter_hash}", client.url))
		.send()
		.await
		.unwrap();
	assert_eq!(stored.status().as_u16(), 200);
	assert_eq!(
		tributary_primitives::content_hash(&stored.bytes().await.unwrap()),
		tributary_store::parse(&adapter_hash).unwrap()
	);
	assert_eq!(
		client.complete(prompt.clone()).await,
		text_before,
		"the registry and store survive the restart"
	);
	let (status, _) = client.get("/jobs/torn").await;
	assert_eq!(status, 404, "a damaged record is not a job");
	assert_eq!(std::fs::read_dir(jobs_dir.join("quarantine")).unwrap().count(), 1);
	worker.shutdown().await;

	// Finished records expire after their TTL; what the jobs made stays.
	let mut short_lived = config.clone();
	short_lived.finished_job_ttl_secs = 1;
	let (worker, client) = start_worker(short_lived).await;
	let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
	for id in ["train-1", "eval-1", "eval-missing", "train-crashed", "eval-queued"] {
		while client.get(&format!("/jobs/{id}")).await.0 != 404 {
			assert!(std::time::Instant::now() < deadline, "finished job {id} never expired");
			tokio::time::sleep(std::time::Duration::from_millis(200)).await;
		}
	}
	assert!(!jobs_dir.join("train-1").exists(), "its work directory went with it");
	assert_eq!(client.complete(prompt).await, text_before, "the trained model is still served");
	worker.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_train_job_with_named_rows_serves_attribution_by_chain_id() {
	let fixture = Fixture::new();
	let (worker, client) = start_worker(fixture.config("data")).await;
	let texts: Vec<String> = common::corpus().into_iter().take(4).collect();
	let mut rows = Vec::new();
	for (i, text) in texts.iter().enumerate() {
		let hash = client.put_object(text.clone().into_bytes()).await;
		rows.push(json!({ "datanet": 5, "row": 100 + i, "hash": hash }));
	}
	let settings = json!({ "rank": 8, "alpha": 16, "batch_size": 1, "sequence_length": 48, "epochs": 1000,
		"max_steps": 600, "learning_rate_ppb": 10_000_000, "dropout_ppm": 0, "seed": 3, "eval_fraction_ppm": 100000, "packing": "per_row",
		"target_modules": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] });

	let mut mixed = rows.clone();
	mixed[0] = rows[0]["hash"].clone();
	let (status, refused) = client
		.post("/jobs/train", json!({ "id": "mixed", "rows": mixed, "settings": settings }))
		.await;
	assert_eq!(status, 400, "{refused}");
	assert!(
		refused["error"]["message"].as_str().unwrap().contains("name every row or none"),
		"{refused}"
	);

	let spec =
		json!({ "id": "named", "rows": rows, "settings": settings, "register_as": "rivers-named" });
	let (status, job) = client.post("/jobs/train", spec).await;
	assert_eq!(status, 202, "{job}");
	let trained = client.wait_for_job("named").await;
	assert_eq!(trained["status"], "succeeded", "{trained}");
	let data = &trained["metrics"]["data"];
	assert_eq!((&data["listed"], &data["rows"], &data["plain"]), (&json!(4), &json!(4), &json!(4)));

	// The trainer holds out the row with the lowest hash for eval; prompt with a trained one.
	let hashes: Vec<_> =
		texts.iter().map(|t| tributary_primitives::content_hash(t.as_bytes())).collect();
	let copied = (0..texts.len()).max_by_key(|&i| hashes[i]).unwrap();
	let prefix: String = texts[copied].split_whitespace().take(5).collect::<Vec<_>>().join(" ");
	let request = json!({ "model": "rivers-named", "prompt": prefix, "max_tokens": 24, "temperature": 0, "attribution": true });
	let (status, answer) = client.post("/v1/completions", request).await;
	assert_eq!(status, 200, "{answer}");
	let record = &answer["attribution"];
	assert_eq!(record["adapter"], trained["result_hash"], "{record}");
	let text = answer["choices"][0]["text"].as_str().unwrap();
	let scores = record["scores"].as_array().unwrap();
	assert!(!scores.is_empty(), "{record}");
	for score in scores {
		assert_eq!(score["datanet"], 5, "{record}");
		assert!((100..104).contains(&score["row"].as_u64().unwrap()), "{record}");
	}
	assert_eq!(
		record["top"][0]["row"],
		100 + copied as u64,
		"row {copied} gets the most credit for {prefix:?} + {text:?}: {record}"
	);

	// Gradient influence, from the sketch the job wrote beside its adapter.
	let sketch = trained["metrics"]["influence_sketch"]
		.as_str()
		.expect("the job sketched its rows")
		.to_string();
	let adapter = trained["result_hash"].as_str().unwrap();
	let sketch_file = fixture
		.data_dir("data")
		.join("influence")
		.join(adapter)
		.join(format!("{sketch}.influence"));
	let sketch_bytes = std::fs::read(&sketch_file).unwrap();
	let request = json!({ "model": "rivers-named", "prompt": prefix, "max_tokens": 24, "temperature": 0, "attribution": "influence" });
	let (status, answer) = client.post("/v1/completions", request.clone()).await;
	assert_eq!(status, 200, "{answer}");
	assert_eq!(answer["choices"][0]["text"], text, "the same greedy answer");
	let influence = &answer["attribution"];
	assert_eq!(influence["method"], "influence", "{influence}");
	assert_eq!(influence["sketch"], sketch.as_str());
	assert_eq!(influence["scoring"]["data_inf"]["damping_milli"], 100);
	assert_eq!(influence["corpus"], record["corpus"], "both methods commit to the same corpus");
	let scale = influence["record_scale"].as_str().unwrap();
	let scale = tributary_primitives::hex::decode(scale).unwrap();
	let decoded = <tributary_primitives::attribution::AttributionRecord as codec::Decode>::decode(
		&mut &scale[..],
	)
	.unwrap();
	use tributary_primitives::attribution::{AttributionMethod, InfluenceParams};
	assert_eq!(
		decoded.method,
		AttributionMethod::Influence(InfluenceParams::DEFAULT),
		"the record names its settings"
	);
	let scores = influence["scores"].as_array().unwrap();
	assert!(!scores.is_empty(), "{influence}");
	let total: u64 = scores.iter().map(|s| s["parts_per_billion"].as_u64().unwrap()).sum();
	assert!(total <= 1_000_000_000, "{influence}");
	for score in scores {
		assert_eq!(score["datanet"], 5, "{influence}");
		assert!((100..104).contains(&score["row"].as_u64().unwrap()), "{influence}");
	}
	// No claim on which row tops the influence ranking: over seeds 1 to 5 the copied row
	// (memorized, so its gradient is near zero) topped it once, the held-out row (in the corpus,
	// never trained on) twice. Gradient influence's accuracy is the attribution accuracy
	// benchmark's to measure; this test asserts the record, its chain ids and its reuse.
	let (_, again) = client.post("/v1/completions", request).await;
	assert_eq!(again["attribution"], *influence, "same answer, same record");
	assert_eq!(
		std::fs::read(&sketch_file).unwrap(),
		sketch_bytes,
		"the sketch is reused, not rebuilt"
	);
	let (status, refused) = client
		.post(
			"/v1/completions",
			json!({ "model": "rivers-named", "prompt": prefix, "attribution": "vibes" }),
		)
		.await;
	assert_eq!(status, 400, "{refused}");
	worker.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_verifier_reproduces_the_trainers_eval_loss_from_the_adapter_hash_and_settings() {
	let fixture = Fixture::new();
	let (trainer, trainer_client) = start_worker(fixture.config("trainer")).await;
	let mut rows = Vec::new();
	for (i, text) in common::corpus().into_iter().enumerate() {
		let hash = trainer_client.put_object(text.into_bytes()).await;
		rows.push(json!({ "datanet": 0, "row": i, "hash": hash }));
	}
	let settings = json!({ "rank": 4, "alpha": 8, "batch_size": 4, "sequence_length": 32, "epochs": 1,
		"max_steps": 4, "seed": 9, "eval_fraction_ppm": 150000, "target_modules": ["q_proj", "v_proj", "down_proj"] });
	let (status, job) = trainer_client
		.post(
			"/jobs/train",
			json!({ "id": "j0-a1", "rows": rows, "settings": settings, "register_as": "trained" }),
		)
		.await;
	assert_eq!(status, 202, "{job}");
	let trained = trainer_client.wait_for_job("j0-a1").await;
	assert_eq!(trained["status"], "succeeded", "{trained}");
	let adapter = trained["result_hash"].as_str().unwrap().to_string();
	let reported = trained["metrics"]["eval_loss_after"].as_f64().unwrap();
	assert_eq!(
		trained["progress"]["loss"], trained["metrics"]["train_loss"],
		"the last step's loss: {trained}"
	);
	assert!(trained["metrics"]["train_loss"].as_f64().unwrap().is_finite(), "{trained}");
	let stored = trainer_client
		.http
		.get(format!("{}/store/{adapter}", trainer_client.url))
		.send()
		.await
		.unwrap();
	let adapter_bytes = stored.bytes().await.unwrap().len() as u64;
	assert_eq!(trained["metrics"]["adapter_bytes"].as_u64(), Some(adapter_bytes), "{trained}");

	// A second validator holds nothing: rows and adapter come from the trainer as its peer.
	let mut config = fixture.config("verifier");
	config.peers = vec![trainer_client.public_url.clone()];
	let (verifier, client) = start_worker(config).await;
	let mut listed = rows.clone();
	listed.reverse();
	let verify = json!({ "id": "j0-a1-verify", "rows": listed, "adapter": adapter, "settings": settings, "held_out": true });
	let (status, job) = client.post("/jobs/eval", verify.clone()).await;
	assert_eq!(status, 202, "{job}");
	let verified = client.wait_for_job("j0-a1-verify").await;
	assert_eq!(verified["status"], "succeeded", "{verified}");
	let recomputed = verified["metrics"]["eval_loss"].as_f64().unwrap();
	assert!((recomputed - reported).abs() <= 1e-9, "verifier {recomputed} vs trainer {reported}");
	// And the base model's loss alone on the same rows: the trainer's loss before training.
	let base = verified["metrics"]["base_loss"].as_f64().unwrap();
	let before = trained["metrics"]["eval_loss_before"].as_f64().unwrap();
	assert!((base - before).abs() <= 1e-9, "verifier base {base} vs trainer before {before}");
	assert_eq!(verified["metrics"]["adapter_hash"], adapter.as_str());
	assert_eq!(verified["metrics"]["rows"], 7, "round(48 · 0.15) rows held out: {verified}");
	let (status, again) = client.post("/jobs/eval", verify).await;
	assert_eq!((status, &again["runs"]), (200, &json!(1)), "{again}");

	// Every row scored instead of the held-out ones is another number.
	let all = json!({ "id": "j0-a1-all", "rows": rows, "adapter": adapter, "settings": settings });
	assert_eq!(client.post("/jobs/eval", all).await.0, 202);
	let all = client.wait_for_job("j0-a1-all").await;
	assert!((all["metrics"]["eval_loss"].as_f64().unwrap() - reported).abs() > 1e-3, "{all}");

	for (refused, reason) in [
		(json!({ "id": "no-settings", "rows": rows, "adapter": adapter }), "settings"),
		(json!({ "id": "held-no-settings", "rows": rows, "held_out": true }), "settings"),
		(
			json!({ "id": "both", "rows": rows, "adapter": adapter, "settings": settings, "model": "trained" }),
			"not both",
		),
		(json!({ "id": "bad-hash", "rows": rows, "adapter": "xyz", "settings": settings }), "hash"),
	] {
		let (status, body) = client.post("/jobs/eval", refused).await;
		assert_eq!(status, 400, "{body}");
		assert!(body["error"]["message"].as_str().unwrap().contains(reason), "{body}");
	}

	// A QLoRA adapter's eval loss was measured over the quantized base: the settings say so.
	let mut qlora = settings.clone();
	qlora["method"] = "qlora-nf4".into();
	let (status, job) = trainer_client
		.post("/jobs/train", json!({ "id": "j1-a1", "rows": rows, "settings": qlora }))
		.await;
	assert_eq!(status, 202, "{job}");
	let trained_qlora = trainer_client.wait_for_job("j1-a1").await;
	assert_eq!(trained_qlora["status"], "succeeded", "{trained_qlora}");
	let verify = json!({ "id": "j1-a1-verify", "rows": listed, "adapter": trained_qlora["result_hash"], "settings": qlora, "held_out": true });
	assert_eq!(client.post("/jobs/eval", verify).await.0, 202);
	let verified_qlora = client.wait_for_job("j1-a1-verify").await;
	let (recomputed, reported) = (
		verified_qlora["metrics"]["eval_loss"].as_f64().unwrap(),
		trained_qlora["metrics"]["eval_loss_after"].as_f64().unwrap(),
	);
	assert!(
		(recomputed - reported).abs() <= 1e-9,
		"qlora verifier {recomputed} vs trainer {reported}"
	);

	// Served from the settings alone, the adapter answers exactly as the trainer's registration.
	let registration = json!({ "id": "model-0-v1", "adapter_hash": adapter, "settings": settings, "chain": { "model": 0, "version": 1 } });
	let (status, body) = client.post("/v1/adapters", registration.clone()).await;
	assert_eq!(status, 201, "{body}");
	assert_eq!(
		client.post("/v1/adapters", registration).await.0,
		201,
		"a retried registration is a no-op"
	);
	let prompt = |model: &str| json!({ "model": model, "prompt": "Report 3: the", "max_tokens": 12, "temperature": 0 });
	assert_eq!(
		client.complete(prompt("model-0-v1")).await,
		trainer_client.complete(prompt("trained")).await
	);
	verifier.shutdown().await;
	trainer.shutdown().await;
}

/// Assembling a job's rows checks them against the chain: a row whose bytes are not its declared
/// `byte_len` long is used and reported; a row no store serves fails the job and is reported,
/// unless a peer could not be asked; a row fetched later is no longer reported unfetchable.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn jobs_report_rows_whose_bytes_contradict_the_chain() {
	let fixture = Fixture::new();
	let (peer, peer_client) = start_worker(fixture.config("peer")).await;
	let mut config = fixture.config("worker");
	config.peers = vec![peer_client.public_url.clone()];
	let (worker, client) = start_worker(config).await;
	let texts: Vec<String> = common::corpus().into_iter().take(3).collect();
	let mut rows = Vec::new();
	for (i, text) in texts.iter().enumerate() {
		let hash = tributary_primitives::content_hash(text.as_bytes());
		let hash = tributary_primitives::hex::encode(&hash);
		rows.push(json!({ "datanet": 3, "row": i, "hash": hash, "byte_len": text.len() }));
	}
	client.put_object(texts[0].clone().into_bytes()).await;
	client.put_object(texts[1].clone().into_bytes()).await;
	rows[1]["byte_len"] = json!(1);
	let eval = |id: &str| json!({ "id": id, "rows": rows, "sequence_length": 32, "batch_size": 4 });

	assert_eq!(client.post("/jobs/eval", eval("missing-row")).await.0, 202);
	let failed = client.wait_for_job("missing-row").await;
	assert_eq!(failed["status"], "failed", "{failed}");
	let error = failed["error"].as_str().unwrap();
	assert!(error.contains("datanet 3 row 2") && error.contains("no store"), "{failed}");
	let (status, reports) = client.get("/rows/reports").await;
	assert_eq!(status, 200);
	assert_eq!(
		reports,
		json!({ "reports": [
			{ "datanet": 3, "row": 1, "hash": rows[1]["hash"], "kind": "byte_len_mismatch", "declared": 1, "observed": texts[1].len() },
			{ "datanet": 3, "row": 2, "hash": rows[2]["hash"], "kind": "unfetchable" },
		] })
	);

	// The row turns up at the peer: the job runs, and only the length lie stays reported.
	peer_client.put_object(texts[2].clone().into_bytes()).await;
	assert_eq!(client.post("/jobs/eval", eval("all-rows")).await.0, 202);
	let done = client.wait_for_job("all-rows").await;
	assert_eq!(done["status"], "succeeded", "{done}");
	let (_, reports) = client.get("/rows/reports").await;
	assert_eq!(reports["reports"].as_array().unwrap().len(), 1, "{reports}");
	assert_eq!(reports["reports"][0]["row"], 1, "{reports}");
	worker.shutdown().await;

	// A worker whose peer cannot be reached does not know that a row is missing everywhere.
	let mut config = fixture.config("cut-off");
	config.peers = vec!["http://127.0.0.1:9".into()];
	let (cut_off, client) = start_worker(config).await;
	assert_eq!(client.post("/jobs/eval", eval("unreachable-peer")).await.0, 202);
	let failed = client.wait_for_job("unreachable-peer").await;
	assert_eq!(failed["status"], "failed", "{failed}");
	assert_eq!(client.get("/rows/reports").await.1, json!({ "reports": [] }));
	cut_off.shutdown().await;
	peer.shutdown().await;
}

/// Rows handed over as they are contributed are checked once their bytes are at hand (here, at a
/// peer): a copy of an earlier row with one byte changed is shown to curators as a near-duplicate
/// of it and reported for the chain; a distinct row is not.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn contributed_rows_are_checked_for_near_duplicates() {
	let fixture = Fixture::new();
	let (peer, peer_client) = start_worker(fixture.config("peer")).await;
	let mut config = fixture.config("worker");
	config.peers = vec![peer_client.public_url.clone()];
	let (worker, client) = start_worker(config).await;
	let texts: Vec<String> = common::corpus().into_iter().take(2).collect();
	let copy = texts[0].replacen('e', "E", 1);
	let mut rows = Vec::new();
	for (i, text) in [&texts[0], &texts[1], &copy].into_iter().enumerate() {
		let hash = peer_client.put_object(text.clone().into_bytes()).await;
		rows.push(json!({ "datanet": 4, "row": i, "hash": hash, "contributed_at": 7 }));
	}

	let (status, accepted) = client.post("/rows/check", json!({ "rows": rows })).await;
	assert_eq!(status, 202, "{accepted}");
	assert_eq!(accepted["accepted"], 3);
	let (status, unknown) = client.get("/rows/4/9").await;
	assert_eq!(status, 404, "{unknown}");
	let (status, refused) = client.post("/rows/check", json!({ "rows": [{ "datanet": 4 }] })).await;
	assert_eq!(status, 400, "{refused}");

	let mut checked = Vec::new();
	for row in 0..3 {
		let check = loop {
			let (status, check) = client.get(&format!("/rows/4/{row}")).await;
			assert_eq!(status, 200, "{check}");
			if check["status"] == "checked" {
				break check;
			}
			tokio::time::sleep(std::time::Duration::from_millis(50)).await;
		};
		checked.push(check);
	}
	// `copies` counts later rows checked so far: read row 0 again now that row 2 is checked too.
	checked[0] = client.get("/rows/4/0").await.1;
	assert_eq!(checked[0]["near_duplicate"], false, "{}", checked[0]);
	assert_eq!(checked[0]["copies"], 1, "{}", checked[0]);
	assert_eq!(checked[0]["quality"]["utf8"], true, "{}", checked[0]);
	let perplexity = checked[0]["quality"]["perplexity"].as_f64();
	assert!(perplexity.is_some_and(|p| p > 1.0 && p.is_finite()), "{}", checked[0]);
	assert_eq!(checked[1]["near_duplicate"], false, "{}", checked[1]);
	assert_eq!(checked[2]["near_duplicate"], true, "{}", checked[2]);
	assert_eq!(checked[2]["closest"]["original"], 0, "{}", checked[2]);
	let similarity = checked[2]["closest"]["similarity_ppm"].clone();
	assert!(similarity.as_u64().unwrap() >= 900_000, "{}", checked[2]);
	assert_eq!(
		client.get("/rows/reports").await.1,
		json!({ "reports": [
			{ "datanet": 4, "row": 2, "hash": rows[2]["hash"], "kind": "near_duplicate", "original_datanet": 4, "original": 0, "similarity_ppm": similarity },
		] })
	);
	worker.shutdown().await;
	peer.shutdown().await;
}
