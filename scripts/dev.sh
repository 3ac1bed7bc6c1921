#!/usr/bin/env bash
# Set up the machine if needed, build, and run Tributary on 127.0.0.1: two validators (Alice and
# Bob: a fine-tune job needs a trainer and a verifier), each with its worker sidecar serving
# SmolLM2-135M-Instruct (converted by scripts/setup.sh from its PyPI wheel), and the AI Studio web
# app on 127.0.0.1:5173. Ctrl-C stops everything.
# TRIBUTARY_BASE_MODEL=tiny serves the project's 4M-parameter model pretrained on license texts
# instead: fast to fine-tune, but its answers are not language.
# TRIBUTARY_DEV_DATA (default .data/dev) holds the chain, sidecars and logs (chain and sidecars
# fresh each run). TRIBUTARY_DEV_SKIP_BUILD=1 skips the cargo build and the studio's npm ci, for a
# caller that has done both (scripts/test.sh); the studio is still built for this network.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

rpc_port=${TRIBUTARY_RPC_PORT:-9944}
bob_rpc_port=$((rpc_port + 1))
p2p_port=${TRIBUTARY_P2P_PORT:-30333}
bob_p2p_port=$((p2p_port + 1))
alice_worker_port=${TRIBUTARY_WORKER_PORT:-8420}
bob_worker_port=$((alice_worker_port + 1))
# Each sidecar's operator API (adapters, jobs, PUT /store, receipts to submit, metrics): its
# node's --worker-url, never the address given to users.
alice_operator_port=$((alice_worker_port + 100))
bob_operator_port=$((bob_worker_port + 100))
studio_port=${TRIBUTARY_STUDIO_PORT:-5173}
eth_rpc_port=${TRIBUTARY_ETH_RPC_PORT:-8545}

skip_build=${TRIBUTARY_DEV_SKIP_BUILD:-0}
if [ "$skip_build" = 1 ]; then
	echo "[dev] not building (TRIBUTARY_DEV_SKIP_BUILD=1)"
else
	echo "[dev] building (the first build takes 40-60 minutes on 2 cores)"
	# Build exactly what scripts/test.sh builds: the same feature resolution means both scripts
	# share every artifact, while `cargo build -p tributary-node` alone resolves features
	# differently and recompiles ~250 crates (measured: 12 minutes).
	cargo test --workspace --locked --no-run
	scripts/eth-rpc-build.sh
fi
bin="$CARGO_TARGET_DIR/debug"

data=${TRIBUTARY_DEV_DATA:-.data/dev}
log_dir="$data/logs"
mkdir -p "$log_dir"
case "${TRIBUTARY_BASE_MODEL:-smollm2}" in
smollm2)
	base_model=.data/smollm2-135m-instruct
	base_model_id=smollm2-135m-instruct
	;;
tiny)
	base_model=.data/base-model
	base_model_id=tributary-tiny
	if [ ! -f "$base_model/model.safetensors" ]; then
		echo "[dev] pretraining the project's tiny base model into $base_model (first run only, a few minutes)"
		"$bin/tributary-trainer" pretrain --out "$base_model" --metrics "$log_dir/pretrain.json"
	fi
	;;
*)
	echo "[dev] TRIBUTARY_BASE_MODEL must be smollm2 (the default) or tiny" >&2
	exit 1
	;;
esac

pids=()
stop() {
	echo
	echo "[dev] stopping nodes and sidecars"
	kill "${pids[@]}" 2>/dev/null || true
	wait 2>/dev/null || true
	exit "${1:-0}"
}
trap stop INT TERM

account_of() { # SS58 address of a dev key
	"$bin/tributary-node" key inspect --scheme "$2" --output-type json "//$1" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["ss58Address"])'
}

# The `local` chain with Alice and Bob as its only validators (session keys), fresh each run,
# and the served model registered as base model 0 by the blake2-256 of its files.
spec="$data/two-validators.json"
"$bin/tributary-node" export-chain-spec --chain local >"$data/local.json"
python3 - "$data/local.json" "$spec" "$(account_of Alice sr25519)" "$(account_of Bob sr25519)" \
	"$(account_of Alice ed25519)" "$(account_of Bob ed25519)" "$base_model" "$base_model_id" <<'PY'
