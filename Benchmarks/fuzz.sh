#!/usr/bin/env bash
# Fuzzed, not just tested (issue 8 item 15): builds the libFuzzer harnesses in Benchmarks/Fuzz (a separate package that
# depends on this one by path) with `--sanitize fuzzer`, then runs each for RUNS iterations from its seed corpus in
# Benchmarks/Fuzz/Corpus/<target>/. New inputs and crash artefacts go to Benchmarks/results/ (ignored by git); the seed
# corpus is never written. Prints iterations and crashes per target; exits non-zero if any target crashed.
#   Benchmarks/fuzz.sh [RUNS]          RUNS defaults to 200000 per target
#   FUZZ_TARGETS="token search" ...    a subset; FUZZ_SCRATCH=... another build folder
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUNS=${1:-200000}
SCRATCH=${FUZZ_SCRATCH:-$ROOT/.build-fuzz}
read -r -a TARGETS <<<"${FUZZ_TARGETS:-token consent ndjson search}"
scripts/setup >/dev/null

swift build -c release --sanitize fuzzer --package-path Benchmarks/Fuzz --scratch-path "$SCRATCH"
BIN=$(swift build -c release --sanitize fuzzer --package-path Benchmarks/Fuzz --scratch-path "$SCRATCH" --show-bin-path)
OUT=Benchmarks/results/fuzz-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"

failed=0
printf '%-8s %12s %10s %8s %8s %8s\n' target iterations exec/s seconds coverage crashes >"$OUT/summary.txt"
for target in "${TARGETS[@]}"; do
    mkdir -p "$OUT/$target/corpus" "$OUT/$target/artefacts"
    started=$(date +%s)
    status=0
    # The first folder receives new inputs; the seed folder after it is only read.
    "$BIN/fuzz-$target" -runs="$RUNS" -seed=1 -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
        -artifact_prefix="$OUT/$target/artefacts/" "$OUT/$target/corpus" "Benchmarks/Fuzz/Corpus/$target" \
        >"$OUT/$target/log.txt" 2>&1 || status=$?
    seconds=$(( $(date +%s) - started ))
    iterations=$(sed -n 's/^stat::number_of_executed_units: *//p' "$OUT/$target/log.txt" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$OUT/$target/log.txt" | tail -1)
    coverage=$(grep -o 'cov: [0-9]*' "$OUT/$target/log.txt" | tail -1 | cut -d' ' -f2)
    crashes=$(find "$OUT/$target/artefacts" -type f | wc -l)
    if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes=1; fi
    printf '%-8s %12s %10s %8s %8s %8s\n' "$target" "${iterations:-?}" "${speed:-?}" "$seconds" "${coverage:-?}" "$crashes" >>"$OUT/summary.txt"
    if [ "$crashes" -ne 0 ]; then
        failed=1
        echo "== $target crashed (exit $status); artefacts in $OUT/$target/artefacts, log $OUT/$target/log.txt"
        grep -m1 -A3 -E 'Fatal error|fuzz invariant|ERROR: libFuzzer|==ERROR' "$OUT/$target/log.txt" || tail -20 "$OUT/$target/log.txt"
    fi
done
cat "$OUT/summary.txt"
echo "logs and new inputs: $OUT"
exit $failed
