#!/usr/bin/env bash
# Runs one test of the scenarios' driver (node/tests/zombienet.rs, built by scripts/zombienet.sh)
# against the running network. zombienet copies this script into a node's folder and runs it
# there, so everything comes from the environment. The driver's output goes to
# $TRIBUTARY_ZOMBIENET_DIR/report/TEST.log; its tail is printed if the test fails.
set -euo pipefail
test=$1
output="$TRIBUTARY_ZOMBIENET_DIR/report/$test.log"
if ! "$TRIBUTARY_ZOMBIENET_DRIVER" --ignored --exact "$test" --nocapture >"$output" 2>&1; then
	tail -n 60 "$output" >&2
	exit 1
fi
