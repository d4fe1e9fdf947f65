#!/usr/bin/env bash
# PostgreSQL benchmark (issue 9; run on purpose, not in `swift test`), all on this machine in one run:
#   1. read-by-id (GET /Patient/{nhs}, full access decision, durable audit record) through one SQLite node, one
#      PostgreSQL node, and two PostgreSQL nodes sharing the database (one wrk per node, at the same time); the search
#      (GET /Condition?_count=50&patient=) and GET /Patient/{nhs}/$everything on the one SQLite and the one PostgreSQL
#      node as read-benchmark.sh measures them, so the SQLite figures have their PostgreSQL ones beside them;
#   2. audit records per commit (group commit) on each, from /health;
#   3. a full refresh of a $REFRESH_PATIENTS-patient region into PostgreSQL, next to SQLite (resources/s).
# PostgreSQL is a throwaway server (scripts/lib/postgres.sh) with fsync on, as SQLite's audit file is synchronous=FULL.
# Results go to Benchmarks/results/ and the README. BIN=path/to/care-record measures a given build instead of building.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/patients-lua.sh
source scripts/lib/postgres.sh
PATIENTS=${PATIENTS:-10000}
REFRESH_PATIENTS=${REFRESH_PATIENTS:-100000}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-32}
PARTS=${PARTS:-reads refresh}   # PARTS=reads or PARTS=refresh runs one half
scripts/setup
command -v wrk >/dev/null || { sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo; $sudo_cmd apt-get install -y -qq wrk; }
if [ -z "${BIN:-}" ]; then   # BIN=path/to/care-record measures another build (e.g. a copy of the one before a change)
  swift build -c release --product care-record
  BIN=.build/release/care-record
fi
WORK=$(mktemp -d)
PG_DIR=$(mktemp -d /tmp/care-record-bench-postgres-XXXXXX)
PIDS=()
cleanup() {
  { for pid in "${PIDS[@]}"; do kill "$pid"; done; } 2>/dev/null || true
  pg_stop "$PG_DIR" || true
  rm -rf "$WORK" "$PG_DIR"
}
trap cleanup EXIT
mkdir -p Benchmarks/results
OUT=Benchmarks/results/postgres-$(date -u +%Y%m%dT%H%M%SZ).txt
say() { echo "$*" | tee -a "$OUT"; }

PG_FSYNC=on pg_start "$PG_DIR"
"$PG_BIN/createdb" reads
"$PG_BIN/createdb" refresh
say "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m), $(swift --version 2>&1 | head -1)"
say "PostgreSQL: $("$PG_BIN/postgres" --version) on the same machine, fsync on"

# node_config REGION NAME PORT DATABASE: REGION/NAME.yaml, the generated configuration on PORT with the record in
# PostgreSQL database DATABASE (or SQLite when DATABASE is empty) and a checkpoint file of its own.
node_config() {
  python3 - "$@" <<'PY'
import re, sys
region, name, port, database = sys.argv[1:5]
text = open(f"{region}/care-record.yaml").read().replace("8080", port)
if database:
    text = re.sub(r"database: \{ path: [^}]* \}",
                  f'database: {{ url: "postgresql://postgres@127.0.0.1:{__import__("os").environ["PG_PORT"]}/{database}", '
                  f'passwordFile: {__import__("os").environ["PG_PASSWORD_FILE"]} }}\naudit: {{ checkpointFile: checkpoints-{name}.log }}', text)
open(f"{region}/{name}.yaml", "w").write(text)
PY
}

serve() { # serve CONFIG PORT: starts a node and waits for it
  $BIN serve --config "$1" >"$WORK/serve-$2.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$2/health" >/dev/null && break; sleep 0.2; done
}
stop_nodes() { { for pid in "${PIDS[@]}"; do kill "$pid"; wait "$pid"; done; } 2>/dev/null || true; PIDS=(); }
audit_stats() { # audit_stats PORT: records per commit since the node started
  curl -s "http://127.0.0.1:$1/health" | python3 -c '
import json, sys
audit = json.load(sys.stdin)["audit"]
records, commits, largest = audit["records"], audit["transactions"], audit["largestTransaction"]
print(f"{records} records in {commits} commits: {records / max(commits, 1):.1f} records per commit, largest {largest}")'
}
bench() { # bench PORT CONNECTIONS [LUA]: wrk over GET /Patient/{nhs} (or the requests of LUA)
  wrk -t1 -c"$2" -d"$DURATION" --latency -s "${3:-$WORK/patients.lua}" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$1"
}
# endpoints PORT: the search and $everything on one node, each with the server's CPU per request (from /proc).
endpoints() {
  local pid=${PIDS[0]} name lua before after requests
  for name in condition everything; do
    lua="$WORK/$name.lua"
    before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    bench "$1" "$CONNECTIONS" "$lua" >"$WORK/wrk-$name.txt"
    after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    cat "$WORK/wrk-$name.txt" >>"$OUT"
    requests=$(awk '/requests in/ {print $1}' "$WORK/wrk-$name.txt")
    say "$([ $name = condition ] && echo 'GET /Condition?_count=50&patient=' || echo 'GET /Patient/{nhs}/$everything'): $(awk '/^Requests\/sec/ {print $2}' "$WORK/wrk-$name.txt") req/s, p99 $(awk '$1 == "99%" {print $2}' "$WORK/wrk-$name.txt"), server CPU $(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN {printf "%.0f", t / hz * 1e6 / n}') us/request, $(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' "$WORK/wrk-$name.txt")"
  done
}

