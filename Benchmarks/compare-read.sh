#!/usr/bin/env bash
# A/B comparison of two `care-record` builds on the read path (issue 12), for a change too small to see across separate
# runs of read-benchmark.sh on a shared machine: one region, then the two binaries served in turn, ROUNDS times each
# (A, B, B, A, A, B, ...), the same wrk settings every time. Prints every run and each binary's median req/s and server CPU
# per request (from /proc; it moves far less than req/s when something else shares the machine).
#   Benchmarks/compare-read.sh BIN_A BIN_B   (PATIENTS=10000 ROTATE=500 ROUNDS=4 DURATION=10s CONNECTIONS=32
#                                             ENDPOINT=patient|condition|everything HISTORY=0)
# HISTORY=95 gives every record about 100 entries (`generate --history`), for $everything on large records.
# Keep a build with `cp .build/release/care-record /tmp/a/` before changing the code, then compare it with the new one.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/patients-lua.sh
A=$(realpath "$1"); B=$(realpath "$2")
PATIENTS=${PATIENTS:-10000}
ROTATE=${ROTATE:-500}
ROUNDS=${ROUNDS:-4}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
ENDPOINT=${ENDPOINT:-patient}
HISTORY=${HISTORY:-0}
PORT=${PORT:-18093}
WORK=$(mktemp -d)
SERVER=""
trap '{ [ -n "$SERVER" ] && kill $SERVER; } 2>/dev/null; rm -rf "$WORK"; true' EXIT
"$A" generate --patients "$PATIENTS" --history "$HISTORY" --out "$WORK/region" >/dev/null
sed -i "s/8080/$PORT/g" "$WORK/region/care-record.yaml"
"$A" sync --config "$WORK/region/care-record.yaml" >/dev/null
DB="$WORK/region/data/care-record.sqlite"
case "$ENDPOINT" in
  patient) write_patient_requests "$DB" "$WORK/requests.lua" "/Patient/" "$ROTATE" ;;
  condition) write_patient_requests "$DB" "$WORK/requests.lua" "/Condition?_count=50&patient=" "$ROTATE" ;;
  everything) write_patient_requests "$DB" "$WORK/requests.lua" "/Patient/" "$ROTATE" '/$everything' ;;
esac
TOKEN=$("$A" token --key "$WORK/region/keys/signing-key.pem" --sub bench.gp --ods A81001 --role doctor --registration GMC-0000001 --expires-in 7200)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# measure NAME BIN: one served run; appends "NAME req/s cpu-us" to $WORK/runs.
measure() {
  "$2" serve --config "$WORK/region/care-record.yaml" >"$WORK/serve-$1.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
  local before after
  before=$(cpu_ticks "$SERVER")
  wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/requests.lua" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT" >"$WORK/wrk.txt"
  after=$(cpu_ticks "$SERVER")
  kill $SERVER; wait $SERVER 2>/dev/null || true; SERVER=""
  local rps p99 requests errors cpu
  rps=$(awk '/^Requests\/sec/ {print $2}' "$WORK/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk.txt")
  requests=$(awk '/requests in/ {print $1}' "$WORK/wrk.txt")
  errors=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' "$WORK/wrk.txt")
  cpu=$(awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN {printf "%.0f", ticks / hz * 1e6 / n}')
  printf '%s\t%s req/s\t%s us/request\tp99 %s\t%s\n' "$1" "$rps" "$cpu" "$p99" "${errors:-no errors}" | tee -a "$WORK/runs"
}

# A, B in odd rounds and B, A in even ones: the machine's speed drifts over a run, and a fixed order handed the drift to
# whichever binary always ran second (seen in issue 12's tenth session); with an even ROUNDS a steady drift cancels out.
for round in $(seq "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then
    measure A "$A"; measure B "$B"
  else
    measure B "$B"; measure A "$A"
  fi
done
for name in A B; do
  rps=$(awk -F'\t' -v n=$name '$1 == n {split($2, r, " "); print r[1]}' "$WORK/runs" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')
  cpu=$(awk -F'\t' -v n=$name '$1 == n {split($3, c, " "); print c[1]}' "$WORK/runs" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')
  echo "$name median: $rps req/s, $cpu us/request"
done
