//! Where models run and in what precision, as an operator chooses it (`--device`, `--dtype`), and
//! what that device is (name and memory, for logs, `/health` and `/metrics`).
//!
//! Asking for CUDA where there is none is an error, never a silent CPU fallback: a validator that
//! believes it serves on a GPU while it runs on the CPU misses every deadline without knowing why.

use serde::{Deserialize, Deserializer, Serialize};
use std::ffi::{c_char, c_int, c_uint, CStr};
use std::fmt;
use std::str::FromStr;
use tch::{Device, Kind};

/// The libtorch this crate was built against (its `lib` folder), as `build.rs` found it.
pub const LIBTORCH_LIB: Option<&str> = option_env!("TRIBUTARY_LIBTORCH_LIB");

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DeviceError {
	#[error("invalid device {0:?}: expected auto, cpu, cuda or cuda:N")]
	InvalidDevice(String),
	#[error("invalid dtype {0:?}: expected f32, bf16 or f16")]
	InvalidDtype(String),
	#[error(
		"device {asked} asked for, but {reason}; run with --device cpu (or auto) to use the CPU"
	)]
	NoCuda { asked: DeviceChoice, reason: &'static str },
	#[error("device cuda:{index} asked for, but this machine has {count} CUDA device(s)")]
	NoSuchCuda { index: usize, count: usize },
}

/// `--device`: `auto` (the first CUDA device when there is one, else the CPU), `cpu`, `cuda`
/// (device 0) or `cuda:N`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DeviceChoice {
	#[default]
	Auto,
	Cpu,
	Cuda(usize),
}

impl DeviceChoice {
	/// The device asked for; CUDA asked for where this process sees none is an error.
	pub fn resolve(self) -> Result<Device, DeviceError> {
		match self {
			DeviceChoice::Auto => Ok(Device::cuda_if_available()),
			DeviceChoice::Cpu => Ok(Device::Cpu),
			DeviceChoice::Cuda(index) => {
				if !cuda_library_loaded() {
					return Err(DeviceError::NoCuda {
						asked: self,
						reason:
							"this build's libtorch has no CUDA (libtorch_cuda.so is not loaded)",
					});
				}
				if !tch::Cuda::is_available() {
					return Err(DeviceError::NoCuda {
						asked: self,
						reason: "no CUDA device or driver is visible to this process",
					});
				}
				let count = tch::Cuda::device_count() as usize;
				if index >= count {
					return Err(DeviceError::NoSuchCuda { index, count });
				}
				Ok(Device::Cuda(index))
			},
		}
	}
}

impl FromStr for DeviceChoice {
	type Err = DeviceError;

	fn from_str(text: &str) -> Result<Self, Self::Err> {
		match text {
			"auto" => Ok(DeviceChoice::Auto),
			"cpu" => Ok(DeviceChoice::Cpu),
			"cuda" => Ok(DeviceChoice::Cuda(0)),
			_ => text
				.strip_prefix("cuda:")
				.and_then(|index| index.parse().ok())
				.map(DeviceChoice::Cuda)
				.ok_or_else(|| DeviceError::InvalidDevice(text.to_string())),
		}
	}
}

impl fmt::Display for DeviceChoice {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			DeviceChoice::Auto => f.write_str("auto"),
			DeviceChoice::Cpu => f.write_str("cpu"),
			DeviceChoice::Cuda(index) => write!(f, "cuda:{index}"),
		}
	}
}

impl<'de> Deserialize<'de> for DeviceChoice {
	fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
		String::deserialize(deserializer)?.parse().map_err(serde::de::Error::custom)
	}
}

/// `--dtype`: the precision of the served base weights, activations and stacked adapters.
/// Logits and sampling are always f32, and attribution and verification always run in f32 so
/// records and losses stay reproducible byte for byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServingDtype {
	F32,
	Bf16,
	F16,
}

impl ServingDtype {
	/// bf16 on CUDA (half the memory and bandwidth, the range of f32), f32 on the CPU (where
	/// libtorch's reduced-precision matmuls are slower than f32 ones).
	pub fn default_for(device: Device) -> ServingDtype {
		if device.is_cuda() {
			ServingDtype::Bf16
		} else {
			ServingDtype::F32
		}
	}

