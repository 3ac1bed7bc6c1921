#!/usr/bin/env bash
# The AI Studio's whole flow (issue 19) in headless Debian chromium, against a fresh two-validator
# network that scripts/dev.sh starts for it: the validators register as workers; a datanet is
# created, a file uploaded, its rows approved and published; a fine-tune job trains and is
# accepted; a chat answer is attributed to the uploaded rows and paid with a receipt signed in the
# browser; its record finalizes; the contributor claims (studio/e2e/full-flow.mjs).
#   scripts/studio-e2e.sh
# The network serves the tiny base model (fast to fine-tune) on ports of its own (RPC 19944/19945,
# P2P 31333/31334, sidecars 18620/18621 with operator APIs 18720/18721, studio 15173) and keeps
# its chain, sidecars and logs in .data/studio-e2e/network/, so it runs beside zombienet and a
# developer's scripts/dev.sh. Screenshots of every page: .data/studio-e2e/screenshots/ (listed at
# the end). The network's whole process group is stopped at the end, also on failure.
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
export TRIBUTARY_DEV_DATA=$out/network
export TRIBUTARY_BASE_MODEL=tiny
# The first run pretrains the tiny base model into .data/base-model (a few minutes, kept after).
start_wait=${TRIBUTARY_E2E_START_WAIT:-900}

ports=("$TRIBUTARY_RPC_PORT" $((TRIBUTARY_RPC_PORT + 1)) "$TRIBUTARY_P2P_PORT" $((TRIBUTARY_P2P_PORT + 1))
	"$TRIBUTARY_WORKER_PORT" $((TRIBUTARY_WORKER_PORT + 1)) $((TRIBUTARY_WORKER_PORT + 100))
	$((TRIBUTARY_WORKER_PORT + 101)) "$TRIBUTARY_STUDIO_PORT")
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
stop_network() {
	kill -TERM -- "-$dev" 2>/dev/null || return 0
	for _ in $(seq 40); do
		kill -0 -- "-$dev" 2>/dev/null || return 0
		sleep 0.5
	done
	log "the network did not stop in 20 s; killing it"
	kill -KILL -- "-$dev" 2>/dev/null || true
}
trap stop_network EXIT
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
(
	cd studio
	STUDIO_URL="http://127.0.0.1:$TRIBUTARY_STUDIO_PORT" ARTIFACTS="../$screenshots" \
		ALICE_SIDECAR_URL="http://127.0.0.1:$TRIBUTARY_WORKER_PORT" \
		BOB_SIDECAR_URL="http://127.0.0.1:$((TRIBUTARY_WORKER_PORT + 1))" \
		node e2e/full-flow.mjs
) 2>&1 | tee "$out/flow.log" || flow_status=$?
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
