//! `tributary-worker-bench`: the OpenLoRA performance targets as ratios measured in one run.
//!
//! 1. Decode throughput with 1, 10, 100 and 1,000 distinct adapters (uniform and Zipf popularity)
//!    ÷ a batch all using one adapter, the two batches decoded step by step in turn. Every adapter is resident in the device tier, so
//!    this measures the heterogeneous gather, not loading.
//! 2. Heterogeneous batching ÷ merge-and-swap-per-request (merge the request's adapter into the
//!    base weights, decode it alone, unmerge) for 100 requests over 100 adapters, end to end.
//! 3. Cold adapter load (verified store read + parse + copy into a device slot), ms per MB.
//! 4. Resident memory of a running worker vs the number of registered adapters, with fixed cache
//!    budgets.
//! 5. Time to first token with a 1,000-token system prompt shared by every request, prefix
//!    caching on ÷ off.
//! 6. Throughput of 64 requests whose prompt + max_tokens, reserved up front, exceed the key/value
//!    pool: preemption on ÷ off.
//! 7. Decoding time per token with a JSON Schema `response_format` ÷ without, 8 requests decoded
//!    together, over SmolLM2's 49152-token vocabulary when `.data/smollm2-135m-instruct` exists.
//!
//! Usage: `tributary-worker-bench [--quick] [--toy] [--section N ...] [--device D] [--dtype T]`
//! (`--quick` shrinks every workload for a smoke run; `--toy` uses the tests' hidden-256 base
//! instead of SmolLM-135M's layer shapes; `--section` runs only the sections named; `--device`
//! and `--dtype` as the worker's, default auto and the device's serving default).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;
use tch::{Device, Kind, Tensor};
use tributary_engine::adapters::{BatchDeltas, LoadedAdapter, SlotStacks};
use tributary_model::generate::{generate, Sampling};
use tributary_model::model::module_path;
use tributary_model::paged::{BlockTable, PagedKvCache};
use tributary_model::peft::{AdapterConfig, PeftAdapter};
use tributary_model::rng::SplitMix64;
use tributary_model::{
	DeviceChoice, DeviceInfo, Llama, LlamaConfig, LoraSpec, ServingDtype, TargetModule,
	TargetModules,
};
use tributary_primitives::content_hash;
use tributary_store::Store;

const RANK: i64 = 8;

struct Sizes {
	rows: usize,
	prompt: usize,
	steps: usize,
	waves: usize,
	swap_requests: usize,
	/// Cold loads timed per rank.
	cold_loads: u64,
	registered: Vec<usize>,
}

/// The base model shape: SmolLM-135M's layers (hidden 576, 9 heads, 3 kv heads, intermediate
/// 1536, vocab 49152), the smallest real checkpoint the design names, so a rank-8 adapter has
/// the same size relative to each projection as in practice; 4 of its 30 layers keep the run
/// short. `toy` is the hidden-256 model of the tests, where each adapter is 5× larger relative to
/// the base and reading distinct adapters weighs correspondingly more.
fn bench_config(toy: bool) -> LlamaConfig {
	let mut config = if toy {
		LlamaConfig::tiny(2048, 256, 4, 8, 4)
	} else {
		LlamaConfig::tiny(49152, 576, 4, 9, 3)
	};
	config.max_position_embeddings = 512;
	config
}

fn spec() -> LoraSpec {
	LoraSpec::plain(RANK, 16.0, TargetModules::ALL)
}

/// A random adapter over every projection, as PEFT tensors.
fn random_adapter(config: &LlamaConfig, rank: i64, seed: u64) -> PeftAdapter {
	tch::manual_seed(seed as i64);
	let hidden = config.hidden_size;
	let q = config.num_attention_heads * config.head_dim();
	let kv = config.kv_heads() * config.head_dim();
	let inter = config.intermediate_size;
	let dims = [
		(hidden, q),
		(hidden, kv),
		(hidden, kv),
		(q, hidden),
		(hidden, inter),
		(hidden, inter),
		(inter, hidden),
	];
	let mut tensors = BTreeMap::new();
	for layer in 0..config.num_hidden_layers as usize {
		for (module, (in_f, out_f)) in TargetModule::ALL.into_iter().zip(dims) {
			let path = module_path(layer, module);
			let normal =
				|shape: [i64; 2]| Tensor::randn(shape, (tch::Kind::Float, Device::Cpu)) * 0.05;
			tensors.insert(format!("base_model.model.{path}.lora_A.weight"), normal([rank, in_f]));
			tensors.insert(format!("base_model.model.{path}.lora_B.weight"), normal([out_f, rank]));
		}
	}
	let spec = LoraSpec { rank, ..spec() };
	PeftAdapter { config: AdapterConfig::new(&spec, "bench-base"), tensors }
}

fn loaded(config: &LlamaConfig, adapter: &PeftAdapter) -> LoadedAdapter {
	let bytes = adapter.canonical_bytes().unwrap();
	let hash = content_hash(&bytes);
	LoadedAdapter::parse(&hash, &bytes, &adapter.config, config, adapter.config.r).unwrap()
}

