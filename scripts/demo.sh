#!/usr/bin/env bash
# demo.sh: the main job. Sets up and builds racelab, then runs the lock-order-deadlock lab through it:
# two threads take two locks in opposite orders; the run finishes, and racelab still reports the
# potential deadlock with both acquisition stacks and the scenario that would hang.
# Exits 0 when racelab reported exactly that.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
report=$(mktemp --suffix=.json)
trap 'rm -f "$report"' EXIT
set +e
build/bin/racelab run --json "$report" -- build/labs/lock_order_deadlock --mode apart
status=$?
set -e
if [ "$status" -eq 66 ] && grep -q '"kind": "potential-deadlock"' "$report"; then
  echo "demo: racelab found the potential deadlock (exit status 66 means findings). JSON report format: docs/report.schema.json"
  exit 0
fi
echo "demo: expected racelab to report a potential-deadlock (status 66), got status $status" >&2
exit 1
