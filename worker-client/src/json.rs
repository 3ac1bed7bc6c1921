//! The JSON shapes the sidecar's job API takes, built from chain types.

use alloc::vec::Vec;
use serde_json::{json, Value};
use tributary_primitives::{
	attribution::RowRef, datanets::PublishedRow, hex, training::TrainingSettings,
};

/// `TrainingSettings` as the sidecar's `settings` object.
pub fn settings(settings: &TrainingSettings) -> Value {
	let target_modules: Vec<&str> =
		settings.target_modules.iter().map(|module| module.hf_name()).collect();
	json!({
		"method": settings.method.name(),
		"rank": settings.rank,
		"alpha": settings.alpha,
		"dropout_ppm": settings.dropout_ppm,
		"target_modules": target_modules,
		"learning_rate_ppb": settings.learning_rate_ppb,
		"batch_size": settings.batch_size,
		"sequence_length": settings.sequence_length,
		"epochs": settings.epochs,
		"max_steps": settings.max_steps,
		"seed": settings.seed,
		"eval_fraction_ppm": settings.eval_fraction_ppm,
	})
}

/// An adapter's corpus as the sidecar names it: the chain's (datanet, row) and the content hash.
pub fn corpus(rows: &[(RowRef, PublishedRow)]) -> Value {
	Value::Array(
		rows.iter()
			.map(|(name, row)| json!({ "datanet": name.datanet, "row": name.row, "hash": hex::encode(&row.content_hash) }))
			.collect(),
	)
}

/// A job's rows: the corpus names with each row's declared `byte_len`, which the sidecar checks
/// against the bytes it assembles (and reports at `GET /rows/reports` when they differ).
pub fn job_rows(rows: &[(RowRef, PublishedRow)]) -> Value {
	Value::Array(
		rows.iter()
			.map(|(name, row)| {
				json!({
					"datanet": name.datanet,
					"row": name.row,
					"hash": hex::encode(&row.content_hash),
					"byte_len": row.byte_len,
				})
			})
			.collect(),
	)
}

/// A loss reported as a float, in parts per billion (what the chain stores).
pub fn loss_ppb(value: &Value) -> Option<u64> {
	let loss = value.as_f64()?;
	(loss.is_finite() && loss >= 0.0).then_some((loss * 1e9) as u64)
}

/// What a verifier's eval job on the sidecar reports (`/jobs/eval`, `metrics`), in parts per
/// billion: the held-out loss of the adapter (`eval_loss`) and of the base model alone on the
/// same rows (`base_loss`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct EvalLosses {
	pub eval_loss_ppb: u64,
	pub base_loss_ppb: u64,
}

impl EvalLosses {
	/// From an eval job's `metrics`; `None` when a loss is missing or not a finite, non-negative
	/// number.
	pub fn from_metrics(metrics: &Value) -> Option<Self> {
		Some(Self {
			eval_loss_ppb: loss_ppb(&metrics["eval_loss"])?,
			base_loss_ppb: loss_ppb(&metrics["base_loss"])?,
		})
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn settings_name_the_method_and_modules_like_the_sidecar() {
		let value = settings(&TrainingSettings::default());
		assert_eq!(value["method"], "lora");
		assert!(value["target_modules"].as_array().is_some_and(|m| !m.is_empty()));
	}

	#[test]
	fn losses_become_parts_per_billion() {
		assert_eq!(loss_ppb(&json!(1.5)), Some(1_500_000_000));
		assert_eq!(loss_ppb(&json!(-1.0)), None);
		assert_eq!(loss_ppb(&json!("x")), None);
	}

	#[test]
	fn eval_metrics_give_both_losses_or_none() {
		assert_eq!(
			EvalLosses::from_metrics(&json!({ "eval_loss": 1.25, "base_loss": 2.5, "rows": 3 })),
			Some(EvalLosses { eval_loss_ppb: 1_250_000_000, base_loss_ppb: 2_500_000_000 })
		);
		assert_eq!(EvalLosses::from_metrics(&json!({ "eval_loss": 1.25 })), None);
		assert_eq!(
			EvalLosses::from_metrics(&json!({ "eval_loss": 1.25, "base_loss": null })),
			None
		);
	}
}
