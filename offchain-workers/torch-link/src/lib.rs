//! Keeps libtorch's CUDA library in the binaries, tests and benches that run tch.
//!
//! torch-sys asks for `-ltorch_cuda` when its libtorch has CUDA, but rustc links with
//! `--as-needed`, and nothing references a symbol of `libtorch_cuda.so` directly (its kernels
//! register themselves when it loads), so the linker drops it: the binaries never load CUDA and
//! run on the CPU of a GPU machine (tch-rs issue 980). Stable Rust has no `-as-needed` modifier
//! for `rustc-link-lib`, and a `rustc-link-arg` reaches only the package's own targets, so each
//! package that links tch into an executable calls [`link_libtorch_cuda`] from its `build.rs`.
//!
//! libtorch is found the way torch-sys finds it: the Python of `LIBTORCH_USE_PYTORCH`, else
//! `LIBTORCH_LIB` or `LIBTORCH` (their `lib` folder), else `/usr/lib`.

use std::env;
use std::path::PathBuf;
use std::process::Command;

/// libtorch's CUDA libraries, by the names of the releases that split them.
const CUDA_LIBRARIES: [&str; 3] =
	["libtorch_cuda.so", "libtorch_cuda_cu.so", "libtorch_cuda_cpp.so"];

fn rerun_env(name: &str) -> Option<String> {
	println!("cargo:rerun-if-env-changed={name}");
	env::var(name).ok()
}

/// The `lib` folder of the libtorch that torch-sys builds against, if it can be found.
pub fn libtorch_lib_dir() -> Option<PathBuf> {
	if rerun_env("LIBTORCH_USE_PYTORCH").is_some() {
		let python = if rerun_env("VIRTUAL_ENV").is_some() { "python" } else { "python3" };
		let output = Command::new(python)
			.args([
				"-c",
				"from torch.utils import cpp_extension; print(cpp_extension.library_paths()[0])",
			])
			.output()
			.ok()?;
		let dir = String::from_utf8(output.stdout).ok()?;
		return (!dir.trim().is_empty()).then(|| PathBuf::from(dir.trim()));
	}
	match rerun_env("LIBTORCH_LIB").or_else(|| rerun_env("LIBTORCH")) {
		Some(root) => Some(PathBuf::from(root).join("lib")),
		None => Some(PathBuf::from("/usr/lib")),
	}
}

/// From a `build.rs`: links the CUDA libraries of libtorch, when it has them, into this package's
/// binaries, tests and benches whether or not anything references them, and records the libtorch
/// folder as `TRIBUTARY_LIBTORCH_LIB` for the package's code.
pub fn link_libtorch_cuda() {
	let Some(dir) = libtorch_lib_dir() else { return };
	// A libtorch moved or replaced (another venv on PATH) reruns this, not only a changed variable.
	println!("cargo:rerun-if-changed={}", dir.join("libtorch_cpu.so").display());
	println!("cargo:rustc-env=TRIBUTARY_LIBTORCH_LIB={}", dir.display());
	// torch-sys's build output keeps the folder it was first built against, and cargo reruns it on
	// its variables only: a checkout at another path sharing the target directory (a CI clone, a
	// worktree) would link against a venv that may be gone. Searching this checkout's folder too
	// makes `-ltorch_cpu` and the rest resolve wherever the build runs.
	println!("cargo:rustc-link-search=native={}", dir.display());
	if env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("linux") {
		return;
	}
	for library in CUDA_LIBRARIES {
		let path = dir.join(library);
		if path.exists() {
			// By path, so no search folder is needed; the binary still records the soname.
			println!(
				"cargo:rustc-link-arg=-Wl,--push-state,--no-as-needed,{},--pop-state",
				path.display()
			);
		}
	}
}

/// The `NEEDED` entries of an ELF binary's dynamic section (the shared libraries the loader maps
/// at start), as `readelf` from binutils, which every Linux linker installation has, lists them.
pub fn needed_libraries(binary: &std::path::Path) -> Result<Vec<String>, String> {
	let output = Command::new("readelf")
		.arg("-d")
		.arg(binary)
		.output()
		.map_err(|e| format!("cannot run readelf: {e}"))?;
	if !output.status.success() {
		return Err(format!(
			"readelf -d {}: {}",
			binary.display(),
			String::from_utf8_lossy(&output.stderr)
		));
	}
	Ok(String::from_utf8_lossy(&output.stdout)
		.lines()
		.filter(|line| line.contains("(NEEDED)"))
		.filter_map(|line| Some(line.split_once('[')?.1.trim_end_matches(']').to_string()))
		.collect())
}