	pub fn kind(self) -> Kind {
		match self {
			ServingDtype::F32 => Kind::Float,
			ServingDtype::Bf16 => Kind::BFloat16,
			ServingDtype::F16 => Kind::Half,
		}
	}
}

impl FromStr for ServingDtype {
	type Err = DeviceError;

	fn from_str(text: &str) -> Result<Self, Self::Err> {
		match text {
			"f32" | "float32" => Ok(ServingDtype::F32),
			"bf16" | "bfloat16" => Ok(ServingDtype::Bf16),
			"f16" | "float16" => Ok(ServingDtype::F16),
			_ => Err(DeviceError::InvalidDtype(text.to_string())),
		}
	}
}

impl fmt::Display for ServingDtype {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str(match self {
			ServingDtype::F32 => "f32",
			ServingDtype::Bf16 => "bf16",
			ServingDtype::F16 => "f16",
		})
	}
}

impl Serialize for ServingDtype {
	fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		serializer.collect_str(self)
	}
}

impl<'de> Deserialize<'de> for ServingDtype {
	fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
		String::deserialize(deserializer)?.parse().map_err(serde::de::Error::custom)
	}
}

/// The folder of the libtorch this process has loaded (the one the dynamic loader found, which
/// need not be the one it was built against).
pub fn loaded_libtorch() -> Option<String> {
	let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
	let line = maps.lines().find(|line| line.ends_with("/libtorch_cpu.so"))?;
	let path = std::path::Path::new(line.split_whitespace().last()?);
	Some(path.parent()?.display().to_string())
}

/// Whether this process has libtorch's CUDA library loaded: false for a build against a CPU-only
/// libtorch, or one whose linker dropped the library (what `build.rs` prevents).
pub fn cuda_library_loaded() -> bool {
	std::fs::read_to_string("/proc/self/maps")
		.map(|maps| maps.lines().any(|line| line.contains("libtorch_cuda")))
		.unwrap_or(false)
}

/// A device as logs, `/health` and `/metrics` show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeviceInfo {
	/// `cpu` or `cuda:N`.
	pub device: String,
	/// The CPU's model name, or the GPU's.
	pub name: String,
	/// Host memory for the CPU, the GPU's own memory for CUDA.
	pub memory_bytes: u64,
}

impl DeviceInfo {
	pub fn of(device: Device) -> DeviceInfo {
		match device {
			Device::Cuda(index) => {
				let (name, memory_bytes) = cuda_device_properties(index)
					.unwrap_or_else(|| ("unknown CUDA device".into(), 0));
				DeviceInfo { device: format!("cuda:{index}"), name, memory_bytes }
			},
			_ => DeviceInfo {
				device: "cpu".into(),
				name: cpu_model_name().unwrap_or_else(|| "unknown CPU".into()),
				memory_bytes: host_memory_bytes().unwrap_or(0),
			},
		}
	}
}

impl fmt::Display for DeviceInfo {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		write!(
			f,
			"{} ({}, {:.1} GiB)",
			self.device,
			self.name,
			self.memory_bytes as f64 / (1u64 << 30) as f64
		)
	}
}

fn cpu_model_name() -> Option<String> {
	let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").ok()?;
	let line = cpuinfo.lines().find(|line| line.starts_with("model name"))?;
	Some(line.split_once(':')?.1.trim().to_string())
}

fn host_memory_bytes() -> Option<u64> {
	let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
	let line = meminfo.lines().find(|line| line.starts_with("MemTotal:"))?;
	let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
	Some(kib * 1024)
}

