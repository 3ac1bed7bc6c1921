//! Writes the seed inputs of every fuzz target into `fuzz/corpus/<target>/seed-*`: valid
//! adapters, index and sketch files, signed receipts, request bodies and call sequences, which
//! the fuzzer mutates from. Each seed is checked to get past its target's parser first.
//!
//! Run: `cargo run -p tributary-fuzz --example write_seeds` (the seeds are kept in the repo;
//! rerun after a format changes).

use codec::{Decode, Encode};
use frame_support::traits::Get;
use frame_support::BoundedVec;
use pallet_attribution::{ReceiptBatchOf, SignedReceiptOf};
use sp_keyring::Sr25519Keyring;
use std::path::{Path, PathBuf};
use tch::Device;
use tributary_attribution::influence::projection::ModuleShape;
use tributary_attribution::influence::sketch::{InfluenceSketch, SketchInputs};
use tributary_attribution::{ByteTokenizer, CorpusRow, SuffixIndex, VerifiedCorpus};
use tributary_engine::adapters::LoadedAdapter;
use tributary_fuzz::{adapter, pallet_calls, sidecar_json};
use tributary_model::peft::PeftAdapter;
use tributary_model::{Llama, LoraSpec, TargetModule, TargetModules};
use tributary_primitives::attribution::{
	AttributionClaim, AttributionMethod, InfluenceParams, MethodSettings, RowRef, RowScore,
};
use tributary_primitives::receipts::InferenceReceipt;
use tributary_primitives::{content_hash, datanets::Visibility, models::DatanetVersionRef};
use tributary_receipts::book::{ChainSignedReceipt, UserSignature};
use tributary_runtime::{Runtime, RuntimeCall};

fn main() {
	let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
	let write = |target: &str, name: &str, bytes: &[u8]| {
		let dir: PathBuf = corpus.join(target);
		std::fs::create_dir_all(&dir).unwrap();
		std::fs::write(dir.join(format!("seed-{name}")), bytes).unwrap();
	};
	for (name, bytes) in adapters() {
		write("adapter", &name, &bytes);
	}
	write("suffix_index", "rivers", &suffix_index());
	write("influence_sketch", "two-rows", &influence_sketch());
	for (name, bytes) in scale_inputs() {
		write("scale_receipts", &name, &bytes);
	}
	for (name, bytes) in sidecar_requests() {
		write("sidecar_json", &name, &bytes);
	}
	for (name, bytes) in call_sequences() {
		write("pallet_calls", &name, &bytes);
	}
	println!("seeds written to {}", corpus.display());
}

fn adapters() -> Vec<(String, Vec<u8>)> {
	let shapes = [
		(4, TargetModules::QV),
		(2, TargetModules::ALL),
		(8, TargetModules::QV.with(TargetModule::Down).with(TargetModule::O)),
	];
	shapes
		.into_iter()
		.map(|(rank, targets)| {
			let mut model = Llama::random(adapter::base(), 1, Device::Cpu).unwrap();
			let spec = LoraSpec::plain(rank, 16.0, targets);
			model.add_lora(&spec, rank as u64).unwrap();
			let peft = PeftAdapter::from_model(&model, "fuzz-base").unwrap();
			let weights = peft.canonical_bytes().unwrap();
			LoadedAdapter::parse(
				&content_hash(&weights),
				&weights,
				&peft.config,
				&adapter::base(),
				16,
			)
			.expect("the seed adapter parses");
			let config = serde_json::to_vec(&peft.config).unwrap();
			(format!("rank-{rank}"), adapter::join(&config, &weights))
		})
		.collect()
}

fn suffix_index() -> Vec<u8> {
	let texts = ["the Rhine floods the valley", "the Po feeds the delta", "the Rhine feeds"];
	let rows = texts
		.iter()
		.enumerate()
		.map(|(i, text)| CorpusRow {
			row: RowRef { datanet: 1, row: i as u64 },
			claimed_hash: content_hash(text.as_bytes()),
			bytes: text.as_bytes().to_vec(),
		})
		.collect();
	let corpus = VerifiedCorpus::verify(rows).unwrap();
	let index = SuffixIndex::build(&corpus, &ByteTokenizer).unwrap();
	let path = tributary_fuzz::scratch::dir().join("seed-index");
	index.write_to(&path).unwrap();
	SuffixIndex::open(&path).expect("the seed index opens");
	std::fs::read(&path).unwrap()
}