/// Draws adapter indices 0..n: uniform, or Zipf (s = 1) popularity.
fn draw(n: usize, zipf: bool, rng: &mut SplitMix64) -> usize {
	if !zipf {
		return (rng.next_u64() % n as u64) as usize;
	}
	let total: f64 = (1..=n).map(|k| 1.0 / k as f64).sum();
	let mut target = rng.next_f64() * total;
	for k in 1..=n {
		target -= 1.0 / k as f64;
		if target <= 0.0 {
			return k - 1;
		}
	}
	n - 1
}

/// A batch of sequences with their adapter slots, prefilled and ready to decode.
struct DecodeBatch {
	rows: Vec<Vec<(usize, f64)>>,
	pool: PagedKvCache,
	tables: Vec<BlockTable>,
	next: Vec<i64>,
}

impl DecodeBatch {
	/// Prefills every row's prompt (all of one length) in one forward pass.
	fn prefilled(
		model: &Llama,
		stacks: &SlotStacks,
		sizes: &Sizes,
		rows: Vec<Vec<(usize, f64)>>,
	) -> DecodeBatch {
		let (mut pool, mut tables) = paged_cache(model, rows.len(), sizes.prompt + sizes.steps);
		let prompts: Vec<i64> = (0..rows.len() as i64)
			.flat_map(|r| (0..sizes.prompt as i64).map(move |i| (i * 31 + r) % 2000 + 1))
			.collect();
		let input = Tensor::from_slice(&prompts)
			.view([rows.len() as i64, sizes.prompt as i64])
			.to_device(model.device());
		let deltas = BatchDeltas::new(stacks, &rows, model.device());
		let mut refs: Vec<&mut BlockTable> = tables.iter_mut().collect();
		let logits = model.forward_rows(&input, &mut pool, &mut refs, &deltas).unwrap();
		let next = next_tokens(&logits.select(1, -1));
		DecodeBatch { rows, pool, tables, next }
	}

	/// One greedy decode step of every row; returns its seconds.
	fn step(&mut self, model: &Llama, stacks: &SlotStacks) -> f64 {
		let started = Instant::now();
		let deltas = BatchDeltas::new(stacks, &self.rows, model.device());
		let mut refs: Vec<&mut BlockTable> = self.tables.iter_mut().collect();
		let input = Tensor::from_slice(&self.next).unsqueeze(1).to_device(model.device());
		let logits = model.forward_rows(&input, &mut self.pool, &mut refs, &deltas).unwrap();
		self.next = next_tokens(&logits.select(1, 0));
		started.elapsed().as_secs_f64()
	}
}

/// The greedy token of each row of `[rows, vocab]` logits, on the host (which also waits for a
/// GPU to finish the step, so timings are complete).
fn next_tokens(logits: &Tensor) -> Vec<i64> {
	Vec::try_from(logits.argmax(-1, false).to_device(Device::Cpu)).unwrap()
}

/// A key/value pool (16-position blocks, as the worker's default) with room for `rows` sequences
/// of `positions` positions each, and their block tables.
fn paged_cache(model: &Llama, rows: usize, positions: usize) -> (PagedKvCache, Vec<BlockTable>) {
	let block_size: usize = 16;
	let blocks = (rows * positions.div_ceil(block_size)) as i64;
	let mut pool = PagedKvCache::new(
		&model.config,
		blocks,
		block_size as i64,
		model.activation_kind(),
		model.device(),
	);
	let tables = (0..rows).map(|_| pool.allocate(positions as i64).unwrap()).collect();
	(pool, tables)
}

/// Decode tok/s of a batch with one adapter on every row and of a batch whose rows' adapters are
/// drawn by `pick`, stepped in turn (one decode step of each) so both see the same machine load.
fn paired_throughput(
	model: &Llama,
	stacks: &SlotStacks,
	sizes: &Sizes,
	single_slot: usize,
	pick: &mut dyn FnMut() -> Vec<(usize, f64)>,
) -> (f64, f64) {
	let mut single =
		DecodeBatch::prefilled(model, stacks, sizes, vec![vec![(single_slot, 1.0)]; sizes.rows]);
	let mut workload =
		DecodeBatch::prefilled(model, stacks, sizes, (0..sizes.rows).map(|_| pick()).collect());
	let (mut single_seconds, mut workload_seconds) = (0.0, 0.0);
	for _ in 0..sizes.steps {
		single_seconds += single.step(model, stacks);
		workload_seconds += workload.step(model, stacks);
	}
	let tokens = (sizes.rows * sizes.steps) as f64;
	(tokens / single_seconds, tokens / workload_seconds)
}

