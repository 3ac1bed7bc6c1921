#!/usr/bin/env bash
# A zombienet validator's worker sidecar (tributary-worker), outside zombienet's process tree so a
# node restart leaves it running and a scenario can crash it on its own:
#   sidecar.sh start NAME          start it unless it runs; wait until /health answers
#   sidecar.sh kill NAME           SIGKILL it, as a crash would (its data folder stays)
#   sidecar.sh operator-port NAME  the port of its operator API (the node's --worker-url)
#   sidecar.sh stop-all            kill every sidecar of this run
# Set by scripts/zombienet.sh: TRIBUTARY_BIN (workspace binaries), TRIBUTARY_ZOMBIENET_DIR (this
# run's folder), TRIBUTARY_ZOMBIENET_BASE (the served base model), TRIBUTARY_ZOMBIENET_PORT (the
# first sidecar's public port; validator i uses PORT+i public and PORT+100+i operator).
set -euo pipefail
validators=(alice bob charlie dave)
dir="$TRIBUTARY_ZOMBIENET_DIR/sidecars"
mkdir -p "$dir"

index_of() {
	local i
	for i in "${!validators[@]}"; do
		[ "${validators[$i]}" = "$1" ] && { echo "$i"; return; }
	done
	echo "sidecar.sh: no validator named '$1' (known: ${validators[*]})" >&2
	exit 2
}
public_port() { echo $((TRIBUTARY_ZOMBIENET_PORT + $(index_of "$1"))); }
operator_port() { echo $((TRIBUTARY_ZOMBIENET_PORT + 100 + $(index_of "$1"))); }
alive() { [ -f "$dir/$1.pid" ] && kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null; }

start() {
	local name=$1
	alive "$name" && return 0
	local port operator account peers=()
	port=$(public_port "$name")
	operator=$(operator_port "$name")
	account=$("$TRIBUTARY_BIN/tributary-node" key inspect --scheme sr25519 --output-type json "//${name^}" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["ss58Address"])')
	for other in "${validators[@]}"; do
		[ "$other" = "$name" ] || peers+=(--peer "http://127.0.0.1:$(public_port "$other")")
	done
	setsid "$TRIBUTARY_BIN/tributary-worker" --listen "127.0.0.1:$port" \
		--operator-listen "127.0.0.1:$operator" --data-dir "$dir/$name" \
		--base-model "$TRIBUTARY_ZOMBIENET_BASE" --worker-account "$account" "${peers[@]}" \
		</dev/null >>"$dir/$name.log" 2>&1 &
	echo $! >"$dir/$name.pid"
	printf '{"port": %d, "operator_port": %d}\n' "$port" "$operator" >"$dir/$name.json"
	local waited=0
	until curl -sf "http://127.0.0.1:$operator/health" >/dev/null; do
		if ! alive "$name" || [ "$waited" -ge 600 ]; then
			echo "sidecar.sh: $name's sidecar did not start; its log ($dir/$name.log) ends:" >&2
			tail -n 20 "$dir/$name.log" >&2
			exit 1
		fi
		sleep 0.1
		waited=$((waited + 1))
	done
}

kill_sidecar() {
	local name=$1
	alive "$name" || return 0
	local pid
	pid=$(cat "$dir/$name.pid")
	kill -9 "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	rm -f "$dir/$name.pid"
}

case ${1:-} in
start) start "$2" ;;
kill) kill_sidecar "$2" ;;
operator-port) operator_port "$2" ;;
stop-all) for name in "${validators[@]}"; do kill_sidecar "$name"; done ;;
*)
	echo "usage: sidecar.sh start|kill|operator-port NAME, or sidecar.sh stop-all" >&2
	exit 2
	;;
esac
