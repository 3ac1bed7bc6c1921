//! Every message round-trips through JSON, and each is pinned to the JSON the other side reads.

use crate::{adapters::*, error::*, jobs::*, receipts::*, recompute::*, rows::*, wire::*};
use serde::{de::DeserializeOwned, Serialize};
use serde_json::{json, Value};
use tributary_primitives::training::{Overflow, Packing, SettingsError, TrainingSettings};

/// `message` is written as `wire` and read back from it unchanged.
fn pinned<T: Serialize + DeserializeOwned + PartialEq + core::fmt::Debug>(message: T, wire: Value) {
	assert_eq!(serde_json::to_value(&message).unwrap(), wire);
	// Read from text too, as the sidecar reads request bodies and its files.
	assert_eq!(serde_json::from_str::<T>(&wire.to_string()).unwrap(), message);
	assert_eq!(serde_json::from_value::<T>(wire).unwrap(), message);
}

const HASH: Hash32 = Hash32([0xab; 32]);
const HASH_HEX: &str = "abababababababababababababababababababababababababababababababab";

fn settings_json() -> Value {
	let d = TrainingSettings::default();
	json!({
		"method": "lora", "rank": d.rank, "alpha": d.alpha, "dropout_ppm": d.dropout_ppm,
		"target_modules": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
		"learning_rate_ppb": d.learning_rate_ppb,
		"batch_size": d.batch_size, "sequence_length": d.sequence_length, "epochs": d.epochs,
		"max_steps": d.max_steps, "seed": d.seed, "eval_fraction_ppm": d.eval_fraction_ppm,
	})
}

fn named_row() -> NamedRow {
	NamedRow { datanet: 1, row: 2, hash: HASH, byte_len: Some(40) }
}

#[test]
fn hashes_are_hex_with_0x_optional() {
	assert_eq!(serde_json::to_value(HASH).unwrap(), json!(HASH_HEX));
	assert_eq!(serde_json::from_value::<Hash32>(json!(format!("0x{HASH_HEX}"))).unwrap(), HASH);
	let short = serde_json::from_value::<Hash32>(json!("abcd")).unwrap_err().to_string();
	assert!(short.contains("expected 64 hex digits"), "{short}");
	assert_eq!(serde_json::to_value(HexBytes(vec![1, 2])).unwrap(), json!("0x0102"));
	assert_eq!(serde_json::from_value::<HexBytes>(json!("0102")).unwrap(), HexBytes(vec![1, 2]));
}

#[test]
fn settings_round_trip_and_are_validated_as_the_chain_validates_them() {
	pinned(JobSettings::default(), settings_json());
	let settings = TrainingSettings { rank: 4, seed: 9, ..TrainingSettings::default() };
	assert_eq!(JobSettings::from(&settings).to_settings(), Ok(settings));
	// The later settings appear on the wire only when on.
	let variant = TrainingSettings {
		use_rslora: true,
		use_dora: true,
		eval_every_steps: 5,
		early_stopping_patience: 2,
		packing: Packing::PerRow,
		overflow: Overflow::Window,
		train_on_prompts: true,
		..TrainingSettings::default()
	};
	let mut wire = settings_json();
	for (key, value) in [
		("use_rslora", json!(true)),
		("use_dora", json!(true)),
		("eval_every_steps", json!(5)),
		("early_stopping_patience", json!(2)),
		("packing", json!("per_row")),
		("overflow", json!("window")),
		("train_on_prompts", json!(true)),
	] {
		wire[key] = value;
	}
	pinned(JobSettings::from(&variant), wire);
	assert_eq!(JobSettings::from(&variant).to_settings(), Ok(variant));
	let impatient = JobSettings { early_stopping_patience: 3, ..JobSettings::default() };
	assert_eq!(
		impatient.to_settings(),
		Err(JobSettingsError::Refused(SettingsError::PatienceWithoutEvaluations))
	);
	let unknown = JobSettings { method: "full".into(), ..JobSettings::default() };
	assert_eq!(
		unknown.to_settings().unwrap_err().to_string(),
		"method \"full\" is not one of lora, qlora-nf4, qlora-int8"
	);
	let packing = JobSettings { packing: "per-row".into(), ..JobSettings::default() };
	assert_eq!(
		packing.to_settings().unwrap_err().to_string(),
		"packing \"per-row\" is not one of auto, stream, per_row"
	);
	let overflow = JobSettings { overflow: "wrap".into(), ..JobSettings::default() };
	assert_eq!(overflow.to_settings(), Err(JobSettingsError::UnknownOverflow("wrap".into())));
	let module = JobSettings { target_modules: vec!["gate".into()], ..JobSettings::default() };
	assert_eq!(module.to_settings(), Err(JobSettingsError::UnknownTargetModule("gate".into())));
	let short = JobSettings { sequence_length: 1, ..JobSettings::default() };
	assert_eq!(
		short.to_settings(),
		Err(JobSettingsError::Refused(SettingsError::SequenceTooShort))
	);
	let extra = serde_json::from_value::<JobSettings>(json!({ "learning_rate": 0.1 }));
	assert!(extra.is_err(), "unknown fields are refused");
}