/// `waves` paired runs: (best single-adapter tok/s, best workload tok/s, median of the pairs'
/// ratios). The best wave is the one least disturbed by other processes; the median pair is the
/// typical one.
fn compare(
	model: &Llama,
	stacks: &SlotStacks,
	sizes: &Sizes,
	single_slot: usize,
	pick: &mut dyn FnMut() -> Vec<(usize, f64)>,
) -> (f64, f64, f64) {
	let (mut single, mut workload) = (0f64, 0f64);
	let mut ratios = Vec::with_capacity(sizes.waves);
	for _ in 0..sizes.waves {
		let (single_wave, workload_wave) =
			paired_throughput(model, stacks, sizes, single_slot, pick);
		ratios.push(workload_wave / single_wave);
		single = single.max(single_wave);
		workload = workload.max(workload_wave);
	}
	(single, workload, median(&mut ratios))
}

fn throughput_section(model: &Llama, sizes: &Sizes) {
	let config = &model.config;
	let max_adapters = 1000;
	println!(
		"\n## 1. Decode throughput vs distinct adapters ({} rows in flight, {} decode steps; {} pairs of batches, the two batches of a pair stepped in turn)",
		sizes.rows, sizes.steps, sizes.waves
	);
	let (kind, device) = (model.activation_kind(), model.device());
	let budget = SlotStacks::slot_bytes(config, RANK, kind) * max_adapters as u64;
	let mut stacks = SlotStacks::new(config, RANK, budget, kind, device);
	let started = Instant::now();
	let slots: Vec<usize> = (0..max_adapters)
		.map(|i| {
			let adapter = random_adapter(config, RANK, 1000 + i as u64);
			let hash = content_hash(&(i as u64).to_le_bytes());
			stacks.install(hash, &loaded(config, &adapter), model).unwrap()
		})
		.collect();
	println!(
		"(made and installed {max_adapters} rank-{RANK} adapters in {:.1} s)",
		started.elapsed().as_secs_f64()
	);
	let (single, base_only, _) = compare(model, &stacks, sizes, slots[0], &mut Vec::new);
	println!(
		"base model alone: {base_only:.0} tok/s; one adapter for every row: {single:.0} tok/s"
	);
	println!("\n| distinct adapters | popularity | single-adapter tok/s | tok/s | ÷ single-adapter (best ÷ best) | median of paired ratios |");
	println!("|---:|---|---:|---:|---:|---:|");
	for n in [1usize, 10, 100, 1000] {
		for zipf in [false, true] {
			if n == 1 && zipf {
				continue;
			}
			let mut rng = SplitMix64(n as u64 * 7 + zipf as u64);
			let mut pick = || vec![(slots[draw(n, zipf, &mut rng)], 1.0)];
			let (single, rate, median) = compare(model, &stacks, sizes, slots[0], &mut pick);
			println!(
				"| {n} | {} | {single:.0} | {rate:.0} | {:.2} | {median:.2} |",
				if zipf { "Zipf" } else { "uniform" },
				rate / single
			);
		}
	}
}

fn swap_section(model: &mut Llama, sizes: &Sizes) {
	let n = sizes.swap_requests;
	let config = model.config.clone();
	println!("\n## 2. Heterogeneous batching vs merge-and-swap per request ({n} requests, {n} adapters, {} new tokens each)", sizes.steps);
	let adapters: Vec<PeftAdapter> =
		(0..n).map(|i| random_adapter(&config, RANK, 5000 + i as u64)).collect();
	let prompts: Vec<Vec<u32>> = (0..n)
		.map(|r| (0..sizes.prompt as u32).map(|i| (i * 17 + r as u32) % 2000 + 1).collect())
		.collect();

	let (kind, device) = (model.activation_kind(), model.device());
	let budget = SlotStacks::slot_bytes(&config, RANK, kind) * n as u64;
	let parsed: Vec<LoadedAdapter> = adapters.iter().map(|a| loaded(&config, a)).collect();
	let started = Instant::now();
	let mut stacks = SlotStacks::new(&config, RANK, budget, kind, device);
	let rows: Vec<Vec<(usize, f64)>> = parsed
		.iter()
		.enumerate()
		.map(|(i, a)| {
			vec![(stacks.install(content_hash(&(i as u64).to_le_bytes()), a, model).unwrap(), 1.0)]
		})
		.collect();
	// As the engine does: prompts of equal length prefilled in one pass, then decoded together.
	let (mut pool, mut tables) = paged_cache(model, n, sizes.prompt + sizes.steps);
	let ids: Vec<i64> = prompts.iter().flat_map(|p| p.iter().map(|&t| t as i64)).collect();
	let deltas = BatchDeltas::new(&stacks, &rows, device);
	let mut refs: Vec<&mut BlockTable> = tables.iter_mut().collect();
	let logits = model
		.forward_rows(
			&Tensor::from_slice(&ids).view([n as i64, sizes.prompt as i64]).to_device(device),
			&mut pool,
			&mut refs,
			&deltas,
		)
		.unwrap();
	let mut next = next_tokens(&logits.select(1, -1));
	for _ in 1..sizes.steps {
		let deltas = BatchDeltas::new(&stacks, &rows, device);
		let mut refs: Vec<&mut BlockTable> = tables.iter_mut().collect();
		let input = Tensor::from_slice(&next).unsqueeze(1).to_device(device);
		let logits = model.forward_rows(&input, &mut pool, &mut refs, &deltas).unwrap();
		next = next_tokens(&logits.select(1, 0));
	}
	let batch_seconds = started.elapsed().as_secs_f64();
	// The base model has no adapter attached until here; merge-and-swap runs last.
	let started = Instant::now();
	for (adapter, prompt) in adapters.iter().zip(&prompts) {
		adapter.apply_to(model, Path::new("bench")).unwrap();
		model.merge_lora().unwrap();
		let _ = generate(model, prompt, sizes.steps, &Sampling::Greedy, &[]).unwrap();
		model.unmerge_lora().unwrap();
	}
	let swap_seconds = started.elapsed().as_secs_f64();
	let tokens = (n * sizes.steps) as f64;
	println!("\n| method | seconds | tok/s |");
	println!("|---|---:|---:|");
	println!("| merge-and-swap per request | {swap_seconds:.2} | {:.0} |", tokens / swap_seconds);
	println!(
		"| heterogeneous batch (incl. adapter install) | {batch_seconds:.2} | {:.0} |",
		tokens / batch_seconds
	);
	println!("\nheterogeneous ÷ merge-and-swap: **{:.1}×**", swap_seconds / batch_seconds);
}

