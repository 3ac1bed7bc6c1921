//! Settings of a worker: a TOML file, overridden field by field by command-line flags.

use clap::Parser;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use tributary_model::{DeviceChoice, ServingDtype};
use tributary_receipts::account::Account;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
	#[error("cannot read config file {path}: {source}")]
	Read { path: PathBuf, source: std::io::Error },
	#[error("config file {path} is invalid: {reason}")]
	Invalid { path: PathBuf, reason: String },
	#[error(
		"no base model directory: pass --base-model <dir> or set base_model in the config file"
	)]
	NoBaseModel,
	#[error("invalid setting {setting}: {reason}")]
	Setting { setting: &'static str, reason: String },
}

/// The whole configuration, with defaults for everything but the base model.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
	/// Where the public API listens (OpenAI routes, receipt signing, objects for peers); loopback
	/// by default, so nothing is exposed unless asked for.
	pub listen: SocketAddr,
	/// Where the operator API listens (everything public plus adapters, jobs, `PUT /store`,
	/// receipts to submit, recomputation, row checks, metrics): the node's `--worker-url`. Keep it
	/// on loopback or a private network.
	pub operator_listen: SocketAddr,
	/// Holds the content store, the model registry and the jobs.
	pub data_dir: PathBuf,
	/// HF checkpoint directory of the base model (config.json, model.safetensors, tokenizer.json).
	pub base_model: Option<PathBuf>,
	/// Name of the base model in `/v1/models` and requests; requests for it run without adapter.
	pub base_model_id: String,
	/// Store the base projections as int8 (weight-only quantization).
	pub int8: bool,
	/// Where models run: `auto` (the first GPU if any, else the CPU), `cpu`, `cuda` or `cuda:N`;
	/// a GPU asked for and not found stops the worker at start.
	pub device: DeviceChoice,
	/// Precision of the served base weights, activations and stacked adapters (`f32`, `bf16`,
	/// `f16`); unset, bf16 on a GPU and f32 on the CPU. Attribution and verification stay f32.
	pub dtype: Option<ServingDtype>,
	/// Bytes of adapter weights kept stacked on the compute device (the gather source).
	pub device_cache_bytes: u64,
	/// Bytes of parsed adapters kept in host memory.
	pub host_cache_bytes: u64,
	/// Bytes of the paged key/value cache on the compute device.
	pub kv_cache_bytes: u64,
	/// Positions per key/value block.
	pub kv_block_size: i64,
	/// Keep the key/value blocks of prompts (per base + adapters) for later prompts that start
	/// with the same tokens.
	pub prefix_caching: bool,
	/// Sequences take key/value blocks as they grow, and the newest is preempted (recomputed
	/// later) when the pool is full; off, a request reserves prompt + max_tokens when it joins.
	pub preemption: bool,
	/// Largest LoRA rank accepted; adapters are stacked padded to it.
	pub max_lora_rank: i64,
	/// Sequences decoded together at most.
	pub max_batch: usize,
	/// Requests waiting for a batch place at most; more get 429.
	pub max_queue: usize,
	/// Largest object the content store accepts.
	pub max_object_bytes: u64,
	/// Most bytes the content store's objects may take together; a write past it is a 507.
	/// Unset: as much as the disk holds (a full disk is a 507 too).
	pub store_quota_bytes: Option<u64>,
	/// `PUT /store` bodies being received at once at most; more get 429.
	pub max_concurrent_uploads: usize,
	/// Attributions (influence, RAG, suffix spans) and recomputations computed at once.
	pub attribution_workers: usize,
	/// Attributions waiting for a worker at most; more get 429.
	pub max_attribution_queue: usize,
	/// Seconds a receipt waits for its user's signature before it is deleted.
	pub unsigned_receipt_ttl_secs: u64,
	/// Seconds a finished job's record (and work directory) is kept.
	pub finished_job_ttl_secs: u64,
	/// Largest request body (JSON) accepted.
	pub max_request_bytes: usize,
	/// Seconds a JSON request body may take to arrive whole; slower is a 408.
	pub body_timeout_secs: u64,
	/// Base URLs of peer workers asked for objects this store lacks (`http://host:port` or
	/// `https://host:port`, their public listeners).
	pub peers: Vec<String>,
	/// More CA certificates (PEM) to trust for `https://` peers, beside the system's: a private
	/// CA, or a peer's self-signed certificate.
	pub peer_ca: Option<PathBuf>,
	/// Certificate chain (PEM, leaf first) of the public listener: with `tls_key`, it serves
	/// HTTPS only.
	pub tls_cert: Option<PathBuf>,
	/// Private key (PEM) of `tls_cert`.
	pub tls_key: Option<PathBuf>,
	/// Upper bound on max_tokens of one request.
	pub max_new_tokens: usize,
	/// This validator's chain account (0x-hex or SS58), named as `worker` in inference receipts;
	/// without it the worker issues no receipts.
	pub worker_account: Option<Account>,
}

