#!/usr/bin/env bash
# The multi-validator scenarios of zombienet/ on one network that zombienet spawns (native
# provider): four validators, each with its worker sidecar.
#   scripts/zombienet.sh                 every scenario, in the order below, on one network
#   scripts/zombienet.sh SCENARIO...     some of them (finality, fine-tune, restart, dispute)
# Timings go to .data/zombienet/report/ and are printed at the end; node, sidecar and zombienet
# logs stay in .data/zombienet/ after the run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
log() { printf '\033[1m[zombienet]\033[0m %s\n' "$*"; }

all=(finality fine-tune restart dispute)
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=("${all[@]}")
for scenario in "${scenarios[@]}"; do
	[ -f "zombienet/scenarios/$scenario.zndsl" ] ||
		{ echo "no scenario '$scenario' (known: ${all[*]})" >&2; exit 2; }
done

[ -x zombienet/node_modules/.bin/zombienet ] || scripts/setup.sh
source scripts/env.sh

# The same build as scripts/test.sh (same feature resolution, so nothing is rebuilt), which also
# names the driver: node/tests/zombienet.rs, the scenarios' chain-side steps and checks.
log "building the workspace's binaries and the scenario driver"
build=$(mktemp -d)
cargo test --workspace --locked --no-run --message-format=json >"$build/artifacts.json" 2>"$build/output.txt" ||
	{ cat "$build/output.txt"; echo "the build failed" >&2; exit 1; }
driver=$(python3 -c 'import json, sys
for line in open(sys.argv[1]):
    message = json.loads(line)
    if message.get("reason") == "compiler-artifact" and message["target"]["name"] == "zombienet" and message.get("executable"):
        print(message["executable"])' "$build/artifacts.json")
rm -rf "$build"
[ -n "$driver" ] || { echo "the scenario driver (node/tests/zombienet.rs) did not build" >&2; exit 1; }

export TRIBUTARY_BIN="$CARGO_TARGET_DIR/debug"
export TRIBUTARY_ZOMBIENET_HOME="$root/zombienet"
export TRIBUTARY_ZOMBIENET_DIR="$root/.data/zombienet"
export TRIBUTARY_ZOMBIENET_DRIVER="$driver"
export TRIBUTARY_ZOMBIENET_PORT=${TRIBUTARY_ZOMBIENET_PORT:-18420}
export TRIBUTARY_ZOMBIENET_SPEC="$TRIBUTARY_ZOMBIENET_DIR/tributary-4.json"

# A run that was killed (not interrupted) leaves its sidecars on their ports: stop them first.
zombienet/sidecar.sh stop-all
rm -rf "$TRIBUTARY_ZOMBIENET_DIR"
mkdir -p "$TRIBUTARY_ZOMBIENET_DIR/report"

# The served base model: the project's tiny Llama pretrained on the scenarios' rows (about 10 s).
export TRIBUTARY_ZOMBIENET_BASE="$TRIBUTARY_ZOMBIENET_DIR/base"
log "pretraining the served base model on zombienet/rows.txt"
for _ in 1 2 3 4; do cat zombienet/rows.txt; echo; done >"$TRIBUTARY_ZOMBIENET_DIR/corpus.txt"
"$TRIBUTARY_BIN/tributary-trainer" pretrain --out "$TRIBUTARY_ZOMBIENET_BASE" \
	--source "$TRIBUTARY_ZOMBIENET_DIR/corpus.txt" --steps 1000 --lr 0.003 --vocab-size 320 \
	--hidden 64 --layers 2 --seq-len 64 >"$TRIBUTARY_ZOMBIENET_DIR/pretrain.log" 2>&1 ||
	{ cat "$TRIBUTARY_ZOMBIENET_DIR/pretrain.log"; exit 1; }

stop_sidecars() { zombienet/sidecar.sh stop-all || true; }
trap stop_sidecars EXIT

# The chain: the `local` preset with the four as its validators (session keys), a trainer and 3
# verifiers per job and 3 recomputers per dispute (what the runtime's presets give a network of 4
# or more), converted to raw (zombienet cannot convert with this node, and needs no key rewriting:
# each validator runs with its own dev keys).
key() { # name scheme
	"$TRIBUTARY_BIN/tributary-node" key inspect --scheme "$2" --output-type json "//${1^}" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["ss58Address"])'
}
plain="$TRIBUTARY_ZOMBIENET_DIR/tributary-4-plain.json"
"$TRIBUTARY_BIN/tributary-node" export-chain-spec --chain local >"$plain"
python3 - "$plain" "$(for v in alice bob charlie dave; do echo "$(key $v sr25519),$(key $v ed25519)"; done)" <<'PY'
import json, sys
path, keys = sys.argv[1], [line.split(",") for line in sys.argv[2].split()]
spec = json.load(open(path))
spec["id"] = "tributary_zombienet"
patch = spec["genesis"]["runtimeGenesis"]["patch"]
# Each validator's account and session keys: sr25519 for Aura and the worker, ed25519 for GRANDPA.
patch["session"]["keys"] = [[sr, sr, {"aura": sr, "grandpa": ed, "worker": sr}] for sr, ed in keys]
patch["models"]["verifiersPerJob"] = 3
patch["attribution"]["params"]["recomputers"] = 3
json.dump(spec, open(path, "w"), indent=1)
PY
"$TRIBUTARY_BIN/tributary-node" export-chain-spec --chain "$plain" --raw >"$TRIBUTARY_ZOMBIENET_SPEC"

# One zombienet test of the chosen scenarios, in order, so they share one network.
suite=zombienet/.suite.zndsl
{
	echo "Description: Tributary scenarios: ${scenarios[*]}"
	echo "Network: ./network.toml"
	echo "Creds: config"
	for scenario in "${scenarios[@]}"; do
		echo
		cat "zombienet/scenarios/$scenario.zndsl"
	done
} >"$suite"

log "scenarios: ${scenarios[*]} (logs: $TRIBUTARY_ZOMBIENET_DIR)"
start=$SECONDS
status=0
(cd zombienet && node_modules/.bin/zombienet --provider native --dir "$TRIBUTARY_ZOMBIENET_DIR/network" \
	--force --logType text test "$(basename "$suite")") || status=$?
rm -f "$suite"

echo
log "report (suite wall time $((SECONDS - start)) s)"
cat "$TRIBUTARY_ZOMBIENET_DIR"/report/*.txt 2>/dev/null || true
if [ "$status" -ne 0 ]; then
	log "FAILED; the driver's output of each scenario that ran:"
	for output in "$TRIBUTARY_ZOMBIENET_DIR"/report/*.log; do
		[ -f "$output" ] && { echo "--- $output"; tail -n 40 "$output"; }
	done
fi
exit "$status"
