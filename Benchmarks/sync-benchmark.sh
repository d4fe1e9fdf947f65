#!/usr/bin/env bash
# Sync benchmark (run on purpose, not in `swift test`): a region of $PATIENTS patients is served by the upstream
# simulator over HTTPS (mutual TLS) and synced through libcurl by the release build. Then, in one run:
#   1. a full refresh (`sync --force`, replacing every source) measured alone: resources/s and peak RSS, twice: with every
#      export unchanged (a refresh writes only what changed, so this is its best case) and with every export changed (a
#      second region generated with another seed: the same patients and ids, other content; its worst case);
#   2. CPython's json.loads merely parsing the same NDJSON lines (lines/s), and each refresh's ratio to it;
#   3. read latency on an idle server, and again while full refreshes run, each of them with every export changed (the
#      simulator's sources flipped between the two regions before each): p99 and their ratio.
# The summary at the end has every figure; full outputs go to Benchmarks/results/.
#   PATIENTS=10000 Benchmarks/sync-benchmark.sh      # a quick run; the recorded figures use the default 100,000
#   BIN=/tmp/care-record-before Benchmarks/sync-benchmark.sh   # measure a given binary instead of building
#   SYNC_ARGS=--no-io-idle Benchmarks/sync-benchmark.sh       # extra arguments for every `sync` (here: an A/B of its I/O class)
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/patients-lua.sh
PATIENTS=${PATIENTS:-100000}
DURATION=${DURATION:-20s}
PORT=${PORT:-18091}
scripts/setup
command -v wrk >/dev/null || { sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo; $sudo_cmd apt-get install -y -qq wrk; }
if [ -z "${BIN:-}" ]; then   # BIN=path/to/care-record measures another build (e.g. a copy of the one before a change)
  swift build -c release --product care-record
  BIN=.build/release/care-record
fi
WORK=$(mktemp -d)
PIDS=()
trap '{ for pid in "${PIDS[@]}"; do kill $pid; done; } 2>/dev/null; rm -rf "$WORK"; true' EXIT
mkdir -p Benchmarks/results
OUT=Benchmarks/results/sync-$(date -u +%Y%m%dT%H%M%SZ).txt
REGION="$WORK/region"

# The resources a sync processed (accepted + rejected, every source) from its report lines.
resources_in() {
  python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
total = 0
for part in re.findall(r"(?:accepted|rejected): ([^;]*);", text):
    total += sum(int(n) for n in re.findall(r" (\d+)(?:,|$)", part))
print(total)
PY
}
# A sync (extra arguments passed on) under /usr/bin/time: writes "resources seconds rssKiB" to $2, its output to $1.
timed_sync() {
  local log=$1 result=$2; shift 2
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f "peak RSS %M KiB" $BIN sync --config "$REGION/care-record.yaml" ${SYNC_ARGS:-} "$@" >"$log" 2>&1 || { cat "$log"; exit 1; }
  end=$(date +%s.%N)
  echo "$(resources_in "$log") $(python3 -c "print($end - $start)") $(sed -n 's/.*peak RSS \([0-9]*\) KiB.*/\1/p' "$log")" >"$result"
}
audit_commits() {  # the serving node's audit commits so far: "count total-seconds" (from its /metrics)
  { curl -s "http://127.0.0.1:$METRICS_PORT/metrics" || true; } | awk '/^care_record_audit_commit_duration_seconds_count/ {c = $2} /^care_record_audit_commit_duration_seconds_sum/ {s = $2} END {print c + 0, s + 0}'
}
audit_buckets() {  # the serving node's audit commit histogram so far, "le=count" per bucket, into file $1
  { curl -s "http://127.0.0.1:$METRICS_PORT/metrics" || true; } | sed -n 's/^care_record_audit_commit_duration_seconds_bucket{le="\([^"]*\)"} \([0-9.e+]*\)$/\1 \2/p' >"$1"
}
# commit_tail BEFORE AFTER (files from audit_buckets): how many commits between the two took longer than 50 ms, 250 ms and 1 s.
commit_tail() {
  python3 - "$1" "$2" <<'PY'
import sys
def read(path):
    return {le: float(n) for le, n in (line.split() for line in open(path) if line.strip())}
a, b = read(sys.argv[1]), read(sys.argv[2])
total = b.get("+Inf", 0) - a.get("+Inf", 0)
def over(limit):
    bound = min((le for le in b if le != "+Inf" and float(le) >= limit), key=float, default=None)
    return total - (b[bound] - a.get(bound, 0)) if bound else 0
print(f"{int(total)} commits, {int(over(0.05))} over 50 ms, {int(over(0.25))} over 250 ms, {int(over(1.0))} over 1 s")
PY
}
# commit_mean BEFORE AFTER ("count seconds" each): the mean audit commit in ms between the two.
commit_mean() { python3 -c "import sys; a = sys.argv[1].split(); b = sys.argv[2].split(); n = float(b[0]) - float(a[0]); print(f'{(float(b[1]) - float(a[1])) / n * 1000:.2f}' if n else 'n/a')" "$1" "$2"; }
p99_ms() {  # wrk --latency output -> the 99th percentile in ms
  awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }; print v }' "$1"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m), $(swift --version 2>&1 | head -1)" | tee "$OUT"
echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with uncommitted changes)'), $PATIENTS patients, sync arguments: ${SYNC_ARGS:-none}" | tee -a "$OUT"
/usr/bin/time -f "generate: %e s, peak RSS %M KiB" $BIN generate --patients "$PATIENTS" --out "$REGION" 2>&1 | tee -a "$OUT"
sed -i "s/8080/$PORT/g" "$REGION/care-record.yaml"
# The simulator reads its sources' files at each export: a link it follows, flipped between the two regions' exports.
/usr/bin/time -f "generate (seed 2): %e s, peak RSS %M KiB" $BIN generate --patients "$PATIENTS" --seed 2 --out "$WORK/region-2" 2>&1 | tee -a "$OUT"
mv "$REGION/sources" "$WORK/sources-1"
ln -s "$WORK/sources-1" "$REGION/sources"
use_sources() { ln -sfn "$WORK/$1" "$REGION/sources"; }   # sources-1 (seed 1) or region-2/sources (seed 2)
$BIN simulate --region "$REGION" --require-client-certificate >"$WORK/simulate.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q Serving "$WORK/simulate.log" && break; sleep 0.2; done
# Prometheus /metrics on a listener of its own, for the audit commit's duration while reads run (idle and during a refresh);
# after `simulate`, which rewrites the configuration to sync from it.
METRICS_PORT=${METRICS_PORT:-18098}
sed -i "s|^server: { \(.*\) }$|server: { \1, metrics: { host: 127.0.0.1, port: $METRICS_PORT } }|" "$REGION/care-record.yaml"
echo "NDJSON served: $(du -sb "$WORK/sources-1" | cut -f1) bytes" | tee -a "$OUT"

echo "== first sync over HTTPS (libcurl, mutual TLS)" | tee -a "$OUT"
timed_sync "$WORK/first.log" "$WORK/first.txt"
cat "$WORK/first.log" | tee -a "$OUT"
readable_patients "$REGION/data/care-record.sqlite" "$WORK/readable-1.txt"