/// Adapters for every layer of the base (30 for SmolLM-135M: only the shapes are needed here, so
/// the adapters have their real size).
/// `model` is only read for DoRA adapters, which this section does not load.
fn cold_load_section(
	config: &LlamaConfig,
	model: &Llama,
	sizes: &Sizes,
	kind: Kind,
	device: Device,
) {
	let count = sizes.cold_loads;
	println!(
		"\n## 3. Cold adapter load of adapters over all {} layers (store read + blake2-256 verify + parse + device slot copy)",
		config.num_hidden_layers
	);
	println!("(as the engine's loader: the file is mapped and verified on a second thread while it parses;");
	println!("{count} adapters per rank, the median load and the mean; the parts are then timed one by one on");
	println!("the same adapters)");
	let dir = tempfile_dir("cold");
	let store = Store::open(&dir, 1 << 30).unwrap();
	println!("\n| rank | MB | median ms | ms per MB, median | ms per MB, mean | parts, median ms per MB: read | blake2-256 | parse | slot copy |");
	println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
	for rank in [8i64, 64] {
		// One slot: each adapter is removed after its load.
		let budget = SlotStacks::slot_bytes(config, rank, kind);
		let mut stacks = SlotStacks::new(config, rank, budget, kind, device);
		let (mut loads_ms, mut mb) = (Vec::new(), 0.0);
		let mut parts_ms: [Vec<f64>; 4] = Default::default();
		for i in 0..count {
			let adapter = random_adapter(config, rank, 9000 + i + rank as u64 * 100);
			let hash = store.put(&adapter.canonical_bytes().unwrap(), None).unwrap();
			let parse =
				|bytes: &[u8]| LoadedAdapter::parse(&hash, bytes, &adapter.config, config, rank);
			let started = Instant::now();
			let parsed = store.get_decoded(&hash, parse).unwrap().unwrap();
			let slot = stacks.install(hash, &parsed, model).unwrap();
			synchronize(device);
			loads_ms.push(started.elapsed().as_secs_f64() * 1e3);
			mb = parsed.bytes as f64 / 1e6;
			stacks.remove(&hash);

			let mut timed = |part: usize, started: Instant| {
				parts_ms[part].push(started.elapsed().as_secs_f64() * 1e3)
			};
			let started = Instant::now();
			let bytes =
				std::fs::read(dir.join("objects").join(tributary_primitives::hex::encode(&hash)))
					.unwrap();
			timed(0, started);
			let started = Instant::now();
			assert_eq!(content_hash(&bytes), hash);
			timed(1, started);
			let started = Instant::now();
			let parsed = parse(&bytes).unwrap();
			timed(2, started);
			let started = Instant::now();
			assert_eq!(stacks.install(hash, &parsed, model), Some(slot));
			synchronize(device);
			timed(3, started);
		}
		let mean = loads_ms.iter().sum::<f64>() / loads_ms.len() as f64;
		let [read, hash, parse, copy] = parts_ms.map(|mut part| median(&mut part) / mb);
		let load = median(&mut loads_ms);
		println!(
			"| {rank} | {mb:.2} | {load:.2} | {:.2} | {:.2} | {read:.2} | {hash:.2} | {parse:.2} | {copy:.2} |",
			load / mb,
			mean / mb
		);
	}
	let _ = std::fs::remove_dir_all(dir);
}

