#!/usr/bin/env bash
# run.sh [SECONDS]: builds the libFuzzer targets (the `fuzz` preset, clang) and, for each parser,
# replays its seed corpus and regression inputs, then fuzzes it for SECONDS (default 20) from them.
# New coverage goes to build-fuzz/fuzz-work/<target>/ (the checked-in corpus is not changed); a crash,
# leak, sanitizer report or timeout stops with its input in build-fuzz/fuzz-artifacts/<target>/ and a
# non-zero status. To keep a crash as a regression input: fix it, then copy the artifact to
# tests/fuzz/regressions/<target>/ (ctest replays those in every build: fuzz_replay_<target>).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-20}
targets=(report eventlog options exercise tsan)
cmake --preset fuzz > /dev/null
cmake --build --preset fuzz -j 2 > build-fuzz/fuzz-build.log 2>&1 || { tail -30 build-fuzz/fuzz-build.log; exit 1; }
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for t in "${targets[@]}"; do
    bin=build-fuzz/tests/fuzz/fuzz_$t
    work=build-fuzz/fuzz-work/$t
    artifacts=build-fuzz/fuzz-artifacts/$t
    rm -rf "$work"
    mkdir -p "$work" "$artifacts"
    seeds=(tests/fuzz/corpus/$t tests/fuzz/regressions/$t)
    echo "== fuzz_$t: replaying $(find "${seeds[@]}" -type f ! -name '.*' | wc -l) inputs, then fuzzing ${seconds}s"
    "$bin" -runs=0 -artifact_prefix="$artifacts/" "${seeds[@]}" > "$artifacts/replay.log" 2>&1 ||
        { tail -40 "$artifacts/replay.log"; echo "fuzz_$t: the corpus or a regression input fails"; exit 1; }
    "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" "$work" "${seeds[@]}" > "$artifacts/fuzz.log" 2>&1 ||
        { tail -60 "$artifacts/fuzz.log"; echo "fuzz_$t: crashed (input in $artifacts/)"; exit 1; }
    grep -E '^stat::number_of_executed_units|^#[0-9]+ +DONE' "$artifacts/fuzz.log" | tail -1 | sed "s/^/   fuzz_$t: /"
done
echo "fuzzing: no crash in ${#targets[@]} targets (${seconds}s each)"
