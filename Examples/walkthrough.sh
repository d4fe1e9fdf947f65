#!/usr/bin/env bash
# The tester's tour: runs against `care-record demo` and checks every answer (status and error code).
#   scripts/demo &            # in another terminal, or in the background
#   Examples/walkthrough.sh [--base http://127.0.0.1:8080] [--region demo-region] [--bin .build/debug/care-record] [--save DIR]
# With --save, every response body is kept in DIR (for independent FHIR validation). Exit status 0 only if all pass.
set -uo pipefail
BASE=http://127.0.0.1:8080
REGION=demo-region
BIN=.build/debug/care-record
SAVE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --base) BASE=$2; shift 2 ;;
    --region) REGION=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;
    --save) SAVE=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$SAVE" ] && mkdir -p "$SAVE"
KEY="$REGION/keys/signing-key.pem"
summary() { python3 -c "import json,sys; print(json.load(open('$REGION/region-summary.json')).get(sys.argv[1]) or '')" "$1"; }
token() { "$BIN" token --key "$KEY" --expires-in 3600 "$@"; }

GP_PATIENT=$(summary registeredAtA81001)
CONSENTED=$(summary hospitalActiveWithConsent)
UNCONSENTED=$(summary hospitalActiveWithoutConsent)
ENDED=$(summary hospitalEndedEpisode)
OPTED_OUT=$(summary hospitalOptedOut)
BLOCKED=$(summary hospitalBlocked)
GP=$(token --sub dr.jones --name "Dr Sarah Jones" --ods A81001 --role doctor --registration GMC-7012345)
HOSPITAL=$(token --sub dr.walk --name "Dr Walk Through" --ods RJR --role doctor --registration GMC-6098765)
NURSE=$(token --sub nurse.walk --name "Nurse Walk" --ods RJR --role nurse --registration NMC-12A3456B)
ADMIN=$(token --sub admin.walk --ods RJR --role admin)
PRIVACY=$(token --sub po.walk --ods A81001 --role privacy-officer)
PATIENT=$(token --sub "patient-$GP_PATIENT" --ods A81001 --role patient --nhs-number "$GP_PATIENT")

PASSED=0; FAILED=0; STEP=0
# check "what" status code curl-arguments...   (code "-" when no OperationOutcome is expected)
check() {
  local title=$1 status=$2 code=$3; shift 3
  STEP=$((STEP + 1))
  local body; body=$(mktemp)
  local got; got=$(curl -s -o "$body" -w '%{http_code}' "$@")
  local gotcode; gotcode=$(python3 -c "
import json,sys
try:
    d=json.load(open(sys.argv[1]))
    print(d['issue'][0]['details']['coding'][0]['code'] if d.get('resourceType')=='OperationOutcome' else '-')
except Exception:
    print('-')" "$body")
  if [ "$got" = "$status" ] && [ "$gotcode" = "$code" ]; then
    PASSED=$((PASSED + 1)); printf 'ok    %2d %s: %s %s\n' "$STEP" "$title" "$got" "$gotcode"
  else
    FAILED=$((FAILED + 1)); printf 'FAIL  %2d %s: expected %s %s, got %s %s\n' "$STEP" "$title" "$status" "$code" "$got" "$gotcode"
  fi
  if [ -n "$SAVE" ] && [ -s "$body" ]; then cp "$body" "$SAVE/$(printf '%02d' $STEP).json"; fi
  rm -f "$body"
}
auth() { echo "Authorization: Bearer $1"; }
consent() {  # consent nhs type action [period-hours actor]
  python3 - "$@" <<'PY'
import json, sys, datetime
nhs, kind, action = sys.argv[1:4]
provision = {"type": kind, "action": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentaction", "code": action}]}]}
if len(sys.argv) > 5:
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    provision["period"] = {"start": now.isoformat().replace("+00:00", "Z"), "end": (now + datetime.timedelta(hours=float(sys.argv[4]))).isoformat().replace("+00:00", "Z")}
    provision["actor"] = [{"role": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "IRCP"}]}, "reference": {"identifier": {"value": sys.argv[5]}}}]
print(json.dumps({"resourceType": "Consent", "status": "active",
    "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]},
    "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
    "patient": {"reference": "Patient/" + nhs}, "provision": provision}))
