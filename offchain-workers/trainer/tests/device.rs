//! The trainer loads libtorch's CUDA library whenever the libtorch it was built against has one,
//! and a GPU asked for that is not there is an error, not a run on the CPU.

use std::path::Path;
use tributary_torch_link::needed_libraries;

#[test]
fn the_trainer_links_libtorch_cuda_when_libtorch_has_it() {
	let has_cuda = Path::new(env!("TRIBUTARY_LIBTORCH_LIB")).join("libtorch_cuda.so").exists();
	let trainer = Path::new(env!("CARGO_BIN_EXE_tributary-trainer"));
	let needed = needed_libraries(trainer).unwrap();
	assert_eq!(needed.iter().any(|l| l == "libtorch_cuda.so"), has_cuda, "NEEDED {needed:?}");
}

#[test]
fn the_trainer_asked_for_an_absent_gpu_exits_with_a_clear_error() {
	let count = if tch::Cuda::is_available() { tch::Cuda::device_count() } else { 0 };
	let device = format!("cuda:{count}");
	let output = std::process::Command::new(env!("CARGO_BIN_EXE_tributary-trainer"))
		.args(["--device", &device, "generate", "--base", "/nonexistent", "--prompt", "x"])
		.output()
		.unwrap();
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(!output.status.success());
	assert!(stderr.contains(&format!("device {device} asked for")), "{stderr}");
	let bad = std::process::Command::new(env!("CARGO_BIN_EXE_tributary-trainer"))
		.args(["--device", "gpu", "generate", "--base", "/nonexistent", "--prompt", "x"])
		.output()
		.unwrap();
	assert!(String::from_utf8_lossy(&bad.stderr).contains("expected auto, cpu, cuda or cuda:N"));
}
