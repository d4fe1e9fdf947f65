#!/usr/bin/env bash
# HTTP fuzz of the live server (issue 8 item 15): builds the release care-record, generates and syncs a 200-patient
# region, serves it on a free loopback port, then sends (a) schemathesis requests generated from openapi.yaml with a
# valid token and (b) Benchmarks/HTTPFuzz/malformed_requests.py's malformed requests (garbage, truncated, oversized and
# alg-none tokens; bad and huge headers; odd paths, queries and methods; broken framing). Fails on any 5xx answer, a
# well-framed request left unanswered, or a server that has died or stopped answering; 429s are not failures.
#   Benchmarks/http-fuzz.sh [--malformed N] [--examples N] [--rate-limit auto|none|PER_SECOND:BURST] [--seed S] [--bin PATH]
#   --malformed N    malformed requests (default 100000, so the run alone reaches 100,000)
#   --examples N     schemathesis --max-examples per operation (default 100)
#   --rate-limit     auto (default): add server.rateLimit with limits too high to bite, so malformed requests reach the
#                    parsers, when the configuration accepts the key (an older server rejects unknown keys: then none);
#                    none: leave the configuration as generated; P:B: unauthenticatedPerSecond P, unauthenticatedBurst B
#   --bin PATH       use this care-record binary instead of building the release one
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MALFORMED=100000
EXAMPLES=100
RATE_LIMIT=auto
SEED=1
BIN=""
while [ $# -gt 0 ]; do
    case "$1" in
        --malformed) MALFORMED=$2; shift 2 ;;
        --examples) EXAMPLES=$2; shift 2 ;;
        --rate-limit) RATE_LIMIT=$2; shift 2 ;;
        --seed) SEED=$2; shift 2 ;;
        --bin) BIN=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

scripts/setup
VENV=.build-venv
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check -r Tests/Conformance/requirements.txt

if [ -z "$BIN" ]; then
    SCRATCH=${RELEASE_SCRATCH:-$ROOT/.build-release}
    swift build -c release --product care-record --scratch-path "$SCRATCH"
    BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/care-record
fi
OUT=Benchmarks/results/http-fuzz-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d)
SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"; true' EXIT

echo "== generate and sync a 200-patient region"
"$BIN" generate --patients 200 --out "$WORK/region" >"$OUT/generate.log"
CONFIG=$WORK/region/care-record.yaml
PORT=$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
# Edits the generated configuration: the free port, and optionally server.rateLimit.
configure() {
    "$VENV/bin/python" - "$CONFIG" "$PORT" "$1" <<'PY'
import sys, yaml
path, port, limit = sys.argv[1], int(sys.argv[2]), sys.argv[3]
config = yaml.safe_load(open(path))
config["server"].update({"port": port, "baseURL": f"http://127.0.0.1:{port}"})
config["server"].pop("rateLimit", None)
if limit != "none":
    per_second, burst = (int(x) for x in limit.split(":"))
    config["server"]["rateLimit"] = {"unauthenticatedPerSecond": per_second, "unauthenticatedBurst": burst}
yaml.safe_dump(config, open(path, "w"), sort_keys=False)
PY
}
configure none
"$BIN" sync --config "$CONFIG" >"$OUT/sync.log"

start_server() {
    "$BIN" serve --config "$CONFIG" >"$OUT/server.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 150); do
        curl -sf "$BASE/metadata" >/dev/null 2>&1 && return 0
        kill -0 "$SERVER" 2>/dev/null || { wait "$SERVER" || true; SERVER=""; return 1; }
        sleep 0.2
    done
    echo "server did not answer within 30 s" >&2
    return 1
}

case "$RATE_LIMIT" in
    none) LIMIT=none ;;
    auto) LIMIT=1000000:1000000 ;;
    *) LIMIT=$RATE_LIMIT ;;
esac
configure "$LIMIT"
if ! start_server; then
    if [ "$LIMIT" != none ] && grep -qi "ratelimit" "$OUT/server.log"; then
        [ "$RATE_LIMIT" = auto ] || { echo "the configuration rejects server.rateLimit: $(tail -1 "$OUT/server.log")" >&2; exit 1; }
        echo "rate limit: not supported by this server ($(tail -1 "$OUT/server.log")); serving without"
        LIMIT=none
        configure none
        start_server || { cat "$OUT/server.log"; exit 1; }
    else
        cat "$OUT/server.log"
        exit 1
    fi
fi
echo "serving $BASE (pid $SERVER), rate limit: $LIMIT"

