#!/usr/bin/env bash
# Fuzzes the targets of fuzz/ (every one, or those named) for a given time each, with cargo-fuzz
# on the project's stable toolchain: `--sanitizer none` (AddressSanitizer needs nightly, which
# this project does not use), debug assertions and overflow checks on, every pallet's try_state
# checked after each fuzzed call.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]        (default 60 s per target, all targets)
#        scripts/fuzz.sh --build-only                 (install cargo-fuzz and build, no run)
#
# The repo's fuzz/corpus/<target> seeds each run and is never written; what the fuzzer finds
# new goes to $FUZZ_WORK/corpus/<target> (default ~/.cache/tributary-fuzz), which later runs start
# from. An input that fails a target is saved in fuzz/artifacts/<target>/; the script goes on with
# the other targets and exits non-zero. Reproduce one with
# `cargo fuzz run --dev -s none --features libfuzzer,try-runtime <target> <file>`, and keep it,
# with its fix, as fuzz/corpus/<target>/crash-<what>: the workspace tests replay the corpus.
#
# Cost on 2 cores: cargo-fuzz installed once (about 2 minutes), an instrumented build of the
# targets (cold about 12 minutes, warm seconds), then SECONDS per target.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
log() { printf '\033[1m[fuzz]\033[0m %s\n' "$*"; }

build_only=false
if [ "${1:-}" = --build-only ]; then
	build_only=true
	shift
fi
seconds="${1:-60}"
shift || true
mapfile -t all_targets < <(sed -n '/^\[\[bin\]\]/{n;s/^name = "\(.*\)"$/\1/p}' fuzz/Cargo.toml)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
work="${FUZZ_WORK:-$HOME/.cache/tributary-fuzz}"

cargo_fuzz_version=0.13.2
if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $cargo_fuzz_version" ]; then
	log "installing cargo-fuzz $cargo_fuzz_version"
	cargo install --locked --quiet cargo-fuzz --version "$cargo_fuzz_version"
fi

# The runtime's wasm is not needed natively; try-runtime reaches only this build.
fuzz_flags=(--dev --sanitizer none --features libfuzzer,try-runtime)
export SKIP_WASM_BUILD=1
log "building ${#all_targets[@]} targets (instrumented)"
start=$SECONDS
cargo fuzz build "${fuzz_flags[@]}"
log "build took $((SECONDS - start)) s"
if $build_only; then
	exit 0
fi

status=0
summary=()
for target in "${targets[@]}"; do
	mkdir -p "$work/corpus/$target"
	log "$target: ${seconds} s"
	output="$work/$target.log"
	# -timeout: an input that takes 30 s is a hang; -rss_limit_mb: the sidecar target holds a
	# worker with its model.
	if cargo fuzz run "${fuzz_flags[@]}" "$target" "$work/corpus/$target" "fuzz/corpus/$target" -- \
		-max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
		>"$output" 2>&1; then
		result=ok
	else
		result=FAILED
		status=1
		grep -E 'panicked at|ERROR: libFuzzer|Test unit written to' "$output" | head -5 || true
	fi
	executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$output" | tail -1)
	coverage=$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' "$output" | tail -1)
	kept=$(find "$work/corpus/$target" -type f | wc -l)
	summary+=("$(printf '%-18s %-6s %10s runs %6s edges %6s inputs found' \
		"$target" "$result" "${executions:-?}" "${coverage:-?}" "$kept")")
done
echo
printf '%s\n' "${summary[@]}"
exit "$status"
