//! Every input kept in `fuzz/corpus/<target>/` runs through its target: the seeds, and each input
//! that once made a target fail (kept with its fix as `crash-*`), so the workspace tests catch a
//! regression without a fuzzer.

use std::path::Path;

fn replay(target: &str) {
	let (_, run) = tributary_fuzz::TARGETS
		.into_iter()
		.find(|(name, _)| *name == target)
		.expect("a target of TARGETS");
	let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target);
	let mut inputs: Vec<_> = std::fs::read_dir(&dir)
		.unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
		.map(|entry| entry.unwrap().path())
		.collect();
	inputs.sort();
	assert!(inputs
		.iter()
		.any(|p| p.file_name().unwrap().to_string_lossy().starts_with("seed-")));
	for input in inputs {
		eprintln!("{target}: {}", input.display());
		run(&std::fs::read(&input).unwrap());
	}
}

#[test]
fn adapter_corpus() {
	replay("adapter");
}

#[test]
fn suffix_index_corpus() {
	replay("suffix_index");
}

#[test]
fn influence_sketch_corpus() {
	replay("influence_sketch");
}

#[test]
fn scale_receipts_corpus() {
	replay("scale_receipts");
}

#[test]
fn sidecar_json_corpus() {
	replay("sidecar_json");
}

#[test]
fn pallet_calls_corpus() {
	replay("pallet_calls");
}
