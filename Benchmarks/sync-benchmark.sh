#!/usr/bin/env bash
# Sync benchmark (run on purpose, not in `swift test`): a region of $PATIENTS patients is served by the upstream
# simulator over HTTPS (mutual TLS) and synced through libcurl by the release build; then read latency is measured
# on an idle server and again while a full refresh of every source runs. Results go to Benchmarks/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/patients-lua.sh
PATIENTS=${PATIENTS:-100000}
DURATION=${DURATION:-20s}
PORT=${PORT:-18091}
scripts/setup
command -v wrk >/dev/null || { sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo; $sudo_cmd apt-get install -y -qq wrk; }
swift build -c release --product care-record
BIN=.build/release/care-record
WORK=$(mktemp -d)
PIDS=()
trap '{ for pid in "${PIDS[@]}"; do kill $pid; done; } 2>/dev/null; rm -rf "$WORK"; true' EXIT
mkdir -p Benchmarks/results
OUT=Benchmarks/results/sync-$(date -u +%Y%m%dT%H%M%SZ).txt
REGION="$WORK/region"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m), $(swift --version 2>&1 | head -1)" | tee "$OUT"
/usr/bin/time -f "generate: %e s, peak RSS %M KiB" $BIN generate --patients "$PATIENTS" --out "$REGION" 2>&1 | tee -a "$OUT"
sed -i "s/8080/$PORT/g" "$REGION/care-record.yaml"
$BIN simulate --region "$REGION" --require-client-certificate >"$WORK/simulate.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q Serving "$WORK/simulate.log" && break; sleep 0.2; done
echo "NDJSON served: $(du -sb "$REGION/sources" | cut -f1) bytes" | tee -a "$OUT"

echo "== first sync over HTTPS (libcurl, mutual TLS)" | tee -a "$OUT"
/usr/bin/time -f "sync: %e s, peak RSS %M KiB" $BIN sync --config "$REGION/care-record.yaml" 2>&1 | tee -a "$OUT"

$BIN serve --config "$REGION/care-record.yaml" >"$WORK/serve.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
write_patient_requests "$REGION/data/care-record.sqlite" "$WORK/patients.lua" "/Condition?patient=" 5000
TOKEN=$($BIN token --key "$REGION/keys/signing-key.pem" --sub bench.gp --ods A81001 --role doctor --registration GMC-0000001 --expires-in 7200)
echo "== reads, idle: wrk -t1 -c8 -d$DURATION GET /Condition?patient=" | tee -a "$OUT"
wrk -t1 -c8 -d"$DURATION" --latency -s "$WORK/patients.lua" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT" | tee -a "$OUT"
echo "== reads during a full refresh (the same, while sync runs)" | tee -a "$OUT"
( /usr/bin/time -f "refresh sync: %e s, peak RSS %M KiB" $BIN sync --config "$REGION/care-record.yaml" --force >"$WORK/refresh.log" 2>&1 ) &
REFRESH=$!
wrk -t1 -c8 -d"$DURATION" --latency -s "$WORK/patients.lua" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT" | tee -a "$OUT"
wait $REFRESH || true
cat "$WORK/refresh.log" | tee -a "$OUT"
echo "results: $OUT"
