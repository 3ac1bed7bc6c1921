#!/usr/bin/env bash
# The AI Studio's whole flow (issue 19) in headless Debian chromium, against a fresh two-validator
# network that scripts/dev.sh starts for it: the validators register as workers; a datanet is
# created, a file uploaded, its rows approved and published; a fine-tune job trains and is
# accepted; a chat answer is attributed to the uploaded rows and paid with a receipt signed in the
# browser; its record finalizes; the contributor claims (studio/e2e/full-flow.mjs). Then the EVM
# tests run on the same network (contracts/test/evm.test.mjs through eth-rpc).
#   scripts/studio-e2e.sh
# The network serves the tiny base model (fast to fine-tune) on ports of its own (RPC 19944/19945,
# P2P 31333/31334, sidecars 18620/18621 with operator APIs 18720/18721, studio 15173, eth-rpc
# 18545) and keeps
# its chain, sidecars and logs in .data/studio-e2e/network/, so it runs beside zombienet and a
# developer's scripts/dev.sh (TRIBUTARY_E2E_RPC_PORT, _P2P_PORT, _WORKER_PORT, _STUDIO_PORT, _ETH_RPC_PORT move
# them). Screenshots of every page: .data/studio-e2e/screenshots/ (listed at the end). The
# network and the flow run in process groups of their own, stopped at the end, also on failure
# or interruption; a killed run's are stopped by the next run.
# TRIBUTARY_DEV_SKIP_BUILD=1 (as scripts/test.sh runs it): the workspace and studio/node_modules
# are built already.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '\033[1m[studio-e2e]\033[0m %s\n' "$*"; }

out=.data/studio-e2e
screenshots=$out/screenshots
export TRIBUTARY_RPC_PORT=${TRIBUTARY_E2E_RPC_PORT:-19944}
export TRIBUTARY_P2P_PORT=${TRIBUTARY_E2E_P2P_PORT:-31333}
export TRIBUTARY_WORKER_PORT=${TRIBUTARY_E2E_WORKER_PORT:-18620}
export TRIBUTARY_STUDIO_PORT=${TRIBUTARY_E2E_STUDIO_PORT:-15173}
export TRIBUTARY_ETH_RPC_PORT=${TRIBUTARY_E2E_ETH_RPC_PORT:-18545}
export TRIBUTARY_DEV_DATA=$out/network
# The tiny base model unless TRIBUTARY_E2E_BASE_MODEL=smollm2 (scripts/demo.sh; minutes to
# fine-tune). The first run pretrains the tiny one into .data/base-model (about 20 s, kept after).
export TRIBUTARY_BASE_MODEL=${TRIBUTARY_E2E_BASE_MODEL:-tiny}
start_wait=${TRIBUTARY_E2E_START_WAIT:-900}

# Stops process group $1 (TERM, then KILL after 20 s).
stop_group() {
	kill -TERM -- "-$1" 2>/dev/null || return 0
	for _ in $(seq 40); do
		kill -0 -- "-$1" 2>/dev/null || return 0
		sleep 0.5
	done
	log "process group $1 did not stop in 20 s; killing it"
	kill -KILL -- "-$1" 2>/dev/null || true
}
# The network and the browser flow each lead a process group, recorded in these files while
# they run. A run that was killed (not interrupted) leaves them running: stop them first, if the
# recorded groups still run this script's processes.
network_pgid=$out/network.pgid
flow_pgid=$out/flow.pgid
for file in "$flow_pgid" "$network_pgid"; do
	[ -f "$file" ] || continue
	old=$(cat "$file")
	if pgrep -g "$old" -f 'scripts/dev.sh|tributary-|vite|full-flow|chromium' >/dev/null 2>&1; then
		log "stopping what a killed run left running (process group $old, $file)"
		stop_group "$old"
	fi
	rm -f "$file"
done

ports=("$TRIBUTARY_RPC_PORT" $((TRIBUTARY_RPC_PORT + 1)) "$TRIBUTARY_P2P_PORT" $((TRIBUTARY_P2P_PORT + 1))
	"$TRIBUTARY_WORKER_PORT" $((TRIBUTARY_WORKER_PORT + 1)) $((TRIBUTARY_WORKER_PORT + 100))
	$((TRIBUTARY_WORKER_PORT + 101)) "$TRIBUTARY_STUDIO_PORT" "$TRIBUTARY_ETH_RPC_PORT")
for port in "${ports[@]}"; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		log "FAILED: port $port is in use (a studio-e2e network left running? pgrep -af tributary-)"
		exit 1
	fi