/// Waits for a GPU's queued copies and kernels, so they count in the time measured.
fn synchronize(device: Device) {
	if let Device::Cuda(index) = device {
		tch::Cuda::synchronize(index as i64);
	}
}

fn median(values: &mut [f64]) -> f64 {
	values.sort_by(f64::total_cmp);
	values[values.len() / 2]
}

fn tempfile_dir(name: &str) -> std::path::PathBuf {
	let dir =
		std::env::temp_dir().join(format!("tributary-worker-bench-{name}-{}", std::process::id()));
	let _ = std::fs::remove_dir_all(&dir);
	std::fs::create_dir_all(&dir).unwrap();
	dir
}

fn resident_mb() -> f64 {
	let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
	status
		.lines()
		.find_map(|l| l.strip_prefix("VmRSS:"))
		.and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
		.map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Registers adapters with a running worker over HTTP and serves requests across them, reading
/// this process's resident memory after each step.
fn memory_section(sizes: &Sizes, toy: bool, device: DeviceChoice, dtype: ServingDtype) {
	println!("\n## 4. Resident memory vs registered adapters (device budget 64 adapters, host budget 32 MB)");
	let dir = tempfile_dir("memory");
	let base = dir.join("base");
	let texts: Vec<String> = (0..200)
		.map(|i| format!("row {i}: the river carries silt to the delta at dawn"))
		.collect();
	let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
	let config =
		tributary_trainer::pretrain::write_random_base(&base, &refs, 512, bench_config(toy), 3)
			.unwrap();
	let runtime = tokio::runtime::Runtime::new().unwrap();
	runtime.block_on(async {
		let worker_config = tributary_worker::config::Config {
			listen: ([127, 0, 0, 1], 0).into(),
			operator_listen: ([127, 0, 0, 1], 0).into(),
			data_dir: dir.join("data"),
			base_model: Some(base.clone()),
			device_cache_bytes: SlotStacks::slot_bytes(&config, RANK, dtype.kind()) * 64,
			host_cache_bytes: 32 << 20,
			max_lora_rank: RANK,
			device,
			dtype: Some(dtype),
			..Default::default()
		};
		let worker = tributary_worker::server::start(worker_config).await.unwrap();
		let url = format!("http://{}", worker.operator_addr);
		let http = reqwest::Client::new();
		println!("\n| registered adapters | resident MB after serving the newest 64 |");
		println!("|---:|---:|");
		let mut registered = 0;
		for &target in &sizes.registered {
			while registered < target {
				let adapter = random_adapter(&config, RANK, 20_000 + registered as u64);
				let bytes = adapter.canonical_bytes().unwrap();
				let response = http.put(format!("{url}/store")).body(bytes).send().await.unwrap();
				let hash: serde_json::Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
				let body = serde_json::json!({ "id": format!("m{registered}"), "adapter_hash": hash["hash"], "adapter_config": adapter.config });
				let response = http.post(format!("{url}/v1/adapters")).body(body.to_string()).send().await.unwrap();
				assert_eq!(response.status().as_u16(), 201);
				registered += 1;
			}
			let requests = (registered.saturating_sub(64)..registered).map(|i| {
				let body = serde_json::json!({ "model": format!("m{i}"), "prompt": "the river", "max_tokens": 4, "temperature": 0 });
				let http = http.clone();
				let url = url.clone();
				async move { http.post(format!("{url}/v1/completions")).body(body.to_string()).send().await.unwrap().status() }
			});
			for status in futures::future::join_all(requests).await {
				assert!(status.is_success());
			}
			println!("| {registered} | {:.0} |", resident_mb());
		}
		worker.shutdown().await;
	});
	let _ = std::fs::remove_dir_all(dir);
}

/// A worker on a random base of `config`'s shape (its own BPE tokenizer; requests send token ids)
/// serving from `dir/data-<label>`, its configuration changed by `tweak`.
async fn bench_worker(
	dir: &Path,
	label: &str,
	config: LlamaConfig,
	device: DeviceChoice,
	dtype: ServingDtype,
	tweak: impl FnOnce(&mut tributary_worker::config::Config),
) -> (tributary_worker::server::RunningWorker, String) {
	let base = dir.join("base");
	if !base.exists() {
		let texts: Vec<String> = (0..200)
			.map(|i| format!("row {i}: the river carries silt to the delta"))
			.collect();
		let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
		tributary_trainer::pretrain::write_random_base(&base, &refs, 512, config, 3).unwrap();
	}
	let mut worker_config = tributary_worker::config::Config {
		listen: ([127, 0, 0, 1], 0).into(),
		operator_listen: ([127, 0, 0, 1], 0).into(),
		data_dir: dir.join(format!("data-{label}")),
		base_model: Some(base),
		max_lora_rank: RANK,
		device,
		dtype: Some(dtype),
		..Default::default()
	};
	tweak(&mut worker_config);
	let worker = tributary_worker::server::start(worker_config).await.unwrap();
	let url = format!("http://{}", worker.operator_addr);
	(worker, url)
}

/// Posts a completion of token ids (with `fields` besides) and returns its completion tokens.
async fn complete_ids(
	http: &reqwest::Client,
	url: &str,
	prompt: &[u32],
	max_tokens: usize,
	fields: serde_json::Value,
) -> u64 {
	let mut body = serde_json::json!({ "model": "base", "prompt": prompt, "max_tokens": max_tokens, "temperature": 0 });
	for (field, value) in fields.as_object().into_iter().flatten() {
		body[field] = value.clone();
	}
	let response = http
		.post(format!("{url}/v1/completions"))
		.body(body.to_string())
		.send()
		.await
		.unwrap();
	assert!(response.status().is_success(), "{}", response.text().await.unwrap());
	let answer: serde_json::Value =
		serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
	answer["usage"]["completion_tokens"].as_u64().unwrap()
}

fn prefix_cache_section(sizes: &Sizes, toy: bool, device: DeviceChoice, dtype: ServingDtype) {
	let system_tokens = if sizes.waves > 1 { 1000 } else { 200 };
	let requests = if sizes.waves > 1 { 8 } else { 3 };
	println!("\n## 5. Time to first token, {system_tokens}-token shared system prompt + 16-token question ({requests} requests each, medians)");
	let dir = tempfile_dir("prefix");
	let config = LlamaConfig { max_position_embeddings: 2048, ..bench_config(toy) };
	let runtime = tokio::runtime::Runtime::new().unwrap();
	let http = reqwest::Client::new();
	let mut rng = SplitMix64(11);
	let vocab = 256;
	let system: Vec<u32> = (0..system_tokens).map(|_| (rng.next_u64() % vocab) as u32).collect();
	let questions: Vec<Vec<u32>> = (0..=requests)
		.map(|_| (0..16).map(|_| (rng.next_u64() % vocab) as u32).collect())
		.collect();
	let mut medians = Vec::new();
	for caching in [false, true] {
		let ttft = runtime.block_on(async {
			let (worker, url) = bench_worker(
				&dir,
				&format!("caching-{caching}"),
				config.clone(),
				device,
				dtype,
				|c| c.prefix_caching = caching,
			)
			.await;
			let mut times = Vec::new();
			// The first request computes (and, with caching, keeps) the system prompt.
			for question in &questions {
				let prompt = [system.as_slice(), question].concat();
				let started = Instant::now();
				complete_ids(&http, &url, &prompt, 1, serde_json::json!({})).await;
				times.push(started.elapsed().as_secs_f64() * 1e3);
			}
			worker.shutdown().await;
			median(&mut times[1..])
		});
		medians.push(ttft);
	}
	println!("\n| prefix caching | time to first token (ms) |");
	println!("|---|---:|");
	println!("| off | {:.1} |", medians[0]);
	println!("| on | {:.1} |", medians[1]);
	println!("\nratio off ÷ on: {:.1}× (goal ≥ 5×)", medians[0] / medians[1]);
	let _ = std::fs::remove_dir_all(dir);
}

/// One workload of section 6: requests and what they send besides their prompt.
struct Workload {
	name: &'static str,
	max_tokens: usize,
	/// Extra request fields, by request index.
	fields: Box<dyn Fn(usize) -> serde_json::Value>,
}

fn preemption_section(sizes: &Sizes, toy: bool, device: DeviceChoice, dtype: ServingDtype) {
	let (requests, prompt_len, scale) = if sizes.waves > 1 { (64, 16, 1) } else { (16, 8, 4) };
	// Reserved up front, 16 requests fit at a time (blocks of 16 positions).
	let block_size: usize = 16;
	println!("\n## 6. Throughput, {requests} requests of {prompt_len} prompt tokens whose prompt + max_tokens, reserved up front, let 16 run at a time; preemption on ÷ off");
	let dir = tempfile_dir("preemption");
	let config = bench_config(toy);
	let runtime = tokio::runtime::Runtime::new().unwrap();
	let http = reqwest::Client::new();
	let mut rng = SplitMix64(12);
	let prompts: Vec<Vec<u32>> = (0..requests)
		.map(|_| (0..prompt_len).map(|_| (rng.next_u64() % 256) as u32).collect())
		.collect();
	// The random base's end-of-text token, made likely enough that generation ends after ~30
	// tokens on average: how clients use a generous max_tokens.
	runtime.block_on(async {
		bench_worker(&dir, "eos", config.clone(), device, dtype, |_| {})
			.await
			.0
			.shutdown()
			.await
	});
	let tokenizer = tokenizers::Tokenizer::from_file(dir.join("base/tokenizer.json")).unwrap();
	let eos = tributary_model::hf::eos_token(&tokenizer)
		.expect("the bench base has an end-of-text token");
	let workloads = [
		Workload {
			name: "every request runs to max_tokens 64 (greedy)",
			max_tokens: 64 / scale,
			fields: Box::new(|_| serde_json::json!({ "temperature": 0 })),
		},
		Workload {
			name: "max_tokens 128, sampled, ending at end-of-text (logit_bias +3)",
			max_tokens: 128 / scale,
			fields: Box::new(
				move |i| serde_json::json!({ "temperature": 1, "seed": i, "logit_bias": { eos.to_string(): 3 } }),
			),
		},
	];
	let kind = dtype.kind();
	println!(
		"\n| workload | pool blocks | preemption | tokens | tokens/s | wall s | preemptions |"
	);
	println!("|---|---:|---|---:|---:|---:|---:|");
	for workload in &workloads {
		let pool_blocks = 16 * (prompt_len + workload.max_tokens).div_ceil(block_size);
		let mut rates = Vec::new();
		for preemption in [false, true] {
			let (tokens, wall, preempted) = runtime.block_on(async {
				let label = format!("{}-{preemption}", workload.max_tokens);
				let (worker, url) =
					bench_worker(&dir, &label, config.clone(), device, dtype, |c| {
						c.preemption = preemption;
						c.prefix_caching = false;
						c.max_batch = requests;
						c.max_queue = requests;
						c.kv_block_size = block_size as i64;
						c.kv_cache_bytes = pool_blocks as u64
							* PagedKvCache::block_bytes(&config, block_size as i64, kind);
					})
					.await;
				let started = Instant::now();
				let tokens: u64 =
					futures::future::join_all(prompts.iter().enumerate().map(|(i, prompt)| {
						complete_ids(&http, &url, prompt, workload.max_tokens, (workload.fields)(i))
					}))
					.await
					.into_iter()
					.sum();
				let wall = started.elapsed().as_secs_f64();
				let metrics =
					http.get(format!("{url}/metrics")).send().await.unwrap().text().await.unwrap();
				let preempted = metrics
					.lines()
					.find_map(|l| l.strip_prefix("tributary_worker_preemptions_total "))
					.unwrap_or("0")
					.to_string();
				worker.shutdown().await;
				(tokens, wall, preempted)
			});
			let rate = tokens as f64 / wall;
			let on = if preemption { "on" } else { "off" };
			println!(
				"| {} | {pool_blocks} | {on} | {tokens} | {rate:.0} | {wall:.1} | {preempted} |",
				workload.name
			);
			rates.push(rate);
		}
		println!("\n{}: ratio on ÷ off {:.2}×\n", workload.name, rates[1] / rates[0]);
	}
	let _ = std::fs::remove_dir_all(dir);
}

/// SmolLM2's tokenizer (from `scripts/base-model.sh`'s checkpoint), when it is there.
fn smollm2_tokenizer() -> Option<std::path::PathBuf> {
	let path = Path::new(env!("CARGO_MANIFEST_DIR"))
		.join("../../.data/smollm2-135m-instruct/tokenizer.json");
	path.is_file().then_some(path)
}

fn structured_section(sizes: &Sizes, toy: bool, device: DeviceChoice, dtype: ServingDtype) {
	let (rows, max_tokens, rounds) = if sizes.waves > 1 { (8, 64, 3) } else { (4, 16, 1) };
	let dir = tempfile_dir("structured");
	let mut config = bench_config(toy);
	let vocabulary = match smollm2_tokenizer() {
		Some(tokenizer) => {
			let base = dir.join("base");
			config.vocab_size = 49152;
			let model = Llama::random(config.clone(), 5, Device::Cpu).unwrap();
			tributary_model::hf::save_model(&model, &base).unwrap();
			std::fs::copy(tokenizer, base.join("tokenizer.json")).unwrap();
			"SmolLM2's tokenizer, 49152 tokens"
		},
		None => "the bench's own 512-token tokenizer (no .data/smollm2-135m-instruct)",
	};
	println!("\n## 7. Structured output: {rows} requests decoded together, {max_tokens} tokens each, {vocabulary}; medians of {rounds} rounds");
	// Many grammar states per token: keys, strings, integers, separators, nesting.
	let schema = serde_json::json!({
		"type": "object",
		"properties": { "items": { "type": "array", "minItems": 8, "items": {
			"type": "object",
			"properties": { "name": { "type": "string" }, "count": { "type": "integer" } },
			"required": ["name", "count"], "additionalProperties": false } } },
		"required": ["items"], "additionalProperties": false
	});
	let formats = [
		("none", serde_json::json!({})),
		(
			"json_schema",
			serde_json::json!({ "response_format": { "type": "json_schema", "json_schema": { "name": "items", "schema": schema } } }),
		),
	];
	let runtime = tokio::runtime::Runtime::new().unwrap();
	let http = reqwest::Client::new();
	let mut rng = SplitMix64(13);
	let prompts: Vec<Vec<u32>> = (0..rows)
		.map(|_| (0..16).map(|_| (rng.next_u64() % 256) as u32).collect())
		.collect();
	let per_token = runtime.block_on(async {
		let (worker, url) =
			bench_worker(&dir, "structured", config, device, dtype, |c| c.prefix_caching = false)
				.await;
		let mut per_token = Vec::new();
		for (_, fields) in &formats {
			let (http, url) = (&http, &url);
			let batch = |round: usize| {
				futures::future::join_all(prompts.iter().enumerate().map(move |(i, prompt)| {
					let mut fields = fields.clone();
					fields["temperature"] = 0.8.into();
					fields["seed"] = (round * rows + i).into();
					complete_ids(http, url, prompt, max_tokens, fields)
				}))
			};
			// The first structured request builds the vocabulary's trie: not timed.
			batch(rounds).await;
			let mut times = Vec::new();
			for round in 0..rounds {
				let started = Instant::now();
				let tokens: u64 = batch(round).await.into_iter().sum();
				times.push(started.elapsed().as_secs_f64() * 1e3 / (tokens as f64 / rows as f64));
			}
			per_token.push(median(&mut times));
		}
		worker.shutdown().await;
		per_token
	});
	println!("\n| response_format | ms per token (batch of {rows}) |");
	println!("|---|---:|");
	for ((name, _), ms) in formats.iter().zip(&per_token) {
		println!("| {name} | {ms:.2} |");
	}
	println!("\nratio json_schema ÷ none: {:.2}× (goal ≤ 1.2×)", per_token[1] / per_token[0]);
	let _ = std::fs::remove_dir_all(dir);
}

fn main() {
	let args: Vec<String> = std::env::args().collect();
	let quick = args.iter().any(|a| a == "--quick");
	// `--section N` (repeatable) runs only those sections; none given runs them all.
	let chosen: Vec<u32> = args
		.windows(2)
		.filter(|w| w[0] == "--section")
		.filter_map(|w| w[1].parse().ok())
		.collect();
	let runs = |section: u32| chosen.is_empty() || chosen.contains(&section);
	let value_of = |flag: &str| args.windows(2).find(|w| w[0] == flag).map(|w| w[1].clone());
	let choice: DeviceChoice = value_of("--device")
		.map_or(Ok(DeviceChoice::Auto), |d| d.parse())
		.unwrap_or_else(|e| panic!("{e}"));
	let device = choice.resolve().unwrap_or_else(|e| panic!("{e}"));
	let dtype = value_of("--dtype")
		.map_or(Ok(ServingDtype::default_for(device)), |d| d.parse())
		.unwrap_or_else(|e| panic!("{e}"));
	let sizes = if quick {
		Sizes {
			rows: 16,
			prompt: 8,
			steps: 4,
			waves: 1,
			swap_requests: 10,
			cold_loads: 3,
			registered: vec![0, 20, 80],
		}
	} else {
		Sizes {
			rows: 64,
			prompt: 16,
			steps: 16,
			waves: 5,
			swap_requests: 100,
			cold_loads: 25,
			registered: vec![0, 100, 400, 1000],
		}
	};
	// One intra-op thread: with more, torch's spinning workers collapse when the 2 cores are shared.
	tch::set_num_threads(1);
	let toy = args.iter().any(|a| a == "--toy");
	let config = bench_config(toy);
	let full_depth = if toy { config.num_hidden_layers } else { 30 };
	println!("# tributary-worker benchmark");
	println!(
		"base: Llama hidden {} × {} layers, {} heads ({} kv), vocab {}; LoRA rank {RANK} on all 7 projections; device {}, {dtype}; torch threads {}",
		config.hidden_size,
		config.num_hidden_layers,
		config.num_attention_heads,
		config.kv_heads(),
		config.vocab_size,
		DeviceInfo::of(device),
		tch::get_num_threads()
	);
	let mut model = Llama::random(config.clone(), 1, Device::Cpu)
		.and_then(|model| model.converted(dtype.kind(), device))
		.unwrap();
	let (projection_bytes, _) = model.projection_weight_bytes();
	println!(
		"one rank-{RANK} adapter = {:.2} MB = {:.1}% of the base's projection weights",
		SlotStacks::slot_bytes(&config, RANK, dtype.kind()) as f64 / 1e6,
		100.0 * SlotStacks::slot_bytes(&config, RANK, dtype.kind()) as f64
			/ projection_bytes as f64
	);
	tch::no_grad(|| {
		if runs(1) {
			throughput_section(&model, &sizes);
		}
		if runs(2) {
			swap_section(&mut model, &sizes);
		}
		if runs(3) {
			cold_load_section(
				&LlamaConfig { num_hidden_layers: full_depth, ..config.clone() },
				&model,
				&sizes,
				dtype.kind(),
				device,
			);
		}
	});
	if runs(4) {
		memory_section(&sizes, toy, choice, dtype);
	}
	if runs(5) {
		prefix_cache_section(&sizes, toy, choice, dtype);
	}
	if runs(6) {
		preemption_section(&sizes, toy, choice, dtype);
	}
	if runs(7) {
		structured_section(&sizes, toy, choice, dtype);
	}
}
