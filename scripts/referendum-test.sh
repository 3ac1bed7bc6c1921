#!/usr/bin/env bash
# The referendum CLI against a real dev node: a parameter change on the parameters track is
# enacted (exit 0) and the chain holds the new value; a catalogue referendum whose call fails when
# enacted exits 1 with the pallet's error in words. About a minute. Needs the workspace built.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
node_bin="$CARGO_TARGET_DIR/debug/tributary-node"
base=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$node_bin" --dev --base-path "$base" --rpc-port "$port" --port 0 --no-prometheus --no-telemetry \
	--no-mdns >"$base/node.log" 2>&1 &
node_pid=$!
trap 'kill $node_pid 2>/dev/null; wait $node_pid 2>/dev/null; rm -rf "$base"' EXIT
url="ws://127.0.0.1:$port"
until curl -sf -H 'Content-Type: application/json' \
	-d '{"jsonrpc":"2.0","id":1,"method":"chain_getHeader","params":[]}' "http://127.0.0.1:$port" |
	grep -q '"number":"0x[1-9]'; do
	kill -0 $node_pid 2>/dev/null || { tail -20 "$base/node.log"; exit 1; }
	sleep 1
done

echo "[referendum-test] a parameter change on the parameters track"
scripts/referendum.sh --url "$url" ParameterAdmin parameters.setParameter \
	'{"Datanets": {"DatanetDeposit": [null, 3000000000000]}}'
# Read back through polkadot.js (module resolution from studio/, where it is installed).
stored=$(cd studio && node --input-type=module -e "
import { ApiPromise, WsProvider } from '@polkadot/api';
const api = await ApiPromise.create({ provider: new WsProvider('$url'), noInitWarn: true });
const value = await api.query.parameters.parameters({ Datanets: { DatanetDeposit: null } });
console.log(JSON.stringify(value.toJSON()));
await api.disconnect();
")
echo "[referendum-test] stored: $stored"
echo "$stored" | grep -q '3000000000000' || { echo "[referendum-test] the parameter did not change"; exit 1; }

echo "[referendum-test] a catalogue referendum whose call fails"
set +e
output=$(scripts/referendum.sh --url "$url" Catalogue datanets.resolveChallenge 7 0 true 2>&1)
status=$?
set -e
echo "$output"
[ "$status" -eq 1 ] || { echo "[referendum-test] expected exit 1, got $status"; exit 1; }
echo "$output" | grep -q 'datanets.NoOpenChallenge' || { echo "[referendum-test] the error is not named"; exit 1; }
echo "[referendum-test] ok"
