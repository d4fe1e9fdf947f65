# Shared by the benchmarks: writes a wrk Lua script that requests PATH_PREFIX{nhs} for patients registered at A81001
# with a permanent consent in force (so a GP of that practice may read each), rotating through them; PATH_SUFFIX follows
# the NHS number (e.g. /$everything).
#   write_patient_requests DATABASE OUTPUT PATH_PREFIX [LIMIT] [PATH_SUFFIX]
write_patient_requests() {
  python3 - "$1" "${4:-100000}" >"$2" <<'PY'
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute(
    "SELECT DISTINCT r.nhsNumber FROM registration r JOIN patientRecord p ON p.nhsNumber = r.nhsNumber "
    "JOIN sharingDecision d ON d.nhsNumber = r.nhsNumber AND d.kind = 'consent-to-view' "
    "WHERE r.practiceOds = 'A81001' AND r.nhsNumber NOT IN (SELECT nhsNumber FROM sharingDecision WHERE kind != 'consent-to-view') "
    "LIMIT ?", (int(sys.argv[2]),)).fetchall()
print("patients = {" + ",".join('"%s"' % r[0] for r in rows) + "}")
PY
  cat >>"$2" <<LUA
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "$3" .. patients[(counter % #patients) + 1] .. "${5:-}")
end
LUA
}