import hashlib, json, math, os, struct, sys
source, target, alice, bob, alice_gran, bob_gran, base, base_id = sys.argv[1:]
spec = json.load(open(source))
patch = spec["genesis"]["runtimeGenesis"]["patch"]
# Each validator's account and session keys: sr25519 for Aura and the worker, ed25519 for GRANDPA.
patch["session"]["keys"] = [[sr, sr, {"aura": sr, "grandpa": ed, "worker": sr}]
                            for sr, ed in ((alice, alice_gran), (bob, bob_gran))]

def blake2_256(name):
    digest = hashlib.blake2b(digest_size=32)
    with open(os.path.join(base, name), "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return "0x" + digest.hexdigest()

with open(os.path.join(base, "model.safetensors"), "rb") as f:
    header = json.loads(f.read(struct.unpack("<Q", f.read(8))[0]))
parameters = sum(math.prod(t["shape"]) for name, t in header.items() if name != "__metadata__")
manifest = os.path.join(base, "manifest.json")
license = json.load(open(manifest))["license"] if os.path.exists(manifest) else "Apache-2.0"
patch.setdefault("models", {})["baseModels"] = [{
    "name": base_id, "architecture": "llama", "weightsHash": blake2_256("model.safetensors"),
    "configHash": blake2_256("config.json"), "tokenizerHash": blake2_256("tokenizer.json"),
    "parameterCount": parameters, "license": license,
}]
json.dump(spec, open(target, "w"), indent=1)
PY

start_sidecar() { # name account port operator_port peer_port
	rm -rf "$data/$1"
	"$bin/tributary-worker" --listen "127.0.0.1:$3" --operator-listen "127.0.0.1:$4" \
		--data-dir "$data/$1" --base-model "$base_model" --base-model-id "$base_model_id" \
		--worker-account "$2" --peer "http://127.0.0.1:$5" >"$log_dir/$1.log" 2>&1 &
	pids+=($!)
}
start_sidecar alice-sidecar "$(account_of Alice sr25519)" "$alice_worker_port" "$alice_operator_port" "$bob_worker_port"
start_sidecar bob-sidecar "$(account_of Bob sr25519)" "$bob_worker_port" "$bob_operator_port" "$alice_worker_port"

alice_node_key=0000000000000000000000000000000000000000000000000000000000000001
bob_node_key=0000000000000000000000000000000000000000000000000000000000000002
alice_peer_id=12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp
start_node() { # name rpc_port p2p_port worker_port extra...
	local name=$1 rpc=$2 p2p=$3 worker=$4
	shift 4
	rm -rf "$data/$name"
	"$bin/tributary-node" --chain "$spec" --"$name" --base-path "$data/$name" --rpc-port "$rpc" \
		--listen-addr "/ip4/127.0.0.1/tcp/$p2p" --rpc-cors all --no-telemetry --no-mdns \
		--worker-url "http://127.0.0.1:$worker" "$@" >"$log_dir/$name.log" 2>&1 &
	pids+=($!)
}
start_node alice "$rpc_port" "$p2p_port" "$alice_operator_port" --node-key "$alice_node_key"
alice_pid=${pids[-1]}
start_node bob "$bob_rpc_port" "$bob_p2p_port" "$bob_operator_port" --node-key "$bob_node_key" \
	--bootnodes "/ip4/127.0.0.1/tcp/$p2p_port/p2p/$alice_peer_id"

# The AI Studio (studio/), built against these addresses and served by Vite's preview server,
# whose loopback proxy lets the page reach the sidecars (they send no CORS headers).
(
	cd studio
	[ "$skip_build" = 1 ] || npm ci --no-audit --no-fund
	VITE_NODE_WS_URL="ws://127.0.0.1:$rpc_port" VITE_SIDECAR_URL="http://127.0.0.1:$alice_worker_port" \
		VITE_SIDECAR_OPERATOR_URL="http://127.0.0.1:$alice_operator_port" \
		VITE_OTHER_OPERATOR_URLS="http://127.0.0.1:$bob_operator_port" npm run build
	exec node_modules/.bin/vite preview --host 127.0.0.1 --port "$studio_port" --strictPort
) >"$log_dir/studio.log" 2>&1 &
pids+=($!)

rpc() {
	curl -s -H 'Content-Type: application/json' \
		-d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":[]}" "http://127.0.0.1:$rpc_port"
}

# The Ethereum JSON-RPC (MetaMask, ethers, viem) in front of Alice's node, once it answers.
until rpc system_health >/dev/null 2>&1; do
	kill -0 "$alice_pid" 2>/dev/null || { echo "[dev] Alice's node exited:"; tail -n 20 "$log_dir/alice.log"; stop 1; }
	sleep 1
done
rm -rf "$data/eth-rpc"
"$bin/eth-rpc" --node-rpc-url "ws://127.0.0.1:$rpc_port" --rpc-port "$eth_rpc_port" --rpc-cors all \
	--base-path "$data/eth-rpc" >"$log_dir/eth-rpc.log" 2>&1 &
pids+=($!)
eth_rpc() {
	curl -s -H 'Content-Type: application/json' \
		-d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":[]}" "http://127.0.0.1:$eth_rpc_port"
}

echo "[dev] waiting for the nodes and sidecars (logs: $log_dir/)"
until rpc system_health >/dev/null 2>&1 && eth_rpc eth_chainId | grep -q result && curl -sf "http://127.0.0.1:$alice_worker_port/health" >/dev/null &&
	curl -sf "http://127.0.0.1:$bob_worker_port/health" >/dev/null && curl -sf "http://127.0.0.1:$studio_port/" >/dev/null; do
	for pid in "${pids[@]}"; do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "[dev] a process exited; last log lines:"; tail -n 5 "$log_dir"/*.log; stop 1
		fi
	done
	sleep 1
done

cat <<TXT

Tributary is running: validators Alice and Bob, each with its worker sidecar.
Alice, Bob, Charlie, Dave, Eve and Ferdie and their //stash accounts are funded. No sudo: admin
calls pass by referendum (polkadot.js apps, Governance > Referenda; README "Governance"), decided
and enacted in about a minute here; the stash accounts hold about half the issuance to vote with.
  AI Studio:                 http://127.0.0.1:$studio_port  (studio/README.md; log: $log_dir/studio.log)
  Alice's node JSON-RPC/WS:  http://127.0.0.1:$rpc_port  ws://127.0.0.1:$rpc_port
  Bob's node JSON-RPC/WS:    http://127.0.0.1:$bob_rpc_port  ws://127.0.0.1:$bob_rpc_port
  polkadot.js apps:          https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A$rpc_port
  Ethereum JSON-RPC:         http://127.0.0.1:$eth_rpc_port  (eth-rpc; log: $log_dir/eth-rpc.log)
    MetaMask > Add network:  RPC URL http://127.0.0.1:$eth_rpc_port, chain id 1414678850,
                             currency symbol TRIB (18 decimals in wallets). Funded dev keys: Alith
                             0x5fb92d6e98884f76de468fa3f6278f8807c48bebc13595d45af5bdc4da702133 and
                             Baltathar 0x8075991ce870b93a8870eca0c0f91913d12f47948ca0fd25b49c6fa7cdbeee8b
                             (contracts/README.md: deploy and call with ethers).
  Alice's sidecar (OpenAI):  http://127.0.0.1:$alice_worker_port/v1   (models: /v1/models, health: /health)
  Bob's sidecar (OpenAI):    http://127.0.0.1:$bob_worker_port/v1
  Content store:             PUT http://127.0.0.1:$alice_operator_port/store  (operator API; returns the row's hash)
  Metrics:                   http://127.0.0.1:$alice_operator_port/metrics  (operator API)
  Base model 0 on chain:     $base_model_id in $base_model (hashes: b2sum -l 256 $base_model/*)
  Ask it:                    curl -s http://127.0.0.1:$alice_worker_port/v1/chat/completions -H 'Content-Type: application/json' \\
                               -d '{"model": "$base_model_id", "messages": [{"role": "user", "content": "What is the capital of France?"}]}'
  Node info:                 curl -s -H 'Content-Type: application/json' \\
                               -d '{"jsonrpc":"2.0","id":1,"method":"tributary_nodeInfo","params":[]}' \\
                               http://127.0.0.1:$rpc_port
Press Ctrl-C to stop.

TXT

# Show progress: best and finalized block every few seconds while everything runs.
while true; do
	for pid in "${pids[@]}"; do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "[dev] a process exited; last log lines:"; tail -n 10 "$log_dir"/*.log; stop 1
		fi
	done
	info=$(rpc tributary_nodeInfo | sed -E 's/.*"bestNumber":([0-9]+).*"finalizedNumber":([0-9]+).*/best #\1, finalized #\2/')
	echo "[dev] $(date +%T) $info"
	sleep 6 & wait $! || true
done