summary() { "$VENV/bin/python" -c "import json,sys; print(json.load(open('$WORK/region/region-summary.json'))[sys.argv[1]])" "$1"; }
KEY=$WORK/region/keys/signing-key.pem
DOCTOR=$("$BIN" token --key "$KEY" --sub fuzz.doctor --ods RJR --role doctor --registration GMC-0000002)
GP=$("$BIN" token --key "$KEY" --sub fuzz.gp --ods A81001 --role doctor --registration GMC-0000003)
PATIENT_NHS=$(summary registeredAtA81001)
PATIENT=$("$BIN" token --key "$KEY" --sub fuzz.patient --ods A81001 --role patient --nhs-number "$PATIENT_NHS")
OFFICER=$("$BIN" token --key "$KEY" --sub fuzz.officer --ods A81001 --role privacy-officer)
ADMIN=$("$BIN" token --key "$KEY" --sub fuzz.admin --ods RJR --role admin)
"$VENV/bin/python" - "$OUT/context.json" <<PY
import json, sys
region = "$WORK/region"
summary = json.load(open(f"{region}/region-summary.json"))
nhs = [summary[k] for k in ("hospitalActiveWithConsent", "registeredAtA81001", "hospitalActiveWithoutConsent",
                            "hospitalEndedEpisode", "notKnownToHospital", "hospitalOptedOut", "hospitalBlocked") if summary.get(k)]
jwks = json.load(open(f"{region}/keys/jwks.json"))
json.dump({
    "tokens": {"doctor": "$DOCTOR", "gp": "$GP", "patient": "$PATIENT", "officer": "$OFFICER", "admin": "$ADMIN"},
    "nhs": nhs, "kid": jwks["keys"][0]["kid"], "jwks": f"{region}/keys/jwks.json",
    "consents": [f"$ROOT/Examples/consent-requests/{n}" for n in
                 ("Consent-permanent.json", "Consent-24-hour.json", "Consent-block.json", "Consent-opt-out.json", "Consent-lift.json")],
}, open(sys.argv[1], "w"))
PY

failed=0
echo "== schemathesis from openapi.yaml (--max-examples $EXAMPLES, valid token)"
started=$(date +%s)
"$VENV/bin/schemathesis" run openapi.yaml --url "$BASE" --header "Authorization: Bearer $DOCTOR" \
    --checks not_a_server_error --max-examples "$EXAMPLES" --seed "$SEED" --no-color --workers 4 \
    --suppress-health-check all --report har --report-har-path "$OUT/schemathesis.har" >"$OUT/schemathesis.log" 2>&1 || failed=1
tail -15 "$OUT/schemathesis.log"
read -r ST_REQUESTS ST_5XX <<<"$("$VENV/bin/python" -c "
import json; entries = json.load(open('$OUT/schemathesis.har'))['log']['entries']
print(len(entries), sum(1 for e in entries if e['response']['status'] >= 500))" || echo "0 unknown")"
echo "schemathesis: $ST_REQUESTS requests in $(( $(date +%s) - started )) s, 5xx: $ST_5XX"
[ "$ST_5XX" = 0 ] || failed=1

echo "== malformed requests ($MALFORMED)"
"$VENV/bin/python" Benchmarks/HTTPFuzz/malformed_requests.py --port "$PORT" --requests "$MALFORMED" --seed "$SEED" \
    --context "$OUT/context.json" --report "$OUT/malformed.json" || failed=1
MALFORMED_5XX=$("$VENV/bin/python" -c "import json; print(json.load(open('$OUT/malformed.json'))['server_errors'])" || echo unknown)

echo "== the server afterwards"
ALIVE=yes
kill -0 "$SERVER" 2>/dev/null || ALIVE="no (exited)"
METADATA=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$BASE/metadata" || echo none)
READ=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $GP" "$BASE/Patient/$PATIENT_NHS" || echo none)
# The read's status depends on what the fuzz recorded (an opt-out then a lift leaves no demographics until the next sync); it must not be a 5xx.
[ "$ALIVE" = yes ] && [ "$METADATA" = 200 ] && [ "${READ:0:1}" != 5 ] && [ "$READ" != none ] || failed=1
kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
SERVER=""
AUDIT=$("$BIN" audit verify --config "$CONFIG" 2>&1 | tail -1) || failed=1
grep -E "Fatal error|fatal|panic|Crash" "$OUT/server.log" | head -5 || true

TOTAL=$((ST_REQUESTS + MALFORMED))
cat <<EOF | tee "$OUT/summary.txt"
http-fuzz summary (seed $SEED, rate limit $LIMIT)
  schemathesis requests     $ST_REQUESTS (5xx: $ST_5XX)
  malformed requests        $MALFORMED (5xx: $MALFORMED_5XX)
  total requests            $TOTAL
  server alive at the end   $ALIVE; GET /metadata $METADATA; GET /Patient/{nhs} as its GP $READ
  audit verify              $AUDIT
  result                    $([ $failed -eq 0 ] && echo PASS || echo FAIL)
EOF
echo "logs: $OUT"
exit $failed
