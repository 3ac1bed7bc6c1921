#!/usr/bin/env bash
# The try-runtime check of this runtime against a live chain's state (tools/try-runtime): every
# pallet's migrations and storage version, and every pallet's try_state, on the state downloaded
# from a node.
#
# Usage: scripts/try-runtime.sh [ws://HOST:PORT]
#   With a URI: checks that chain (its best finalized block).
#   Without: starts a dev node (Alice alone, temporary database), lets it finalize a few blocks,
#   checks it, and stops it.
# Cost on 2 cores: a native build of the runtime with try-runtime (cold about 8 minutes on top of
# the workspace build, warm seconds), then seconds per check.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
log() { printf '\033[1m[try-runtime]\033[0m %s\n' "$*"; }

# Natively only: the runtime's wasm is not needed to check it.
log "building tributary-try-runtime"
SKIP_WASM_BUILD=1 cargo build --locked -p tributary-try-runtime --features try-runtime
tool="$CARGO_TARGET_DIR/debug/tributary-try-runtime"

if [ $# -gt 0 ]; then
	exec "$tool" --uri "$1"
fi

log "building and starting a dev node"
# The whole workspace's features, as scripts/test.sh builds the node (a `-p` build would compile
# many crates again with other features).
cargo build --locked --workspace --bins
base=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
"$CARGO_TARGET_DIR/debug/tributary-node" --dev --base-path "$base" --rpc-port "$port" \
	--no-prometheus --no-telemetry --no-mdns >"$base/node.log" 2>&1 &
node=$!
trap 'kill $node 2>/dev/null; wait $node 2>/dev/null; rm -rf "$base"' EXIT
# A JSON-RPC call to the node; prints nothing while it does not answer yet.
rpc() {
	curl -s -H 'Content-Type: application/json' \
		-d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$1\",\"params\":[$2]}" \
		"http://127.0.0.1:$port" || true
}
number=0
for _ in $(seq 1 120); do
	finalized=$(rpc chain_getFinalizedHead "" | sed -n 's/.*"result":"\(0x[0-9a-f]*\)".*/\1/p')
	if [ -n "$finalized" ]; then
		header=$(rpc chain_getHeader "\"$finalized\"")
		number=$(($(printf '%s' "$header" | sed -n 's/.*"number":"\(0x[0-9a-f]*\)".*/\1/p')))
		[ "$number" -ge 3 ] && break
	fi
	sleep 1
done
if [ "$number" -lt 3 ]; then
	tail -20 "$base/node.log"
	log "the dev node finalized no blocks in 2 minutes"
	exit 1
fi
log "dev node at finalized block $number"
"$tool" --uri "ws://127.0.0.1:$port"
