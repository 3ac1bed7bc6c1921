//! Prometheus metrics of the worker, served at `/metrics` in the text exposition format.

use prometheus::{
	Encoder, Gauge, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, IntGaugeVec,
	Opts, Registry, TextEncoder,
};
use tributary_model::{DeviceInfo, ServingDtype};

pub struct Metrics {
	registry: Registry,
	/// Requests waiting for a place in the batch.
	pub queue_depth: IntGauge,
	/// Sequences being decoded.
	pub active_sequences: IntGauge,
	/// Rows of each decode step.
	pub batch_size: Histogram,
	pub tokens_generated: IntCounter,
	/// Tokens per second of the latest decode step (all rows).
	pub decode_tokens_per_second: Gauge,
	/// Adapter lookups served by a tier: device (stacked), host (parsed), disk (store), peer.
	pub cache_hits: IntCounterVec,
	/// Adapter lookups a tier could not serve.
	pub cache_misses: IntCounterVec,
	/// Seconds from a cold adapter's request to its weights parsed in host memory.
	pub adapter_load_seconds: Histogram,
	pub quarantined_adapters: IntGauge,
	/// Blocks of the paged key/value cache held by sequences, and in the pool.
	pub kv_blocks_used: IntGauge,
	pub kv_blocks_total: IntGauge,
	/// Prompt tokens whose keys and values were taken from the prefix cache, not computed.
	pub prefix_cached_tokens: IntCounter,
	/// Sequences preempted (their blocks freed, recomputed later) because the pool was full.
	pub preemptions: IntCounter,
	/// HTTP API responses by route family and status class.
	pub requests: IntCounterVec,
	/// 1, labelled with the serving device, its name and the served dtype.
	device_info: IntGaugeVec,
	/// The serving device's memory (the GPU's own, or the host's for the CPU).
	device_memory_bytes: IntGauge,
}

impl Metrics {
	pub fn new() -> Metrics {
		let registry = Registry::new();
		let gauge = |name: &str, help: &str| {
			IntGauge::new(format!("tributary_worker_{name}"), help).expect("valid metric")
		};
		let queue_depth = gauge("queue_depth", "Requests waiting for a place in the decode batch");
		let active_sequences = gauge("active_sequences", "Sequences being decoded");
		let quarantined_adapters =
			gauge("quarantined_adapters", "Adapters refused because their bytes are corrupt");
		let kv_blocks_used =
			gauge("kv_blocks_used", "Key/value cache blocks reserved by sequences");
		let kv_blocks_total = gauge("kv_blocks_total", "Key/value cache blocks in the pool");
		let batch_size = Histogram::with_opts(
			HistogramOpts::new("tributary_worker_batch_size", "Rows per decode step")
				.buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0]),
		)
		.expect("valid metric");
		let tokens_generated =
			IntCounter::new("tributary_worker_tokens_generated_total", "Tokens generated")
				.expect("valid metric");
		let decode_tokens_per_second = Gauge::new(
			"tributary_worker_decode_tokens_per_second",
			"Tokens per second of the latest decode step over all rows",
		)
		.expect("valid metric");
		let cache_hits = IntCounterVec::new(
			Opts::new(
				"tributary_worker_adapter_cache_hits_total",
				"Adapter lookups served, by tier",
			),
			&["tier"],
		)
		.expect("valid metric");
		let cache_misses = IntCounterVec::new(
			Opts::new(
				"tributary_worker_adapter_cache_misses_total",
				"Adapter lookups a tier could not serve",
			),
			&["tier"],
		)
		.expect("valid metric");
		let counter = |name: &str, help: &str| {
			IntCounter::new(format!("tributary_worker_{name}"), help).expect("valid metric")
		};
		let prefix_cached_tokens = counter(
			"prefix_cached_tokens_total",
			"Prompt tokens whose keys and values came from the prefix cache",
		);
		let preemptions =
			counter("preemptions_total", "Sequences preempted because the key/value pool was full");
		let adapter_load_seconds = Histogram::with_opts(
			HistogramOpts::new(
				"tributary_worker_adapter_load_seconds",
				"Cold adapter load latency",
			)
			.buckets(vec![0.001, 0.005, 0.02, 0.05, 0.1, 0.5, 1.0, 5.0]),
		)
		.expect("valid metric");
		let requests = IntCounterVec::new(
			Opts::new(
				"tributary_worker_http_responses_total",
				"HTTP responses by route and status",
			),
			&["route", "status"],
		)
		.expect("valid metric");
		let device_info = IntGaugeVec::new(
			Opts::new(
				"tributary_worker_device_info",
				"The device models are served on (label values), always 1",
			),
			&["device", "name", "dtype"],
		)
		.expect("valid metric");
		let device_memory_bytes = gauge(
			"device_memory_bytes",
			"Memory of the serving device (GPU memory, or host memory)",
		);
		for collector in [
			Box::new(queue_depth.clone()) as Box<dyn prometheus::core::Collector>,
			Box::new(active_sequences.clone()),
			Box::new(quarantined_adapters.clone()),
			Box::new(kv_blocks_used.clone()),
			Box::new(kv_blocks_total.clone()),
			Box::new(prefix_cached_tokens.clone()),
			Box::new(preemptions.clone()),
			Box::new(batch_size.clone()),
			Box::new(tokens_generated.clone()),
			Box::new(decode_tokens_per_second.clone()),
			Box::new(cache_hits.clone()),
			Box::new(cache_misses.clone()),
			Box::new(adapter_load_seconds.clone()),
			Box::new(requests.clone()),
			Box::new(device_info.clone()),
			Box::new(device_memory_bytes.clone()),
		] {
			registry.register(collector).expect("metric names are unique");
		}
		Metrics {
			registry,
			queue_depth,
			active_sequences,
			batch_size,
			tokens_generated,
			decode_tokens_per_second,
			cache_hits,
			cache_misses,
			adapter_load_seconds,
			quarantined_adapters,
			kv_blocks_used,
			kv_blocks_total,
			prefix_cached_tokens,
			preemptions,
			requests,
			device_info,
			device_memory_bytes,
		}
	}

	/// Records the serving device and dtype (once, at start).
	pub fn set_device(&self, device: &DeviceInfo, dtype: ServingDtype) {
		let dtype = dtype.to_string();
		self.device_info
			.with_label_values(&[&device.device, &device.name, &dtype])
			.set(1);
		self.device_memory_bytes.set(device.memory_bytes as i64);
	}

	pub fn render(&self) -> String {
		let mut out = Vec::new();
		TextEncoder::new()
			.encode(&self.registry.gather(), &mut out)
			.expect("text encoding never fails");
		String::from_utf8(out).expect("the text format is UTF-8")
	}
}

impl Default for Metrics {
	fn default() -> Self {
		Metrics::new()
	}
}
