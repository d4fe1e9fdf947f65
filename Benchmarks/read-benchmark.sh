#!/usr/bin/env bash
# Read benchmark (run on purpose, not in `swift test`; issue 12): a generated region of $PATIENTS patients is synced and
# served from a release build; `wrk` requests, as a GP of the registered practice, rotating over $ROTATE patients
# registered there with consent, with the full path (token verified, the access decision, a durable audit record before
# each response; audit cannot be switched off):
#   GET /Patient/{nhs}, GET /Condition?patient={nhs} (a page of up to 50), GET /Patient/{nhs}/$everything
# and, in the same run and with the same wrk settings, the bare Hummingbird server of Benchmarks/BareServer answering a
# fixed 1 KB Patient. Prints each endpoint's req/s, p99 and the server's CPU time per request, and the ratios of GET
# /Patient to the bare server (throughput, and CPU per request, which moves less when the machine is shared).
# Results go to Benchmarks/results/ and the README.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/patients-lua.sh
PATIENTS=${PATIENTS:-10000}
ROTATE=${ROTATE:-500}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
PORT=${PORT:-18090}
BARE_PORT=${BARE_PORT:-18099}
# AUDIT_OFF=1 also builds the benchmark-only binary with audit compiled out (-DCARE_RECORD_BENCHMARK_AUDIT_OFF, its own
# scratch folder .build-audit-off: a full release build the first time) and measures GET /Patient/{nhs} with it in the same
# run, to print what audit costs. That binary is never built by anything else and says so loudly when it starts.
AUDIT_OFF=${AUDIT_OFF:-0}
# HISTORY past problems per patient in a second, smaller region ($HISTORY_PATIENTS patients) for $everything on records of
# about 100 entries; HISTORY=0 skips it.
HISTORY=${HISTORY:-95}
HISTORY_PATIENTS=${HISTORY_PATIENTS:-1000}
# REGION=folder reuses a region `care-record generate` wrote there (a 1,000,000-patient one takes ten minutes to
# generate) instead of generating one; its record (data/) is synced afresh and the folder kept.
REGION=${REGION:-}
scripts/setup
command -v wrk >/dev/null || { sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo; $sudo_cmd apt-get install -y -qq wrk; }
swift build -c release --product care-record
swift build -c release --product bare-hummingbird
if [ "$AUDIT_OFF" = 1 ]; then
  swift build -c release --product care-record --scratch-path .build-audit-off -Xswiftc -DCARE_RECORD_BENCHMARK_AUDIT_OFF
fi
BIN=.build/release/care-record
WORK=$(mktemp -d)
SERVER=""
trap '{ [ -n "$SERVER" ] && kill $SERVER; } 2>/dev/null; rm -rf "$WORK"; true' EXIT
mkdir -p Benchmarks/results
OUT=Benchmarks/results/read-$(date -u +%Y%m%dT%H%M%SZ).txt

{
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m), $(swift --version 2>&1 | head -1)"
  echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with local changes)')"
  if [ -n "$REGION" ]; then
    echo "region: $REGION ($(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("patients", "?"))' "$REGION/region-summary.json" 2>/dev/null || echo '?') patients, generated before)"
    rm -rf "$REGION/data"
    ln -s "$REGION" "$WORK/region"
  else
    /usr/bin/time -f "generate: %e s, peak RSS %M KiB" $BIN generate --patients "$PATIENTS" --out "$WORK/region"
  fi
  sed -i "s/8080/$PORT/g" "$WORK/region/care-record.yaml"
  /usr/bin/time -f "sync: %e s, peak RSS %M KiB" $BIN sync --config "$WORK/region/care-record.yaml"
} 2>&1 | tee "$OUT"

DB="$WORK/region/data/care-record.sqlite"
write_patient_requests "$DB" "$WORK/patient.lua" "/Patient/" "$ROTATE"
write_patient_requests "$DB" "$WORK/condition.lua" "/Condition?_count=50&patient=" "$ROTATE"
write_patient_requests "$DB" "$WORK/everything.lua" "/Patient/" "$ROTATE" '/$everything'
TOKEN=$($BIN token --key "$WORK/region/keys/signing-key.pem" --sub bench.gp --ods A81001 --role doctor --registration GMC-0000001 --expires-in 7200)
FIRST=$(python3 -c 'import re, sys; print(re.search(r"[0-9]{10}", open(sys.argv[1]).read()).group())' "$WORK/patient.lua")
echo "patients rotated (registered at A81001, with consent): $(grep -o '"[0-9]\{10\}"' "$WORK/patient.lua" | wc -l)" | tee -a "$OUT"

