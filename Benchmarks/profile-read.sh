#!/usr/bin/env bash
# Profiles the read path (issue 12): a generated region synced and served from the release build, `wrk` on
# GET /Patient/{nhs} as in read-benchmark.sh, and `perf record -g` on the server meanwhile. Prints the hottest symbols
# (self and children) and keeps perf.data in $OUT_DIR for `perf report -i`.
#   Benchmarks/profile-read.sh            (PATIENTS=10000 SECONDS_PROFILED=10 ENDPOINT=patient|condition|everything HISTORY=0)
# HISTORY=95 gives every record about 100 entries (`generate --history`), for $everything on large records.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/patients-lua.sh
PATIENTS=${PATIENTS:-10000}
SECONDS_PROFILED=${SECONDS_PROFILED:-10}
ENDPOINT=${ENDPOINT:-patient}
HISTORY=${HISTORY:-0}
PORT=${PORT:-18091}
# CALL_GRAPH=dwarf unwinds each sample from a copy of its stack (Swift's runtime and some libraries lose frames under the
# default frame-pointer unwinding, so inclusive figures are lower bounds there); larger perf.data, fewer samples.
CALL_GRAPH=${CALL_GRAPH:-fp}
OUT_DIR=${OUT_DIR:-$(mktemp -d)}
swift build -c release --product care-record
BIN=.build/release/care-record
WORK=$(mktemp -d)
SERVER=""
trap '{ [ -n "$SERVER" ] && kill $SERVER; } 2>/dev/null; rm -rf "$WORK"; true' EXIT
$BIN generate --patients "$PATIENTS" --history "$HISTORY" --out "$WORK/region" >/dev/null
sed -i "s/8080/$PORT/g" "$WORK/region/care-record.yaml"
$BIN sync --config "$WORK/region/care-record.yaml" >/dev/null
case "$ENDPOINT" in
  patient) write_patient_requests "$WORK/region/data/care-record.sqlite" "$WORK/requests.lua" "/Patient/" 500 ;;
  condition) write_patient_requests "$WORK/region/data/care-record.sqlite" "$WORK/requests.lua" "/Condition?_count=50&patient=" 500 ;;
  everything) write_patient_requests "$WORK/region/data/care-record.sqlite" "$WORK/requests.lua" "/Patient/" 500 '/$everything' ;;
esac
TOKEN=$($BIN token --key "$WORK/region/keys/signing-key.pem" --sub bench.gp --ods A81001 --role doctor --registration GMC-0000001 --expires-in 7200)
$BIN serve --config "$WORK/region/care-record.yaml" >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
wrk -t1 -c32 -d$((SECONDS_PROFILED + 6))s -s "$WORK/requests.lua" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT" >"$OUT_DIR/wrk.txt" &
WRK=$!
sleep 3
perf record -F 499 --call-graph "$CALL_GRAPH" -p "$SERVER" -o "$OUT_DIR/perf.data" -- sleep "$SECONDS_PROFILED" 2>/dev/null
wait $WRK
grep -E "Requests/sec" "$OUT_DIR/wrk.txt"
echo "== self"
perf report -i "$OUT_DIR/perf.data" --no-children --sort symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -40
echo "== children (inclusive)"
perf report -i "$OUT_DIR/perf.data" --children --sort symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -60
echo "perf data: $OUT_DIR/perf.data"