# ---- 1 and 2: reads
if [[ " $PARTS " == *" reads "* ]]; then
$BIN generate --patients "$PATIENTS" --out "$WORK/reads" >/dev/null
node_config "$WORK/reads" sqlite 18101 ""
node_config "$WORK/reads" node-a 18102 reads
node_config "$WORK/reads" node-b 18103 reads
$BIN sync --config "$WORK/reads/sqlite.yaml" >/dev/null
$BIN sync --config "$WORK/reads/node-a.yaml" >/dev/null
write_patient_requests "$WORK/reads/data/care-record.sqlite" "$WORK/patients.lua" "/Patient/"
write_patient_requests "$WORK/reads/data/care-record.sqlite" "$WORK/condition.lua" "/Condition?_count=50&patient=" 500
write_patient_requests "$WORK/reads/data/care-record.sqlite" "$WORK/everything.lua" "/Patient/" 500 '/$everything'
TOKEN=$($BIN token --key "$WORK/reads/keys/signing-key.pem" --sub bench.gp --ods A81001 --role doctor --registration GMC-0000001 --expires-in 7200)
say "== read-by-id, $PATIENTS-patient region, wrk -c$CONNECTIONS -d$DURATION GET /Patient/{nhs} as a GP of the registered practice"

serve "$WORK/reads/sqlite.yaml" 18101
say "-- one node, SQLite"
bench 18101 "$CONNECTIONS" | tee -a "$OUT"
say "audit: $(audit_stats 18101)"
endpoints 18101
stop_nodes

serve "$WORK/reads/node-a.yaml" 18102
say "-- one node, PostgreSQL"
bench 18102 "$CONNECTIONS" | tee -a "$OUT"
say "audit: $(audit_stats 18102)"
endpoints 18102
stop_nodes

serve "$WORK/reads/node-a.yaml" 18102
serve "$WORK/reads/node-b.yaml" 18103
say "-- two nodes, PostgreSQL (one wrk per node, $((CONNECTIONS / 2)) connections each, at the same time)"
bench 18102 $((CONNECTIONS / 2)) >"$WORK/wrk-a.txt" &
WRK_A=$!
bench 18103 $((CONNECTIONS / 2)) >"$WORK/wrk-b.txt"
wait $WRK_A
cat "$WORK/wrk-a.txt" "$WORK/wrk-b.txt" | tee -a "$OUT"
say "two nodes together: $(cat "$WORK/wrk-a.txt" "$WORK/wrk-b.txt" | awk '/Requests\/sec/ {sum += $2} END {printf "%.0f", sum}') requests/s"
say "audit node a: $(audit_stats 18102)"
say "audit node b: $(audit_stats 18103)"
stop_nodes
say "audit verify (one chain, both nodes): $($BIN audit verify --config "$WORK/reads/node-a.yaml" --checkpoints "$WORK/reads/checkpoints-node-b.log")"
fi

# ---- 3: a full refresh of a big region
if [[ " $PARTS " == *" refresh "* ]]; then
$BIN generate --patients "$REFRESH_PATIENTS" --out "$WORK/refresh" >/dev/null
node_config "$WORK/refresh" sqlite 18104 ""
node_config "$WORK/refresh" postgres 18105 refresh
say "== full refresh, $REFRESH_PATIENTS-patient region ($(du -sb "$WORK/refresh/sources" | cut -f1) bytes of NDJSON, file sources)"
for backend in sqlite postgres; do
  $BIN sync --config "$WORK/refresh/$backend.yaml" >/dev/null   # the first sync fills the record
  start=$(date +%s.%N)
  /usr/bin/time -f "peak RSS %M KiB" $BIN sync --config "$WORK/refresh/$backend.yaml" --force >"$WORK/refresh-$backend.txt" 2>&1
  end=$(date +%s.%N)
  python3 - "$backend" "$start" "$end" "$WORK/refresh-$backend.txt" <<'PY' | tee -a "$OUT"
import re, sys
backend, start, end, path = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
text = open(path).read()
resources = sum(int(n) for accepted in re.findall(r"accepted: ([^;]*);", text) for n in re.findall(r"\b(\d+)\b", accepted))
seconds = end - start
rss = re.search(r"peak RSS (\d+) KiB", text).group(1)
print(f"{backend}: refresh (replacing every source) {resources} resources in {seconds:.1f} s: {resources / seconds:,.0f} resources/s, peak RSS {int(rss) // 1024} MiB")
PY
done
fi
echo "results: $OUT"
