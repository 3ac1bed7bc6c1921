//! Heterogeneous batching at the tensor level: every row of one batched step equals that row run
//! alone through the model with its adapter installed, and serving in bf16 agrees with f32.

mod common;

use tch::{Device, Kind, Tensor};
use tributary_engine::adapters::{BatchDeltas, LoadedAdapter, SlotStacks};
use tributary_model::hf::load_model;
use tributary_model::paged::{BlockTable, PagedKvCache};
use tributary_model::peft::PeftAdapter;
use tributary_model::Llama;

fn max_abs_diff(a: &Tensor, b: &Tensor) -> f64 {
	f64::try_from((a.to_kind(Kind::Float) - b.to_kind(Kind::Float)).abs().max()).unwrap()
}

/// The test adapters installed into stacks of the model's kind, and their slots.
fn installed(base: &Llama, adapters: &[PeftAdapter]) -> (SlotStacks, Vec<usize>) {
	let mut stacks =
		SlotStacks::new(&base.config, 8, 1 << 20, base.activation_kind(), base.device());
	let slots = adapters
		.iter()
		.map(|adapter| {
			let bytes = adapter.canonical_bytes().unwrap();
			let hash = adapter.content_hash().unwrap();
			let loaded =
				LoadedAdapter::parse(&hash, &bytes, &adapter.config, &base.config, 8).unwrap();
			stacks.install(hash, &loaded, base).unwrap()
		})
		.collect();
	(stacks, slots)
}

/// Rows: base, adapters 0..3, and an ensemble of adapters 1 and 2, each with its own history.
fn mixed_rows(slots: &[usize]) -> Vec<Vec<(usize, f64)>> {
	vec![
		vec![],
		vec![(slots[0], 1.0)],
		vec![(slots[1], 1.0)],
		vec![(slots[2], 1.0)],
		vec![(slots[3], 1.0)],
		vec![(slots[1], 0.5), (slots[2], 0.5)],
	]
}

/// Each row prefilled alone into its blocks of one pool (4 positions per block, so histories span
/// blocks), then one decode step for all rows together: the step's logits, [rows, vocab].
fn batched_step(
	base: &Llama,
	stacks: &SlotStacks,
	rows: &[Vec<(usize, f64)>],
	histories: &[Vec<i64>],
	next_tokens: &[i64],
) -> Tensor {
	let device = base.device();
	let mut pool = PagedKvCache::new(&base.config, 32, 4, base.activation_kind(), device);
	let mut tables: Vec<BlockTable> =
		histories.iter().map(|h| pool.allocate(h.len() as i64 + 1).unwrap()).collect();
	for (r, history) in histories.iter().enumerate() {
		let deltas = BatchDeltas::new(stacks, &rows[r..r + 1], device);
		let input = Tensor::from_slice(history).unsqueeze(0).to_device(device);
		let _ = base.forward_rows(&input, &mut pool, &mut [&mut tables[r]], &deltas).unwrap();
	}
	let deltas = BatchDeltas::new(stacks, rows, device);
	let input = Tensor::from_slice(next_tokens).unsqueeze(1).to_device(device);
	let mut table_refs: Vec<&mut BlockTable> = tables.iter_mut().collect();
	base.forward_rows(&input, &mut pool, &mut table_refs, &deltas)
		.unwrap()
		.select(1, 0)
}

fn histories(rows: usize) -> Vec<Vec<i64>> {
	(0..rows)
		.map(|r| (0..(3 + 2 * r as i64)).map(|i| (i * 7 + r as i64) % 50 + 1).collect())
		.collect()
}

#[test]
fn every_row_of_a_mixed_batch_equals_its_request_alone() {
	let fixture = common::Fixture::new();
	let base = load_model(&fixture.base, Kind::Float, Device::Cpu).unwrap();
	let adapters: Vec<PeftAdapter> =
		(0..4).map(|seed| common::make_adapter(&fixture.base, seed)).collect();
	let (stacks, slots) = installed(&base, &adapters);
	let rows = mixed_rows(&slots);
	let histories = histories(rows.len());
	let next_tokens: Vec<i64> = (0..rows.len() as i64).map(|r| 10 + r).collect();

	tch::no_grad(|| {
		let batched = batched_step(&base, &stacks, &rows, &histories, &next_tokens);

		// Alone: the full sequence through a model with the adapter (or a merged ensemble) installed.
		for (r, history) in histories.iter().enumerate() {
			let mut model = load_model(&fixture.base, Kind::Float, Device::Cpu).unwrap();
			let mut sequence = history.clone();
			sequence.push(next_tokens[r]);
			let ids = Tensor::from_slice(&sequence).unsqueeze(0);
			let expected = match r {
				0 => model.forward(&ids, false).unwrap(),
				1..=4 => {
					adapters[r - 1].apply_to(&mut model, std::path::Path::new("test")).unwrap();
					model.forward(&ids, false).unwrap()
				},
				_ => {
					// Ensemble: half of each adapter's delta, folded in one after the other.
					for adapter in [&adapters[1], &adapters[2]] {
						let mut half = PeftAdapter {
							config: adapter.config.clone(),
							tensors: Default::default(),
						};
						for (name, tensor) in &adapter.tensors {
							let scaled = if name.contains("lora_B") {
								tensor * 0.5
							} else {
								tensor.shallow_clone()
							};
							half.tensors.insert(name.clone(), scaled);
						}
						half.apply_to(&mut model, std::path::Path::new("test")).unwrap();
						model.merge_lora().unwrap();
					}
					model.forward(&ids, false).unwrap()
				},
			};
			let expected = expected.select(1, -1).squeeze_dim(0);
			let diff = max_abs_diff(&batched.get(r as i64), &expected);
			assert!(diff < 1e-4, "row {r} differs from its request alone by {diff}");
		}
		// The adapters matter: rows with adapters differ from the base row's logits for the same input.
		assert!(max_abs_diff(&batched.get(1), &batched.get(0)) > 1e-3);
	});
}

