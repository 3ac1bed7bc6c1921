#!/usr/bin/env bash
# Set up the machine if needed, then run every test of the workspace: unit tests, pallet
# benchmark tests, and the integration tests that start real nodes on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT
step() { printf '\n\033[1m[test]\033[0m %s\n' "$*"; }

run() {
	local name=$1; shift
	step "$name: $*"
	local start=$SECONDS
	"$@" 2>&1 | tee "$log_dir/$name.log"
	local status=${PIPESTATUS[0]}
	echo "[test] $name took $((SECONDS - start)) s"
	[ "$status" -eq 0 ] || failed_steps+=("$name")
	return "$status"
}

status=0
failed_steps=()
# The house rules first: formatting (rustfmt.toml, a second) and lints as errors (a check build;
# warm it takes seconds, cold about 5 minutes on two cores).
run format cargo fmt --all -- --check || status=1
run lint cargo clippy --workspace --all-targets --locked -- -D warnings || status=1
run workspace-build cargo test --workspace --locked --no-run || status=1
# The fuzz targets' instrumented build (cold about 4 minutes) runs beside the tests at the lowest
# priority, on the CPU they leave idle while their nodes wait for blocks.
nice -n 19 scripts/fuzz.sh --build-only >"$log_dir/fuzz-build.out" 2>&1 &
fuzz_build=$!
# eth-rpc (tools/eth-rpc, the Ethereum JSON-RPC the EVM tests use) builds beside them the same way
# (cold about 15 minutes: subxt, sqlx, RocksDB; warm seconds).
nice -n 19 scripts/eth-rpc-build.sh >"$log_dir/eth-rpc-build.out" 2>&1 &
eth_rpc_build=$!
run workspace cargo test --workspace --locked || status=1
# The zombienet scenarios (4 validators with sidecars; about 5 minutes, mostly waiting for blocks)
# run beside the steps below; their output is shown when they end.
step "zombienet: scripts/zombienet.sh in the background"
zombienet_start=$SECONDS
scripts/zombienet.sh >"$log_dir/zombienet.out" 2>&1 &
zombienet=$!
run pallet-benchmarks cargo test --locked -p pallet-datanets -p pallet-models -p pallet-attribution -p pallet-rewards -p pallet-validators --features runtime-benchmarks || status=1
# The studio's unit and component tests (Vitest) and its production build (type check + Vite),
# from its pinned package-lock.json (about a minute).
run studio bash -c 'cd studio && npm ci --no-audit --no-fund && npm test && npm run build' || status=1
# The referendum CLI (scripts/referendum.sh) against a dev node: one call enacted, one whose
# enacted call fails (about a minute).
run referendum-cli scripts/referendum-test.sh || status=1
# The studio's whole flow in headless chromium (create a datanet, upload, approve, publish,
# fine-tune, chat with attribution, sign the receipt, see its record final, claim) against a fresh
# two-validator network of its own (tiny base model; ports and data folder apart from zombienet's
# and a developer's dev.sh). Screenshots of every page: .data/studio-e2e/screenshots/. Then, on
# that network and its final attribution records, the EVM tests (contracts/test/, through eth-rpc).
step "eth-rpc-build: waiting for it"
if wait "$eth_rpc_build"; then
	tail -n 1 "$log_dir/eth-rpc-build.out"
else
	tail -n 40 "$log_dir/eth-rpc-build.out"; status=1; failed_steps+=(eth-rpc-build)
fi
run studio-e2e env TRIBUTARY_DEV_SKIP_BUILD=1 scripts/studio-e2e.sh || status=1
# The GPU machines' build path, tested on this CPU: release binaries against their torch (2.11),
# linked with CUDA, run against that libtorch (cold ~20 minutes with the venv download; warm it
# rebuilds what changed).
run gpu-build scripts/gpu-build.sh || status=1
# Every fuzz target briefly, from the corpus kept in fuzz/corpus, once their build is done.
step "fuzz-build: waiting for the instrumented build"
wait "$fuzz_build" || { cat "$log_dir/fuzz-build.out"; status=1; failed_steps+=(fuzz-build); }
run fuzz scripts/fuzz.sh 15 || status=1
step "zombienet: waiting for the scenarios"
wait "$zombienet" || { status=1; failed_steps+=(zombienet); }
sed -n '/report (suite wall time/,$p' "$log_dir/zombienet.out"
grep -E '(✅|❌) ' "$log_dir/zombienet.out" || cat "$log_dir/zombienet.out"
echo "[test] zombienet took $((SECONDS - zombienet_start)) s (beside the steps above)"

# One closing line over every cargo test run above
passed=0; failed=0; ignored=0
while read -r p f i; do
	passed=$((passed + p)); failed=$((failed + f)); ignored=$((ignored + i))
done < <(grep -h '^test result:' "$log_dir"/*.log | sed -E 's/.* ([0-9]+) passed; ([0-9]+) failed; ([0-9]+) ignored.*/\1 \2 \3/')
# and over node:test's (the EVM tests'), whose TAP output ends with "# pass N", "# fail N".
while read -r key count; do
	case $key in
	pass) passed=$((passed + count)) ;;
	fail) failed=$((failed + count)) ;;
	skipped) ignored=$((ignored + count)) ;;
	esac
done < <(grep -h -E '^# (pass|fail|skipped) [0-9]+$' "$log_dir"/*.log | sed 's/^# //')
echo
if [ "$status" -ne 0 ]; then
	echo "[test] some test runs FAILED (see above): ${failed_steps[*]}"
	# The browser flow's failing step and the screenshot of its page.
	[ -f "$log_dir/studio-e2e.log" ] && grep -a 'FAILED\|the page when it failed' "$log_dir/studio-e2e.log" | grep -av '^\[full-flow\]' || true
fi
echo "total: $passed passed, $failed failed, $ignored skipped"
exit "$status"