#[test]
fn train_job() {
	pinned(
		TrainJob {
			id: "j1".into(),
			rows: vec![JobRow::Named(named_row()), JobRow::Hash(HASH)],
			settings: JobSettings::default(),
			register_as: Some("m".into()),
		},
		json!({
			"id": "j1",
			"rows": [{ "datanet": 1, "row": 2, "hash": HASH_HEX, "byte_len": 40 }, HASH_HEX],
			"settings": settings_json(),
			"register_as": "m",
		}),
	);
}

#[test]
fn eval_job() {
	pinned(
		EvalJob {
			id: "j2".into(),
			rows: vec![JobRow::Named(NamedRow { byte_len: None, ..named_row() })],
			model: None,
			adapter: Some(HASH),
			settings: Some(JobSettings::default()),
			held_out: true,
			sequence_length: None,
			batch_size: Some(4),
		},
		json!({
			"id": "j2",
			"rows": [{ "datanet": 1, "row": 2, "hash": HASH_HEX }],
			"model": null, "adapter": HASH_HEX, "settings": settings_json(), "held_out": true,
			"sequence_length": null, "batch_size": 4,
		}),
	);
}

fn record(spec: JobSpec, metrics: JobMetrics, metrics_json: Value) -> (JobRecord, Value) {
	let spec_json = serde_json::to_value(&spec).unwrap();
	(
		JobRecord {
			spec,
			status: JobStatus::Succeeded,
			progress: Progress { step: 3, total_steps: 3, loss: Some(1.5) },
			result_hash: Some(HASH),
			model: Some("m".into()),
			metrics: Some(metrics),
			error: None,
			runs: 1,
			resumed: 0,
		},
		json!({
			"spec": spec_json, "status": "succeeded",
			"progress": { "step": 3, "total_steps": 3, "loss": 1.5 },
			"result_hash": HASH_HEX, "model": "m", "metrics": metrics_json, "error": null, "runs": 1,
		}),
	)
}

#[test]
fn job_records_of_both_kinds() {
	let train = TrainJob {
		id: "t".into(),
		rows: vec![JobRow::Hash(HASH)],
		settings: JobSettings::default(),
		register_as: None,
	};
	let (message, wire) = record(
		JobSpec::Train(train),
		JobMetrics::Train(TrainMetrics {
			eval_loss_before: 3.0,
			eval_loss_after: 2.5,
			perplexity_after: 12.0,
			steps: 3,
			train_tokens_per_epoch: 100,
			tokens_per_sec: 50.0,
			seconds: 2.0,
			train_loss: Some(2.0),
			adapter_bytes: 4096,
			influence_sketch: Some(HASH),
			data: Some(RowOutcomes {
				listed: 5,
				rows: 3,
				plain: 1,
				instruction: 1,
				chat: 1,
				not_text: 1,
				duplicates: 1,
				overlong: 1,
				..RowOutcomes::default()
			}),
		}),
		json!({
			"eval_loss_before": 3.0, "eval_loss_after": 2.5, "perplexity_after": 12.0, "steps": 3,
			"train_tokens_per_epoch": 100, "tokens_per_sec": 50.0, "seconds": 2.0,
			"train_loss": 2.0, "adapter_bytes": 4096, "influence_sketch": HASH_HEX,
			"data": { "listed": 5, "rows": 3, "plain": 1, "instruction": 1, "chat": 1,
				"not_text": 1, "empty": 0, "duplicates": 1, "unrenderable": 0, "overlong": 1,
				"cut_off": 0 },
		}),
	);
	assert_eq!(wire["spec"]["kind"], "train");
	pinned(message, wire);

	let eval = EvalJob {
		id: "e".into(),
		rows: vec![JobRow::Hash(HASH)],
		model: None,
		adapter: None,
		settings: None,
		held_out: false,
		sequence_length: None,
		batch_size: None,
	};
	let (message, wire) = record(
		JobSpec::Eval(eval),
		JobMetrics::Eval(EvalMetrics {
			adapter_hash: None,
			rows: 2,
			tokens: 30,
			eval_loss: 2.25,
			perplexity: 9.5,
			base_loss: 2.75,
			data: None,
		}),
		json!({
			"adapter_hash": null, "rows": 2, "tokens": 30, "eval_loss": 2.25, "perplexity": 9.5,
			"base_loss": 2.75,
		}),
	);
	assert_eq!(wire["spec"]["kind"], "eval");
	pinned(message, wire);
}

