#!/usr/bin/env bash
# Measure the project pallets' calls and regenerate their weights.rs files.
#
# The runtime is built to wasm with its benchmarks compiled in and handed to the ordinary node
# binary with `--runtime`, so the node itself never needs a second build with
# `--features runtime-benchmarks`.
#
# Usage: scripts/bench-weights.sh [pallet ...]     (default: every project pallet)
# Env:   STEPS (default 10), REPEAT (default 3): the node is a debug build, on which 50 x 20
#        takes over an hour for the batch calls.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$root"

pallets=("$@")
if [ ${#pallets[@]} -eq 0 ]; then
	pallets=(datanets models attribution rewards)
fi
steps="${STEPS:-10}"
repeat="${REPEAT:-3}"

echo "==> building the runtime with benchmarks (wasm) and the node"
# Both feature sets of the runtime write their wasm to the same path, and a runtime whose build
# script did not rerun embeds whatever that path holds. Touching build.rs reruns the build script
# of the next build of each feature set, so each builds (and embeds) its own wasm; the benchmark
# one is copied aside before the ordinary build replaces it.
bench_wasm="$CARGO_TARGET_DIR/bench-runtime/tributary_runtime.wasm"
mkdir -p "$(dirname "$bench_wasm")"
touch runtime/build.rs
cargo build --locked -p tributary-runtime --features runtime-benchmarks
cp "$CARGO_TARGET_DIR/debug/wbuild/tributary-runtime/tributary_runtime.wasm" "$bench_wasm"
touch runtime/build.rs
# The same build as scripts/test.sh and scripts/dev.sh, so the node's artifacts are shared.
cargo test --workspace --locked --no-run
node="$CARGO_TARGET_DIR/debug/tributary-node"

for pallet in "${pallets[@]}"; do
	output="pallets/$pallet/src/weights.rs"
	echo "==> benchmarking pallet_$pallet (steps $steps, repeat $repeat) -> $output"
	"$node" benchmark pallet \
		--runtime "$bench_wasm" \
		--genesis-builder runtime \
		--genesis-builder-preset development \
		--pallet "pallet_$pallet" \
		--extrinsic '*' \
		--steps "$steps" \
		--repeat "$repeat" \
		--template scripts/pallet-weights.hbs \
		--output "$output"
done
echo "==> done: review the diff of pallets/*/src/weights.rs and commit it"
