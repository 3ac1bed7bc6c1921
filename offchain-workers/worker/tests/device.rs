//! The worker's binaries load libtorch's CUDA library whenever the libtorch they were built
//! against has one (what `tributary-torch-link` ensures), so a GPU machine serves on its GPU; and
//! a GPU asked for that is not there stops the worker instead of serving on the CPU.

mod common;

use std::path::Path;
use tributary_model::DeviceChoice;
use tributary_torch_link::needed_libraries;

/// A CUDA device this machine does not have: the first one on a CPU machine, one past the last
/// on a GPU machine.
fn absent_cuda_device() -> DeviceChoice {
	let count = if tch::Cuda::is_available() { tch::Cuda::device_count() as usize } else { 0 };
	DeviceChoice::Cuda(count)
}

#[tokio::test]
async fn a_worker_asked_for_an_absent_gpu_refuses_to_start() {
	let fixture = common::Fixture::new();
	let mut config = fixture.config("data");
	config.device = absent_cuda_device();
	let error = match tributary_worker::server::start(config).await {
		Ok(_) => panic!("the worker started without its GPU"),
		Err(error) => error.to_string(),
	};
	assert!(error.contains(&absent_cuda_device().to_string()), "{error}");
}

#[test]
fn every_worker_binary_links_libtorch_cuda_when_libtorch_has_it() {
	let libtorch = Path::new(env!("TRIBUTARY_LIBTORCH_LIB"));
	let has_cuda = libtorch.join("libtorch_cuda.so").exists();
	let binaries = [
		Path::new(env!("CARGO_BIN_EXE_tributary-worker")).to_path_buf(),
		Path::new(env!("CARGO_BIN_EXE_tributary-worker-bench")).to_path_buf(),
		Path::new(env!("CARGO_BIN_EXE_tributary-gpu-check")).to_path_buf(),
		std::env::current_exe().unwrap(),
	];
	for binary in binaries {
		let needed = needed_libraries(&binary).unwrap();
		assert!(needed.iter().any(|l| l == "libtorch_cpu.so"), "{}: {needed:?}", binary.display());
		assert_eq!(
			needed.iter().any(|l| l == "libtorch_cuda.so"),
			has_cuda,
			"{} vs the libtorch in {} (CUDA: {has_cuda}): NEEDED {needed:?}",
			binary.display(),
			libtorch.display()
		);
	}
	assert_eq!(tributary_model::device::cuda_library_loaded(), has_cuda);
}
