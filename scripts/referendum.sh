#!/usr/bin/env bash
# Propose a call by referendum, vote on it and follow it until it is enacted, from the command
# line (studio/cli/referendum.mjs with polkadot.js; README "Governance"). For example, on the dev
# network of scripts/dev.sh:
#   scripts/referendum.sh ParameterAdmin parameters.setParameter '{"Datanets": {"DatanetDeposit": [null, 3000000000000]}}'
#   scripts/referendum.sh ValidatorAdmin validators.addValidator 5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y
# Options (before the origin): --url ws://..., --proposer //Suri, --voters //A,//B, --no-wait.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d studio/node_modules/@polkadot/api ]; then
	echo "[referendum] installing the studio's packages (npm ci, once)" >&2
	(cd studio && npm ci --no-audit --no-fund >/dev/null)
fi
exec node studio/cli/referendum.mjs "$@"
