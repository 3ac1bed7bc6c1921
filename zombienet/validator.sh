#!/usr/bin/env bash
# zombienet's command for a Tributary validator: start the validator's worker sidecar unless it
# already runs (zombienet restarts the node, not its sidecar), then become the node, with the
# dev keys of the validator's name (Aura, GRANDPA and the worker key) and --worker-url of its
# sidecar's operator API. The node must be this process (exec): zombienet pauses, resumes and
# kills the pid it started.
set -euo pipefail
node="$TRIBUTARY_BIN/tributary-node"
name=
previous=
for arg in "$@"; do
	case $arg in
	--help | --version) exec "$node" "$@" ;;
	esac
	[ "$previous" = --name ] && name=$arg
	previous=$arg
done
[ -n "$name" ] || { echo "validator.sh: zombienet gave no --name" >&2; exit 2; }
"$TRIBUTARY_ZOMBIENET_HOME/sidecar.sh" start "$name"
operator_port=$("$TRIBUTARY_ZOMBIENET_HOME/sidecar.sh" operator-port "$name")
exec "$node" "$@" --"$name" --worker-url "http://127.0.0.1:$operator_port"
