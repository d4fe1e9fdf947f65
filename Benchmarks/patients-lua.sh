# Shared by the benchmarks: writes a wrk Lua script that requests PATH_PREFIX{nhs} for patients registered at A81001
# with a permanent consent in force (so a GP of that practice may read each), rotating through them; PATH_SUFFIX follows
# the NHS number (e.g. /$everything). With ONLY_PATIENTS=FILE, only those also listed in FILE (one NHS number per line,
# as `readable_patients` writes them): readable in two states of the record, for reads while it changes between them.
#   write_patient_requests DATABASE OUTPUT PATH_PREFIX [LIMIT] [PATH_SUFFIX]
#   readable_patients DATABASE OUTPUT
readable_patients() {
  python3 - "$1" >"$2" <<'PY'
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute(
    "SELECT DISTINCT r.nhsNumber FROM registration r JOIN patientRecord p ON p.nhsNumber = r.nhsNumber "
    "JOIN sharingDecision d ON d.nhsNumber = r.nhsNumber AND d.kind = 'consent-to-view' "
    "WHERE r.practiceOds = 'A81001' AND r.nhsNumber NOT IN (SELECT nhsNumber FROM sharingDecision WHERE kind != 'consent-to-view') "
    ).fetchall()
print("\n".join(r[0] for r in rows))
PY
}
write_patient_requests() {
  readable_patients "$1" "$2.patients"
  python3 - "$2.patients" "${4:-100000}" "${ONLY_PATIENTS:-}" >"$2" <<'PY'
import sys
rows = open(sys.argv[1]).read().split()
if sys.argv[3]:
    also = set(open(sys.argv[3]).read().split())
    rows = [r for r in rows if r in also]
print("patients = {" + ",".join('"%s"' % r for r in rows[:int(sys.argv[2])]) + "}")
PY
  rm -f "$2.patients"
  cat >>"$2" <<LUA
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "$3" .. patients[(counter % #patients) + 1] .. "${5:-}")
end
LUA
}