PY
}

check "CapabilityStatement, no token" 200 - "$BASE/metadata"
check "GP of the registered practice reads the patient" 200 - -H "$(auth "$GP")" "$BASE/Patient/$GP_PATIENT"
check "identifier search" 200 - -H "$(auth "$GP")" "$BASE/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number%7C$GP_PATIENT"
check "hospital doctor, active episode and consent: Condition search" 200 - -H "$(auth "$HOSPITAL")" "$BASE/Condition?patient=$CONSENTED&_count=2"
check "... AllergyIntolerance search" 200 - -H "$(auth "$HOSPITAL")" "$BASE/AllergyIntolerance?patient=Patient/$CONSENTED"
check "... MedicationStatement search" 200 - -H "$(auth "$HOSPITAL")" "$BASE/MedicationStatement?patient=$CONSENTED"
check "... \$everything" 200 - -H "$(auth "$HOSPITAL")" "$BASE/Patient/$CONSENTED/\$everything"
check "... sharing decisions" 200 - -H "$(auth "$HOSPITAL")" "$BASE/Consent?patient=$CONSENTED"
check "no consent" 403 CONSENT_REQUIRED -H "$(auth "$HOSPITAL")" "$BASE/Patient/$UNCONSENTED"
check "record a 24-hour consent for yourself" 201 - -H "$(auth "$HOSPITAL")" -H 'Content-Type: application/fhir+json' -X POST "$BASE/Consent" -d "$(consent "$UNCONSENTED" permit access 23 dr.walk)"
check "... now allowed" 200 - -H "$(auth "$HOSPITAL")" "$BASE/Patient/$UNCONSENTED"
check "... but not for a colleague" 403 CONSENT_REQUIRED -H "$(auth "$NURSE")" "$BASE/Patient/$UNCONSENTED"
check "a 25-hour consent is refused" 422 INVALID_RESOURCE -H "$(auth "$HOSPITAL")" -H 'Content-Type: application/fhir+json' -X POST "$BASE/Consent" -d "$(consent "$UNCONSENTED" permit access 25 dr.walk)"
check "a hospital may not block" 403 ROLE_NOT_PERMITTED -H "$(auth "$HOSPITAL")" -H 'Content-Type: application/fhir+json' -X POST "$BASE/Consent" -d "$(consent "$CONSENTED" deny access)"
check "not JSON" 400 INVALID_RESOURCE -H "$(auth "$HOSPITAL")" -H 'Content-Type: application/fhir+json' -X POST "$BASE/Consent" -d "hello"
check "no relationship: as unknown" 404 PATIENT_NOT_FOUND -H "$(auth "$NURSE")" "$BASE/Patient/$ENDED"
check "no relationship: empty search" 200 - -H "$(auth "$NURSE")" "$BASE/Condition?patient=$ENDED"
check "unknown NHS number" 404 PATIENT_NOT_FOUND -H "$(auth "$NURSE")" "$BASE/Patient/9434765919"
check "emergency override" 200 - -H "$(auth "$NURSE")" -H 'X-Purpose-Of-Use: BTG' -H 'X-Access-Reason: Unconscious in ED' "$BASE/AllergyIntolerance?patient=$ENDED"
check "override without a reason" 400 INVALID_PARAMETER -H "$(auth "$NURSE")" -H 'X-Purpose-Of-Use: BTG' "$BASE/Patient/$ENDED"
check "opted out, even in an emergency" 403 PATIENT_OPTED_OUT -H "$(auth "$HOSPITAL")" -H 'X-Purpose-Of-Use: BTG' -H 'X-Access-Reason: test' "$BASE/Patient/$OPTED_OUT"
check "blocked" 403 RECORD_BLOCKED -H "$(auth "$HOSPITAL")" "$BASE/Patient/$BLOCKED"
check "admin reading clinical data" 403 ROLE_NOT_PERMITTED -H "$(auth "$ADMIN")" "$BASE/Patient/$CONSENTED"
check "organisation not participating" 403 ORGANISATION_NOT_PARTICIPATING -H "$(auth "$(token --sub x --ods X99999 --role doctor --registration GMC-1)")" "$BASE/Patient/$CONSENTED"
check "privacy officer: audit of a registered patient" 200 - -H "$(auth "$PRIVACY")" "$BASE/AuditEvent?patient=$GP_PATIENT"
check "privacy officer: emergency overrides" 200 - -H "$(auth "$PRIVACY")" "$BASE/AuditEvent?patient=$ENDED&subtype=emergency-override"
check "patient: own record" 200 - -H "$(auth "$PATIENT")" "$BASE/Patient/$GP_PATIENT"
check "patient: who viewed it" 200 - -H "$(auth "$PATIENT")" "$BASE/AuditEvent?patient=$GP_PATIENT&date=ge2020-01-01"
check "patient: someone else's record" 403 ROLE_NOT_PERMITTED -H "$(auth "$PATIENT")" "$BASE/Patient/$UNCONSENTED"
check "no token" 401 TOKEN_INVALID "$BASE/Patient/$CONSENTED"
check "a forged token" 401 TOKEN_INVALID -H "Authorization: Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0." "$BASE/Patient/$CONSENTED"
check "XML is not served" 406 NOT_SUPPORTED -H "$(auth "$HOSPITAL")" -H 'Accept: application/fhir+xml' "$BASE/Patient/$CONSENTED"
check "_format=json" 200 - -H "$(auth "$HOSPITAL")" "$BASE/Patient/$CONSENTED?_format=json"
check "view-only" 405 READ_ONLY -H "$(auth "$HOSPITAL")" -X DELETE "$BASE/Patient/$CONSENTED"
check "_count out of range" 400 INVALID_PARAMETER -H "$(auth "$HOSPITAL")" "$BASE/Condition?patient=$CONSENTED&_count=500"
check "unknown parameter" 400 INVALID_PARAMETER -H "$(auth "$HOSPITAL")" "$BASE/Condition?patient=$CONSENTED&colour=red"
check "malformed NHS number" 400 INVALID_NHS_NUMBER -H "$(auth "$HOSPITAL")" "$BASE/Patient/1234567890"
ETAG=$(curl -s -D - -o /dev/null -H "$(auth "$HOSPITAL")" "$BASE/Patient/$CONSENTED" | awk 'tolower($1)=="etag:" {print $2}' | tr -d '\r')
check "If-None-Match answers 304" 304 - -H "$(auth "$HOSPITAL")" -H "If-None-Match: $ETAG" "$BASE/Patient/$CONSENTED"
check "unknown endpoint" 404 NOT_SUPPORTED -H "$(auth "$HOSPITAL")" "$BASE/Observation?patient=$CONSENTED"
check "a malformed override header is refused before any lookup" 400 INVALID_PARAMETER -H "$(auth "$HOSPITAL")" -H 'X-Purpose-Of-Use: TREAT' "$BASE/Condition/no-such-entry"
check "a token living longer than 12 hours" 401 TOKEN_INVALID -H "$(auth "$("$BIN" token --key "$KEY" --expires-in 86400 --sub dr.long --ods RJR --role doctor --registration GMC-1)")" "$BASE/Patient/$CONSENTED"
check "the privacy officer finds the refused override on the opted-out patient" 200 - -H "$(auth "$(token --sub po.rjr --ods RJR --role privacy-officer)")" "$BASE/AuditEvent?patient=$OPTED_OUT&subtype=emergency-override"
check "HEAD: the read's status and headers, no body" 200 - -I -H "$(auth "$HOSPITAL")" "$BASE/Patient/$CONSENTED"
check "an end-user organisation other than the token's" 403 ORGANISATION_MISMATCH -H "$(auth "$HOSPITAL")" -H 'NHSD-End-User-Organisation-ODS: A81001' "$BASE/Patient/$CONSENTED"
check "readiness probe, no token" 200 - "$BASE/health/ready"
check "_summary=count: how many Conditions, no entries" 200 - -H "$(auth "$HOSPITAL")" "$BASE/Condition?patient=$CONSENTED&_summary=count"
check "Prefer: handling=lenient leaves an unknown parameter out" 200 - -H "$(auth "$HOSPITAL")" -H 'Prefer: handling=lenient' "$BASE/Condition?patient=$CONSENTED&colour=red"
check "SMART discovery, no token" 200 - "$BASE/.well-known/smart-configuration"
SCOPED=$(token --sub dr.scoped --ods RJR --role doctor --registration GMC-6098765 --scope "openid user/Patient.rs")
check "a token scoped to Patient reads the Patient" 200 - -H "$(auth "$SCOPED")" "$BASE/Patient/$CONSENTED"
check "... but not its Conditions" 403 SCOPE_NOT_GRANTED -H "$(auth "$SCOPED")" "$BASE/Condition?patient=$CONSENTED"

