#!/usr/bin/env bash
# test.sh: sets up and builds racelab (default preset), then runs every test: the Criterion unit and
# integration suites through ctest (which also run the TSan lab builds as subprocesses).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
ctest --preset default -j 2 "$@"
