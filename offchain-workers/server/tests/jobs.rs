//! The job API: train and eval jobs run once, persist on disk, and survive a restart.

mod common;

use common::{start_worker, Client, Fixture};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

async fn wait_for_job(client: &Client, id: &str) -> Value {
	let deadline = Instant::now() + Duration::from_secs(300);
	loop {
		let (status, job) = client.get(&format!("/jobs/{id}")).await;
		assert_eq!(status, 200, "{job}");
		if matches!(job["status"].as_str(), Some("succeeded" | "failed")) {
			return job;
		}
		assert!(Instant::now() < deadline, "job {id} did not finish: {job}");
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
}

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

	let trained = wait_for_job(&client, "train-1").await;
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
	let evaluated = wait_for_job(&client, "eval-1").await;
	assert_eq!(evaluated["status"], "succeeded", "{evaluated}");
	assert_eq!(evaluated["metrics"]["adapter_hash"], adapter_hash.as_str());
	assert!(evaluated["metrics"]["loss"].as_f64().unwrap() > 0.0);

	// Bad jobs are refused up front or fail with a reason.
	let (status, _) = client.post("/jobs/train", json!({ "id": "../escape", "rows": rows })).await;
	assert_eq!(status, 400);
	let (status, _) = client.post("/jobs/train", json!({ "id": "x", "rows": ["not-a-hash"] })).await;
	assert_eq!(status, 400);
	let (status, _) = client.post("/jobs/eval", json!({ "id": "x", "rows": rows, "surprise": 1 })).await;
	assert_eq!(status, 400);
	let missing = "cd".repeat(32);
	let (status, _) = client.post("/jobs/eval", json!({ "id": "eval-missing", "rows": [missing] })).await;
	assert_eq!(status, 202);
	let failed = wait_for_job(&client, "eval-missing").await;
	assert_eq!(failed["status"], "failed");
	assert!(failed["error"].as_str().unwrap().contains(&missing), "{failed}");
	let (status, _) = client.get("/jobs/no-such-job").await;
	assert_eq!(status, 404);
	worker.shutdown().await;

	// A crash left a train job running without its adapter, and an eval queued.
	let jobs_dir = config.data_dir.join("jobs");
	let mut interrupted: Value = serde_json::from_str(&std::fs::read_to_string(jobs_dir.join("train-1.json")).unwrap()).unwrap();
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

	let (worker, client) = start_worker(config.clone()).await;
	let (_, after) = client.get("/jobs/train-1").await;
	assert_eq!(after, trained, "a finished job is unchanged by a restart");
	let (status, resubmitted) = client.post("/jobs/train", train_spec("train-1", &rows, 1)).await;
	assert_eq!((status, &resubmitted["runs"]), (200, &json!(1)), "never run twice");
	let crashed = wait_for_job(&client, "train-crashed").await;
	assert_eq!(crashed["status"], "failed");
	assert!(crashed["error"].as_str().unwrap().contains("restart"), "{crashed}");
	let resumed = wait_for_job(&client, "eval-queued").await;
	assert_eq!(resumed["status"], "succeeded", "{resumed}");
	assert_eq!(resumed["metrics"], evaluated["metrics"]);
	let stored = client.http.get(format!("{}/store/{adapter_hash}", client.url)).send().await.unwrap();
	assert_eq!(stored.status().as_u16(), 200);
	assert_eq!(tributary_primitives::content_hash(&stored.bytes().await.unwrap()), tributary_trainer::store::parse_hash(&adapter_hash).unwrap());
	assert_eq!(client.complete(prompt).await, text_before, "the registry and store survive the restart");
	worker.shutdown().await;
}
