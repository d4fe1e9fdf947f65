#!/usr/bin/env bash
# A/B comparison of two `care-record` builds' full refresh over HTTPS (issue 12), for a change too small to see across
# separate runs of sync-benchmark.sh on a shared machine: one region served by the upstream simulator (mutual TLS), synced
# once, then `sync --force` by the two builds in turn (A, B, B, A, A, B, ...), every export unchanged. Prints each refresh's wall
# time, user and system CPU and peak RSS.
#   Benchmarks/compare-refresh.sh BIN_A BIN_B   (PATIENTS=100000 ROUNDS=3 PORT=18091)
# Keep a build with `cp .build/release/care-record /tmp/a/` before changing the code, then compare it with the new one.
set -euo pipefail
cd "$(dirname "$0")/.."
A=${1:?usage: compare-refresh.sh BIN_A BIN_B}
B=${2:?usage: compare-refresh.sh BIN_A BIN_B}
PATIENTS=${PATIENTS:-100000}
ROUNDS=${ROUNDS:-3}
PORT=${PORT:-18091}
WORK=$(mktemp -d)
SIMULATOR=""
trap '{ [ -n "$SIMULATOR" ] && kill $SIMULATOR; } 2>/dev/null; rm -rf "$WORK"; true' EXIT
"$A" generate --patients "$PATIENTS" --out "$WORK/region" >/dev/null
sed -i "s/8080/$PORT/g" "$WORK/region/care-record.yaml"
# The simulator rewrites the configuration to sync from it over HTTPS.
"$A" simulate --region "$WORK/region" --require-client-certificate >"$WORK/simulate.log" 2>&1 &
SIMULATOR=$!
for _ in $(seq 100); do grep -q Serving "$WORK/simulate.log" && break; sleep 0.2; done
"$A" sync --config "$WORK/region/care-record.yaml" >/dev/null
for round in $(seq "$ROUNDS"); do
  # A, B in odd rounds and B, A in even ones, so that the machine's drift over a run favours neither build.
  order="A B"; [ $((round % 2)) = 0 ] && order="B A"
  for name in $order; do
    binary=$A; [ "$name" = B ] && binary=$B
    /usr/bin/time -f "$name (round $round): wall %e s, user %U s, system %S s, peak RSS %M KiB" \
      "$binary" sync --config "$WORK/region/care-record.yaml" --force 2>&1 >/dev/null | tail -1
  done
done
