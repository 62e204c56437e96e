#!/usr/bin/env bash
# test.sh: sets up and builds racelab (default preset), then runs every test: the Criterion unit and
# integration suites through ctest (which also run the TSan lab builds as subprocesses); then the
# same suites with racelab's own code (detector, CLI, tests; not the preloaded runtime) built with
# ASan+UBSan, halting on the first report (the `asan` preset); then each parser's libFuzzer target,
# replaying its corpus and regression inputs and fuzzing for RACELAB_FUZZ_SECONDS (default 20) s.
# Arguments go to the first ctest (e.g. -R cli).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
ctest --preset default -j 2 "$@"

echo "== ASan+UBSan build (asan preset)"
cmake --preset asan > /dev/null
cmake --build --preset asan -j 2 2>&1 | grep -Ev '^\[|^-- |Built target|Consolidate compiler' || true
ctest --preset asan -j 2 ${RACELAB_ASAN_TESTS:+-R "$RACELAB_ASAN_TESTS"}

echo "== fuzzing (fuzz preset)"
./tests/fuzz/run.sh "${RACELAB_FUZZ_SECONDS:-20}"
