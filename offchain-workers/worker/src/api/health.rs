//! `GET /health`: the truth about each part of the worker, a 503 when one is down, so a load
//! balancer or supervisor stops sending work to (or restarts) a worker that cannot do it.

use super::responses::{DiskHealth, Health, HealthParts, PartHealth, StoreHealth};
use super::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use std::path::Path;
use tributary_engine::EngineState;

/// Below this much free disk the worker cannot be trusted to write its state: down.
pub const MIN_FREE_DISK_BYTES: u64 = 64 << 20;

const OK: &str = "ok";
const DOWN: &str = "down";

fn part(down_because: Option<String>) -> PartHealth {
	PartHealth { status: if down_because.is_some() { DOWN } else { OK }, reason: down_because }
}

/// Free bytes of the file system holding `path`, for an unprivileged writer.
pub fn free_disk_bytes(path: &Path) -> std::io::Result<u64> {
	use std::os::unix::ffi::OsStrExt;
	let name = std::ffi::CString::new(path.as_os_str().as_bytes())
		.map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
	let mut stats: libc::statvfs = unsafe { std::mem::zeroed() };
	// SAFETY: `name` is a NUL-terminated path and `stats` a writable statvfs.
	if unsafe { libc::statvfs(name.as_ptr(), &mut stats) } != 0 {
		return Err(std::io::Error::last_os_error());
	}
	// Both are u64 on 64-bit Linux, narrower elsewhere.
	#[allow(clippy::unnecessary_cast)]
	Ok((stats.f_bavail as u64).saturating_mul(stats.f_frsize as u64))
}

pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
	let engine = part(match state.engine.state() {
		EngineState::Running => None,
		EngineState::Stopped => Some("shutting down".into()),
		EngineState::Panicked(message) => Some(format!("the engine thread panicked: {message}")),
	});
	let jobs = part((!state.jobs.runner_alive()).then(|| "the job runner thread has ended".into()));
	let (used_bytes, quota_bytes) = state.store.usage();
	let store_up = state.store.is_writable();
	let free_bytes = free_disk_bytes(state.store.root()).unwrap_or(0);
	let disk_up = free_bytes >= MIN_FREE_DISK_BYTES;
	let up = engine.status == OK && jobs.status == OK && store_up && disk_up;
	let health = Health {
		status: if up { OK } else { DOWN },
		queued: state.engine.queued(),
		base_model: state.base_model_id.clone(),
		device: state.device.clone(),
		dtype: state.dtype,
		parts: HealthParts {
			engine,
			jobs,
			store: StoreHealth {
				status: if store_up { OK } else { DOWN },
				used_bytes,
				quota_bytes,
			},
			disk: DiskHealth { status: if disk_up { OK } else { DOWN }, free_bytes },
		},
	};
	let status = if up { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
	(status, Json(health))
}
