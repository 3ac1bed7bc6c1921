//! Heterogeneous batching at the tensor level: every row of one batched step equals that row run
//! alone through the model with its adapter installed.

mod common;

use tch::{Device, Kind, Tensor};
use tributary_engine::adapters::{BatchDeltas, LoadedAdapter, SlotStacks};
use tributary_model::hf::load_model;
use tributary_model::paged::{BlockTable, PagedKvCache};
use tributary_model::peft::PeftAdapter;

fn max_abs_diff(a: &Tensor, b: &Tensor) -> f64 {
	f64::try_from((a - b).abs().max()).unwrap()
}

#[test]
fn every_row_of_a_mixed_batch_equals_its_request_alone() {
	let fixture = common::Fixture::new();
	let base = load_model(&fixture.base, Kind::Float, Device::Cpu).unwrap();
	let adapters: Vec<PeftAdapter> =
		(0..4).map(|seed| common::make_adapter(&fixture.base, seed)).collect();
	let mut stacks = SlotStacks::new(&base.config, 8, 1 << 20, Device::Cpu);
	let mut slots = Vec::new();
	for adapter in &adapters {
		let bytes = adapter.canonical_bytes().unwrap();
		let hash = adapter.content_hash().unwrap();
		let loaded = LoadedAdapter::parse(&hash, &bytes, &adapter.config, &base.config, 8).unwrap();
		slots.push(stacks.install(hash, &loaded).unwrap());
	}
	// Rows: base, adapters 0..3, and an ensemble of adapters 1 and 2, each with its own history.
	let rows: Vec<Vec<(usize, f64)>> = vec![
		vec![],
		vec![(slots[0], 1.0)],
		vec![(slots[1], 1.0)],
		vec![(slots[2], 1.0)],
		vec![(slots[3], 1.0)],
		vec![(slots[1], 0.5), (slots[2], 0.5)],
	];
	let histories: Vec<Vec<i64>> = (0..rows.len())
		.map(|r| (0..(3 + 2 * r as i64)).map(|i| (i * 7 + r as i64) % 50 + 1).collect())
		.collect();
	let next_tokens: Vec<i64> = (0..rows.len() as i64).map(|r| 10 + r).collect();

	tch::no_grad(|| {
		// Batched: each row prefilled alone into its blocks of one pool (4 positions per block, so
		// histories span blocks), then one decode step for all rows together.
		let mut pool = PagedKvCache::new(&base.config, 32, 4, Kind::Float, Device::Cpu);
		let mut tables: Vec<BlockTable> =
			histories.iter().map(|h| pool.allocate(h.len() as i64 + 1).unwrap()).collect();
		for (r, history) in histories.iter().enumerate() {
			let deltas = BatchDeltas::new(&stacks, &rows[r..r + 1], Device::Cpu);
			let input = Tensor::from_slice(history).unsqueeze(0);
			let _ = base.forward_rows(&input, &mut pool, &mut [&mut tables[r]], &deltas).unwrap();
		}
		let deltas = BatchDeltas::new(&stacks, &rows, Device::Cpu);
		let input = Tensor::from_slice(&next_tokens).unsqueeze(1);
		let mut table_refs: Vec<&mut BlockTable> = tables.iter_mut().collect();
		let batched = base
			.forward_rows(&input, &mut pool, &mut table_refs, &deltas)
			.unwrap()
			.select(1, 0);

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
