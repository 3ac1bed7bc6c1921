#!/usr/bin/env bash
# Builds eth-rpc (tools/eth-rpc: pallet-revive's Ethereum JSON-RPC server, its chain client
# generated against this runtime's metadata) into $CARGO_TARGET_DIR/debug/eth-rpc, with the
# workspace's Cargo.lock.
#
# Not part of the workspace build (its `server` feature is off there; tools/eth-rpc/Cargo.toml
# says why). Its build script reads the metadata from a native copy of the runtime, which needs no
# wasm: SKIP_TRIBUTARY_RUNTIME_WASM_BUILD. scripts/test.sh runs it beside the workspace tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
start=$SECONDS
SKIP_TRIBUTARY_RUNTIME_WASM_BUILD=1 cargo build --locked -p tributary-eth-rpc --features server
echo "[eth-rpc-build] built $CARGO_TARGET_DIR/debug/eth-rpc in $((SECONDS - start)) s"