# CPU time (user + system, in clock ticks) the process has used so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run NAME PORT LUA [HEADER]: wrk with --latency; records "NAME req/s p99 CPU-per-request errors" in $WORK/summary. The
# server's own CPU time per request (from /proc) is printed beside req/s: it moves far less than req/s when something
# else shares the machine.
run() {
  local name=$1 port=$2 lua=$3; shift 3
  echo "== $name: wrk -t$THREADS -c$CONNECTIONS -d$DURATION" | tee -a "$OUT"
  local before after
  before=$(cpu_ticks "$SERVER")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$lua" "$@" "http://127.0.0.1:$port" | tee "$WORK/wrk.txt" | tee -a "$OUT"
  after=$(cpu_ticks "$SERVER")
  local rps p99 errors requests cpu
  rps=$(awk '/^Requests\/sec/ {print $2}' "$WORK/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk.txt")
  requests=$(awk '/requests in/ {print $1}' "$WORK/wrk.txt")
  cpu=$(awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN {printf "%.0f", ticks / hz * 1e6 / n}')
  errors=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' "$WORK/wrk.txt")
  printf '%s\t%s req/s\tp99 %s\tserver CPU %s us/request\t%s\n' "$name" "$rps" "$p99" "$cpu" "${errors:-no errors}" >>"$WORK/summary"
}

# The yardstick first, alone on the machine.
.build/release/bare-hummingbird "$BARE_PORT" >"$WORK/bare.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$BARE_PORT/Patient/$FIRST" >/dev/null && break; sleep 0.2; done
run bare-hummingbird "$BARE_PORT" "$WORK/patient.lua"
kill $SERVER; wait $SERVER 2>/dev/null || true; SERVER=""

# As in service: the full access decision, a durable audit record per request, signed checkpoints.
$BIN serve --config "$WORK/region/care-record.yaml" >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
echo "status check: $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/Patient/$FIRST")" | tee -a "$OUT"
run "GET /Patient/{nhs}" "$PORT" "$WORK/patient.lua" -H "Authorization: Bearer $TOKEN"
run "GET /Condition?patient=" "$PORT" "$WORK/condition.lua" -H "Authorization: Bearer $TOKEN"
run "GET /Patient/{nhs}/\$everything" "$PORT" "$WORK/everything.lua" -H "Authorization: Bearer $TOKEN"
echo "server RSS after the run: $(awk '/VmRSS/ {print $2, $3}' /proc/$SERVER/status)" | tee -a "$OUT"
echo "health: $(curl -s "http://127.0.0.1:$PORT/health")" | tee -a "$OUT"
kill $SERVER; wait $SERVER 2>/dev/null || true; SERVER=""
echo "audit verify: $($BIN audit verify --config "$WORK/region/care-record.yaml")" | tee -a "$OUT"

if [ "$HISTORY" -gt 0 ]; then
  {
    /usr/bin/time -f "generate (history $HISTORY): %e s, peak RSS %M KiB" $BIN generate --patients "$HISTORY_PATIENTS" --history "$HISTORY" --out "$WORK/busy"
    sed -i "s/8080/$PORT/g" "$WORK/busy/care-record.yaml"
    /usr/bin/time -f "sync (history $HISTORY): %e s, peak RSS %M KiB" $BIN sync --config "$WORK/busy/care-record.yaml"
  } 2>&1 | tee -a "$OUT"
  write_patient_requests "$WORK/busy/data/care-record.sqlite" "$WORK/busy.lua" "/Patient/" "$ROTATE" '/$everything'
  BUSY_TOKEN=$($BIN token --key "$WORK/busy/keys/signing-key.pem" --sub bench.gp --ods A81001 --role doctor --registration GMC-0000001 --expires-in 7200)
  $BIN serve --config "$WORK/busy/care-record.yaml" >"$WORK/serve-busy.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
  BUSY_FIRST=$(python3 -c 'import re, sys; print(re.search(r"[0-9]{10}", open(sys.argv[1]).read()).group())' "$WORK/busy.lua")
  echo "entries in one \$everything of the busy region: $(curl -s -H "Authorization: Bearer $BUSY_TOKEN" "http://127.0.0.1:$PORT/Patient/$BUSY_FIRST/\$everything" | grep -o '"fullUrl"' | wc -l)" | tee -a "$OUT"
  run "GET /Patient/{nhs}/\$everything (history $HISTORY)" "$PORT" "$WORK/busy.lua" -H "Authorization: Bearer $BUSY_TOKEN"
  kill $SERVER; wait $SERVER 2>/dev/null || true; SERVER=""
fi

if [ "$AUDIT_OFF" = 1 ]; then
  .build-audit-off/release/care-record serve --config "$WORK/region/care-record.yaml" >"$WORK/serve-audit-off.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
  grep -q "AUDIT COMPILED OUT" "$WORK/serve-audit-off.log" || { echo "the audit-off binary did not say so" >&2; exit 1; }
  run "GET /Patient/{nhs} (audit compiled out)" "$PORT" "$WORK/patient.lua" -H "Authorization: Bearer $TOKEN"
  kill $SERVER; wait $SERVER 2>/dev/null || true; SERVER=""
fi

{
  echo "== summary (req/s, p99, the server's CPU time per request)"
  while read -r line; do echo "  $line"; done <"$WORK/summary"
  python3 - "$WORK/summary" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    name, rate, _, cpu = line.split("\t")[:4]
    rows[name] = (float(rate.split()[0]), float(cpu.split()[2]))
bare = rows.get("bare-hummingbird")
patient = rows.get("GET /Patient/{nhs}")
off = rows.get("GET /Patient/{nhs} (audit compiled out)")
if off and patient:
    print(f"audit costs {1 - patient[0] / off[0]:.1%} of GET /Patient/{{nhs}} throughput ({patient[0]:.0f} with, {off[0]:.0f} without req/s; "
          f"{patient[1] - off[1]:.0f} us of CPU per request)")
if bare and patient:
    print(f"ratio GET /Patient/{{nhs}} / bare Hummingbird: {patient[0] / bare[0]:.3f} ({patient[0]:.0f} / {bare[0]:.0f} req/s)")
    print(f"CPU per request, bare Hummingbird / GET /Patient/{{nhs}}: {bare[1] / patient[1]:.3f} ({bare[1]:.0f} / {patient[1]:.0f} us)")
PY
} | tee -a "$OUT"
echo "results: $OUT"