#[test]
fn losses_become_parts_per_billion() {
	assert_eq!(loss_ppb(1.5), Some(1_500_000_000));
	assert_eq!(loss_ppb(-1.0), None);
	assert_eq!(loss_ppb(f64::NAN), None);
}

#[test]
fn adapter_registration_and_its_answer() {
	let chain = ChainModel { model: 3, version: 1 };
	pinned(
		AdapterRegistration::<()> {
			id: "model-3-v1".into(),
			adapter_hash: HASH,
			adapter_config: None,
			settings: Some(JobSettings::default()),
			chain: Some(chain),
			corpus: vec![CorpusRow { datanet: 1, row: 2, hash: HASH }],
		},
		json!({
			"id": "model-3-v1", "adapter_hash": HASH_HEX, "settings": settings_json(),
			"chain": { "model": 3, "version": 1 },
			"corpus": [{ "datanet": 1, "row": 2, "hash": HASH_HEX }],
		}),
	);
	pinned(
		ServedModel {
			id: "model-3-v1".into(),
			adapters: vec![Member { adapter: HASH, weight: 1.0 }],
			chain: Some(chain),
		},
		json!({
			"id": "model-3-v1", "adapters": [{ "adapter": HASH_HEX, "weight": 1.0 }],
			"chain": { "model": 3, "version": 1 },
		}),
	);
}

#[test]
fn receipts() {
	assert_eq!(
		PendingQuery::path(&[1; 32], &[2, 3], None),
		format!("/receipts/pending?genesis=0x{}&methods=0x0203", "01".repeat(32))
	);
	assert_eq!(
		PendingQuery::path(&[1; 32], &[2, 3], Some(70)),
		format!("/receipts/pending?genesis=0x{}&methods=0x0203&after=70", "01".repeat(32))
	);
	pinned(
		PendingQuery { genesis: Some(HexBytes(vec![1; 32])), methods: None, after: Some(3) },
		json!({ "genesis": format!("0x{}", "01".repeat(32)), "methods": null, "after": 3 }),
	);
	pinned(
		PendingReceipts {
			receipts: vec![PendingReceipt {
				id: "r1".into(),
				sequence: 12,
				user: HexBytes(vec![7; 32]),
				nonce: 4,
				scale: HexBytes(vec![9, 9]),
			}],
		},
		json!({ "receipts": [{
			"id": "r1", "sequence": 12, "user": format!("0x{}", "07".repeat(32)), "nonce": 4, "scale": "0x0909",
		}] }),
	);
	pinned(Acknowledgement { ids: vec!["r1".into()] }, json!({ "ids": ["r1"] }));
	pinned(Acknowledged { removed: 1 }, json!({ "removed": 1 }));
}

#[test]
fn recompute() {
	pinned(
		RecomputeRequest {
			chain: ChainModel { model: 3, version: 1 },
			output_hash: HASH,
			method_scale: HexBytes(vec![0]),
		},
		json!({ "chain": { "model": 3, "version": 1 }, "output_hash": HASH_HEX, "method_scale": "0x00" }),
	);
	pinned(RecomputeState::Running, json!({ "state": "running" }));
	pinned(
		RecomputeState::Done {
			commitment: HASH,
			record_scale: HexBytes(vec![1]),
			top: vec![ScoredRow { datanet: 1, row: 2, parts_per_billion: 500_000_000 }],
		},
		json!({
			"state": "done", "commitment": HASH_HEX, "record_scale": "0x01",
			"top": [{ "datanet": 1, "row": 2, "parts_per_billion": 500_000_000 }],
		}),
	);
}

