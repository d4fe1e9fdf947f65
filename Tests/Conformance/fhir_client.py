"""Reads through the API as a third-party integration would, with the standard SMART on FHIR client (fhirclient).

Usage: fhir_client.py BASE_URL TOKEN NHS_NUMBER
Reads the Patient and searches their Conditions; exit status 1 if either fails.
"""
import sys

from fhirclient import client
from fhirclient.models.condition import Condition
from fhirclient.models.patient import Patient


def main(base, token, nhs):
    smart = client.FHIRClient(settings={"app_id": "care-record-conformance", "api_base": base})
    smart.server.session.headers.update({"Authorization": f"Bearer {token}"})
    patient = Patient.read(nhs, smart.server)
    assert patient.id == nhs, patient.id
    assert any(i.value == nhs for i in patient.identifier), "no NHS number identifier"
    conditions = Condition.where(struct={"patient": nhs}).perform_resources(smart.server)
    assert conditions, "no Conditions found"
    assert all(c.subject.reference == f"Patient/{nhs}" for c in conditions)
    print(f"fhirclient: read Patient/{nhs} ({patient.name[0].family if patient.name else '-'}), {len(conditions)} Conditions")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
