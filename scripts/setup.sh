#!/usr/bin/env bash
# Idempotent machine setup for Tributary: system packages, Rust target and component,
# and the project venv that provides libtorch (torch wheel) for the ML crates.
# Safe to run again: every step checks before it installs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

# System packages: protoc for litep2p; clang/libclang for bindgen-based -sys crates (RocksDB, if a
# build turns it back on); curl for scripts/dev.sh.
need_apt=()
for pkg in protobuf-compiler clang libclang-dev curl; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing apt packages: ${need_apt[*]}"
  apt_log=$(mktemp)
  if ! { "${sudo_cmd[@]}" apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${need_apt[@]}"; } >"$apt_log" 2>&1; then
    cat "$apt_log"; echo "apt-get failed (log above)" >&2; exit 1
  fi
  rm -f "$apt_log"
else
  log "apt packages present"
fi

# Rust: the toolchain file names the target and component; rustup installs them on first use,
# but we ask explicitly so a failure shows here and not in the middle of a build.
if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
if ! rustup component list --installed | grep -q '^rust-src'; then
  log "adding rust component rust-src"
  rustup component add rust-src
fi

# libtorch from the PyPI wheel, in a project venv (tch builds against it with LIBTORCH_USE_PYTORCH=1).
venv="$root/.venv"
if ! "$venv/bin/python" -c 'import torch, sys; sys.exit(0 if torch.__version__.startswith("2.13.0") else 1)' 2>/dev/null; then
  log "creating venv with torch==2.13.0 (4.7 GB download, measured 2-4 minutes)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --disable-pip-version-check torch==2.13.0
else
  log "torch venv present"
fi
# The official OpenAI Python client: tributary-worker's tests/openai_client.rs drives the worker with it.
if ! "$venv/bin/python" -c 'import openai, sys; sys.exit(0 if openai.__version__ == "3.54.0" else 1)' 2>/dev/null; then
  log "installing openai==3.54.0 into the venv"
  "$venv/bin/pip" install --disable-pip-version-check openai==3.54.0
else
  log "openai client present"
fi
log "done"
