#!/usr/bin/env bash
# Read benchmark (run on purpose, not in `swift test`): a generated region of $PATIENTS patients is synced,
# served from a release build, and `wrk` requests GET /Patient/{nhs} as a GP of the registered practice,
# rotating over every patient registered there with consent, with the full access decision and a durable
# audit record per request (audit cannot be switched off). Results go to Benchmarks/results/ and the README.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/patients-lua.sh
PATIENTS=${PATIENTS:-10000}
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18090}
scripts/setup
command -v wrk >/dev/null || { sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo; $sudo_cmd apt-get install -y -qq wrk; }
swift build -c release --product care-record
BIN=.build/release/care-record
WORK=$(mktemp -d)
SERVER=""
trap '{ [ -n "$SERVER" ] && kill $SERVER; } 2>/dev/null; rm -rf "$WORK"; true' EXIT
mkdir -p Benchmarks/results
OUT=Benchmarks/results/read-$(date -u +%Y%m%dT%H%M%SZ).txt

{
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m), $(swift --version 2>&1 | head -1)"
  /usr/bin/time -f "generate: %e s, peak RSS %M KiB" $BIN generate --patients "$PATIENTS" --out "$WORK/region"
  sed -i "s/8080/$PORT/g" "$WORK/region/care-record.yaml"
  /usr/bin/time -f "sync: %e s, peak RSS %M KiB" $BIN sync --config "$WORK/region/care-record.yaml"
} 2>&1 | tee "$OUT"

write_patient_requests "$WORK/region/data/care-record.sqlite" "$WORK/patients.lua" "/Patient/"
TOKEN=$($BIN token --key "$WORK/region/keys/signing-key.pem" --sub bench.gp --ods A81001 --role doctor --registration GMC-0000001 --expires-in 7200)
FIRST=$(python3 -c 'import re, sys; print(re.search(r"[0-9]{10}", open(sys.argv[1]).read()).group())' "$WORK/patients.lua")
echo "patients registered at A81001 with consent: $(grep -o '"[0-9]\{10\}"' "$WORK/patients.lua" | wc -l)" | tee -a "$OUT"

# As in service: the full access decision, a durable audit record per request, signed checkpoints.
for mode in audited; do
  $BIN serve --config "$WORK/region/care-record.yaml" >"$WORK/serve-$mode.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
  echo "== $mode: status check $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/Patient/$FIRST")" | tee -a "$OUT"
  echo "wrk -t2 -c$CONNECTIONS -d$DURATION GET /Patient/{nhs}" | tee -a "$OUT"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/patients.lua" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT" | tee -a "$OUT"
  echo "health: $(curl -s "http://127.0.0.1:$PORT/health")" | tee -a "$OUT"
  kill $SERVER; wait $SERVER 2>/dev/null || true; SERVER=""
done
echo "audit verify: $($BIN audit verify --config "$WORK/region/care-record.yaml")" | tee -a "$OUT"
echo "results: $OUT"
