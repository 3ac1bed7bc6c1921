#!/usr/bin/env bash
# Builds the GPU bundle: release binaries of the worker, its benchmark and GPU check, and the
# trainer and its train-step benchmark, linked against the libtorch of the GPU machines (torch
# 2.11 in /opt/torch/.venv there, not the project's 2.13), packed into .gpu-bundle/ for
# scripts/gpu-check.sh. Then runs the bundle on this machine's CPU against that same libtorch,
# which tests the build path without a GPU.
#
# tch 0.26's C wrappers are generated from libtorch 2.13; fifteen of them wrap operators 2.11
# lacks or declares differently (new philox RNG ops, lanczos upsampling, an in-place flash
# attention, an MPS kernel), so they do not compile against 2.11 headers. The build uses a copy of
# torch-sys in which scripts/torch-sys-compat.py replaces exactly the wrappers the compiler
# rejects with a throw (found from the failed build's log), tch's version check bypassed
# (LIBTORCH_BYPASS_VERSION_CHECK). The sources are built from a copy of the checkout, so the
# [patch] that swaps torch-sys never touches the checkout's Cargo.lock.
#
# Usage: scripts/gpu-build.sh            (GPU_TORCH_VERSION=2.11.0 by default)
# Cost (2 cores): the torch 2.11 venv, 4.6 GB, downloaded once into the build folder (outside the
# checkout, like the target dir, so fresh clones reuse it); a cold release build 10 minutes, warm
# it rebuilds what changed; the smoke run 1 minute. The bundle is 9 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/env.sh
log() { printf '\033[1m[gpu-build]\033[0m %s\n' "$*"; }

torch_version="${GPU_TORCH_VERSION:-2.11.0}"
work="${GPU_BUILD_DIR:-$HOME/.cache/tributary-gpu-build}"
venv="$work/venv-torch$torch_version"
bundle="$root/.gpu-bundle"
mkdir -p "$work"

if ! "$venv/bin/python" -c "import torch, sys; sys.exit(0 if torch.__version__.startswith('$torch_version') else 1)" 2>/dev/null; then
  log "creating $venv with torch==$torch_version (4.6 GB download)"
  create_torch_venv "$venv" "$torch_version"
fi

# A copy of the checkout's tracked and unignored files (no target, no venvs), updated in place
# so the release build stays incremental.
log "copying the sources to $work/src"
mkdir -p "$work/src"
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$work/src"

# The registry's torch-sys, copied once per torch version and adapted below.
cargo fetch --locked -q
registry_torch_sys=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/torch-sys-0.26.0 | head -n 1)
torch_sys="$work/torch-sys-0.26.0-torch$torch_version"
[ -d "$torch_sys" ] || cp -r "$registry_torch_sys" "$torch_sys"

export CARGO_TARGET_DIR="$work/target"
export LIBTORCH_USE_PYTORCH=1 LIBTORCH_BYPASS_VERSION_CHECK=1
export PATH="$venv/bin:$PATH"
unset VIRTUAL_ENV
torch_lib=$("$venv/bin/python" -c 'from torch.utils import cpp_extension; print(cpp_extension.library_paths()[0])')
export LD_LIBRARY_PATH="$torch_lib"
patch=(--config "patch.crates-io.torch-sys.path=\"$torch_sys\"")
# torch-sys's build script reruns on its variables only: when the libtorch folder itself changes
# (a venv moved or rebuilt) it would keep linking the old one.
if [ "$(cat "$work/torch-lib" 2>/dev/null)" != "$torch_lib" ]; then
  (cd "$work/src" && cargo clean --release "${patch[@]}" -p torch-sys -q)
  echo "$torch_lib" >"$work/torch-lib"
fi

cd "$work/src"
for attempt in 1 2 3; do
  if cargo build --release "${patch[@]}" -p torch-sys >"$work/torch-sys.log" 2>&1; then
    break
  fi
  [ "$attempt" -lt 3 ] || { tail -n 40 "$work/torch-sys.log"; echo "torch-sys does not build against torch $torch_version" >&2; exit 1; }
  log "stubbing the wrappers torch $torch_version rejects:"
  python3 "$root/scripts/torch-sys-compat.py" "$torch_sys" "$work/torch-sys.log" | sed 's/^/  /'
done

log "building the release binaries against torch $torch_version (log: $work/build.log)"
cargo build --release "${patch[@]}" -p tributary-worker --bins >"$work/build.log" 2>&1 ||
  { tail -n 40 "$work/build.log"; exit 1; }
cargo build --release "${patch[@]}" -p tributary-trainer --bin tributary-trainer >>"$work/build.log" 2>&1 ||
  { tail -n 40 "$work/build.log"; exit 1; }
train_step=$(cargo bench "${patch[@]}" -p tributary-trainer --bench train_step --no-run \
  --message-format=json 2>>"$work/build.log" |
  python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "train_step" and m.get("executable"):
        print(m["executable"])')

log "packing $bundle"
rm -rf "$bundle" && mkdir -p "$bundle/bin"
for bin in tributary-worker tributary-worker-bench tributary-gpu-check tributary-trainer; do
  cp "$CARGO_TARGET_DIR/release/$bin" "$bundle/bin/"
done
cp "$train_step" "$bundle/bin/train-step-bench"
strip "$bundle"/bin/*
echo "torch $torch_version, built $(date -u +%FT%TZ) from $(git -C "$root" rev-parse --short HEAD)" >"$bundle/BUILD"
(cd "$bundle" && tar -cf - bin | xz -T2 -6 >bin.tar.xz && rm -r bin)
log "bundle: $(du -sh "$bundle/bin.tar.xz" | cut -f1)"

# The build path tested on this machine's CPU, with torch $torch_version's libtorch loaded: the
# GPU check script itself, its benchmarks shrunk.
log "smoke test on the CPU against torch $torch_version"
smoke=$(mktemp -d)
trap 'rm -rf "$smoke"' EXIT
xz -dc "$bundle/bin.tar.xz" | tar -xf - -C "$smoke"
for bin in "$smoke"/bin/*; do
  readelf -d "$bin" | grep -q 'NEEDED.*\[libtorch_cuda.so\]' ||
    { echo "$(basename "$bin") does not link libtorch_cuda.so" >&2; exit 1; }
done
cd "$root"
GPU_CHECK_DEVICE=cpu GPU_CHECK_QUICK=1 GPU_TORCH_PYTHON="$venv/bin/python" \
  scripts/gpu-check.sh "$smoke/results/gpu-check.md" >"$smoke/check.log" 2>&1 ||
  { cat "$smoke/check.log"; exit 1; }
for expected in "libtorch loaded from: $torch_lib" "all checks within tolerance" "## 1. Decode throughput" \
  "heterogeneous ÷ merge-and-swap" "## 3. Cold adapter load" "steps ms: tch"; do
  grep -qF "$expected" "$smoke/results/gpu-check.md" ||
    { cat "$smoke/check.log"; echo "the smoke run's results lack: $expected" >&2; exit 1; }
done
grep -q '"pass": true' "$smoke/results/gpu-check.json" || { cat "$smoke/results/gpu-check.json"; exit 1; }
if "$smoke/bin/tributary-worker" --device cuda --base-model /nonexistent --data-dir "$smoke/data" 2>"$smoke/err.txt"; then
  echo "the worker started on an absent GPU" >&2; exit 1
fi
grep -q "device cuda:0 asked for" "$smoke/err.txt" || { cat "$smoke/err.txt"; exit 1; }
log "ok: every binary links libtorch_cuda, the GPU check passes on the CPU with torch $torch_version"