# A privacy officer's review of their organisation (issue 11): today's emergency overrides by RJR staff, then a review.
TODAY=$(python3 -c 'import datetime; print(datetime.datetime.now(datetime.timezone.utc).date())')
TOMORROW=$(python3 -c 'import datetime; print(datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=1))')
PO_RJR=$(token --sub po.rjr --name "Pat Reviewer" --ods RJR --role privacy-officer)
check "privacy officer: the organisation's overrides today, no patient" 200 - -H "$(auth "$PO_RJR")" "$BASE/AuditEvent?date=ge$TODAY&date=lt$TOMORROW&flag=emergency-override"
check "... at most 31 days per request" 400 INVALID_PARAMETER -H "$(auth "$PO_RJR")" "$BASE/AuditEvent?date=ge2026-01-01&date=lt2026-03-01"
check "... and only for privacy officers" 403 ROLE_NOT_PERMITTED -H "$(auth "$HOSPITAL")" "$BASE/AuditEvent?date=ge$TODAY&date=lt$TOMORROW"
OVERRIDE_ID=$(curl -s -H "$(auth "$PO_RJR")" "$BASE/AuditEvent?date=ge$TODAY&date=lt$TOMORROW&flag=emergency-override&altid=nurse.walk" \
  | python3 -c "import json,sys; e=json.load(sys.stdin).get('entry') or [{}]; print(e[-1].get('resource',{}).get('id',''))")
