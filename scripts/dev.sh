#!/usr/bin/env bash
# Set up the machine if needed, build, and run a Tributary dev chain on 127.0.0.1.
# Ctrl-C stops everything cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

rpc_port=${TRIBUTARY_RPC_PORT:-9944}
p2p_port=${TRIBUTARY_P2P_PORT:-30333}

echo "[dev] building (the first build takes 40-60 minutes on 2 cores)"
# Build exactly what scripts/test.sh builds: the same feature resolution means both scripts share
# every artifact, while `cargo build -p tributary-node` alone resolves features differently and
# recompiles ~250 crates (measured: 12 minutes).
cargo test --workspace --locked --no-run
node_bin="$CARGO_TARGET_DIR/debug/tributary-node"

log_dir=.data/logs
mkdir -p "$log_dir"
"$node_bin" --dev --tmp --rpc-port "$rpc_port" --port "$p2p_port" --rpc-cors all \
	--no-telemetry >"$log_dir/node.log" 2>&1 &
node_pid=$!

stop() {
	echo
	echo "[dev] stopping node (pid $node_pid)"
	kill "$node_pid" 2>/dev/null || true
	wait "$node_pid" 2>/dev/null || true
	exit 0
}
trap stop INT TERM

rpc() {
	curl -s -H 'Content-Type: application/json' \
		-d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":[]}" "http://127.0.0.1:$rpc_port"
}

echo "[dev] waiting for the node's RPC (log: $log_dir/node.log)"
until rpc system_health >/dev/null 2>&1; do
	if ! kill -0 "$node_pid" 2>/dev/null; then
		echo "[dev] the node exited; last log lines:"; tail -20 "$log_dir/node.log"; exit 1
	fi
	sleep 1
done

cat <<TXT

Tributary dev chain is running (Alice validates; Alice, Bob, Charlie, ... are funded).
  JSON-RPC (HTTP):  http://127.0.0.1:$rpc_port
  WebSocket:        ws://127.0.0.1:$rpc_port
  P2P:              /ip4/127.0.0.1/tcp/$p2p_port
  polkadot.js apps: open https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A$rpc_port
                    (or Settings -> custom endpoint ws://127.0.0.1:$rpc_port)
  Node info:        curl -s -H 'Content-Type: application/json' \\
                      -d '{"jsonrpc":"2.0","id":1,"method":"tributary_nodeInfo","params":[]}' \\
                      http://127.0.0.1:$rpc_port
Press Ctrl-C to stop.

TXT

# Show progress: best and finalized block every few seconds while the node runs.
while kill -0 "$node_pid" 2>/dev/null; do
	info=$(rpc tributary_nodeInfo | sed -E 's/.*"bestNumber":([0-9]+).*"finalizedNumber":([0-9]+).*/best #\1, finalized #\2/')
	echo "[dev] $(date +%T) $info"
	sleep 6 & wait $! || true
done
echo "[dev] the node exited; last log lines:"
tail -20 "$log_dir/node.log"
exit 1