#[test]
fn row_reports() {
	pinned(
		RowReports {
			reports: vec![
				RowReport {
					datanet: 1,
					row: 2,
					hash: HASH,
					problem: RowProblem::ByteLenMismatch { declared: 40, observed: 41 },
				},
				RowReport { datanet: 1, row: 3, hash: HASH, problem: RowProblem::Unfetchable },
				RowReport {
					datanet: 1,
					row: 4,
					hash: HASH,
					problem: RowProblem::NearDuplicate {
						original_datanet: 0,
						original: 2,
						similarity_ppm: 950_000,
					},
				},
			],
		},
		json!({ "reports": [
			{ "datanet": 1, "row": 2, "hash": HASH_HEX, "kind": "byte_len_mismatch", "declared": 40, "observed": 41 },
			{ "datanet": 1, "row": 3, "hash": HASH_HEX, "kind": "unfetchable" },
			{ "datanet": 1, "row": 4, "hash": HASH_HEX, "kind": "near_duplicate", "original_datanet": 0, "original": 2, "similarity_ppm": 950000 },
		] }),
	);
}

#[test]
fn row_checks() {
	pinned(
		RowsToCheck {
			rows: vec![RowToCheck { datanet: 1, row: 4, hash: HASH, contributed_at: 9 }],
		},
		json!({ "rows": [{ "datanet": 1, "row": 4, "hash": HASH_HEX, "contributed_at": 9 }] }),
	);
	pinned(ChecksAccepted { accepted: 1, waiting: 0 }, json!({ "accepted": 1, "waiting": 0 }));
	let quality = RowQuality {
		bytes: 12,
		utf8: true,
		chars: 12,
		words: 2,
		distinct_words_ppm: 1_000_000,
		letters_ppm: 833_333,
		digits_ppm: 0,
		whitespace_ppm: 83_333,
		punctuation_ppm: 83_333,
		control_ppm: 0,
		perplexity: Some(12.5),
	};
	pinned(
		RowCheck {
			datanet: 1,
			row: 4,
			hash: HASH,
			contributed_at: 9,
			status: CheckStatus::Checked,
			quality: Some(quality),
			closest: Some(ClosestRow {
				original_datanet: 0,
				original: 2,
				similarity_ppm: 950_000,
				sources: 1,
			}),
			near_duplicate: true,
			copies: 0,
		},
		json!({
			"datanet": 1, "row": 4, "hash": HASH_HEX, "contributed_at": 9, "status": "checked",
			"quality": {
				"bytes": 12, "utf8": true, "chars": 12, "words": 2, "distinct_words_ppm": 1000000,
				"letters_ppm": 833333, "digits_ppm": 0, "whitespace_ppm": 83333,
				"punctuation_ppm": 83333, "control_ppm": 0, "perplexity": 12.5
			},
			"closest": { "original_datanet": 0, "original": 2, "similarity_ppm": 950000, "sources": 1 },
			"near_duplicate": true,
			"copies": 0,
		}),
	);
}

#[test]
fn error_body() {
	pinned(
		ErrorBody {
			error: ErrorDetail {
				message: "no".into(),
				kind: "invalid_request_error".into(),
				param: Some("id".into()),
				code: None,
			},
		},
		json!({ "error": { "message": "no", "type": "invalid_request_error", "param": "id", "code": null } }),
	);
}

#[test]
fn an_undefined_measurement_is_null_and_reads_back_as_nan() {
	let metrics = EvalMetrics {
		adapter_hash: None,
		rows: 0,
		tokens: 0,
		eval_loss: f64::NAN,
		perplexity: f64::INFINITY,
		base_loss: 2.0,
		data: None,
	};
	let wire = serde_json::to_value(JobMetrics::Eval(metrics)).unwrap();
	assert_eq!(wire["eval_loss"], Value::Null);
	assert_eq!(wire["perplexity"], Value::Null);
	let JobMetrics::Eval(read) = serde_json::from_value(wire).unwrap() else {
		panic!("an eval's metrics read back as an eval's")
	};
	assert!(read.eval_loss.is_nan() && read.perplexity.is_nan());
	assert_eq!(loss_ppb(read.eval_loss), None, "the chain is never sent an undefined loss");
}