REVIEW='{"resourceType":"Parameters","parameter":[{"name":"outcome","valueCode":"appropriate"},{"name":"note","valueString":"Confirmed with ED"}]}'
check "review the nurse's emergency override" 200 - -H "$(auth "$PO_RJR")" -H 'Content-Type: application/fhir+json' -X POST -d "$REVIEW" "$BASE/AuditEvent/$OVERRIDE_ID/\$review"
check "... with an outcome that is not one of the three" 422 INVALID_RESOURCE -H "$(auth "$PO_RJR")" -H 'Content-Type: application/fhir+json' -X POST -d '{"resourceType":"Parameters","parameter":[{"name":"outcome","valueCode":"fine"}]}' "$BASE/AuditEvent/$OVERRIDE_ID/\$review"
check "... outside the officer's organisation reads as unknown" 404 RESOURCE_NOT_FOUND -H "$(auth "$(token --sub po.hospice --ods H1001 --role privacy-officer)")" -H 'Content-Type: application/fhir+json' -X POST -d "$REVIEW" "$BASE/AuditEvent/$OVERRIDE_ID/\$review"

# The audit trail against the demo's signed checkpoints (written every 2 s): wait for one to cover the requests above.
sleep 3
STEP=$((STEP + 1))
if VERIFY=$("$BIN" audit verify --config "$REGION/care-record.yaml" 2>&1) && [[ "$VERIFY" == *"signed checkpoints"* ]]; then
  PASSED=$((PASSED + 1)); printf 'ok    %2d audit verify against signed checkpoints: %s\n' "$STEP" "$VERIFY"
else
  FAILED=$((FAILED + 1)); printf 'FAIL  %2d audit verify against signed checkpoints: %s\n' "$STEP" "$VERIFY"
fi

STEP=$((STEP + 1))
if REPORT=$("$BIN" audit report --config "$REGION/care-record.yaml" --organisation RJR --from "$TODAY" --to "$TODAY" 2>&1) \
   && [[ "$REPORT" == *"appropriate by po.rjr"* ]]; then
  PASSED=$((PASSED + 1)); printf 'ok    %2d audit report --organisation RJR shows the reviewed override\n' "$STEP"
else
  FAILED=$((FAILED + 1)); printf 'FAIL  %2d audit report --organisation RJR: %s\n' "$STEP" "$REPORT"
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