fn influence_sketch() -> Vec<u8> {
	let inputs = SketchInputs {
		model: [1; 32],
		adapter: [2; 32],
		corpus: [3; 32],
		tokenizer: [4; 32],
		seed: 5,
		projection_dim: 2,
		rank: 1,
	};
	let modules = vec![
		ModuleShape { layer: 0, module: TargetModule::Q, in_features: 4, out_features: 4 },
		ModuleShape { layer: 1, module: TargetModule::V, in_features: 4, out_features: 2 },
	];
	let rows = vec![RowRef { datanet: 1, row: 0 }, RowRef { datanet: 1, row: 3 }];
	let vectors = (0..16).map(|i| i as f32 / 4.0 - 1.0).collect();
	InfluenceSketch::new(inputs, modules, rows, vectors).to_bytes()
}

/// A receipt by Alice for Bob's worker, signed for the fuzz target's genesis, with a claim.
fn signed_receipt() -> ChainSignedReceipt {
	let receipt = InferenceReceipt {
		model: 0,
		version: 0,
		adapter: [9; 32],
		prompt_hash: content_hash(b"prompt"),
		output_hash: content_hash(b"output"),
		tokens_in: 12,
		tokens_out: 30,
		max_fee: 1_000_000,
		nonce: 1,
		worker: Sr25519Keyring::Bob.to_raw_public(),
		expiry: 100,
	};
	let signature = Sr25519Keyring::Alice.sign(&receipt.signing_payload(&[7; 32])).0;
	let claim = AttributionClaim {
		method: AttributionMethod::SuffixSpan(MethodSettings::DEFAULT.span),
		top: vec![
			RowScore { row: RowRef { datanet: 1, row: 2 }, parts_per_billion: 600_000_000 },
			RowScore { row: RowRef { datanet: 1, row: 0 }, parts_per_billion: 400_000_000 },
		],
		body: [3; 32],
	};
	ChainSignedReceipt {
		receipt,
		user: Sr25519Keyring::Alice.to_raw_public(),
		signature: UserSignature::Sr25519(signature),
		claim,
	}
}

fn scale_inputs() -> Vec<(String, Vec<u8>)> {
	let sidecar = signed_receipt();
	// The sidecar's receipt encodes exactly as the runtime's (the target checks that too).
	let runtime = SignedReceiptOf::<Runtime>::decode(&mut &sidecar.encode()[..])
		.expect("the runtime decodes the sidecar's receipt");
	let batch = ReceiptBatchOf::<Runtime>::truncate_from(vec![runtime]);
	let with = |selector: u8, bytes: Vec<u8>| [vec![selector], bytes].concat();
	vec![
		("runtime-batch".into(), with(0, batch.encode())),
		("sidecar-receipt".into(), with(1, sidecar.encode())),
		(
			"span-method".into(),
			with(2, AttributionMethod::SuffixSpan(MethodSettings::DEFAULT.span).encode()),
		),
		(
			"influence-method".into(),
			with(2, AttributionMethod::Influence(InfluenceParams::DEFAULT).encode()),
		),
		("method-settings".into(), with(3, MethodSettings::DEFAULT.encode())),
	]
}

