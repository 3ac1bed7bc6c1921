#!/usr/bin/env bash
# The GPU check, run on a GPU machine from a copy of the repository plus .gpu-bundle/ (built on a
# build machine by scripts/gpu-build.sh against the GPU machine's torch; no Rust needed here):
#   1. the device (nvidia-smi, torch's view of it);
#   2. CUDA vs CPU equivalence: a forward pass, a LoRA train step and a batched decode over
#      several adapters (tributary-gpu-check; max |Δ| within tolerance, or the check fails);
#   3. the serving benchmark's sections 1-3 (decode tok/s with 1-1,000 adapters, heterogeneous
#      batching vs merge-and-swap, cold adapter load) and the trainer's train-step benchmark
#      (tch vs PyTorch + PEFT when that Python has peft) on the GPU;
#   4. everything written to one results file (markdown) and the check's JSON beside it.
# Each step has its own time limit (all together under 8 minutes); a step that fails or runs out
# is recorded as such and the others still run. The exit status is the equivalence check's.
#
# Usage: scripts/gpu-check.sh [RESULTS]   (default $OUT/gpu-check.md when $OUT is set, else
#        gpu-check.md). Environment: GPU_TORCH_PYTHON (the Python whose torch the bundle loads;
#        default /opt/torch/.venv/bin/python, else python3), GPU_CHECK_DEVICE (default cuda:0),
#        GPU_CHECK_QUICK=1 (the serving benchmark's --quick --toy workloads and one round of the
#        train-step benchmark on its toy shape, for a CPU smoke run).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
results="${1:-${OUT:-.}/gpu-check.md}"
device="${GPU_CHECK_DEVICE:-cuda:0}"
fail() { echo "gpu-check: $*" >&2; exit 2; }

[ -f .gpu-bundle/bin.tar.xz ] ||
  fail "no .gpu-bundle/bin.tar.xz: build it with scripts/gpu-build.sh on a build machine and carry .gpu-bundle"
python="${GPU_TORCH_PYTHON:-}"
if [ -z "$python" ]; then
  python=python3
  [ -x /opt/torch/.venv/bin/python ] && python=/opt/torch/.venv/bin/python
fi
torch_lib=$("$python" -c 'from torch.utils import cpp_extension; print(cpp_extension.library_paths()[0])' 2>/dev/null) ||
  fail "$python has no torch; set GPU_TORCH_PYTHON to a Python with the torch the bundle was built for"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
xz -dc .gpu-bundle/bin.tar.xz | tar -xf - -C "$work"
bin="$work/bin"
export LD_LIBRARY_PATH="$torch_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
quick=()
train_quick=()
if [ "${GPU_CHECK_QUICK:-0}" = 1 ]; then
  quick=(--quick --toy)
  train_quick=(--shape toy --rounds 1 --steps 1)
fi
mkdir -p "$(dirname "$results")"

# One step: its output in a fenced block, then its exit status and wall time.
step() {
  local title=$1 limit=$2
  shift 2
  local started=$SECONDS rc
  {
    printf '\n## %s\n\n```\n' "$title"
    timeout "$limit" "$@" 2>&1
    rc=$?
    printf '```\n\n'
    case $rc in
      0) echo "ok, $((SECONDS - started)) s" ;;
      124) echo "**ran past its ${limit} s limit**" ;;
      *) echo "**exit status $rc** after $((SECONDS - started)) s" ;;
    esac
    return $rc
  } | tee -a "$results"
  return "${PIPESTATUS[0]}"
}

{
  echo "# Tributary GPU check"
  echo
  echo "- date: $(date -u +%FT%TZ); bundle: $(cat .gpu-bundle/BUILD 2>/dev/null || echo unknown)"
  echo "- torch: $("$python" -c 'import torch; print(torch.__version__, "CUDA", torch.version.cuda, "available:", torch.cuda.is_available())' 2>/dev/null) ($torch_lib)"
  echo "- device asked for: $device; host: $(nproc) cores"
} | tee "$results"

step "1. Device" 30 sh -c 'command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=index,name,memory.total,driver_version --format=csv || echo "no nvidia-smi"'
step "2. CUDA vs CPU equivalence" 150 "$bin/tributary-gpu-check" --device "$device" --json "${results%.md}.json"
check=$?
step "3a. Serving benchmark, sections 1-3" 240 \
  "$bin/tributary-worker-bench" "${quick[@]}" --section 1 --section 2 --section 3 --device "$device"
step "3b. Train-step benchmark (tch vs PyTorch + PEFT)" 90 \
  env PEFT_PYTHON="$python" PEFT_REFERENCE="$root/offchain-workers/trainer/bench/peft_reference.py" \
  "$bin/train-step-bench" "${train_quick[@]}" --device "$device"
echo
echo "results: $results"
exit "$check"