/// DoRA adapters are served from the shared base too: a batch of a DoRA row, a LoRA row, the bare
/// base and a second DoRA row equals each request run alone with its adapter installed (DoRA's
/// forward in tributary-model is PEFT's, tests/hf_interop.rs in that crate).
#[test]
fn dora_rows_of_a_mixed_batch_equal_their_request_alone() {
	let fixture = common::Fixture::new();
	let base = load_model(&fixture.base, Kind::Float, Device::Cpu).unwrap();
	let adapters = vec![
		common::make_dora_adapter(&fixture.base, 0),
		common::make_adapter(&fixture.base, 1),
		common::make_dora_adapter(&fixture.base, 2),
	];
	let (stacks, slots) = installed(&base, &adapters);
	let rows = vec![vec![(slots[0], 1.0)], vec![(slots[1], 1.0)], vec![], vec![(slots[2], 1.0)]];
	let adapter_of = [Some(0), Some(1), None, Some(2)];
	let histories = histories(rows.len());
	let next_tokens: Vec<i64> = (0..rows.len() as i64).map(|r| 20 + r).collect();
	tch::no_grad(|| {
		let batched = batched_step(&base, &stacks, &rows, &histories, &next_tokens);
		for (r, history) in histories.iter().enumerate() {
			let mut model = load_model(&fixture.base, Kind::Float, Device::Cpu).unwrap();
			if let Some(index) = adapter_of[r] {
				adapters[index].apply_to(&mut model, std::path::Path::new("test")).unwrap();
			}
			let mut sequence = history.clone();
			sequence.push(next_tokens[r]);
			let ids = Tensor::from_slice(&sequence).unsqueeze(0);
			let expected = model.forward(&ids, false).unwrap().select(1, -1).squeeze_dim(0);
			let diff = max_abs_diff(&batched.get(r as i64), &expected);
			assert!(diff < 1e-4, "row {r} differs from its request alone by {diff}");
		}
		assert!(max_abs_diff(&batched.get(0), &batched.get(2)) > 1e-3, "DoRA changes the output");
	});
}

/// bf16 serving (base weights, activations and stacked adapters in bf16; logits compared in f32)
/// against f32 on the same mixed batch: every logit within 2% of the f32 logits' range, and the
/// greedy token the same wherever f32's top two are further apart than that tolerance.
#[test]
fn bf16_serving_agrees_with_f32_within_tolerance() {
	let fixture = common::Fixture::new();
	let f32_base = load_model(&fixture.base, Kind::Float, Device::Cpu).unwrap();
	let bf16_base = load_model(&fixture.base, Kind::BFloat16, Device::Cpu).unwrap();
	assert_eq!(bf16_base.activation_kind(), Kind::BFloat16);
	let adapters: Vec<PeftAdapter> =
		(0..4).map(|seed| common::make_adapter(&fixture.base, seed)).collect();
	let (f32_stacks, slots) = installed(&f32_base, &adapters);
	let (bf16_stacks, bf16_slots) = installed(&bf16_base, &adapters);
	assert_eq!((slots.clone(), bf16_stacks.kind()), (bf16_slots, Kind::BFloat16));
	let rows = mixed_rows(&slots);
	let histories = histories(rows.len());
	let next_tokens: Vec<i64> = (0..rows.len() as i64).map(|r| 10 + r).collect();
	tch::no_grad(|| {
		let exact = batched_step(&f32_base, &f32_stacks, &rows, &histories, &next_tokens);
		let half = batched_step(&bf16_base, &bf16_stacks, &rows, &histories, &next_tokens);
		assert_eq!(half.kind(), Kind::BFloat16);
		let range = f64::try_from(exact.max() - exact.min()).unwrap();
		let tolerance = 0.02 * range;
		let diff = max_abs_diff(&half, &exact);
		println!("bf16 vs f32: max |Δlogit| {diff:.4} (logit range {range:.3}, tolerance {tolerance:.4})");
		assert!(diff <= tolerance, "bf16 logits differ from f32 by {diff} > {tolerance}");
		let half = half.to_kind(Kind::Float);
		for r in 0..rows.len() as i64 {
			let (top, _) = exact.get(r).topk(2, -1, true, true);
			let margin = f64::try_from(top.get(0) - top.get(1)).unwrap();
			let argmax = |logits: &Tensor| i64::try_from(logits.get(r).argmax(-1, false)).unwrap();
			if margin > tolerance {
				assert_eq!(argmax(&half), argmax(&exact), "row {r}: greedy tokens differ");
			}
		}
	});
}