done
command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null || scripts/setup.sh
[ -d studio/node_modules/playwright-core ] || (cd studio && npm ci --no-audit --no-fund)

rm -rf "$screenshots" "$out/dev.log"
mkdir -p "$screenshots"
start=$SECONDS
# dev.sh leads a process group of its own (setsid), so that everything it starts (nodes,
# sidecars, the studio's npm and Vite) is stopped together.
setsid scripts/dev.sh >"$out/dev.log" 2>&1 </dev/null &
dev=$!
echo "$dev" >"$network_pgid"
flow=
stop_all() {
	if [ -n "$flow" ]; then
		stop_group "$flow"
		rm -f "$flow_pgid"
	fi
	stop_group "$dev"
	rm -f "$network_pgid"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

log "starting the network (scripts/dev.sh; log: $out/dev.log, nodes and sidecars: $TRIBUTARY_DEV_DATA/logs/)"
until grep -q '^Tributary is running' "$out/dev.log"; do
	if ! kill -0 "$dev" 2>/dev/null; then
		tail -n 40 "$out/dev.log"
		log "FAILED at the network's start: scripts/dev.sh exited (its log above; $TRIBUTARY_DEV_DATA/logs/)"
		exit 1
	fi
	if [ $((SECONDS - start)) -ge "$start_wait" ]; then
		tail -n 40 "$out/dev.log"
		log "FAILED at the network's start: not running after $start_wait s (log above)"
		exit 1
	fi
	sleep 1
done
log "network running after $((SECONDS - start)) s; the browser flow starts"

flow_start=$SECONDS
flow_status=0
# The flow (node and its chromium) in a process group of its own too, its output followed here.
(
	cd studio
	exec setsid env STUDIO_URL="http://127.0.0.1:$TRIBUTARY_STUDIO_PORT" ARTIFACTS="../$screenshots" \
		ALICE_SIDECAR_URL="http://127.0.0.1:$TRIBUTARY_WORKER_PORT" \
		BOB_SIDECAR_URL="http://127.0.0.1:$((TRIBUTARY_WORKER_PORT + 1))" \
		node e2e/full-flow.mjs
) >"$out/flow.log" 2>&1 </dev/null &
flow=$!
echo "$flow" >"$flow_pgid"
# In the background, so that the INT/TERM trap runs at once (bash waits for a foreground command
# before it runs a trap; `wait` it interrupts).
tail -n +1 -f --pid="$flow" "$out/flow.log" &
follow=$!
wait "$flow" || flow_status=$?
wait "$follow" || true
log "browser flow: $((SECONDS - flow_start)) s; network start and flow: $((SECONDS - start)) s"
if [ "$flow_status" -ne 0 ]; then
	for name in alice bob; do
		echo "--- last warnings and errors of $TRIBUTARY_DEV_DATA/logs/$name.log"
		grep -aE 'WARN|ERROR' "$TRIBUTARY_DEV_DATA/logs/$name.log" | tail -n 8 || true
	done
	for name in alice-sidecar bob-sidecar; do
		echo "--- last lines of $TRIBUTARY_DEV_DATA/logs/$name.log"
		tail -n 8 "$TRIBUTARY_DEV_DATA/logs/$name.log" || true
	done
	log "FAILED: the browser flow: $(grep -h -m 1 '^\[full-flow\] FAILED' "$out/flow.log" | sed 's/^\[full-flow\] FAILED //' || echo 'see its output above')"
	log "the page when it failed: $screenshots/failure.png; the flow's output: $out/flow.log"
	exit 1
fi
log "passed; screenshots: $screenshots/ (listed above and in $screenshots/screenshots.txt)"

# The EVM side on the same network, whose attribution records the flow just made final: eth
# JSON-RPC, an EIP-1559 transfer, the precompiles against the extrinsics, and the datanet bounty
# paying the flow's contributors pro rata (contracts/test/evm.test.mjs, ethers + polkadot.js).
evm_start=$SECONDS
[ -d contracts/node_modules/solc ] || (cd contracts && npm ci --no-audit --no-fund)
if ! (cd contracts && ETH_RPC_URL="http://127.0.0.1:$TRIBUTARY_ETH_RPC_PORT" \
	SUBSTRATE_URL="ws://127.0.0.1:$TRIBUTARY_RPC_PORT" npm test); then
	echo "--- last lines of $TRIBUTARY_DEV_DATA/logs/eth-rpc.log"
	tail -n 20 "$TRIBUTARY_DEV_DATA/logs/eth-rpc.log" || true
	log "FAILED: the EVM tests (contracts/test/evm.test.mjs)"
	exit 1
fi
log "EVM tests passed in $((SECONDS - evm_start)) s"