impl Default for Config {
	fn default() -> Self {
		Config {
			listen: SocketAddr::from(([127, 0, 0, 1], 8420)),
			operator_listen: SocketAddr::from(([127, 0, 0, 1], 8421)),
			data_dir: PathBuf::from("tributary-worker-data"),
			base_model: None,
			base_model_id: "base".into(),
			int8: false,
			prefix_caching: true,
			preemption: true,
			device: DeviceChoice::Auto,
			dtype: None,
			device_cache_bytes: 256 << 20,
			host_cache_bytes: 1 << 30,
			kv_cache_bytes: 512 << 20,
			kv_block_size: 16,
			max_lora_rank: 64,
			max_batch: 64,
			max_queue: 512,
			max_object_bytes: 512 << 20,
			store_quota_bytes: None,
			max_concurrent_uploads: 4,
			attribution_workers: 1,
			max_attribution_queue: 16,
			unsigned_receipt_ttl_secs: 24 * 3600,
			finished_job_ttl_secs: 7 * 24 * 3600,
			max_request_bytes: 4 << 20,
			body_timeout_secs: 30,
			peers: Vec::new(),
			peer_ca: None,
			tls_cert: None,
			tls_key: None,
			max_new_tokens: 1024,
			worker_account: None,
		}
	}
}

/// Command-line flags; each one given overrides the config file.
#[derive(Debug, Parser)]
#[command(
	name = "tributary-worker",
	about = "OpenLoRA inference sidecar and job API of a Tributary validator"
)]
pub struct Cli {
	/// TOML config file (fields as in `Config`).
	#[arg(long)]
	pub config: Option<PathBuf>,
	/// The public API's address.
	#[arg(long)]
	pub listen: Option<SocketAddr>,
	/// The operator API's address (give it to the node as --worker-url).
	#[arg(long)]
	pub operator_listen: Option<SocketAddr>,
	#[arg(long)]
	pub data_dir: Option<PathBuf>,
	#[arg(long)]
	pub base_model: Option<PathBuf>,
	#[arg(long)]
	pub base_model_id: Option<String>,
	/// Quantize the base projections to int8.
	#[arg(long)]
	pub int8: bool,
	/// Recompute every prompt (no prefix caching).
	#[arg(long)]
	pub no_prefix_caching: bool,
	/// Reserve prompt + max_tokens at admission instead of preempting when the pool is full.
	#[arg(long)]
	pub no_preemption: bool,
	/// auto, cpu, cuda or cuda:N.
	#[arg(long)]
	pub device: Option<DeviceChoice>,
	/// f32, bf16 or f16 (default: bf16 on a GPU, f32 on the CPU).
	#[arg(long)]
	pub dtype: Option<ServingDtype>,
	#[arg(long)]
	pub device_cache_bytes: Option<u64>,
	#[arg(long)]
	pub host_cache_bytes: Option<u64>,
	#[arg(long)]
	pub kv_cache_bytes: Option<u64>,
	#[arg(long)]
	pub kv_block_size: Option<i64>,
	#[arg(long)]
	pub max_lora_rank: Option<i64>,
	#[arg(long)]
	pub max_batch: Option<usize>,
	#[arg(long)]
	pub max_queue: Option<usize>,
	#[arg(long)]
	pub max_object_bytes: Option<u64>,
	#[arg(long)]
	pub body_timeout_secs: Option<u64>,
	#[arg(long)]
	pub store_quota_bytes: Option<u64>,
	#[arg(long)]
	pub max_concurrent_uploads: Option<usize>,
	#[arg(long)]
	pub attribution_workers: Option<usize>,
	#[arg(long)]
	pub max_attribution_queue: Option<usize>,
	#[arg(long)]
	pub unsigned_receipt_ttl_secs: Option<u64>,
	#[arg(long)]
	pub finished_job_ttl_secs: Option<u64>,
	/// Peer worker base URL; repeat for several.
	#[arg(long = "peer")]
	pub peers: Vec<String>,
	/// CA certificates (PEM) to trust for https:// peers besides the system's.
	#[arg(long)]
	pub peer_ca: Option<PathBuf>,
	/// Serve the public API over HTTPS with this certificate chain (PEM)...
	#[arg(long, requires = "tls_key")]
	pub tls_cert: Option<PathBuf>,
	/// ...and this private key (PEM).
	#[arg(long, requires = "tls_cert")]
	pub tls_key: Option<PathBuf>,
	/// This validator's chain account (0x + 64 hex digits, or SS58), put in inference receipts.
	#[arg(long)]
	pub worker_account: Option<Account>,
}