/// Name and total memory of a CUDA device from the driver API (`libcuda.so.1`, which the CUDA
/// runtime itself loads; libtorch exposes neither through its C API).
fn cuda_device_properties(index: usize) -> Option<(String, u64)> {
	type CuInit = unsafe extern "C" fn(c_uint) -> c_int;
	type CuDeviceGet = unsafe extern "C" fn(*mut c_int, c_int) -> c_int;
	type CuDeviceGetName = unsafe extern "C" fn(*mut c_char, c_int, c_int) -> c_int;
	type CuDeviceTotalMem = unsafe extern "C" fn(*mut usize, c_int) -> c_int;
	const CUDA_SUCCESS: c_int = 0;
	// SAFETY: the symbols are the CUDA driver API's, whose C signatures are the types above
	// (stable since CUDA 3.2 for the `_v2` memory query); every out-pointer is a live local of the
	// right type and size, and the name buffer's length is passed with it. The library stays
	// loaded for the life of the process (it is never closed).
	unsafe {
		let library = libc::dlopen(c"libcuda.so.1".as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL);
		if library.is_null() {
			return None;
		}
		let symbol = |name: &CStr| {
			let pointer = libc::dlsym(library, name.as_ptr());
			(!pointer.is_null()).then_some(pointer)
		};
		let init: CuInit = std::mem::transmute(symbol(c"cuInit")?);
		let device_get: CuDeviceGet = std::mem::transmute(symbol(c"cuDeviceGet")?);
		let get_name: CuDeviceGetName = std::mem::transmute(symbol(c"cuDeviceGetName")?);
		let total_mem: CuDeviceTotalMem = std::mem::transmute(symbol(c"cuDeviceTotalMem_v2")?);
		let mut device: c_int = 0;
		if init(0) != CUDA_SUCCESS || device_get(&mut device, index as c_int) != CUDA_SUCCESS {
			return None;
		}
		let mut name = [0 as c_char; 256];
		let mut bytes: usize = 0;
		if get_name(name.as_mut_ptr(), name.len() as c_int, device) != CUDA_SUCCESS
			|| total_mem(&mut bytes, device) != CUDA_SUCCESS
		{
			return None;
		}
		Some((CStr::from_ptr(name.as_ptr()).to_string_lossy().into_owned(), bytes as u64))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn device_and_dtype_parse_and_print_back() {
		for text in ["auto", "cpu", "cuda:0", "cuda:3"] {
			assert_eq!(text.parse::<DeviceChoice>().unwrap().to_string(), text);
		}
		assert_eq!("cuda".parse(), Ok(DeviceChoice::Cuda(0)));
		for bad in ["gpu", "cuda:", "cuda:x", "CPU", ""] {
			assert_eq!(bad.parse::<DeviceChoice>(), Err(DeviceError::InvalidDevice(bad.into())));
		}
		for text in ["f32", "bf16", "f16"] {
			assert_eq!(text.parse::<ServingDtype>().unwrap().to_string(), text);
		}
		assert_eq!("bfloat16".parse(), Ok(ServingDtype::Bf16));
		assert!("fp8".parse::<ServingDtype>().is_err());
		assert_eq!(ServingDtype::default_for(Device::Cpu), ServingDtype::F32);
		assert_eq!(ServingDtype::default_for(Device::Cuda(0)), ServingDtype::Bf16);
	}

	#[test]
	fn cuda_beyond_the_visible_devices_is_refused_not_replaced_by_the_cpu() {
		let count = if tch::Cuda::is_available() { tch::Cuda::device_count() as usize } else { 0 };
		let error = DeviceChoice::Cuda(count).resolve().unwrap_err();
		if count == 0 {
			assert!(matches!(error, DeviceError::NoCuda { .. }), "{error}");
			assert!(error.to_string().contains("--device cpu"), "{error}");
		} else {
			assert_eq!(error, DeviceError::NoSuchCuda { index: count, count });
		}
		assert_eq!(DeviceChoice::Cpu.resolve(), Ok(Device::Cpu));
		let auto = DeviceChoice::Auto.resolve().unwrap();
		assert_eq!(auto.is_cuda(), count > 0);
	}

	#[test]
	fn the_cpu_is_described_by_name_and_memory() {
		let info = DeviceInfo::of(Device::Cpu);
		assert_eq!(info.device, "cpu");
		assert!(!info.name.is_empty());
		assert!(info.memory_bytes > 1 << 30, "{info}");
	}
}