fn sidecar_requests() -> Vec<(String, Vec<u8>)> {
	let model = sidecar_json::BASE_MODEL_ID;
	let hash = "0x".to_string() + &"ab".repeat(32);
	let requests = [
		(
			"/v1/completions",
			format!(
				r#"{{"model":"{model}","prompt":"the river","max_tokens":4,"temperature":0.7,"seed":3}}"#
			),
		),
		(
			"/v1/chat/completions",
			format!(
				r#"{{"model":"{model}","messages":[{{"role":"system","content":"Be brief."}},{{"role":"user","content":"Where does the Po go?"}}],"max_completion_tokens":4,"stream":true,"stop":["."]}}"#
			),
		),
		("/v1/receipts", format!(r#"{{"id":"cmpl-1","signature":"0x{}"}}"#, "cd".repeat(64))),
		(
			"/v1/adapters",
			format!(
				r#"{{"id":"rivers","adapter_hash":"{hash}","adapter_config":{{"peft_type":"LORA","task_type":"CAUSAL_LM","base_model_name_or_path":"{model}","r":4,"lora_alpha":8.0,"lora_dropout":0.0,"target_modules":["q_proj","v_proj"],"bias":"none"}},"corpus":[{{"datanet":1,"row":0,"hash":"{hash}"}}]}}"#
			),
		),
		(
			"/v1/ensembles",
			format!(
				r#"{{"id":"mix","members":[{{"model":"rivers","weight":0.5}},{{"model":"{model}","weight":0.5}}]}}"#
			),
		),
		(
			"/v1/merges",
			r#"{"id":"merged","members":[{"model":"rivers","weight":1.0}]}"#.to_string(),
		),
		("/receipts/ack", r#"{"ids":["cmpl-1","cmpl-2"]}"#.to_string()),
		(
			"/attribution/recompute",
			format!(
				r#"{{"chain":{{"model":0,"version":0}},"output_hash":"{hash}","method_scale":"0x00"}}"#
			),
		),
		(
			"/jobs/train",
			format!(
				r#"{{"id":"job-1","rows":["{hash}",{{"datanet":1,"row":0,"hash":"{hash}","byte_len":10}}],"settings":{{"rank":4,"max_steps":2,"target_modules":["q_proj","v_proj"]}}}}"#
			),
		),
		("/jobs/eval", format!(r#"{{"id":"eval-1","rows":["{hash}"],"model":"{model}"}}"#)),
		(
			"/rows/check",
			format!(r#"{{"rows":[{{"datanet":1,"row":0,"hash":"{hash}","contributed_at":3}}]}}"#),
		),
		("/receipts/pending?", format!("genesis={hash}&after=2")),
		("/jobs/", "job-1".to_string()),
		("/v1/models/", model.to_string()),
		("/store/", hash.trim_start_matches("0x").to_string()),
		("/rows/", "1/0".to_string()),
	];
	requests
		.into_iter()
		.map(|(route, body)| {
			let name = route.trim_matches(|c| c == '/' || c == '?').replace('/', "-");
			(name, [vec![sidecar_json::selector(route)], body.into_bytes()].concat())
		})
		.collect()
}

fn bounded<S: Get<u32>>(bytes: &[u8]) -> BoundedVec<u8, S> {
	BoundedVec::truncate_from(bytes.to_vec())
}

fn call_sequences() -> Vec<(String, Vec<u8>)> {
	use pallet_datanets::Call as Datanets;
	use pallet_models::Call as Models;
	let call = |origin: u8, call: RuntimeCall| [vec![origin], call.encode()].concat();
	let (alice, bob, charlie) = (0, 1, 2);
	let row = |text: &[u8]| pallet_datanets::RowInput {
		content_hash: content_hash(text),
		byte_len: text.len() as u32,
		label: None,
	};
	let datanet = [
		call(
			alice,
			RuntimeCall::Datanets(Datanets::create_datanet {
				name: bounded(b"rivers"),
				summary: bounded(b"river reports"),
				description: bounded(b"water levels of European rivers"),
				tags: BoundedVec::truncate_from(vec![bounded(b"water")]),
				license: bounded(b"CC-BY-4.0"),
				visibility: Visibility::Public,
			}),
		),
		call(
			bob,
			RuntimeCall::Datanets(Datanets::contribute_batch {
				datanet: 0,
				rows: BoundedVec::truncate_from(vec![
					row(b"the Rhine floods"),
					row(b"the Po feeds"),
				]),
			}),
		),
		call(
			alice,
			RuntimeCall::Datanets(Datanets::approve {
				datanet: 0,
				rows: BoundedVec::truncate_from(vec![0, 1]),
			}),
		),
		vec![pallet_calls::ADVANCE + 2],
		call(alice, RuntimeCall::Datanets(Datanets::publish_version { datanet: 0 })),
	]
	.concat();
	let models = [
		call(
			pallet_calls::ROOT,
			RuntimeCall::Models(Models::register_base_model {
				name: bounded(b"tiny"),
				architecture: bounded(b"LlamaForCausalLM"),
				weights_hash: [1; 32],
				config_hash: [2; 32],
				tokenizer_hash: [3; 32],
				parameter_count: 135_000_000,
				license: bounded(b"Apache-2.0"),
			}),
		),
		call(
			alice,
			RuntimeCall::Models(Models::register_worker {
				endpoint: bounded(b"http://127.0.0.1:8420"),
				device: bounded(b"cpu"),
			}),
		),
		call(
			charlie,
			RuntimeCall::Models(Models::create_model {
				name: bounded(b"river-model"),
				base_model: 0,
				datanets: BoundedVec::truncate_from(vec![DatanetVersionRef {
					datanet: 0,
					version: 0,
				}]),
				settings: Default::default(),
				fee: 1_000_000_000_000,
			}),
		),
		vec![pallet_calls::ADVANCE + 4],
		call(
			bob,
			RuntimeCall::Rewards(pallet_rewards::Call::claim {
				beneficiary: Sr25519Keyring::Bob.to_account_id(),
			}),
		),
	]
	.concat();
	vec![
		("datanet-lifecycle".into(), datanet.clone()),
		("model-on-datanet".into(), [datanet, models].concat()),
	]
}