impl Config {
	pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
		let text = std::fs::read_to_string(path)
			.map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
		toml::from_str(&text)
			.map_err(|e| ConfigError::Invalid { path: path.to_path_buf(), reason: e.to_string() })
	}

	/// The file's settings (or the defaults) with every given flag applied, validated.
	pub fn from_cli(cli: Cli) -> Result<Config, ConfigError> {
		let mut config = match &cli.config {
			Some(path) => Config::from_file(path)?,
			None => Config::default(),
		};
		macro_rules! apply {
			($($field:ident),*) => { $(if let Some(value) = cli.$field { config.$field = value; })* };
		}
		apply!(
			listen,
			operator_listen,
			data_dir,
			base_model_id,
			device_cache_bytes,
			host_cache_bytes,
			kv_cache_bytes,
			kv_block_size,
			max_lora_rank,
			max_batch,
			max_queue,
			max_object_bytes,
			body_timeout_secs,
			max_concurrent_uploads,
			attribution_workers,
			max_attribution_queue,
			unsigned_receipt_ttl_secs,
			finished_job_ttl_secs
		);
		if cli.store_quota_bytes.is_some() {
			config.store_quota_bytes = cli.store_quota_bytes;
		}
		if cli.base_model.is_some() {
			config.base_model = cli.base_model;
		}
		if cli.worker_account.is_some() {
			config.worker_account = cli.worker_account;
		}
		for (file, flag) in [
			(&mut config.peer_ca, cli.peer_ca),
			(&mut config.tls_cert, cli.tls_cert),
			(&mut config.tls_key, cli.tls_key),
		] {
			if flag.is_some() {
				*file = flag;
			}
		}
		if let Some(device) = cli.device {
			config.device = device;
		}
		if cli.dtype.is_some() {
			config.dtype = cli.dtype;
		}
		config.int8 |= cli.int8;
		config.prefix_caching &= !cli.no_prefix_caching;
		config.preemption &= !cli.no_preemption;
		config.peers.extend(cli.peers);
		config.validate()?;
		Ok(config)
	}

	pub fn validate(&self) -> Result<(), ConfigError> {
		let positive = |setting, value: u64| {
			if value == 0 {
				Err(ConfigError::Setting { setting, reason: "must be at least 1".into() })
			} else {
				Ok(())
			}
		};
		positive("max_batch", self.max_batch as u64)?;
		positive("max_lora_rank", self.max_lora_rank.max(0) as u64)?;
		positive("kv_block_size", self.kv_block_size.max(0) as u64)?;
		positive("max_object_bytes", self.max_object_bytes)?;
		positive("max_new_tokens", self.max_new_tokens as u64)?;
		positive("max_concurrent_uploads", self.max_concurrent_uploads as u64)?;
		positive("body_timeout_secs", self.body_timeout_secs)?;
		positive("attribution_workers", self.attribution_workers as u64)?;
		positive("unsigned_receipt_ttl_secs", self.unsigned_receipt_ttl_secs)?;
		positive("finished_job_ttl_secs", self.finished_job_ttl_secs)?;
		if self.base_model.is_none() {
			return Err(ConfigError::NoBaseModel);
		}
		if self.operator_listen == self.listen && self.listen.port() != 0 {
			return Err(ConfigError::Setting {
				setting: "operator_listen",
				reason: format!(
					"{} is also the public address; the operator API needs its own",
					self.listen
				),
			});
		}
		for peer in &self.peers {
			if !peer.starts_with("http://") && !peer.starts_with("https://") {
				return Err(ConfigError::Setting {
					setting: "peers",
					reason: format!("{peer:?} is not an http:// or https:// URL"),
				});
			}
		}
		if self.tls_cert.is_some() != self.tls_key.is_some() {
			return Err(ConfigError::Setting {
				setting: "tls_cert",
				reason: "HTTPS needs both tls_cert and tls_key".into(),
			});
		}
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn flags_override_the_file_and_the_listen_default_is_loopback() {
		assert!(Config::default().listen.ip().is_loopback());
		assert!(Config::default().operator_listen.ip().is_loopback());
		let same = Cli::parse_from([
			"tributary-worker",
			"--base-model",
			"/m",
			"--listen",
			"127.0.0.1:9000",
			"--operator-listen",
			"127.0.0.1:9000",
		]);
		assert!(matches!(
			Config::from_cli(same),
			Err(ConfigError::Setting { setting: "operator_listen", .. })
		));
		let dir = tempfile::tempdir().unwrap();
		let file = dir.path().join("worker.toml");
		std::fs::write(
			&file,
			"base_model = \"/models/base\"\nmax_batch = 8\npeers = [\"http://10.0.0.2:8420\"]\n",
		)
		.unwrap();
		let cli = Cli::parse_from([
			"tributary-worker",
			"--config",
			file.to_str().unwrap(),
			"--max-batch",
			"16",
			"--peer",
			"http://10.0.0.3:8420",
		]);
		let config = Config::from_cli(cli).unwrap();
		assert_eq!(config.max_batch, 16);
		assert_eq!(config.base_model.as_deref(), Some(Path::new("/models/base")));
		assert_eq!(config.peers, ["http://10.0.0.2:8420", "http://10.0.0.3:8420"]);
		std::fs::write(&file, "max_batchh = 8\n").unwrap();
		assert!(matches!(Config::from_file(&file), Err(ConfigError::Invalid { .. })));
		let cli = Cli::parse_from(["tributary-worker", "--peer", "https://x"]);
		assert!(matches!(Config::from_cli(cli), Err(ConfigError::NoBaseModel)));
		let cli = Cli::parse_from(["tributary-worker", "--base-model", "/m", "--peer", "ftp://x"]);
		assert!(matches!(
			Config::from_cli(cli),
			Err(ConfigError::Setting { setting: "peers", .. })
		));
		assert!(
			Cli::try_parse_from(["tributary-worker", "--tls-cert", "/c.pem"]).is_err(),
			"a certificate without its key"
		);
		std::fs::write(&file, "base_model = \"/m\"\ntls_key = \"/k.pem\"\n").unwrap();
		assert!(matches!(
			Config::from_cli(Cli::parse_from([
				"tributary-worker",
				"--config",
				file.to_str().unwrap()
			])),
			Err(ConfigError::Setting { setting: "tls_cert", .. })
		));

		let ferdie = "5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL";
		std::fs::write(&file, format!("base_model = \"/m\"\nworker_account = \"{ferdie}\"\n"))
			.unwrap();
		let from_file = Config::from_file(&file).unwrap().worker_account.unwrap();
		let hex = from_file.to_string();
		let cli = Cli::parse_from([
			"tributary-worker",
			"--config",
			file.to_str().unwrap(),
			"--worker-account",
			&hex,
		]);
		assert_eq!(Config::from_cli(cli).unwrap().worker_account, Some(from_file));
		assert!(Cli::try_parse_from(["tributary-worker", "--worker-account", "0x12"]).is_err());
	}

	#[test]
	fn device_and_dtype_come_from_the_file_or_the_flags() {
		let dir = tempfile::tempdir().unwrap();
		let file = dir.path().join("worker.toml");
		std::fs::write(&file, "base_model = \"/m\"\ndevice = \"cuda:1\"\ndtype = \"bf16\"\n")
			.unwrap();
		let from_file = Config::from_file(&file).unwrap();
		assert_eq!(
			(from_file.device, from_file.dtype),
			(DeviceChoice::Cuda(1), Some(ServingDtype::Bf16))
		);
		let path = file.to_str().unwrap();
		let cli = Cli::parse_from([
			"tributary-worker",
			"--config",
			path,
			"--device",
			"cpu",
			"--dtype",
			"f16",
		]);
		let config = Config::from_cli(cli).unwrap();
		assert_eq!((config.device, config.dtype), (DeviceChoice::Cpu, Some(ServingDtype::F16)));
		let defaults = Config::default();
		assert_eq!((defaults.device, defaults.dtype), (DeviceChoice::Auto, None));
		std::fs::write(&file, "base_model = \"/m\"\ndevice = \"gpu\"\n").unwrap();
		let error = Config::from_file(&file).unwrap_err().to_string();
		assert!(error.contains("expected auto, cpu, cuda or cuda:N"), "{error}");
		assert!(Cli::try_parse_from(["tributary-worker", "--dtype", "fp8"]).is_err());
	}
}