echo "== full refresh alone, every export unchanged (sync --force over HTTPS, replacing every source)" | tee -a "$OUT"
timed_sync "$WORK/alone.log" "$WORK/alone.txt" --force
cat "$WORK/alone.log" | tee -a "$OUT"
echo "== full refresh alone, every export changed (the seed-2 region's exports)" | tee -a "$OUT"
use_sources region-2/sources
timed_sync "$WORK/changed.log" "$WORK/changed.txt" --force
cat "$WORK/changed.log" | tee -a "$OUT"
CHANGED_LINES=$(cat "$WORK"/region-2/sources/*/*.ndjson | grep -c .)

echo "== CPython json.loads over the same NDJSON lines" | tee -a "$OUT"
python3 - "$WORK/sources-1" >"$WORK/python.txt" <<'PY'
import glob, json, os, sys, time
lines = parsed = 0
elapsed = 0.0
for path in sorted(glob.glob(os.path.join(sys.argv[1], "**", "*.ndjson"), recursive=True)):
    with open(path, "rb") as f:
        batch = [line for line in f.read().split(b"\n") if line.strip()]
    start = time.perf_counter()
    for line in batch:
        json.loads(line)
    elapsed += time.perf_counter() - start
    lines += len(batch)
print(lines, elapsed)
PY
read -r PY_LINES PY_SECONDS <"$WORK/python.txt"
echo "$PY_LINES lines parsed in $PY_SECONDS s ($(python3 --version))" | tee -a "$OUT"

$BIN serve --config "$REGION/care-record.yaml" >"$WORK/serve.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$METRICS_PORT/metrics" >/dev/null && break; sleep 0.2; done
# Patients a GP of A81001 may read in both regions, since the reads go on while refreshes flip between them.
ONLY_PATIENTS="$WORK/readable-1.txt" write_patient_requests "$REGION/data/care-record.sqlite" "$WORK/patients.lua" "/Condition?patient=" 5000
echo "reads rotate over $(grep -o '"[0-9]*"' "$WORK/patients.lua" | wc -l) patients readable in both regions" | tee -a "$OUT"
TOKEN=$($BIN token --key "$REGION/keys/signing-key.pem" --sub bench.gp --ods A81001 --role doctor --registration GMC-0000001 --expires-in 7200)
echo "== reads, idle: wrk -t1 -c8 -d$DURATION GET /Condition?patient=" | tee -a "$OUT"
COMMITS_0=$(audit_commits); audit_buckets "$WORK/buckets-0"
wrk -t1 -c8 -d"$DURATION" --latency -s "$WORK/patients.lua" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT" | tee "$WORK/idle.txt" | tee -a "$OUT"
COMMITS_1=$(audit_commits); audit_buckets "$WORK/buckets-1"
echo "== reads during full refreshes (the same, while sync --force runs back to back for the whole of wrk's run, as long as a refresh alone took; every refresh changes every export)" | tee -a "$OUT"
(
  n=0
  while [ ! -e "$WORK/reads-done" ]; do
    n=$((n + 1))
    if [ $((n % 2)) = 1 ]; then use_sources sources-1; else use_sources region-2/sources; fi
    timed_sync "$WORK/during-$n.log" "$WORK/during-$n.txt" --force
  done
) &
REFRESH=$!
# The reads last as long as a changing refresh alone took (at least DURATION, at most 180 s), so they overlap its import and not
# only its download.
BUSY_DURATION=$(python3 -c "import sys; a = float(sys.argv[1]); d = float(sys.argv[2].rstrip('s')); print(f'{int(min(max(a, d), 180))}s')" \
  "$(cut -d' ' -f2 "$WORK/changed.txt")" "$DURATION")
sleep 1   # the refresh is under way before the reads start
wrk -t1 -c8 -d"$BUSY_DURATION" --latency -s "$WORK/patients.lua" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT" | tee "$WORK/busy.txt" | tee -a "$OUT"
COMMITS_2=$(audit_commits); audit_buckets "$WORK/buckets-2"
touch "$WORK/reads-done"
wait $REFRESH || true
cat "$WORK"/during-*.log | tee -a "$OUT"
DURING_SECONDS=$(cat "$WORK"/during-1.txt | cut -d' ' -f2)

IDLE_P99=$(p99_ms "$WORK/idle.txt"); BUSY_P99=$(p99_ms "$WORK/busy.txt")
errors() { grep -E "Non-2xx|Socket errors" "$1" | tr '\n' ' ' || true; }
python3 - "$(cat "$WORK/alone.txt")" "$(cat "$WORK/changed.txt")" "$CHANGED_LINES" "$PY_LINES" "$PY_SECONDS" "$IDLE_P99" "$BUSY_P99" \
  "${DURING_SECONDS:-0}" "$(errors "$WORK/idle.txt")" "$(errors "$WORK/busy.txt")" <<'PY' | tee -a "$OUT"
import sys
alone, changed = ([float(a) for a in arg.split()] for arg in sys.argv[1:3])
changed_lines, py_lines, py_seconds, idle, busy, during = (float(a) for a in sys.argv[3:9])
py_rate = py_lines / py_seconds
print("== summary")
for name, (resources, seconds, rss), lines in (("unchanged", alone, py_lines), ("changed", changed, changed_lines)):
    # The ratio compares like with like: NDJSON lines per second, the refresh's against json.loads's (whose rate is taken
    # over the seed-1 lines; the seed-2 export has about as many, of the same shapes).
    line_rate = lines / seconds
    print(f"refresh alone, every export {name}: {int(resources):,} resources (accepted + rejected, as the report counts them) in {seconds:.1f} s = {resources / seconds:,.0f} resources/s (target >= 25,000); {int(lines):,} NDJSON lines = {line_rate:,.0f} lines/s, {line_rate / py_rate:.3f} of json.loads (target >= 0.3); peak RSS {rss / 1024:.0f} MiB (target <= 256)")
print(f"json.loads: {int(py_lines):,} lines in {py_seconds:.2f} s = {py_rate:,.0f} lines/s")
print(f"reads p99: idle {idle:.1f} ms, during refreshes changing every export {busy:.1f} ms, ratio {busy / idle:.2f} (target <= 2); the first refresh while reading: {during:.1f} s")
print(f"read errors: idle [{sys.argv[9].strip() or 'none'}], during [{sys.argv[10].strip() or 'none'}]")
PY
echo "audit commits so far (count, seconds): $COMMITS_0; $COMMITS_1; $COMMITS_2" >>"$OUT"
echo "audit commit (the durable write each response waits for), mean: idle $(commit_mean "$COMMITS_0" "$COMMITS_1") ms, during a refresh $(commit_mean "$COMMITS_1" "$COMMITS_2") ms" | tee -a "$OUT"
echo "audit commits idle: $(commit_tail "$WORK/buckets-0" "$WORK/buckets-1"); during a refresh: $(commit_tail "$WORK/buckets-1" "$WORK/buckets-2")" | tee -a "$OUT"
echo "results: $OUT"
