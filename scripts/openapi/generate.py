#!/usr/bin/env python3
"""Generates openapi.yaml from a description of what the Swift code serves today: edit this, run it, commit both."""
import json
import pathlib

import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]

BASE = "http://127.0.0.1:8080"
NHS = "9000000009"
NHS_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
ERR_SYSTEM = "https://cheshire-care-record.nhs.uk/fhir/CodeSystem/care-record-error-code"
CANON = "https://cheshire-care-record.nhs.uk/fhir"
SNOMED = "http://snomed.info/sct"
FHIR = "application/fhir+json"
GP_SOURCE = "urn:care-record:source:gp-a81001"
API_SOURCE = "urn:care-record:source:api"
AUDIT_SOURCE = "urn:care-record:source:audit"
USER_SYSTEM = "https://cheshire-care-record.nhs.uk/Id/user"
AUDIT_SUBTYPE_SYSTEM = f"{CANON}/CodeSystem/care-record-audit-subtype"
INTERACTION_SYSTEM = "http://hl7.org/fhir/restful-interaction"
ROLE_SYSTEM = f"{CANON}/CodeSystem/care-record-role"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
CONSENT_ACTION = "http://terminology.hl7.org/CodeSystem/consentaction"
SUBTYPE_CODES = ["read", "search-type", "create", "operation", "emergency-override"]
AUDIT_FLAG_SYSTEM = f"{CANON}/CodeSystem/care-record-audit-flag"
AUDIT_FLAGS = {"emergency-override": "Emergency override attempt", "many-patients": "Many patients in a day",
               "out-of-hours": "Outside working hours", "repeated-refusals": "Repeated refusals on one patient",
               "same-family-name": "Patient shares the user's family name"}
REVIEW_OUTCOMES = ["appropriate", "inappropriate", "needs-follow-up"]

IDS = {
    "Condition": "b47cc0efdf8938d61a87320b8e6cd862",
    "AllergyIntolerance": "80d3d82c106caa9127ea7309b9f1dcdb",
    "MedicationStatement": "a4d60b72ec5e9d62d61c4cdeb189b986",
    "Consent": "64d79931f146f1a2e04676cc3513a950",
}
CLINICAL = ["AllergyIntolerance", "Condition", "MedicationStatement"]


def ref(kind, name):
    return {"$ref": f"#/components/{kind}/{name}"}


def patient_ref(nhs=NHS):
    return {"reference": f"Patient/{nhs}", "identifier": {"system": NHS_SYSTEM, "value": nhs}}


# ---------------------------------------------------------------- examples

PATIENT = {
    "resourceType": "Patient",
    "id": NHS,
    "meta": {"versionId": "3c5e0a9f41b27d68", "lastUpdated": "2026-11-21T08:30:00.000Z", "source": GP_SOURCE},
    "identifier": [{"system": NHS_SYSTEM, "value": NHS}],
    "name": [{"use": "official", "family": "Smith", "given": ["Margaret"]}],
    "telecom": [{"system": "phone", "value": "01244 000123", "use": "home"}],
    "gender": "female",
    "birthDate": "1948-03-14",
    "address": [{"use": "home", "line": ["12 Hoole Road"], "city": "Chester", "postalCode": "CH2 3AB", "country": "GB"}],
    "generalPractitioner": [{
        "type": "Organization",
        "identifier": {"system": ODS_SYSTEM, "value": "A81001"},
        "display": "Hoole Road Surgery",
    }],
}

ALLERGY = {
    "resourceType": "AllergyIntolerance",
    "id": IDS["AllergyIntolerance"],
    "meta": {"versionId": "91d0c2e7a4f35b18", "lastUpdated": "2026-10-01T09:00:00.000Z", "source": GP_SOURCE},
    "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "code": "active"}]},
    "verificationStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "code": "confirmed"}]},
    "type": "allergy",
    "category": ["medication"],
    "criticality": "high",
    "code": {"coding": [{"system": SNOMED, "code": "373270004", "display": "Penicillin -class of antibiotic-"}]},
    "patient": patient_ref(),
    "recordedDate": "2010-01-15",
    "reaction": [{
        "manifestation": [{"coding": [{"system": SNOMED, "code": "39579001", "display": "Anaphylaxis"}]}],
        "severity": "severe",
    }],
}

CONDITION = {
    "resourceType": "Condition",
    "id": IDS["Condition"],
    "meta": {"versionId": "e7b3a01d5c9f2684", "lastUpdated": "2026-11-12T12:00:00.000Z", "source": GP_SOURCE},
    "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]},
    "verificationStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "confirmed"}]},
    "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-category", "code": "problem-list-item"}]}],
    "code": {"coding": [{"system": SNOMED, "code": "44054006", "display": "Diabetes mellitus type 2"}]},
    "subject": patient_ref(),
    "onsetDateTime": "2012-03-10",
    "recordedDate": "2012-03-10",
}

MEDICATION = {
    "resourceType": "MedicationStatement",
    "id": IDS["MedicationStatement"],
    "meta": {"versionId": "5a2f8c61d03e9b47", "lastUpdated": "2026-11-01T10:00:00.000Z", "source": GP_SOURCE},
    "status": "active",
    "medicationCodeableConcept": {"coding": [{"system": "https://dmd.nhs.uk", "code": "325278007", "display": "Metformin 500mg modified-release tablets"}]},
    "subject": patient_ref(),
    "effectivePeriod": {"start": "2025-01-01"},
    "dateAsserted": "2026-11-01",
    "dosage": [{"text": "One tablet twice a day with meals"}],
}

CONSENT = {
    "resourceType": "Consent",
    "id": IDS["Consent"],
    "meta": {"versionId": "0b6e4d2a9c17f853", "lastUpdated": "2026-11-21T08:30:00.000Z", "source": GP_SOURCE},
    "status": "active",
    "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]},
    "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0", "display": "Patient Consent"}]}],
    "patient": patient_ref(),
    "dateTime": "2025-06-01T10:00:00Z",
    "provision": {"type": "permit", "action": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentaction", "code": "access"}]}]},
}

RESOURCE_EXAMPLES = {"Patient": PATIENT, "AllergyIntolerance": ALLERGY, "Condition": CONDITION, "MedicationStatement": MEDICATION}

# POST /Consent request bodies: verbatim copies of Examples/consent-requests/*.json.
CONSENT_REQUESTS = {
    name: json.loads((REPO / "Examples/consent-requests" / f"Consent-{name}.json").read_text())
    for name in ["permanent", "24-hour", "block", "opt-out", "lift"]
}
CONSENT_REQUEST_SUMMARIES = {
    "permanent": ("Consent to view, permanent",
                  "permit + access, no actor and no end: serves every professional whose organisation has a care relationship "
                  "with the patient. Any clinician with a care relationship may record it (unless the record is blocked or opted out: "
                  "then it is a lift, see `lift`)."),
    "24-hour": ("Consent to view for 24 hours, for the recording professional only",
                "permit + access with exactly one `provision.actor` naming the user who posts it (`reference.identifier.value` = "
                "token `sub`, here `dr.patel`) and a `provision.period` of at most 24 hours (dateTimes with time and zone) that "
                "covers the moment of posting."),
    "block": ("Block (deny + access)", "Only clinicians of the patient's registered GP practice may record it."),
    "opt-out": ("Opt out (deny + collect)",
                "Only clinicians of the patient's registered GP practice may record it. The patient's demographics and clinical "
                "entries are no longer served from the next request, and are deleted as soon as the record's writer is free."),
    "lift": ("Lift a block or an opt-out (a newer permanent permit + access)",
             "Only clinicians of the patient's registered GP practice may lift, and only with a permanent consent "
             "(a 24-hour consent is `422`)."),
}


def stored_consent(request, *, id_, version, now, sub, name, ods):
    """The Consent as ConsentController.served stores and serves it."""
    out = {"resourceType": "Consent", "id": id_,
           "meta": {"versionId": version, "lastUpdated": now, "source": API_SOURCE}}
    for k in ["identifier", "status", "scope", "category"]:
        if k in request:
            out[k] = request[k]
    out["patient"] = patient_ref()
    out["dateTime"] = now
    out["performer"] = [{"identifier": {"system": USER_SYSTEM, "value": sub}, "display": name}]
    out["organization"] = [{"identifier": {"system": ODS_SYSTEM, "value": ods}}]
    for k in ["policyRule", "provision"]:
        if k in request:
            out[k] = request[k]
    if "policyRule" not in out:
        code = "OPTIN" if request["provision"]["type"] == "permit" else "OPTOUT"
        out["policyRule"] = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": code}]}
    assert set(out) >= set(request), set(request) - set(out)
    return out


# Examples/resources/Consent-recorded.json: what the server answered to Consent-permanent.json posted by dr.jones at A81001.
CONSENT_CREATED = json.loads((REPO / "Examples/resources/Consent-recorded.json").read_text())
assert CONSENT_CREATED == stored_consent(
    CONSENT_REQUESTS["permanent"], id_=CONSENT_CREATED["id"], version=CONSENT_CREATED["meta"]["versionId"],
    now=CONSENT_CREATED["dateTime"], sub="dr.jones", name="Dr Sarah Jones", ods="A81001")
CONSENT_CREATED_24H = stored_consent(CONSENT_REQUESTS["24-hour"], id_="c2a9e4d1-7f63-4b08-a5e2-0d9b8c3f6a17", version="7e2b90c4a1d5f368",
                                     now="2026-11-25T10:00:42.019Z", sub="dr.patel", name="Dr Anil Patel", ods="RJR")


PERSON = {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "1", "display": "Person"}
PATIENT_ROLE = {"system": "http://terminology.hl7.org/CodeSystem/object-role", "code": "1", "display": "Patient"}
PROBE_DESCRIPTION = "another patient's record, asked for by a patient"


def audit_event(seq, version, recorded, *, interaction, path, status, reason, sub, name, role, registration, ods, address, request_id,
                method="GET", patient=NHS, attempted=None, basis=None, purpose_of_use=None, emergency_reason=None, returned=None,
                client_request_id=None, correlation_id=None, for_patient=False):
    """An AuditEvent as AuditEventMapper.event presents an audit record (for_patient: as role `patient` sees it).

    `purpose_of_use`: the X-Purpose-Of-Use header as sent; any request carrying it is an emergency override attempt, flagged
    whatever its outcome. `attempted`: another patient's NHS number a patient-role user asked for (the record is filed under
    `patient`, the requester's own number)."""
    override = basis == "emergency-override" or purpose_of_use is not None
    subtype = [{"system": INTERACTION_SYSTEM, "code": interaction}]
    if override:
        subtype.append({"system": AUDIT_SUBTYPE_SYSTEM, "code": "emergency-override", "display": "Emergency override"})
    ev = {
        "resourceType": "AuditEvent",
        "id": str(seq),
        "meta": {"versionId": version, "lastUpdated": recorded, "source": AUDIT_SOURCE},
        "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest", "display": "RESTful Operation"},
        "subtype": subtype,
        "action": "C" if interaction == "create" else "E" if interaction == "operation" else "R",
        "recorded": recorded,
        "outcome": "0" if status < 400 else "4" if status < 500 else "8",
    }
    if reason != "OK":
        ev["outcomeDesc"] = reason
    if override:
        ev["purposeOfEvent"] = [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "ETREAT",
                                             "display": "Emergency Treatment"}]}]
    user = {"who": {"identifier": {"system": USER_SYSTEM, "value": sub}}, "name": name, "requestor": True,
            "role": [{"coding": [{"system": ROLE_SYSTEM, "code": role}]}]}
    if not for_patient:
        if registration:
            user["altId"] = registration
        user["network"] = {"address": address, "type": "2"}
    ev["agent"] = [user, {"who": {"identifier": {"system": ODS_SYSTEM, "value": ods}}, "requestor": False}]
    ev["source"] = {"site": "Cheshire Care Record", "observer": {"display": "Cheshire Care Record FHIR facade"}}
    details = [("reason-code", reason), ("basis", basis), ("purpose-of-use", purpose_of_use), ("emergency-reason", emergency_reason),
               ("returned", returned), ("client-request-id", client_request_id), ("correlation-id", correlation_id)]
    entities = [{"what": patient_ref(patient), "type": PERSON, "role": PATIENT_ROLE}]
    if attempted and not for_patient:
        entities.append({"what": {"identifier": {"system": NHS_SYSTEM, "value": attempted}}, "type": PERSON, "role": PATIENT_ROLE,
                         "description": PROBE_DESCRIPTION})
    shown_path = "(another patient's record)" if attempted and for_patient else path
    entities.append(
        {"what": {"identifier": {"value": request_id}},
         "type": {"system": "https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType", "code": "XrequestId"},
         "description": f"{method} {shown_path} -> {status}",
         "detail": [{"type": t, "valueString": v} for t, v in details if v is not None]})
    ev["entity"] = entities
    return ev


def example_file(name):
    return json.loads((REPO / "Examples/resources" / name).read_text())


DR_KHAN = dict(sub="dr.khan", name="Dr Omar Khan", role="doctor", registration="GMC-7654321", ods="RJR", address="10.20.30.40")
AUDIT_REFUSED_ARGS = dict(
    interaction="search-type", path=f"/Condition?patient={NHS}", status=403, reason="CONSENT_REQUIRED",
    request_id="b8e0d4a2-61c7-4f3e-9a05-7c2d1e8f4b96", correlation_id="ward-7-handover-2026-11-25", **DR_KHAN)
AUDIT_OVERRIDE_ARGS = dict(
    interaction="read", path=f"/Patient/{NHS}", status=200, reason="OK",
    request_id="3f2a7c1e-9b4d-4e8a-8c61-5d0e2b9f7a13", basis="emergency-override", purpose_of_use="BTG",
    emergency_reason="Unconscious in A&E, no next of kin available", returned=f"Patient/{NHS}",
    client_request_id="ehr-7f3a9c:req-000123", **DR_KHAN)
AUDIT_OVERRIDE = audit_event(1042, "9c81e3f04a7b2d65", "2026-11-25T14:02:11.374Z", **AUDIT_OVERRIDE_ARGS)
AUDIT_REFUSED = audit_event(1037, "41d7b0e9c2a86f35", "2026-11-25T13:58:40.902Z", **AUDIT_REFUSED_ARGS)
# The same two records as the patient themself sees them: no altId (registration number), no network (IP address).
AUDIT_OVERRIDE_FOR_PATIENT = audit_event(1042, "9c81e3f04a7b2d65", "2026-11-25T14:02:11.374Z", for_patient=True, **AUDIT_OVERRIDE_ARGS)
AUDIT_REFUSED_FOR_PATIENT = audit_event(1037, "41d7b0e9c2a86f35", "2026-11-25T13:58:40.902Z", for_patient=True, **AUDIT_REFUSED_ARGS)

# Examples/resources/AuditEvent-*.json: AuditEvents as the server serves them to a privacy officer (keys sorted).
OTHER_NHS = "9000000017"
PROBER_NHS = "9000000025"
AUDIT_EXAMPLE_FILE = example_file("AuditEvent-emergency-override.json")
assert AUDIT_EXAMPLE_FILE == audit_event(
    1, "e04b7d9a13c65f28", "2026-11-25T22:17:27.062Z", interaction="search-type", path=f"/AllergyIntolerance?patient={OTHER_NHS}",
    status=200, reason="OK", sub="nurse.evans", name="Nurse Tom Evans", role="nurse", registration="NMC-12A3456B", ods="RJR",
    address="127.0.0.1", request_id="d52f9fe6-4035-438b-989b-c9bb5f379e65", patient=OTHER_NHS, basis="emergency-override",
    purpose_of_use="BTG", emergency_reason="Unconscious in ED, allergies needed", returned="Bundle total 1: 1 AllergyIntolerance",
    client_request_id="ed-triage-0042")
AUDIT_ATTEMPT_REFUSED_FILE = example_file("AuditEvent-emergency-override-refused.json")
assert AUDIT_ATTEMPT_REFUSED_FILE == audit_event(
    2, "7a3c91e5d02b4f86", "2026-11-25T22:19:05.431Z", interaction="operation", path=f"/Patient/{OTHER_NHS}/$everything",
    status=403, reason="ROLE_NOT_PERMITTED", sub="admin.hughes", name="Gwen Hughes", role="admin", registration=None, ods="RJR",
    address="127.0.0.1", request_id="0c6e2f7a-58d1-4b93-a4e0-9d2b7c1f3e85", patient=OTHER_NHS, purpose_of_use="BTG",
    emergency_reason="Ward asked for the medication list")
AUDIT_PROBE_ARGS = dict(
    interaction="read", path=f"/Patient/{OTHER_NHS}", status=403, reason="ROLE_NOT_PERMITTED", sub=f"patient-{PROBER_NHS}",
    name="Alan Jones", role="patient", registration=None, ods="A81001", address="127.0.0.1",
    request_id="5e9b1c3d-7a20-4f6e-b8d4-2c0a9e6f1b37", patient=PROBER_NHS, attempted=OTHER_NHS)
AUDIT_PROBE_FILE = example_file("AuditEvent-patient-probe.json")
assert AUDIT_PROBE_FILE == audit_event(3, "b5f08e2c6d4a1937", "2026-11-25T22:24:48.806Z", **AUDIT_PROBE_ARGS)
AUDIT_PROBE_FOR_PATIENT = audit_event(3, "b5f08e2c6d4a1937", "2026-11-25T22:24:48.806Z", for_patient=True, **AUDIT_PROBE_ARGS)


def reviewed_event(event, flags, registered=None, review=None):
    """An AuditEvent as a privacy officer's organisation review shows it (AuditEventMapper.event(ReviewedRecord)): flags as
    meta.tag, the patient's registered practice at the time, and the review state (`pending`, or the latest review)."""
    ev = json.loads(json.dumps(event))
    if flags:
        ev["meta"]["tag"] = [{"system": AUDIT_FLAG_SYSTEM, "code": f, "display": AUDIT_FLAGS[f]} for f in sorted(flags)]
    details = ev["entity"][-1].setdefault("detail", [])
    if registered:
        details.append({"type": "patient-registered-practice", "valueString": registered})
    if review:
        details += [{"type": t, "valueString": v} for t, v in review]
    elif flags:
        details.append({"type": "review-state", "valueString": "pending"})
    return ev


AUDIT_REVIEW_PENDING = reviewed_event(AUDIT_EXAMPLE_FILE, ["emergency-override", "out-of-hours"], registered="A81001")
AUDIT_REVIEW_DONE = reviewed_event(AUDIT_EXAMPLE_FILE, ["emergency-override", "out-of-hours"], registered="A81001", review=[
    ("review-state", "appropriate"), ("reviewed-by", "po.hoole"), ("reviewed-at", "2026-11-26T09:12:40.118Z"),
    ("review-note", "ED attendance confirmed with the ward"), ("review-record", "AuditEvent/1187")])
AUDIT_REVIEW_DONE["meta"]["versionId"] = "e04b7d9a5c1e0b77"
AUDIT_REVIEW_DONE["meta"]["lastUpdated"] = "2026-11-26T09:12:40.118Z"
REVIEW_REQUEST = example_file("Parameters-review.json")


# Searchset entries from an upstream source say its organisation and last successful refresh (SourceDescription.swift).
SOURCE_ORGANISATION_URL = "https://cheshire-care-record.nhs.uk/fhir/StructureDefinition/source-organisation"
SOURCE_REFRESHED_URL = "https://cheshire-care-record.nhs.uk/fhir/StructureDefinition/source-last-refreshed"
EXAMPLE_SOURCES = {GP_SOURCE: ("A81001", "Hoole Road Surgery", "2026-11-25T02:00:41.512Z"),
                   "urn:care-record:source:acute-rjr": ("RJR", "Countess of Chester Hospital", "2026-11-25T02:03:12.087Z")}


def source_extensions(ods, name, refreshed):
    return [{"url": SOURCE_ORGANISATION_URL,
             "valueReference": {"display": name, "identifier": {"system": ODS_SYSTEM, "value": ods}}},
            {"url": SOURCE_REFRESHED_URL, "valueInstant": refreshed}]


def entry(resource):
    e = {"fullUrl": f"{BASE}/{resource['resourceType']}/{resource['id']}", "resource": resource, "search": {"mode": "match"}}
    source = EXAMPLE_SOURCES.get(resource.get("meta", {}).get("source"))
    if source:
        e = {"extension": source_extensions(*source), **e}
    return e


def bundle(total, links, resources, ignored=None):
    b = {"resourceType": "Bundle", "type": "searchset", "total": total,
         "link": [{"relation": r, "url": u} for r, u in links]}
    if resources or ignored:
        b["entry"] = [entry(r) for r in resources]
    if ignored:
        b["entry"].append({"resource": lenient_outcome(ignored), "search": {"mode": "outcome"}})
    return b


def lenient_outcome(names):
    """The OperationOutcome a lenient search adds (SearchBundle.encoded)."""
    quoted = ", ".join(f"'{n}'" for n in names)
    return {"resourceType": "OperationOutcome", "issue": [{
        "severity": "warning", "code": "not-supported",
        "details": {"text": f"Search parameters ignored (Prefer: handling=lenient): {quoted}."}}]}


LENIENT_OUTCOME = lenient_outcome(["code"])


def capability_statement():
    """Profiles/CapabilityStatement-care-record.json (the builder's template) plus the instance's `implementation`."""
    statement = json.loads((REPO / "Profiles/CapabilityStatement-care-record.json").read_text())
    statement["implementation"] = {"description": "Cheshire Care Record FHIR facade", "url": BASE}
    return dict(sorted(statement.items()))


RESTFUL_SECURITY = "http://terminology.hl7.org/CodeSystem/restful-security-service"


def capability_statement_smart():
    """The served CapabilityStatement when auth.authorizationEndpoint and auth.tokenEndpoint are configured
    (CapabilityStatementBuilder.security): SMART-on-FHIR beside OAuth, and a longer description."""
    statement = capability_statement()
    statement["rest"][0]["security"] = {
        "description": "JWT bearer tokens signed RS256 or ES256, verified against the region's JWKS. SMART App Launch v2: endpoints at "
                       "/.well-known/smart-configuration; a token's scopes (user/<Type>.rs, patient/<Type>.rs, user/Consent.c) narrow "
                       "what its role allows.",
        "service": [{"coding": [{"code": code, "system": RESTFUL_SECURITY}]} for code in ["OAuth", "SMART-on-FHIR"]],
    }
    return statement


# SMARTConfiguration.scopesSupported and .capabilities (Sources/CareRecordServer/Controllers/SMARTController.swift).
SMART_TYPES = ["Patient", "AllergyIntolerance", "Condition", "MedicationStatement", "Consent", "AuditEvent"]
SMART_SCOPES = (["openid", "fhirUser", "user/*.rs"] + [f"user/{t}.rs" for t in SMART_TYPES]
                + ["user/Consent.c", "patient/*.rs"] + [f"patient/{t}.rs" for t in SMART_TYPES])
SMART_CAPABILITIES = ["launch-standalone", "client-public", "client-confidential-symmetric", "client-confidential-asymmetric",
                      "context-standalone-patient", "permission-v2", "permission-v1", "permission-patient", "permission-user",
                      "sso-openid-connect"]
IDP = "https://idp.cheshire.example.nhs.uk"


def smart_document(jwks_uri=None):
    """The body of GET /.well-known/smart-configuration (SMARTController.Document), keys sorted as the encoder writes them."""
    document = {"issuer": IDP, "authorization_endpoint": f"{IDP}/oauth2/authorize", "token_endpoint": f"{IDP}/oauth2/token",
                "grant_types_supported": ["authorization_code"], "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"], "scopes_supported": SMART_SCOPES, "capabilities": SMART_CAPABILITIES}
    if jwks_uri:
        document["jwks_uri"] = jwks_uri
    return dict(sorted(document.items()))


def outcome(code, issue_type, text):
    return {
        "resourceType": "OperationOutcome",
        "issue": [{
            "severity": "error",
            "code": issue_type,
            "details": {"coding": [{"system": ERR_SYSTEM, "code": code}], "text": text},
        }],
    }


# ---------------------------------------------------------------- components: headers, parameters

HEADERS = {
    "X-Request-ID": {
        "description": "The client's own `X-Request-ID` echoed when it was 1 to 128 characters of `A-Z a-z 0-9 - _ . :`; otherwise "
                       "(absent, or not safe to echo) the server's own request id, a lower-case UUID. Sent on every response, errors "
                       "and 304 included. The server gives every request its own id whatever the client sends: that id tags the log "
                       "lines and keys the audit record (the AuditEvent's transaction entity `what.identifier.value`); the client's "
                       "value is kept in the audit record as given, as the `client-request-id` detail.",
        "required": True,
        "schema": {"type": "string", "maxLength": 128, "pattern": "^[A-Za-z0-9._:-]{1,128}$"},
        "example": "7d4f5c2e-0b9a-4e51-9a43-2f0c8e6b1d37",
    },
    "X-Correlation-ID": {
        "description": "The client's `X-Correlation-ID` echoed when it was 1 to 128 characters of `A-Z a-z 0-9 - _ . :`; absent "
                       "when none was sent or it was not safe to echo.",
        "required": False,
        "schema": {"type": "string", "maxLength": 128, "pattern": "^[A-Za-z0-9._:-]{1,128}$"},
        "example": "ward-7-handover-2026-11-25",
    },
    "traceresponse": {
        "description": "The server span of this request as a W3C `traceparent` value (`00-{trace-id}-{span-id}-{flags}`; the "
                       "`traceresponse` header of W3C Trace Context Level 2, still a draft). Its trace id is the caller's when the "
                       "request carried a valid `traceparent`, otherwise a new random one; the same trace id is in the request's "
                       "log line, so an integrator can quote it when reporting a problem.",
        "required": True,
        "schema": {"type": "string", "pattern": "^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"},
        "example": "00-4bf92f3577b34da6a3ce929d0e0e4736-53995c3f42cd8ad8-01",
    },
    "Retry-After": {
        "description": "Whole seconds to wait before trying again: on `429` the time until the rate limit lets a request through "
                       "again (rounded up, at least 1); on `503` always `1`.",
        "required": True,
        "schema": {"type": "string", "pattern": "^[1-9][0-9]*$"},
        "example": "1",
    },
    "Cache-Control": {
        "description": "Always `no-store`, on every response (patient data must not be cached by intermediaries or browsers).",
        "required": True,
        "schema": {"type": "string", "const": "no-store"},
    },
    "ETag": {
        "description": "Weak validator. For a single resource (and the `201` of `POST /Consent`) it is `W/\"{meta.versionId}\"`; "
                       "for a searchset of stored resources (`Patient`, `Condition`, `AllergyIntolerance`, `MedicationStatement`, `Consent`, "
                       "`$everything`) a digest (24 hex digits) of the Bundle's bytes with each entry's resource counted as its "
                       "`meta.versionId` and each entry's source extension as its source, the sources' extensions digested once; "
                       "for an `AuditEvent` Bundle or the CapabilityStatement a digest of the response bytes. "
                       "Send it back in `If-None-Match` on a `GET` to get `304`.",
        "required": True,
        "schema": {"type": "string", "pattern": "^W/\"[0-9a-f]+\"$"},
        "example": "W/\"3c5e0a9f41b27d68\"",
    },
    "Last-Modified": {
        "description": "IMF-fixdate. For a resource: its `meta.lastUpdated` (for a Consent just recorded: the moment it was recorded); "
                       "for a Bundle: the latest `meta.lastUpdated` of its entries (for AuditEvents: the latest `recorded`). "
                       "Absent for an empty Bundle and for `/metadata`.",
        "required": False,
        "schema": {"type": "string"},
        "example": "Sat, 21 Nov 2026 08:30:00 GMT",
    },
    "WWW-Authenticate": {
        "description": "Bearer challenge (RFC 6750). `Bearer realm=\"care-record\"` when no Authorization header was sent; with "
                       "`error=\"invalid_token\"` added when a token (or other credentials) was sent but refused, whatever the reason.",
        "required": True,
        "schema": {"type": "string", "enum": ["Bearer realm=\"care-record\"", "Bearer realm=\"care-record\", error=\"invalid_token\""]},
    },
    "Allow": {
        "description": "`GET, HEAD`: the only methods served on this path (`HEAD` answers like `GET`, without the body). `PUT`, "
                       "`PATCH` and `DELETE` on `/Consent` say `GET, HEAD, POST` instead (see `AllowConsent`).",
        "required": True,
        "schema": {"type": "string", "const": "GET, HEAD"},
        "example": "GET, HEAD",
    },
    "AllowConsent": {
        "description": "`GET, HEAD, POST`: the methods served on `/Consent` (search, its `HEAD`, and recording a sharing decision).",
        "required": True,
        "schema": {"type": "string", "const": "GET, HEAD, POST"},
        "example": "GET, HEAD, POST",
    },
    "Vary": {
        "description": "`Accept-Encoding` on every response whose body may be compressed (JSON bodies, errors included) and on "
                       "`304`; `Origin` added on every response when `server.cors` lists origins.",
        "required": False,
        "schema": {"type": "string"},
        "example": "Accept-Encoding",
    },
    "Content-Encoding": {
        "description": "`gzip` or `deflate` (the zlib format) when the request's `Accept-Encoding` asks for it (q-values honoured, "
                       "gzip preferred on a tie) and the body is at least 1 KiB; absent otherwise (identity). Never on `HEAD` or "
                       "`304`. The `ETag` is the same whatever the coding: it names the uncompressed content (and is weak).",
        "required": False,
        "schema": {"type": "string", "enum": ["gzip", "deflate"]},
    },
    "Location": {
        "description": "The recorded Consent: `{server.baseURL}/Consent/{id}`, readable with `GET /Consent/{id}`.",
        "required": True,
        "schema": {"type": "string", "format": "uri"},
        "example": f"{BASE}/Consent/a5c8fc2a-9eaf-4c30-9b20-4f03eda41ef8",
    },
}

STD_HEADERS = {"X-Request-ID": ref("headers", "X-Request-ID"), "X-Correlation-ID": ref("headers", "X-Correlation-ID"),
               "Cache-Control": ref("headers", "Cache-Control"), "Vary": ref("headers", "Vary"),
               "Content-Encoding": ref("headers", "Content-Encoding"), "traceresponse": ref("headers", "traceresponse")}
RETRY_AFTER = {"Retry-After": ref("headers", "Retry-After")}
VALIDATOR_HEADERS = {**STD_HEADERS, "ETag": ref("headers", "ETag"), "Last-Modified": ref("headers", "Last-Modified")}

PARAMETERS = {
    "XRequestID": {
        "name": "X-Request-ID", "in": "header", "required": False,
        "description": "Optional: the client's own id for the request. Echoed back when it is 1 to 128 characters of "
                       "`A-Z a-z 0-9 - _ . :`; any other value is not refused, and the response carries the server's own request id "
                       "instead. It never becomes the request's id: the server generates its own for every request (the audit record "
                       "keys on it), and keeps the client's value in the audit record as given (first 200 characters), as the "
                       "`client-request-id` detail of the AuditEvent.",
        "schema": {"type": "string"},
        "example": "ehr-7f3a9c:req-000123",
    },
    "XCorrelationID": {
        "name": "X-Correlation-ID", "in": "header", "required": False,
        "description": "Optional: an id tying this request to others of the client's (for example one clinical task). Echoed back "
                       "when it is 1 to 128 characters of `A-Z a-z 0-9 - _ . :` (otherwise not echoed, never refused), and kept in "
                       "the audit record as given (first 200 characters), as the `correlation-id` detail of the AuditEvent.",
        "schema": {"type": "string"},
        "example": "ward-7-handover-2026-11-25",
    },
    "Traceparent": {
        "name": "traceparent", "in": "header", "required": False,
        "description": "Optional: the caller's W3C Trace Context (`00-{trace-id}-{parent-id}-{flags}`). The server's span for the "
                       "request continues that trace (its parent is `parent-id`); a malformed value is ignored and a new trace "
                       "starts. Never refused.",
        "schema": {"type": "string"},
        "example": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    },
    "Tracestate": {
        "name": "tracestate", "in": "header", "required": False,
        "description": "Optional: W3C `tracestate` vendor entries, carried along with a valid `traceparent` (ignored without one, "
                       "or when malformed).",
        "schema": {"type": "string"},
        "example": "congo=t61rcWkgMzE",
    },
    "IfNoneMatch": {
        "name": "If-None-Match", "in": "header", "required": False,
        "description": "One or more entity tags (comma-separated) or `*`. Compared weakly (`W/\"x\"` matches `\"x\"`); "
                       "on a match the answer is `304 Not Modified` with no body.",
        "schema": {"type": "string"},
        "example": "W/\"3c5e0a9f41b27d68\"",
    },
    "Format": {
        "name": "_format", "in": "query", "required": False,
        "description": "FHIR `_format`. Compared case-insensitively; `json`, `application/json` and `application/fhir+json` are accepted "
                       "(the response is always `application/fhir+json`; `application/fhir json`, an unescaped `+` read as a space, is accepted too). "
                       "Any other value, even empty, is answered `406` `NOT_SUPPORTED`. "
                       "It is checked on every request, before authentication, and is carried into the links of paged searches "
                       "(not into the `self` link of `GET /Consent`).",
        "schema": {"type": "string", "enum": ["json", "application/json", "application/fhir+json"]},
        "example": "json",
    },
    "Count": {
        "name": "_count", "in": "query", "required": False,
        "description": "Page size: a whole number from 0 to 200 (default 50). `_count=0` returns only `total`. "
                       "Anything else is `400` `INVALID_PARAMETER`.",
        "schema": {"type": "integer", "minimum": 0, "maximum": 200, "default": 50},
        "example": 20,
    },
    "Offset": {
        "name": "_offset", "in": "query", "required": False,
        "description": "Index of the first match on the page (default 0), as used by the `next`/`previous` links. "
                       "Anything but a whole number from 0 to 2147483647 is `400` `INVALID_PARAMETER`.",
        "schema": {"type": "integer", "minimum": 0, "maximum": 2147483647, "default": 0},
        "example": 0,
    },
    "PatientParam": {
        "name": "patient", "in": "query", "required": True,
        "description": "The patient, by NHS number: `9000000009` or `Patient/9000000009`. Required (there is no region-wide search): "
                       "missing or empty is `400` `INVALID_PARAMETER`; not a valid NHS number (10 digits, Modulus 11 check, no spaces) "
                       "is `400` `INVALID_NHS_NUMBER`. A patient the service does not know, or one the user's organisation has no care "
                       "relationship with (and no emergency override), yields an empty searchset, not `404`; the other refusals of the "
                       "access decision (`403`) are errors as for a read.",
        "schema": {"type": "string", "pattern": "^(Patient/)?[0-9]{10}$"},
        "examples": {"nhsNumber": {"value": NHS}, "reference": {"value": f"Patient/{NHS}"}},
    },
    "NHSIdentifier": {
        "name": "identifier", "in": "query", "required": True,
        "description": f"`{NHS_SYSTEM}|{{NHS number}}` (the `|` may be sent as `%7C`). Required: missing, another system or no `|` is "
                       "`400` `INVALID_PARAMETER`; an invalid NHS number is `400` `INVALID_NHS_NUMBER`.",
        "schema": {"type": "string", "pattern": "^https://fhir\\.nhs\\.uk/Id/nhs-number\\|[0-9]{10}$"},
        "example": f"{NHS_SYSTEM}|{NHS}",
    },
    "NHSNumberPath": {
        "name": "id", "in": "path", "required": True,
        "description": "The patient's NHS number: 10 digits, no spaces, passing the Modulus 11 check. "
                       "Anything else is `400` `INVALID_NHS_NUMBER`.",
        "schema": {"type": "string", "pattern": "^[0-9]{10}$"},
        "example": NHS,
    },
    "ResourceId": {
        "name": "id", "in": "path", "required": True,
        "description": "The served id of the resource (as in `id` and `fullUrl`): 32 lower-case hex digits, stable across re-imports. "
                       "An id that does not exist is `404` `RESOURCE_NOT_FOUND`.",
        "schema": {"type": "string"},
        "example": IDS["Condition"],
    },
    "AuditEventId": {
        "name": "id", "in": "path", "required": True,
        "description": "The AuditEvent id: the audit record's sequence number, as in the `fullUrl` of `GET /AuditEvent` entries.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
        "examples": {"sequence": {"value": "42"}},
    },
    "ConsentId": {
        "name": "id", "in": "path", "required": True,
        "description": "The served id of the Consent (as in `id`, `fullUrl` and the `Location` of `POST /Consent`): 32 lower-case hex "
                       "digits for a decision imported from the registered practice, a lower-case UUID for one recorded with "
                       "`POST /Consent`. An id that does not exist is `404` `RESOURCE_NOT_FOUND`.",
        "schema": {"type": "string"},
        "examples": {"imported": {"value": IDS["Consent"]}, "recorded": {"value": CONSENT_CREATED["id"]}},
    },
    "PurposeOfUse": {
        "name": "X-Purpose-Of-Use", "in": "header", "required": False,
        "description": "Emergency override (break the glass, C5 step 6): `BTG` (compared case-insensitively). Any other value is "
                       "`400` `INVALID_PARAMETER`, and so is `BTG` without a non-empty `X-Access-Reason`. It lets a clinical user "
                       "(doctor, nurse, social-worker, pharmacist, allied-health-professional, with a `registration` claim) read the "
                       "record without consent and without a recorded care relationship; it never gets past an opt-out or a block "
                       "(`403`), does nothing for other roles (`403` `ROLE_NOT_PERMITTED` stays) or for an NHS number the service "
                       "does not know (`404`), and is not needed when consent is in force. Every request carrying the header is "
                       "recorded as an emergency override attempt, whatever its outcome (allowed by the override, allowed by "
                       "consent, refused, or `400` for a malformed header): its AuditEvent has the `emergency-override` subtype, "
                       "purposeOfEvent ETREAT and a `purpose-of-use` detail with the header as sent, so "
                       "`GET /AuditEvent?subtype=emergency-override` finds them all; basis `emergency-override` marks those the "
                       "override allowed. The header is checked (and `400` given) on every patient-scoped request, after the query "
                       "parameters' names and before anything is looked up, so the answer is the same whether or not the NHS number "
                       "or id exists; this includes requests it does not affect (`POST /Consent`, `GET /AuditEvent`, role `patient`).",
        "schema": {"type": "string", "pattern": "^[Bb][Tt][Gg]$"},
        "example": "BTG",
    },
    "AccessReason": {
        "name": "X-Access-Reason", "in": "header", "required": False,
        "description": "Why the record is opened in an emergency; required and non-empty (after trimming white space) with "
                       "`X-Purpose-Of-Use: BTG` (otherwise `400` `INVALID_PARAMETER`), ignored without it. Recorded in the audit trail "
                       "(first 1000 characters) as the `emergency-reason` of the request, whatever its outcome.",
        "schema": {"type": "string", "minLength": 1},
        "example": "Unconscious in A&E, no next of kin available",
    },
    "AuditPatient": {
        "name": "patient", "in": "query", "required": False,
        "description": "Whose audit trail: an NHS number, `9000000009` or `Patient/9000000009`. Left out: a privacy officer's "
                       "review of their organisation (`date` then required; everyone else `403 ROLE_NOT_PERMITTED`). Empty is `400` "
                       "`INVALID_PARAMETER`; not a valid NHS number is `400` `INVALID_NHS_NUMBER`. Role `patient` may give only "
                       "their own NHS number (token claim `nhs_number`); role `privacy-officer` any. An NHS number the service has never "
                       "seen is not an error (the Bundle lists the requests about it, if any).",
        "schema": {"type": "string", "pattern": "^(Patient/)?[0-9]{10}$"},
        "examples": {"nhsNumber": {"value": NHS}, "reference": {"value": f"Patient/{NHS}"}},
    },
    "AuditDate": {
        "name": "date", "in": "query", "required": False,
        "description": "Bounds on `recorded`, repeatable (all must hold): an optional prefix `eq` (default), `ge`, `gt`, `le` or `lt`, then a "
                       "FHIR date (`2026`, `2026-11`, `2026-11-25`, meaning that whole UTC period) or dateTime with seconds and a "
                       "zone (`2026-11-25T14:00:00Z`, `2026-11-25T14:00:00.5+01:00`, to the millisecond). `eq` means within the "
                       "period, `ge` from its start, `gt` after its end, `le` up to its end, `lt` before its start. Anything else "
                       "(another prefix such as `ne`, a dateTime without seconds or zone, a month or day out of range) is `400` "
                       "`INVALID_PARAMETER`. A `+` in a zone must be sent as `%2B`.",
        "schema": {"type": "array", "items": {
            "type": "string",
            "pattern": "^(eq|ge|gt|le|lt)?[0-9]{4}(-[0-9]{2}(-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2}))?)?)?$"}},
        "style": "form", "explode": True,
        "examples": {"day": {"summary": "One UTC day", "value": ["2026-11-25"]},
                     "range": {"summary": "A range (repeat the parameter)", "value": ["ge2026-11-01", "lt2026-12-01T00:00:00Z"]}},
    },
    "AuditSubtype": {
        "name": "subtype", "in": "query", "required": False,
        "description": "Only some kinds of request: one or more of `read`, `search-type`, `create`, `operation` (the FHIR interaction "
                       "of the request) and `emergency-override` (every emergency override attempt: each request that carried "
                       "`X-Purpose-Of-Use`, allowed or refused), comma-separated for any of them. Each may be given as `system|code`; the system is not checked. Any other code, or an empty "
                       "value, is `400` `INVALID_PARAMETER`. Not repeatable (use commas).",
        "schema": {"type": "string"},
        "examples": {"overrides": {"summary": "Emergency overrides", "value": "emergency-override"},
                     "several": {"summary": "Reads and searches", "value": "read,search-type"},
                     "withSystem": {"summary": "With a system", "value": f"{AUDIT_SUBTYPE_SYSTEM}|emergency-override"}},
    },
    "AuditAltid": {
        "name": "altid", "in": "query", "required": False,
        "description": "Organisation review only (no `patient`): the records of one user, by their token's `sub` (R4's AuditEvent "
                       "`altid` search parameter), exact match.",
        "schema": {"type": "string", "minLength": 1},
        "example": "dr.khan",
    },
    "AuditOutcome": {
        "name": "outcome", "in": "query", "required": False,
        "description": "Organisation review only (no `patient`): R4's AuditEvent outcome codes, comma-separated for any of them: "
                       "`0` success (answered below 400), `4` refused (a 4xx answer), `8` failed (5xx). Anything else is `400`.",
        "schema": {"type": "string", "pattern": "^[048](,[048])*$"},
        "examples": {"refused": {"value": "4"}, "any": {"value": "0,4"}},
    },
    "AuditFlag": {
        "name": "flag", "in": "query", "required": False,
        "description": "Organisation review only (no `patient`): only accesses flagged for review with one of these codes "
                       f"(`{AUDIT_FLAG_SYSTEM}`), comma-separated for any of them, each optionally `system|code`: "
                       "`emergency-override` (every override attempt), `many-patients` (the user opened more than "
                       "`audit.review.manyPatientsPerDay` distinct patients' records that local day, default 50), `out-of-hours` "
                       "(outside `audit.review.workingHours`/`workingDays` in `audit.review.timeZone`, default 08:00-18:00 Monday "
                       "to Friday, Europe/London), `repeated-refusals` (at least `audit.review.repeatedRefusals`, default 3, refused "
                       "attempts by the user on the same patient that day), `same-family-name` (the patient's family name is the "
                       "last word of the user's `name`). Flags are computed when asked, from the log as it stands; nothing is ever "
                       "written back to a record. Unknown codes are `400`.",
        "schema": {"type": "string"},
        "examples": {"overrides": {"value": "emergency-override"}, "several": {"value": "many-patients,same-family-name"}},
    },
    "AnyId": {
        "name": "id", "in": "path", "required": True,
        "description": "Any id; it is not examined (the write is refused regardless).",
        "schema": {"type": "string"},
        "example": NHS,
    },
    "EndUserOrganisation": {
        "name": "NHSD-End-User-Organisation-ODS", "in": "header", "required": False,
        "description": "Optional, as NHS national APIs ask clients to send it: the ODS code of the organisation the end user acts "
                       "for. The token decides the organisation; this header is only a cross-check that catches a client acting "
                       "for the wrong one. When sent, it must equal the token's `ods` claim (compared case-insensitively, white "
                       "space around it ignored), else `403 ORGANISATION_MISMATCH`; an empty value does not match either. Checked "
                       "right after the token (`401`) and before the organisation's participation "
                       "(`403 ORGANISATION_NOT_PARTICIPATING`) and anything about the patient, so the answer is the same whether or "
                       "not the NHS number or id exists. Without the header nothing is checked.",
        "schema": {"type": "string", "pattern": "^ *[A-Za-z0-9]{3,10} *$"},
        "example": "A81001",
    },
    "Prefer": {
        "name": "Prefer", "in": "header", "required": False,
        "description": "`handling=lenient` (FHIR search, \"Handling errors\"; compared case-insensitively, among other "
                       "comma-separated preferences, parameters after `;` allowed): unknown query parameters, and repeats of a "
                       "parameter that may be given only once (the first is applied), are left out instead of answered `400 "
                       "INVALID_PARAMETER`. The searchset then ends with one extra entry, without `fullUrl`, whose resource is an "
                       "`OperationOutcome` (severity `warning`, code `not-supported`, `details.text` naming each parameter left "
                       "out) and whose `search.mode` is `outcome`; the search runs with the parameters that were applied, and "
                       "only those are carried into the paging links. Malformed values of known parameters (`_count=many`, "
                       "`patient=123`, `_lastUpdated=yesterday`) are still `400`. Without the header, or with `handling=strict`, handling is strict (the default). "
                       "Only searches are lenient: reads, `$everything`, `POST /Consent` and `/metadata` refuse an unknown "
                       "parameter whatever the header says.",
        "schema": {"type": "string"},
        "examples": {"lenient": {"summary": "Lenient handling", "value": "handling=lenient"},
                     "strict": {"summary": "Strict handling (the default)", "value": "handling=strict"}},
    },
    "LastUpdated": {
        "name": "_lastUpdated", "in": "query", "required": False,
        "description": "Bounds on `meta.lastUpdated` (when the source last updated the entry), repeatable (all must hold), with "
                       "the semantics of `date` on `GET /AuditEvent`: an optional prefix `eq` (default), `ge`, `gt`, `le` or "
                       "`lt`, then a FHIR date (`2026`, `2026-11`, `2026-11-25`, meaning that whole UTC period) or dateTime with "
                       "seconds and a zone (`2026-11-25T14:00:00Z`, to the millisecond). `eq` means within the period, `ge` from "
                       "its start, `gt` after its end, `le` up to its end, `lt` before its start. Anything else (another prefix, a "
                       "dateTime without seconds or zone, a month or day out of range) is `400 INVALID_PARAMETER`. A `+` in a zone "
                       "must be sent as `%2B`.",
        "schema": {"type": "array", "items": {
            "type": "string",
            "pattern": "^(eq|ge|gt|le|lt)?[0-9]{4}(-[0-9]{2}(-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2}))?)?)?$"}},
        "style": "form", "explode": True,
        "examples": {"since": {"summary": "Updated since 1 November 2026 (UTC)", "value": ["ge2026-11-01"]},
                     "range": {"summary": "A range (repeat the parameter)", "value": ["ge2026-01-01", "lt2026-11-25T12:00:00Z"]}},
    },
    "Sort": {
        "name": "_sort", "in": "query", "required": False,
        "description": "`_lastUpdated` (oldest first) or `-_lastUpdated` (newest first) by `meta.lastUpdated`, entries updated at "
                       "the same instant by id. Without it entries are ordered by id. Anything else is `400 INVALID_PARAMETER`.",
        "schema": {"type": "string", "enum": ["_lastUpdated", "-_lastUpdated"]},
        "example": "-_lastUpdated",
    },
    "Summary": {
        "name": "_summary", "in": "query", "required": False,
        "description": "`count`: a searchset with `total` only (the number of matches, after the other filters), no entries "
                       "and only the `self` link. `false` is accepted and changes nothing. Anything else (`true`, `text`, `data`) "
                       "is `400 INVALID_PARAMETER`.",
        "schema": {"type": "string", "enum": ["count", "false"]},
        "example": "count",
    },
}

# The status parameter of each clinical search, with the codes of the FHIR R4 value set its element is bound to
# (ClinicalSearch.statusCodes).
STATUS_SEARCH = {
    "AllergyIntolerance": ("AllergyClinicalStatus", "clinical-status", "clinicalStatus",
                           ["active", "inactive", "resolved"],
                           "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"),
    "Condition": ("ConditionClinicalStatus", "clinical-status", "clinicalStatus",
                  ["active", "recurrence", "relapse", "inactive", "remission", "resolved"],
                  "http://terminology.hl7.org/CodeSystem/condition-clinical"),
    "MedicationStatement": ("MedicationStatus", "status", "status",
                            ["active", "completed", "entered-in-error", "intended", "stopped", "on-hold", "unknown", "not-taken"],
                            None),
}
for _type, (_key, _name, _element, _codes, _system) in STATUS_SEARCH.items():
    _alternatives = "|".join(_codes)
    _code_list = ", ".join(f"`{c}`" for c in _codes)
    _examples = {"one": {"summary": "One code", "value": _codes[0]},
                 "several": {"summary": "Any of several (commas)", "value": f"{_codes[0]},{_codes[-1]}"}}
    if _system:
        _examples["withSystem"] = {"summary": "With a system (not checked)", "value": f"{_system}|{_codes[0]}"}
    PARAMETERS[_key] = {
        "name": _name, "in": "query", "required": False,
        "description": f"Only entries whose `{_element}`"
                       + (" (the first code among its codings)" if _element == "clinicalStatus" else "")
                       + f" is one of the codes given: {_code_list}; comma-separated for any of several. Each may be given as "
                         "`system|code`; the system is not checked. An entry without it never matches. Any other code, or an "
                         "empty value or item, is `400 INVALID_PARAMETER`. Not repeatable (use commas).",
        "schema": {"type": "string", "pattern": f"^([^,]*\\|)?({_alternatives})(,([^,]*\\|)?({_alternatives}))*$"},
        "examples": _examples,
    }

# ---------------------------------------------------------------- components: responses

INVALID_PARAMETER_EXAMPLES = {
    "unknownParameter": ("Any route except the health probes and the refused writes: a query parameter it does not know "
                         "(left out instead under `Prefer: handling=lenient`).",
                         "Unknown search parameter 'name'."),
    "repeatedParameter": ("Any route except the health probes and the refused writes: the same parameter twice (only `date` of "
                          "`GET /AuditEvent` and `_lastUpdated` of the clinical searches may repeat; the repeat is left out "
                          "instead under `Prefer: handling=lenient`).",
                          "Parameter '_count' may be given only once."),
    "badCount": ("Paged searches: `_count` not a whole number from 0 to 200.", "_count must be a whole number from 0 to 200."),
    "badOffset": ("Paged searches: `_offset` not a whole number from 0 to 2147483647.", "_offset must be a whole number from 0 to 2147483647."),
    "patientRequired": ("Searches by `patient` (clinical types, Consent, AuditEvent) without it, or with it empty.",
                        "The patient parameter is required: there is no region-wide search."),
    "identifierRequired": ("Patient search without `identifier`.",
                           f"Search by identifier={NHS_SYSTEM}|{{NHS number}}: there is no region-wide search."),
    "identifierSystem": ("Patient search whose `identifier` is not system|value with the NHS number system.",
                         f"identifier must be {NHS_SYSTEM}|{{NHS number}}."),
    "consentNotPaged": ("`GET /Consent` is not paged: `_count` and `_offset` are unknown parameters there.",
                        "Unknown search parameter '_count'."),
    "badDate": ("`GET /AuditEvent`: a `date` that is not [eq|ge|gt|le|lt] + a FHIR date or dateTime.",
                "date must be [eq|ge|gt|le|lt] followed by a FHIR date or dateTime, such as ge2026-11-01."),
    "badSubtype": ("`GET /AuditEvent`: a `subtype` code outside the list, or an empty `subtype`.",
                   "subtype must be one or more of create, emergency-override, operation, read, search-type."),
    "reviewDateRequired": ("`GET /AuditEvent` without `patient` (a privacy officer's organisation review): no `date`, or one that "
                           "does not bound the period on both sides.",
                           "date is required without patient, bounding the period on both sides (e.g. date=2026-11 or "
                           "date=ge2026-11-01&date=lt2026-11-15)."),
    "reviewPeriodTooLong": ("`GET /AuditEvent` without `patient`: a period longer than 31 days.",
                            "The date bounds may cover at most 31 days per request."),
    "badFlag": ("`GET /AuditEvent` without `patient`: a `flag` code outside the list.",
                "flag must be one or more of emergency-override, many-patients, out-of-hours, repeated-refusals, same-family-name."),
    "badOutcome": ("`GET /AuditEvent` without `patient`: an `outcome` other than 0, 4 or 8.",
                   "outcome must be 0 (success), 4 (refused) or 8 (failed), or several separated by commas."),
    "badLastUpdated": ("Clinical searches: a `_lastUpdated` that is not [eq|ge|gt|le|lt] + a FHIR date or dateTime.",
                       "_lastUpdated must be [eq|ge|gt|le|lt] followed by a FHIR date or dateTime, such as ge2026-11-01."),
    "badAllergyClinicalStatus": ("`GET /AllergyIntolerance`: a `clinical-status` code outside the list, or an empty one.",
                                 "clinical-status must be one or more of active, inactive, resolved, separated by commas."),
    "badConditionClinicalStatus": ("`GET /Condition`: a `clinical-status` code outside the list, or an empty one.",
                                   "clinical-status must be one or more of active, inactive, recurrence, relapse, remission, "
                                   "resolved, separated by commas."),
    "badMedicationStatus": ("`GET /MedicationStatement`: a `status` code outside the list, or an empty one.",
                            "status must be one or more of active, completed, entered-in-error, intended, not-taken, on-hold, "
                            "stopped, unknown, separated by commas."),
    "badSort": ("Clinical searches: `_sort` other than `_lastUpdated` or `-_lastUpdated`.",
                "_sort supports _lastUpdated and -_lastUpdated only."),
    "badSummary": ("Clinical searches: `_summary` other than `count` or `false`.", "_summary supports count (and false) only."),
    "purposeOfUseNotBTG": ("Patient-scoped requests: `X-Purpose-Of-Use` sent with a value other than BTG.",
                           "X-Purpose-Of-Use must be BTG (emergency override)."),
    "accessReasonMissing": ("Patient-scoped requests: `X-Purpose-Of-Use: BTG` without a non-empty `X-Access-Reason`.",
                            "An emergency override needs a non-empty X-Access-Reason header."),
}

OPTED_OUT_TEXT = "The patient has declined to have an electronic shared record."
BLOCKED_TEXT = "The patient has not given consent to view the record."
CONSENT_REQUIRED_TEXT = ("The patient's consent is needed to view the record. Ask the patient, then record it with POST /Consent "
                         "(permanent, or for yourself for up to 24 hours); in an emergency use X-Purpose-Of-Use: BTG with an "
                         "X-Access-Reason.")

SERVICE_BUSY_TEXT = "The service is busy; try again shortly."

# name: (summary, code, issue type, text); every text verbatim from Responses/FHIRError.swift and the controllers.
ERROR_EXAMPLES = {
    "invalidNHSNumber": ("Not a valid NHS number (10 digits, no spaces, Modulus 11)", "INVALID_NHS_NUMBER", "invalid",
                         "The NHS number is not a valid 10-digit NHS number."),
    "organisationNotParticipating": ("The token's `ods` is not a participating organisation", "ORGANISATION_NOT_PARTICIPATING",
                                     "forbidden", "Your organisation does not participate in the Cheshire Care Record."),
    "organisationMismatch": ("`NHSD-End-User-Organisation-ODS` names another organisation than the token's `ods`",
                             "ORGANISATION_MISMATCH", "forbidden",
                             "NHSD-End-User-Organisation-ODS names another organisation than the access token."),
    "roleNotPermitted": ("The role may not do this (see the operation's description for which roles may)", "ROLE_NOT_PERMITTED",
                         "forbidden", "Your role does not permit this."),
    "scopeNotGranted": ("The token's `scope` claim does not grant this interaction on this type (here a Condition search by a "
                        "member of staff whose token carries only `user/Patient.rs`)", "SCOPE_NOT_GRANTED", "forbidden",
                        "The access token's scopes do not grant user/Condition.s."),
    "scopeNotGrantedRead": ("A read by id needs `r` on the type (here the token carries `user/Condition.s`, search only)",
                            "SCOPE_NOT_GRANTED", "forbidden", "The access token's scopes do not grant user/Condition.r."),
    "scopeNotGrantedEverything": ("`$everything` needs `r` on Patient, AllergyIntolerance, Condition, MedicationStatement and "
                                  "Consent; the first type not granted is named (here the token carries only `user/Patient.rs`)",
                                  "SCOPE_NOT_GRANTED", "forbidden", "The access token's scopes do not grant user/AllergyIntolerance.r."),
    "scopeNotGrantedConsent": ("`POST /Consent` needs `c` on Consent (`user/Consent.c`); here the token carries only `user/*.rs`",
                               "SCOPE_NOT_GRANTED", "forbidden", "The access token's scopes do not grant user/Consent.c."),
    "scopeNotGrantedPatientContext": ("Role `patient` needs `patient/` scopes, staff `user/` scopes (here a patient reading their "
                                      "own Patient with a token carrying `user/*.rs`)",
                                      "SCOPE_NOT_GRANTED", "forbidden", "The access token's scopes do not grant patient/Patient.r."),
    "scopeNotGrantedAudit": ("`GET /AuditEvent` needs `s` on AuditEvent (here a privacy officer whose token carries only "
                             "`user/Patient.rs`)", "SCOPE_NOT_GRANTED", "forbidden",
                             "The access token's scopes do not grant user/AuditEvent.s."),
    "scopeSystem": ("The token carries a `system/` scope (never accepted, whatever else it carries)", "SCOPE_NOT_GRANTED",
                    "forbidden", "system/ scopes are not accepted: every access must be attributable to a person."),
    "scopeRequired": ("`auth.requireScopes: true` and the token has no `scope` claim", "SCOPE_NOT_GRANTED", "forbidden",
                      "This service requires SMART scopes in the access token."),
    "patientOptedOut": ("The patient has opted out (never overridable); also role `patient` reading their own opted-out record",
                        "PATIENT_OPTED_OUT", "forbidden", OPTED_OUT_TEXT),
    "recordBlocked": ("The patient has blocked viewing of the record (never overridable)", "RECORD_BLOCKED", "forbidden", BLOCKED_TEXT),
    "consentRequired": ("Care relationship, but no consent in force for this user and no emergency override", "CONSENT_REQUIRED",
                        "forbidden", CONSENT_REQUIRED_TEXT),
    "consentNotJSON": ("The body is not a JSON object", "INVALID_RESOURCE", "structure", "The body must be a FHIR JSON Consent resource."),
    "bodyTooLarge": ("The body is over 64 KiB (65536 bytes)", "INVALID_RESOURCE", "structure", "The request body is larger than 64 KiB."),
    "auditUnavailable": ("The audit record could not be committed", "AUDIT_UNAVAILABLE", "transient",
                         "The request cannot be served because it cannot be audited; try again later."),
    "serviceBusyDecision": ("`POST /Consent`: the decision could not be stored within 2 s behind another writer of its store",
                            "SERVICE_BUSY", "transient", SERVICE_BUSY_TEXT),
    "serviceBusyRead": ("Reads (rare): the patient's sharing state changed under the read three times in a row", "SERVICE_BUSY",
                        "transient", SERVICE_BUSY_TEXT),
    "tooManyRequests": ("The rate limit refused the request", "TOO_MANY_REQUESTS", "throttled",
                        "Too many requests; slow down and try again later."),
}

# 422 INVALID_RESOURCE from ConsentSubmission (in the order it checks) and the access decision.
CONSENT_422 = {
    "notConsent": ("`resourceType` is not Consent", "resourceType must be Consent."),
    "unknownElement": ("An element not allowed where it stands (Consent, provision and provision.actor levels are closed; here a "
                       "nested provision)", "Unknown or misplaced element Consent.provision.provision."),
    "unknownElementText": ("`text` or `policy`: no longer accepted (the first unknown element in alphabetical order is named)",
                           "Unknown or misplaced element Consent.text."),
    "notFHIR": ("Not a valid R4 Consent: a required element missing (`status`, `scope`, `category`, and `role` and `reference` of "
                "each actor) or a value of the wrong type", "Consent is not valid FHIR R4: missing category at (root)."),
    "notActive": ("`status` is not active", "Consent.status must be active."),
    "wrongScope": ("`scope` has no coding consentscope#patient-privacy",
                   f"Consent.scope must be {CONSENT_SCOPE}#patient-privacy."),
    "wrongPatient": ("`patient` missing, not Patient/{NHS number} and/or an NHS number identifier, the two disagreeing, or an invalid "
                     "NHS number", "Consent.patient must be Patient/{NHS number} (and/or its NHS number identifier), with a valid NHS number."),
    "wrongProvision": ("`provision` is not permit + access, deny + access or deny + collect",
                       "Consent.provision must be permit + access (consent to view), deny + access (block) or deny + collect (opt out), "
                       f"with actions from {CONSENT_ACTION}."),
    "periodStartNotDateTime": ("A permanent decision (no actor, no period end) whose `provision.period.start` is not a FHIR dateTime",
                               "provision.period.start must be a FHIR dateTime."),
    "restrictionWithScope": ("A block or opt-out with a `provision.actor` or a `provision.period.end`",
                             "A block or opt-out applies to everyone and has no end: no provision.actor or provision.period.end."),
    "wrongActor": ("A 24-hour consent (an actor or a period end) that does not name exactly one actor, the user posting it",
                   "A 24-hour consent names exactly one actor: you, by provision.actor.reference.identifier.value = your user id."),
    "periodNotDateTimes": ("A 24-hour consent without `provision.period.start` and `.end` as dateTimes with time and zone",
                           "A 24-hour consent needs provision.period.start and .end as dateTimes with a time and zone."),
    "periodTooLong": ("A 24-hour consent whose period is empty, reversed or longer than 24 hours",
                      "A consent for one professional lasts at most 24 hours (provision.period)."),
    "periodNotNow": ("A 24-hour consent whose period has ended or starts more than 5 minutes from now",
                     "provision.period must cover now."),
    "shortTermCannotLift": ("A 24-hour consent by the registered practice on a blocked or opted-out record (decided after the access "
                            "checks)", "A 24-hour consent cannot lift a block or an opt-out; record a permanent consent."),
}


def error_response(description, code, issue_type, text, headers=None, examples=None):
    content = {"schema": ref("schemas", "OperationOutcome")}
    if examples:
        content["examples"] = examples
    else:
        content["example"] = outcome(code, issue_type, text)
    return {"description": description, "headers": {**STD_HEADERS, **(headers or {})}, "content": {FHIR: content}}


def examples_response(description, names, headers=None):
    """A response whose body is one of several OperationOutcomes, each a components.examples entry."""
    return {"description": description, "headers": {**STD_HEADERS, **(headers or {})},
            "content": {FHIR: {"schema": ref("schemas", "OperationOutcome"), "examples": {n: ref("examples", n) for n in names}}}}


BTG_400 = ["purposeOfUseNotBTG", "accessReasonMissing"]
COMMON_400 = ["unknownParameter", "repeatedParameter"]
FORBIDDEN_ORGANISATION = ["organisationMismatch", "organisationNotParticipating"]
# 403 SCOPE_NOT_GRANTED (PatientAccessMiddleware.requireScopes): patient-scoped operations only; the refused writes never look at scopes.
SCOPE_403 = ["scopeSystem", "scopeRequired"]
FORBIDDEN_DECISION = ["patientOptedOut", "recordBlocked", "consentRequired"]
FORBIDDEN_READ = FORBIDDEN_ORGANISATION + ["scopeNotGranted", "scopeNotGrantedPatientContext"] + SCOPE_403 + ["roleNotPermitted"] \
    + FORBIDDEN_DECISION
FORBIDDEN_READ_BY_ID = FORBIDDEN_ORGANISATION + ["roleNotPermitted", "scopeNotGrantedRead"] + SCOPE_403 + FORBIDDEN_DECISION
FORBIDDEN_EVERYTHING = FORBIDDEN_ORGANISATION + ["scopeNotGrantedEverything", "scopeNotGrantedPatientContext"] + SCOPE_403 \
    + ["roleNotPermitted"] + FORBIDDEN_DECISION
SCOPE_TEXT = (
    "`SCOPE_NOT_GRANTED`: the token's `scope` claim does not grant {needed} in the user's context (`user/` scopes for "
    "staff, `patient/` scopes for role `patient`), or it holds a `system/` scope, or there is no `scope` claim while "
    "`auth.requireScopes` is true; checked before anything about the patient is looked up, so the same for every NHS number "
    "or id")
FORBIDDEN_READ_TEXT = (
    "`ORGANISATION_MISMATCH` (the `NHSD-End-User-Organisation-ODS` header, when sent, names another organisation than the "
    "token); `ORGANISATION_NOT_PARTICIPATING`; " + SCOPE_TEXT.format(needed="`s` (searches) or `r` (reads) on the type") + "; "
    "then the access decision (C5) refuses: `ROLE_NOT_PERMITTED` (roles `admin` and `privacy-officer`, a "
    "clinical role without a `registration` claim, role `patient` asking about an NHS number other than their own: audited under "
    "the requester's own NHS number, the other one shown to privacy officers only); "
    "`PATIENT_OPTED_OUT` or `RECORD_BLOCKED` with the contract's verbatim texts (never overridable, not even by an emergency "
    "override; a blocked record stays visible to the patient themself); `CONSENT_REQUIRED` (a care relationship but no consent in "
    "force for this user and no emergency override).")
FORBIDDEN_READ_BY_ID_TEXT = (
    "`ORGANISATION_MISMATCH` (the `NHSD-End-User-Organisation-ODS` header, when sent, names another organisation than the "
    "token); `ORGANISATION_NOT_PARTICIPATING`; `ROLE_NOT_PERMITTED` for the roles that may never read records (`admin`, `privacy-officer`, a "
    "clinical role without a `registration` claim), given before the id is looked up, so the same for every id, existing or not; "
    + SCOPE_TEXT.format(needed="`r` on the type") + "; "
    "then, about the resource's patient: `PATIENT_OPTED_OUT` or `RECORD_BLOCKED` with the contract's verbatim texts (never "
    "overridable; role `patient` gets `PATIENT_OPTED_OUT` for their own opted-out record, a block does not stop them); "
    "`CONSENT_REQUIRED` (a care relationship but no consent in force for this user and no emergency override). Role `patient` "
    "asking for another patient's resource gets `404 RESOURCE_NOT_FOUND`, not `403` (audited under the requester's own NHS number).")

RESPONSES = {
    "NotModified": {
        "description": "Not Modified: the `If-None-Match` tag matches. No body and no `Content-Type`.",
        "headers": VALIDATOR_HEADERS,
    },
    "InvalidParameter": examples_response(
        "`INVALID_PARAMETER`: an unknown or repeated query parameter (`_format` is the only one accepted here). "
        "`details.text` says which.", COMMON_400),
    "BadRequestPatientSearch": examples_response(
        "`INVALID_PARAMETER` (unknown or repeated parameter, `_count`/`_offset` out of range, `identifier` missing or malformed, "
        "malformed emergency-override headers) or `INVALID_NHS_NUMBER`; see the examples.",
        COMMON_400 + ["badCount", "badOffset", "identifierRequired", "identifierSystem", "invalidNHSNumber"] + BTG_400),
    "BadRequestPatientRead": examples_response(
        "`INVALID_NHS_NUMBER` (the path), or `INVALID_PARAMETER` (any query parameter but `_format`; malformed emergency-override "
        "headers); see the examples.",
        ["invalidNHSNumber"] + COMMON_400 + BTG_400),
    "BadRequestClinicalSearch": examples_response(
        "`INVALID_PARAMETER` (unknown or repeated parameter, `_count`/`_offset` out of range, `patient` missing, malformed "
        "emergency-override headers, a malformed `_lastUpdated`, `clinical-status` or `status` (each type's own list of "
        "codes), `_sort` or `_summary`) or `INVALID_NHS_NUMBER`, all before anything is looked up; see the examples.",
        COMMON_400 + ["badCount", "badOffset", "patientRequired", "invalidNHSNumber"] + BTG_400
        + ["badLastUpdated", "badAllergyClinicalStatus", "badConditionClinicalStatus", "badMedicationStatus", "badSort", "badSummary"]),
    "BadRequestRead": examples_response(
        "`INVALID_PARAMETER`: any query parameter but `_format`, or malformed emergency-override headers (both checked before the "
        "id is looked up, so the answer is the same whether or not it exists); see the examples.",
        COMMON_400 + BTG_400),
    "BadRequestConsentSearch": examples_response(
        "`INVALID_PARAMETER` (any parameter but `patient` and `_format`, including `_count`/`_offset`; a repeated one; `patient` "
        "missing; malformed emergency-override headers) or `INVALID_NHS_NUMBER`; see the examples.",
        COMMON_400 + ["consentNotPaged", "patientRequired", "invalidNHSNumber"] + BTG_400),
    "BadRequestAuditSearch": examples_response(
        "`INVALID_PARAMETER` (unknown parameter; a repeated one other than `date`; `_count`/`_offset` out of range; `patient` "
        "empty; a malformed `date` or `subtype`; without `patient`: `date` missing or unbounded, a period over 31 days, a malformed "
        "`flag` or `outcome`; malformed emergency-override headers) or `INVALID_NHS_NUMBER`; see the examples.",
        COMMON_400 + ["badCount", "badOffset", "patientRequired", "invalidNHSNumber", "badDate", "badSubtype", "reviewDateRequired",
                      "reviewPeriodTooLong", "badFlag", "badOutcome"] + BTG_400),
    "BadRequestConsentCreate": examples_response(
        "`INVALID_RESOURCE`: the body is not a JSON object; or `INVALID_PARAMETER`: a query parameter other than `_format`, or "
        "malformed emergency-override headers (both checked before the body is read); see the examples.",
        ["consentNotJSON"] + COMMON_400 + BTG_400),
    "TokenInvalid": error_response(
        "`TOKEN_INVALID`: no `Authorization: Bearer` header, or a token that is malformed, not RS256/ES256, signed by an unknown key "
        "(after one reload of the JWKS, at most every 5 s), badly signed, for another issuer or audience, expired or not yet valid "
        "(60 s leeway), living longer than `auth.maximumTokenLifetimeSeconds` (`exp - iat`, default 43200 s), with a `typ` header "
        "other than `JWT`, `at+jwt`, `application/jwt` or `application/at+jwt` (any case; no `typ` is fine), with an unknown "
        "`role`, an empty `sub` or `ods`, a `scope` claim that is not a string, or (role `patient`) no valid `nhs_number`.",
        "TOKEN_INVALID", "login", "The access token is missing, invalid or expired.",
        headers={"WWW-Authenticate": ref("headers", "WWW-Authenticate")}),
    "ForbiddenOrganisation": examples_response(
        "`ORGANISATION_MISMATCH`: the `NHSD-End-User-Organisation-ODS` header was sent and names another organisation than the "
        "token's `ods` (checked first); `ORGANISATION_NOT_PARTICIPATING`: the token's `ods` is not one of the configured "
        "participating organisations.",
        FORBIDDEN_ORGANISATION),
    "ForbiddenRead": examples_response(FORBIDDEN_READ_TEXT, FORBIDDEN_READ),
    "ForbiddenReadById": examples_response(FORBIDDEN_READ_BY_ID_TEXT, FORBIDDEN_READ_BY_ID),
    "ForbiddenEverything": examples_response(
        FORBIDDEN_READ_TEXT.replace("`s` (searches) or `r` (reads) on the type",
                                    "`r` on each type `$everything` returns, Patient, AllergyIntolerance, Condition, "
                                    "MedicationStatement and Consent (the first missing is named),"),
        FORBIDDEN_EVERYTHING),
    "ForbiddenConsentCreate": examples_response(
        "`ORGANISATION_MISMATCH` (the `NHSD-End-User-Organisation-ODS` header names another organisation than the token); "
        "`ORGANISATION_NOT_PARTICIPATING`; "
        + SCOPE_TEXT.format(needed="`c` on Consent (as `user/Consent.c` does)").replace("NHS number or id", "body, valid or not")
        + " (the body is not read before it); `ROLE_NOT_PERMITTED`: the user is not a clinician (roles `admin`, `privacy-officer`, "
        "`patient`, or a clinical role without a `registration` claim), or, for a block, an opt-out or a consent that would lift "
        "either, the user's organisation is not the patient's registered GP practice.",
        FORBIDDEN_ORGANISATION + ["scopeNotGrantedConsent"] + SCOPE_403 + ["roleNotPermitted"]),
    "ForbiddenAudit": examples_response(
        "`ORGANISATION_MISMATCH` (the `NHSD-End-User-Organisation-ODS` header names another organisation than the token); "
        "`ORGANISATION_NOT_PARTICIPATING`; "
        + SCOPE_TEXT.format(needed="`s` (`GET /AuditEvent`) or `r` (`GET /AuditEvent/{id}`) on AuditEvent") + "; "
        "`ROLE_NOT_PERMITTED`: the role is neither `patient` (with their own NHS number) nor `privacy-officer` (on "
        "`GET /AuditEvent/{id}` this role check comes first, before the scopes and before the id is looked up; without `patient`, "
        "only `privacy-officer` may search).",
        FORBIDDEN_ORGANISATION + ["scopeNotGrantedAudit"] + SCOPE_403 + ["roleNotPermitted"]),
    "PatientNotFound": error_response(
        "`PATIENT_NOT_FOUND`: the service has no such patient, or the user's organisation has no care relationship with the patient "
        "(not the registered GP practice, no active episode of care covering now) and, for reads, there is no emergency override (an "
        "override does not help `POST /Consent`). Both answers are "
        "byte-for-byte identical apart from the per-request `X-Request-ID` and `traceresponse`.",
        "PATIENT_NOT_FOUND", "not-found", "No patient record was found."),
    "ResourceNotFound": error_response(
        "`RESOURCE_NOT_FOUND`: no resource of this type has this id; or its patient is not visible to the user (a clinician whose "
        "organisation has no care relationship with the patient and no emergency override); or the user has role `patient` and the "
        "resource is about someone else. Identical answers (request id and `traceresponse` aside), so an id's existence is never revealed. The id is "
        "looked up after the query parameters, the emergency-override headers and the role check (`403 ROLE_NOT_PERMITTED` for "
        "roles that never read records), and before the access decision.",
        "RESOURCE_NOT_FOUND", "not-found", "No resource was found with this id."),
    "ConsentTooLarge": examples_response("`INVALID_RESOURCE` (413): the body is larger than 64 KiB; it is not read further.",
                                         ["bodyTooLarge"]),
    "ConsentUnprocessable": examples_response(
        "`INVALID_RESOURCE` (422): the body is JSON but not an acceptable sharing decision (each rule is checked in the order of "
        "the examples; the first that fails is reported, before any access check), or a 24-hour consent would lift a block or an "
        "opt-out. `details.text` says what.",
        [f"consent422{k[0].upper()}{k[1:]}" for k in CONSENT_422]),
    "ReviewTooLarge": examples_response("`INVALID_RESOURCE` (413): the body is larger than 64 KiB; it is not read further.",
                                        ["bodyTooLarge"]),
    "ReviewUnprocessable": error_response(
        "`INVALID_RESOURCE` (422): the body is not a FHIR Parameters resource, its `outcome` is missing or not one of "
        "`appropriate`, `inappropriate`, `needs-follow-up`, or its `note` is longer than 2000 characters. `details.text` says what.",
        "INVALID_RESOURCE", "invalid", "The outcome parameter must be one of appropriate, inappropriate, needs-follow-up."),
    "UnknownEndpoint": error_response(
        "`NOT_SUPPORTED` (404): no route for this path and method. Not tied to any path in this document: it is the answer for every "
        "path/method pair not listed here (for example `GET /Observation`, `OPTIONS` other than a CORS preflight from an origin "
        "listed in `server.cors`, or `HEAD` on a path without a `GET`; `HEAD` on every listed `GET` operation is answered like the "
        "`GET`, without the body). "
        "Sent without authentication, but rate limited (`429`) and audited like every request (so it too becomes `503` when the "
        "audit store cannot commit), with these exceptions: requests to exactly `/metadata`, `/health`, `/health/live`, "
        "`/health/ready` and `/.well-known/smart-configuration` (answered `404` when SMART is not configured), and CORS preflights "
        "from listed origins, are neither audited nor rate limited.",
        "NOT_SUPPORTED", "not-supported", "This endpoint or resource type is not supported; see /metadata."),
    "SMARTNotConfigured": error_response(
        "`NOT_SUPPORTED` (404): `auth.authorizationEndpoint` and `auth.tokenEndpoint` are not configured, so the route is not "
        "registered and this is the answer for any unknown endpoint (no token needed). Like the configured route, it is not "
        "audited (the audit skips exactly this path, configured or not) and not rate limited.",
        "NOT_SUPPORTED", "not-supported", "This endpoint or resource type is not supported; see /metadata."),
    "ReadOnly": error_response(
        "`READ_ONLY`: the record is view-only; writes are refused (after authentication). The request body, if any, is not read. "
        "`Allow: GET, HEAD`.",
        "READ_ONLY", "not-supported", "The Cheshire Care Record is view-only.",
        headers={"Allow": ref("headers", "Allow")}),
    "ReadOnlyConsent": error_response(
        "`READ_ONLY` on `PUT`, `PATCH` or `DELETE /Consent`: sharing decisions are recorded with `POST /Consent` and never changed "
        "or deleted (a newer decision supersedes an older one). The request body, if any, is not read. `Allow: GET, HEAD, POST`.",
        "READ_ONLY", "not-supported", "The Cheshire Care Record is view-only.",
        headers={"Allow": ref("headers", "AllowConsent")}),
    "NotAcceptable": error_response(
        "`NOT_SUPPORTED` (406): `_format` is not a JSON format, or no media range in `Accept` covers FHIR JSON "
        "(`*/*`, `application/*`, `application/json`, `application/fhir+json`, with q > 0). Checked before authentication.",
        "NOT_SUPPORTED", "not-supported", "Only FHIR JSON is supported (application/fhir+json, or _format=json)."),
    "InternalError": error_response(
        "`INTERNAL_ERROR`: an unexpected failure (for example the database). No internals are disclosed.",
        "INTERNAL_ERROR", "exception", "The request could not be completed."),
    "AuditUnavailable": examples_response(
        "`AUDIT_UNAVAILABLE`, with `Retry-After: 1`: every request except `/metadata`, the health probes and "
        "`/.well-known/smart-configuration` is audited before its answer "
        "leaves (C8); when the audit record cannot be durably committed, whatever the answer would have been (a `200`, an error) is "
        "withheld and replaced by this. Nothing is released. Retry shortly.",
        ["auditUnavailable"], headers=RETRY_AFTER),
    "UnavailableRead": examples_response(
        "Retry shortly (`Retry-After: 1`). `AUDIT_UNAVAILABLE`: the request's audit record could not be durably committed (C8), so "
        "whatever the answer would have been is withheld and nothing is released. `SERVICE_BUSY` (rare): the patient's sharing "
        "state (registration, care relationships, decisions) changed between the access decision and the read three times in a "
        "row; each time the decision was made again on the new state, so no data is released on a stale decision. A lost "
        "database connection (PostgreSQL) also answers `503`: `SERVICE_BUSY`, or `AUDIT_UNAVAILABLE` when the audit record "
        "cannot be committed either; the node reconnects on its own.",
        ["auditUnavailable", "serviceBusyRead"], headers=RETRY_AFTER),
    "UnavailableConsentCreate": examples_response(
        "Nothing was stored, and posting again is safe; retry shortly (`Retry-After: 1`). `AUDIT_UNAVAILABLE`: the audit record "
        "(committed before the decision is stored) could not be committed, so the decision was not stored. `SERVICE_BUSY`: the "
        "request was audited (as `201`), but the decision could not be stored within a bounded wait of 2 s behind another writer "
        "of its store; a second audit record for the same request id records this `503`.",
        ["auditUnavailable", "serviceBusyDecision"], headers=RETRY_AFTER),
    "TooManyRequests": examples_response(
        "`TOO_MANY_REQUESTS`: refused by the rate limit (`server.rateLimit`), before anything else is checked (negotiation, route, "
        "token). Requests without a valid token are limited per client address (a token bucket: by default 10 a second with "
        "bursts of 50); each user's requests (token `sub`) only when a per-user limit is configured (off by default). "
        "`Retry-After` says in how many whole seconds a request will be let through again. Such requests are not audited one by "
        "one: each client address's refused requests are counted in one audit record per minute (interaction `throttled`, "
        "method `*`, status 429, reason `TOO_MANY_REQUESTS`, detail `throttled-requests` with the count). `/metadata`, `/health`, "
        "`/health/live`, `/health/ready`, `/.well-known/smart-configuration` (exactly the paths that are not audited) and CORS "
        "preflights from origins listed in `server.cors` are never limited.",
        ["tooManyRequests"], headers=RETRY_AFTER),
}

# ---------------------------------------------------------------- components: schemas

HEALTH_SOURCES = [
    # keys sorted, as the encoder writes them; sources ordered by id
    {"id": "acute-rjr", "lastAttempt": "2026-11-25T02:03:12.845Z", "lastAttemptSucceeded": False,
     "lastSuccessfulSync": "2026-11-24T02:02:58.117Z", "ods": "RJR"},
    {"id": "gp-a81001", "lastAttempt": "2026-11-25T02:00:41.518Z", "lastAttemptSucceeded": True,
     "lastSuccessfulSync": "2026-11-25T02:00:41.518Z", "ods": "A81001"},
]
HEALTH_JWKS = {"keys": 2, "lastAttempt": "2026-11-25T14:00:03.112Z", "lastAttemptSucceeded": True,
               "lastLoaded": "2026-11-25T02:00:00.514Z"}
HEALTH = {"audit": {"failures": 0, "largestTransaction": 7, "records": 1532, "transactions": 1190},
          "database": {"backend": "sqlite", "reachable": True}, "jwks": HEALTH_JWKS,
          "rateLimited": 12, "sources": HEALTH_SOURCES, "status": "ok"}
HEALTH_JWKS_FAILED = {"keys": 2, "lastAttempt": "2026-11-25T14:05:03.118Z", "lastAttemptSucceeded": False,
                      "lastError": "the JWKS could not be fetched", "lastLoaded": "2026-11-25T02:00:00.514Z"}
HEALTH_JWKS_RELOAD_FAILED = {**HEALTH, "jwks": HEALTH_JWKS_FAILED}
HEALTH_NEW_DATABASE = {"audit": {"failures": 0, "largestTransaction": 0, "records": 0, "transactions": 0},
                       "database": {"backend": "sqlite", "reachable": True},
                       "jwks": {"keys": 1, "lastAttempt": "2026-11-25T09:30:00.027Z", "lastAttemptSucceeded": True,
                                "lastLoaded": "2026-11-25T09:30:00.027Z"},
                       "rateLimited": 0, "sources": [], "status": "ok"}
# One node of several on PostgreSQL, its database lost: 503, so a load balancer sends requests to another node.
HEALTH_DATABASE_UNREACHABLE = {"audit": {"failures": 1, "largestTransaction": 9, "records": 20417, "transactions": 12385},
                               "database": {"backend": "postgresql", "reachable": False}, "jwks": HEALTH_JWKS,
                               "rateLimited": 0, "sources": [], "status": "unavailable"}


def obj(props, required=None, description=None, **extra):
    s = {"type": "object"}
    if description:
        s["description"] = description
    if required:
        s["required"] = required
    s["properties"] = props
    s["additionalProperties"] = True
    if "example" in extra:
        extra["examples"] = [extra.pop("example")]
    s.update(extra)
    return s


S = lambda name: ref("schemas", name)
STR = {"type": "string"}
arr = lambda items: {"type": "array", "items": items}


def resource_schema(name, description, required, props, example):
    base = {
        "resourceType": {"type": "string", "const": name},
        "id": {"type": "string"},
        "meta": S("Meta"),
    }
    # the full example lives in components.examples (referenced from the read operation)
    return obj({**base, **props}, required=["resourceType"] + required, description=description)


SCHEMAS = {
    "Coding": obj({"system": STR, "version": STR, "code": STR, "display": STR}),
    "CodeableConcept": obj({"coding": arr(S("Coding")), "text": STR}),
    "Identifier": obj({"use": STR, "type": S("CodeableConcept"), "system": STR, "value": STR, "period": S("Period")}),
    "Reference": obj({"reference": STR, "type": STR, "identifier": S("Identifier"), "display": STR}),
    "PatientReference": obj(
        {"reference": {"type": "string", "pattern": "^Patient/[0-9]{10}$"},
         "identifier": obj({"system": {"type": "string", "const": NHS_SYSTEM}, "value": {"type": "string", "pattern": "^[0-9]{10}$"}},
                           required=["system", "value"])},
        required=["reference", "identifier"],
        description="How every served resource points to its patient: literally by NHS number, with the NHS number as identifier.",
        example=patient_ref()),
    "Period": obj({"start": STR, "end": STR}),
    "Meta": obj(
        {"versionId": {"type": "string", "description": "Digest of the served content (16 hex digits); the resource's ETag. "
                                                        "For an AuditEvent: the start of the audit record's chain hash (shown flagged or reviewed "
                                                        "to a privacy officer: a digest of the record's hash, its flags and its "
                                                        "latest review, so that the ETag changes with them)."},
         "lastUpdated": {"type": "string", "format": "date-time",
                         "description": "When the source last updated it; for a Consent recorded with `POST /Consent`, when it was "
                                        "recorded; for an AuditEvent, its `recorded`."},
         "source": {"type": "string", "description": "Where it came from: `urn:care-record:source:{source id}` for an upstream source, "
                                                     "`urn:care-record:source:api` for a Consent recorded with `POST /Consent`, "
                                                     "`urn:care-record:source:audit` for an AuditEvent.",
                    "pattern": "^urn:care-record:source:"},
         "profile": arr(STR), "tag": arr(S("Coding"))},
        required=["versionId", "lastUpdated", "source"],
        description="Set by the service on every served resource."),
    "HumanName": obj({"use": STR, "text": STR, "family": STR, "given": arr(STR), "prefix": arr(STR), "suffix": arr(STR), "period": S("Period")}),
    "ContactPoint": obj({"system": STR, "value": STR, "use": STR, "rank": {"type": "integer"}, "period": S("Period")}),
    "Address": obj({"use": STR, "type": STR, "text": STR, "line": arr(STR), "city": STR, "district": STR, "state": STR,
                    "postalCode": STR, "country": STR, "period": S("Period")}),
    "Annotation": obj({"authorString": STR, "time": STR, "text": STR}, required=["text"]),
    "Dosage": obj({"sequence": {"type": "integer"}, "text": STR, "patientInstruction": STR, "asNeededBoolean": {"type": "boolean"},
                   "route": S("CodeableConcept")}),
    "OperationOutcome": obj(
        {"resourceType": {"type": "string", "const": "OperationOutcome"},
         "issue": {"type": "array", "minItems": 1, "items": obj(
             {"severity": {"type": "string", "const": "error"},
              "code": {"type": "string", "description": "FHIR IssueType.",
                       "enum": ["login", "forbidden", "not-found", "invalid", "structure", "not-supported", "throttled", "transient",
                                "exception"]},
              "details": obj(
                  {"coding": {"type": "array", "minItems": 1, "items": obj(
                      {"system": {"type": "string", "const": ERR_SYSTEM},
                       "code": {"type": "string", "description": "Stable machine code.",
                                "enum": ["TOKEN_INVALID", "ORGANISATION_NOT_PARTICIPATING", "ORGANISATION_MISMATCH",
                                         "ROLE_NOT_PERMITTED", "SCOPE_NOT_GRANTED", "PATIENT_NOT_FOUND",
                                         "RESOURCE_NOT_FOUND", "PATIENT_OPTED_OUT", "RECORD_BLOCKED", "CONSENT_REQUIRED",
                                         "INVALID_NHS_NUMBER", "INVALID_PARAMETER", "INVALID_RESOURCE", "READ_ONLY",
                                         "AUDIT_UNAVAILABLE", "SERVICE_BUSY", "TOO_MANY_REQUESTS", "NOT_SUPPORTED",
                                         "INTERNAL_ERROR"]}},
                      required=["system", "code"])},
                   "text": {"type": "string", "description": "Safe to show to anyone."}},
                  required=["coding", "text"])},
             required=["severity", "code", "details"])}},
        required=["resourceType", "issue"],
        description="The body of every error. `issue[0].details.coding[0].code` is the machine code to act on; "
                    "the enum lists every code the service defines (all are produced). The HTTP status goes with the code: see each response.",
        example=outcome("PATIENT_NOT_FOUND", "not-found", "No patient record was found.")),
    "Patient": resource_schema(
        "Patient", "Demographics and the registered GP practice, served under the NHS number (`id` = NHS number). "
                   "When several sources hold demographics, the registered practice's copy wins, then the most recently updated.",
        ["id", "meta", "identifier"],
        {"id": {"type": "string", "pattern": "^[0-9]{10}$"},
         "identifier": {"type": "array", "minItems": 1, "items": S("Identifier"),
                        "description": "The NHS number first, then any other identifiers from the source."},
         "active": {"type": "boolean"}, "name": arr(S("HumanName")), "telecom": arr(S("ContactPoint")),
         "gender": {"type": "string", "description": "As the source sent it (normally male, female, other, unknown)."},
         "birthDate": {"type": "string"}, "deceasedBoolean": {"type": "boolean"}, "deceasedDateTime": STR,
         "address": arr(S("Address")),
         "generalPractitioner": {"type": "array", "maxItems": 1, "items": S("Reference"),
                                 "description": "The registered GP practice, by ODS code (`type` = Organization)."},
         "managingOrganization": S("Reference")},
        PATIENT),
    "AllergyIntolerance": resource_schema(
        "AllergyIntolerance", "A risk of harmful reaction to a substance.", ["id", "meta", "patient"],
        {"identifier": arr(S("Identifier")), "clinicalStatus": S("CodeableConcept"), "verificationStatus": S("CodeableConcept"),
         "type": {"type": "string", "description": "Normally allergy or intolerance."}, "category": arr(STR),
         "criticality": {"type": "string", "description": "Normally low, high or unable-to-assess."},
         "code": S("CodeableConcept"), "patient": S("PatientReference"), "onsetDateTime": STR, "recordedDate": STR,
         "recorder": S("Reference"), "asserter": S("Reference"), "note": arr(S("Annotation")),
         "reaction": arr(obj({"substance": S("CodeableConcept"), "manifestation": arr(S("CodeableConcept")), "description": STR,
                              "severity": {"type": "string", "description": "Normally mild, moderate or severe."}}, required=["manifestation"]))},
        ALLERGY),
    "Condition": resource_schema(
        "Condition", "A problem, diagnosis or health concern.", ["id", "meta", "subject"],
        {"identifier": arr(S("Identifier")), "clinicalStatus": S("CodeableConcept"), "verificationStatus": S("CodeableConcept"),
         "category": arr(S("CodeableConcept")), "severity": S("CodeableConcept"), "code": S("CodeableConcept"),
         "subject": S("PatientReference"), "onsetDateTime": STR, "abatementDateTime": STR, "recordedDate": STR,
         "recorder": S("Reference"), "asserter": S("Reference"), "note": arr(S("Annotation"))},
        CONDITION),
    "MedicationStatement": resource_schema(
        "MedicationStatement", "A medication the patient is or was taking.", ["id", "meta", "status", "subject"],
        {"identifier": arr(S("Identifier")), "status": STR, "category": S("CodeableConcept"),
         "medicationCodeableConcept": S("CodeableConcept"), "medicationReference": S("Reference"),
         "subject": S("PatientReference"), "effectiveDateTime": STR, "effectivePeriod": S("Period"), "dateAsserted": STR,
         "informationSource": S("Reference"), "reasonCode": arr(S("CodeableConcept")), "note": arr(S("Annotation")),
         "dosage": arr(S("Dosage"))},
        MEDICATION),
    "Consent": resource_schema(
        "Consent", "A sharing decision (C3, C6): imported from an upstream source, or recorded with `POST /Consent` (then `meta.source` "
                   "is `urn:care-record:source:api`, `id` a UUID, `dateTime` the server's clock at recording, `performer` the user by "
                   "`https://cheshire-care-record.nhs.uk/Id/user` identifier with their name, `organization` their ODS code). "
                   "Served by `GET /Consent`, `GET /Consent/{id}` and inside `$everything`. permit + access is consent to view "
                   "(with one `provision.actor` and a `provision.period`: a 24-hour consent for that professional), deny + access a "
                   "block, deny + collect an opt-out. Upstream decisions are honoured only from the patient's registered GP practice, "
                   "but every imported one is shown. A permanent consent to view may carry a `provision.period.start`: it is in force "
                   "from then.",
        ["id", "meta", "status", "scope", "category", "patient"],
        {"identifier": arr(S("Identifier")), "status": STR, "scope": S("CodeableConcept"), "category": arr(S("CodeableConcept")),
         "patient": S("PatientReference"), "dateTime": STR, "performer": arr(S("Reference")), "organization": arr(S("Reference")),
         "policyRule": S("CodeableConcept"),
         "provision": obj({"type": {"type": "string", "enum": ["deny", "permit"]}, "period": S("Period"),
                           "actor": arr(obj({"role": S("CodeableConcept"), "reference": S("Reference")}, required=["role", "reference"])),
                           "action": arr(S("CodeableConcept")), "provision": arr({"type": "object"})})},
        CONSENT),
    "ReviewRequest": obj(
        {"resourceType": {"type": "string", "const": "Parameters"},
         "parameter": {"type": "array", "items": obj(
             {"name": {"type": "string", "enum": ["outcome", "note"]}, "valueCode": {"type": "string", "enum": REVIEW_OUTCOMES},
              "valueString": {"type": "string", "maxLength": 2000}}, required=["name"])}},
        required=["resourceType", "parameter"],
        description="`$review`'s input: `outcome` (valueCode) and optionally `note` (valueString)."),
    "ConsentRequest": {
        "type": "object",
        "description": "The body of `POST /Consent`: one FHIR R4 Consent for one patient (C6). Elements are checked at three levels: "
                       "`Consent`, `Consent.provision` and `Consent.provision.actor` may carry only the elements listed here (anything "
                       "else, including a nested `provision.provision`, is `422`); deeper levels are read as FHIR R4 and unknown "
                       "elements there are ignored. `id`, `meta`, `dateTime`, `performer` and `organization` are accepted but replaced (and a missing `policyRule` is set to v3-ActCode OPTIN or OPTOUT) "
                       "by the server; `text` and `policy` are not accepted (`422` unknown element). Kinds of decision: permit + access = consent to "
                       "view; deny + access = block; deny + collect = opt out (actions from "
                       f"`{CONSENT_ACTION}`). A consent to view is permanent when it has no `provision.actor` and no "
                       "`provision.period.end`; a `provision.period.start`, if any, must be a FHIR dateTime no later than now (else "
                       "`422`): every decision applies from the next request. Otherwise it is a "
                       "24-hour consent and must name exactly one actor, the user posting it, by `reference.identifier.value` = token "
                       "`sub` (the identifier's system is not checked), with `provision.period.start` and `.end` as dateTimes with time "
                       "and zone, end after start, at most 24 hours apart, end in the future and start no more than 5 minutes ahead. A "
                       "block or opt-out may have neither an actor nor a period end.",
        "required": ["resourceType", "status", "scope", "category", "patient", "provision"],
        "properties": {
            "resourceType": {"type": "string", "const": "Consent"},
            "id": {"type": "string", "description": "Ignored: the server assigns a new id (a UUID)."},
            "meta": {"type": "object", "description": "Ignored: set by the server."},
            "identifier": arr(S("Identifier")),
            "status": {"type": "string", "const": "active"},
            "scope": {**S("CodeableConcept"), "description": f"Must contain the coding `{CONSENT_SCOPE}#patient-privacy`."},
            "category": {"type": "array", "items": S("CodeableConcept"), "description": "Required by FHIR R4; not examined."},
            "patient": {
                "type": "object",
                "description": "The patient: `reference` = `Patient/{NHS number}` and/or `identifier` with the NHS number system; when "
                               "both are given they must name the same, valid NHS number. Stored as both.",
                "properties": {"reference": {"type": "string", "pattern": "^Patient/[0-9]{10}$"},
                               "identifier": {**S("Identifier"), "description": f"Counts only with system `{NHS_SYSTEM}`."}},
                "anyOf": [{"required": ["reference"]}, {"required": ["identifier"]}],
            },
            "dateTime": {"type": "string", "description": "Ignored: the server's clock at recording is stored (the decision applies "
                                                           "from the next request)."},
            "performer": {"type": "array", "description": "Ignored: the user posting it is stored."},
            "organization": {"type": "array", "description": "Ignored: the user's organisation is stored."},
            "policyRule": S("CodeableConcept"),
            "provision": {
                "type": "object",
                "required": ["type", "action"],
                "properties": {
                    "type": {"type": "string", "enum": ["permit", "deny"]},
                    "action": {"type": "array", "minItems": 1, "items": S("CodeableConcept"),
                               "description": f"`{CONSENT_ACTION}` `access` or `collect` (deny + collect wins over deny + access)."},
                    "period": {**S("Period"), "description": "A 24-hour consent to view: `start` and `end` (see above). A "
                                                             "permanent decision: `start` only, optional, "
                                                             "not in the future."},
                    "actor": {"type": "array", "maxItems": 1, "description": "Only for a 24-hour consent to view: the user posting it.",
                              "items": {"type": "object", "required": ["role", "reference"],
                                        "properties": {"role": S("CodeableConcept"), "reference": S("Reference")},
                                        "additionalProperties": False}},
                },
                "additionalProperties": False,
            },
        },
        "additionalProperties": False,
    },
    "AuditEvent": resource_schema(
        "AuditEvent",
        "One audited request about a patient, allowed or refused, as `AuditEventMapper` presents it (IHE Basic Audit Log Patterns; "
        "profile `CareRecord-AuditEvent`). `id` is the record's position in the audit log. What role `patient` sees differs: the "
        "user agent has no `altId` (registration number) and no `network` (IP address), and on the record of a patient-role user's "
        "request for another patient's record (filed under the requester's own NHS number) there is no second Patient entity and "
        "the request's description shows `(another patient's record)` instead of the path; privacy officers see everything.",
        ["id", "meta", "type", "subtype", "action", "recorded", "outcome", "agent", "source", "entity"],
        {"id": {"type": "string", "pattern": "^[0-9]+$"},
         "type": {**S("Coding"), "description": "Always `http://terminology.hl7.org/CodeSystem/audit-event-type#rest`."},
         "subtype": {"type": "array", "minItems": 1, "maxItems": 2, "items": S("Coding"),
                     "description": f"First the FHIR interaction (`{INTERACTION_SYSTEM}`: `read`, `search-type`, `create`, "
                                    f"`operation`); then, on a privacy officer's review of another record, `{AUDIT_SUBTYPE_SYSTEM}#review`, "
                                    f"or, for every emergency override attempt (a request that carried "
                                    f"`X-Purpose-Of-Use`, allowed or refused), `{AUDIT_SUBTYPE_SYSTEM}#emergency-override`."},
         "action": {"type": "string", "enum": ["R", "C", "E"], "description": "C for create, E for operation, R otherwise."},
         "recorded": {"type": "string", "format": "date-time", "description": "When the request was decided and recorded (UTC, ms)."},
         "outcome": {"type": "string", "enum": ["0", "4", "8"], "description": "0 below 400, 4 for a 4xx answer, 8 for a 5xx."},
         "outcomeDesc": {"type": "string", "description": "The error code (C5) of a refused or failed request; absent when allowed."},
         "purposeOfEvent": {"type": "array", "items": S("CodeableConcept"),
                            "description": "`http://terminology.hl7.org/CodeSystem/v3-ActReason#ETREAT` on every emergency override "
                                           "attempt, allowed or refused (the `basis` detail says whether the override is what "
                                           "allowed it)."},
         "agent": {"type": "array", "minItems": 1, "maxItems": 2, "items": S("AuditEventAgent"),
                   "description": "The user (`requestor` true), then the organisation they act for (`requestor` false)."},
         "source": obj({"site": {"type": "string", "const": "Cheshire Care Record"}, "observer": S("Reference")}, required=["observer"]),
         "entity": {"type": "array", "minItems": 1, "maxItems": 4, "items": S("AuditEventEntity"),
                    "description": "The patient the record is filed under (`Patient/{NHS number}`); on a review, the access reviewed "
                                   "(`AuditEvent/{id}`, `description` \"the access reviewed\", details `review-outcome` and "
                                   "`review-note` for privacy officers); for privacy officers, when a "
                                   "patient-role user asked for another patient's record, that other patient (by NHS number "
                                   f"identifier only, `description` \"{PROBE_DESCRIPTION}\"); then the request."}},
        None),
    "AuditEventAgent": obj(
        {"who": {**S("Reference"), "description": f"The user by `{USER_SYSTEM}` identifier (token `sub`), or the organisation by ODS code "
                                                  "(with its name from `organisations:` as `display`, when configured)."},
         "name": {"type": "string", "description": "Token `name` claim."},
         "requestor": {"type": "boolean"},
         "role": {"type": "array", "items": S("CodeableConcept"), "description": f"Token `role` claim, system `{ROLE_SYSTEM}`."},
         "altId": {"type": "string", "description": "Token `registration` claim (professional registration number), when the "
                                                    "token had one. Privacy officers only: left out of the events role `patient` sees."},
         "network": obj({"address": {"type": "string", "description": "The client's IP address, or `unknown`."},
                         "type": {"type": "string", "const": "2"}},
                        description="Where the request came from, on the user agent of every event a privacy officer sees; left "
                                    "out of the events role `patient` sees (staff IP addresses are not shown to patients).")},
        required=["requestor"],
        description="The user (`requestor` true: `who`, `name`, `role`, and for privacy officers `altId` and `network`), or the "
                    "organisation they act for (`requestor` false: `who` only)."),
    "AuditEventEntity": obj(
        {"what": S("Reference"), "type": S("Coding"), "role": S("Coding"),
         "description": {"type": "string", "description": "The request: `{method} {path and query} -> {status}` (for role "
                                                          "`patient`, a request for another patient's record shows "
                                                          "`(another patient's record)` instead of the path); on the entity of "
                                                          f"another patient asked for by a patient: \"{PROBE_DESCRIPTION}\"."},
         "detail": {"type": "array", "items": obj(
             {"type": {"type": "string", "enum": ["reason-code", "basis", "purpose-of-use", "emergency-reason", "returned",
                                                  "client-request-id", "correlation-id", "throttled-requests",
                                                  "patient-registered-practice", "review-state", "reviewed-by", "reviewed-at",
                                                  "review-note", "review-record", "review-outcome"]},
              "valueString": {"type": "string"}}, required=["type", "valueString"]),
             "description": "On the request entity, in this order when present: `reason-code` (`OK` or the C5 code); `basis` of an "
                            "allowed access (`consent`, `short-term-consent`, `emergency-override`, `own-record`, "
                            "`privacy-officer`, `care-relationship`); `purpose-of-use` (the `X-Purpose-Of-Use` header as sent: "
                            "every emergency override attempt); `emergency-reason` (the `X-Access-Reason`); `returned` (what a "
                            "2xx answer released, e.g. `Patient/9000000009` or `Bundle total 3: 3 Condition`); "
                            "`client-request-id` and `correlation-id` (the client's `X-Request-ID` and `X-Correlation-ID` as "
                            "given, first 200 characters); `throttled-requests` (on a rate-limit summary record: how many "
                            "requests the rate limit refused); for privacy officers, `patient-registered-practice` (the patient's "
                            "registered GP practice when the access was made); in an organisation review, `GET /AuditEvent/{id}` and "
                            "`$review` answers, `review-state` (`pending` while flagged and unreviewed, else the latest review's "
                            "outcome) with `reviewed-by`, `reviewed-at`, `review-note` and `review-record` (the review's own "
                            "AuditEvent). On a review's entity for the access reviewed: `review-outcome`, `review-note`."}},
        description="The patient (`type` audit-entity-type 1, `role` object-role 1), or the request (BALP `XrequestId`): "
                    "`what.identifier.value` is the server's own request id (a lower-case UUID; the client cannot choose it)."),
    "BundleLink": obj(
        {"relation": {"type": "string", "enum": ["self", "next", "previous"]},
         "url": {"type": "string", "format": "uri",
                 "description": "Absolute, built on the configured `server.baseURL`. Paged searches: the request's parameters in name "
                                "order with `_count` and `_offset` always set (e.g. `_count=50&_offset=0&patient=9000000009`); "
                                "parameters left out under `Prefer: handling=lenient` are not carried. "
                                "`GET /Consent`: `{baseURL}/Consent?patient={NHS number}` only. `$everything`: "
                                "`{baseURL}/Patient/{NHS number}/$everything`."}},
        required=["relation", "url"]),
    "BundleEntry": obj(
        {"extension": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"oneOf": [S("SourceOrganisationExtension"), S("SourceRefreshedExtension")]},
                       "description": "On an entry whose resource came from an upstream source (`meta.source` "
                                      "`urn:care-record:source:{source id}`): the source's organisation, then, once the source has "
                                      "been imported successfully, when its last successful import finished. Both are as of this "
                                      "answer (they follow `organisations:` and every sync; the node reads the sources' imports "
                                      "at most every 2 seconds, so a sync that just finished may show a moment later), so they sit on the entry, not in the "
                                      "resource, whose `meta.versionId` and ETag follow its upstream content only. Absent on "
                                      "Consents recorded through the API and on AuditEvents. Reads by id (`GET /{type}/{id}`) "
                                      "carry no entry, so say only `meta.source`."},
         "fullUrl": {"type": "string", "format": "uri", "description": "`{baseURL}/{resourceType}/{id}`: a `GET` on it reads the entry again."},
         "resource": {"oneOf": [S("Patient"), S("AllergyIntolerance"), S("Condition"), S("MedicationStatement"), S("Consent"),
                                S("AuditEvent")]},
         "search": obj({"mode": {"type": "string", "const": "match"}}, required=["mode"])},
        required=["fullUrl", "resource", "search"],
        description="A match: one served resource."),
    "SourceOrganisationExtension": obj(
        {"url": {"type": "string", "const": SOURCE_ORGANISATION_URL},
         "valueReference": obj({"identifier": obj({"system": {"type": "string", "const": ODS_SYSTEM}, "value": STR}, required=["system", "value"]),
                                "display": {"type": "string", "description": "The organisation's name from `organisations:`, when "
                                                                             "configured."}},
                               required=["identifier"])},
        required=["url", "valueReference"],
        description="The organisation the entry's source belongs to (`Profiles/StructureDefinition-source-organisation.json`).",
        example=source_extensions(*EXAMPLE_SOURCES[GP_SOURCE])[0]),
    "SourceRefreshedExtension": obj(
        {"url": {"type": "string", "const": SOURCE_REFRESHED_URL},
         "valueInstant": {"type": "string", "format": "date-time", "description": "When the source's last successful import finished."}},
        required=["url", "valueInstant"],
        description="How fresh the shared record's copy of the source is (`Profiles/StructureDefinition-source-last-refreshed.json`): "
                    "a failed sync keeps the last good data, so this can be older than last night.",
        example=source_extensions(*EXAMPLE_SOURCES[GP_SOURCE])[1]),
    "BundleOutcomeEntry": obj(
        {"resource": S("SearchOutcome"),
         "search": obj({"mode": {"type": "string", "const": "outcome"}}, required=["mode"])},
        required=["resource", "search"],
        description="Under `Prefer: handling=lenient`, when query parameters were left out: the last entry of the searchset, "
                    "without `fullUrl`, saying which (FHIR search mode `outcome`)."),
    "SearchOutcome": obj(
        {"resourceType": {"type": "string", "const": "OperationOutcome"},
         "issue": {"type": "array", "minItems": 1, "maxItems": 1, "items": obj(
             {"severity": {"type": "string", "const": "warning"},
              "code": {"type": "string", "const": "not-supported"},
              "details": obj({"text": {"type": "string", "pattern": "^Search parameters ignored \\(Prefer: handling=lenient\\): ",
                                       "description": "Names each parameter left out, quoted, in the order sent (a name cut "
                                                      "to 40 characters of `A-Z a-z 0-9 _ - . :`)."}},
                             required=["text"])},
             required=["severity", "code", "details"])}},
        required=["resourceType", "issue"],
        description="The warning of a lenient search: no `id`, no `meta`, no error code (the request succeeded).",
        example=LENIENT_OUTCOME),
    "Bundle": obj(
        {"resourceType": {"type": "string", "const": "Bundle"},
         "type": {"type": "string", "const": "searchset"},
         "total": {"type": "integer", "minimum": 0, "description": "All matches, not just this page."},
         "link": {"type": "array", "minItems": 1, "items": S("BundleLink"),
                  "description": "Always `self`; `next` when more matches follow, `previous` when `_offset` > 0 (neither when `_count=0` "
                                 "or `_summary=count`, nor for the unpaged `GET /Consent` and `$everything`)."},
         "entry": {"type": "array", "items": {"oneOf": [S("BundleEntry"), S("BundleOutcomeEntry")]},
                   "description": "The matches on this page (`search.mode` `match`), then, under `Prefer: handling=lenient` "
                                  "when parameters were left out, one `OperationOutcome` entry (`search.mode` `outcome`). "
                                  "Absent when there is neither (an empty page, `_count=0`, `_summary=count`)."}},
        required=["resourceType", "type", "total", "link"],
        description="A `searchset` Bundle (searches and `$everything`). No `id` or `meta`. Each page is authorised again: a link "
                    "followed after the patient's decisions changed may be answered `403`.",
        example=bundle(1, [("self", f"{BASE}/Condition?_count=50&_offset=0&patient={NHS}")], [CONDITION])),
    "CapabilityStatement": obj(
        {"resourceType": {"type": "string", "const": "CapabilityStatement"},
         "id": STR, "url": STR, "version": STR, "name": STR, "title": STR,
         "status": STR, "date": STR, "publisher": STR, "description": STR,
         "kind": {"type": "string", "const": "instance"},
         "software": obj({"name": STR, "version": STR}, required=["name"]),
         "implementation": obj({"description": STR, "url": {"type": "string", "description": "The configured `server.baseURL`."}},
                               required=["description"]),
         "fhirVersion": {"type": "string", "const": "4.0.1"},
         "format": arr(STR),
         "rest": arr(obj({"mode": {"type": "string", "const": "server"}, "documentation": STR,
                          "security": obj({"service": arr(S("CodeableConcept")), "description": STR}),
                          "resource": arr(obj({"type": STR, "profile": STR, "documentation": STR,
                                               "interaction": arr(obj({"code": STR, "documentation": STR}, required=["code"])),
                                               "searchParam": arr(obj({"name": STR, "definition": STR, "type": STR, "documentation": STR},
                                                                      required=["name", "type"])),
                                               "operation": arr(obj({"name": STR, "definition": STR, "documentation": STR},
                                                                    required=["name", "definition"]))},
                                              required=["type"]))},
                         required=["mode"]))},
        required=["resourceType", "status", "date", "kind", "fhirVersion", "format"],
        description="What the server supports, served at `/metadata`."),
    "Health": obj(
        {"status": {"type": "string", "enum": ["ok", "unavailable"],
                    "description": "`ok` (answered `200`), or `unavailable` (answered `503`) when the database cannot be reached."},
         "database": obj(
             {"backend": {"type": "string", "enum": ["sqlite", "postgresql"],
                          "description": "Which backend holds the record and the audit log (`database.path` or `database.url` in "
                                         "the configuration)."},
              "reachable": {"type": "boolean",
                            "description": "Whether the database answered this probe. `false`: the node cannot serve requests "
                                           "(they get `503`) and reconnects on its own."}},
             required=["backend", "reachable"],
             description="The database this node uses, and whether it answered just now."),
         "sources": {"type": "array", "items": S("HealthSource"),
                     "description": "How fresh each upstream source's data is, ordered by source `id`: every configured source "
                                    "(registered when `serve` starts; one never synced has no times yet) and any source since removed "
                                    "from the configuration that has a sync attempt. Empty for a new database without sources, "
                                    "and when the database cannot be reached."},
         "audit": obj(
             {"records": {"type": "integer", "minimum": 0, "description": "Audit records committed since the process started."},
              "transactions": {"type": "integer", "minimum": 0, "description": "Commits (group commit: each takes every record waiting)."},
              "largestTransaction": {"type": "integer", "minimum": 0, "description": "The most records committed in one transaction."},
              "failures": {"type": "integer", "minimum": 0,
                           "description": "Commits that failed (each answered its requests `503` `AUDIT_UNAVAILABLE`)."}},
             required=["records", "transactions", "largestTransaction", "failures"],
             description="Audit commit statistics since the process started (audit cannot be switched off)."),
         "jwks": S("HealthJWKS"),
         "rateLimited": {"type": "integer", "minimum": 0,
                         "description": "Requests refused with `429 TOO_MANY_REQUESTS` since the process started."}},
        required=["status", "database", "audit", "jwks", "rateLimited", "sources"],
        description="The probe's body: no patient data. Keys are sorted (in nested objects too); absent values are left out, "
                    "never `null`.",
        example=HEALTH),
    "SMARTConfiguration": {
        "type": "object",
        "description": "SMART App Launch v2 discovery (`GET /.well-known/smart-configuration`, `application/json`): where a SMART "
                       "client gets tokens for this service. Built once at start from `auth`: keys sorted, `/` not escaped. "
                       "The endpoints are the identity provider's; this service issues no tokens. `scopes_supported` lists the "
                       "scopes this service honours (v1 forms such as `user/*.read` are honoured too; `system/` scopes never); "
                       "`capabilities` says what SMART clients may expect of the region's identity provider, which this service "
                       "does not check.",
        "required": ["issuer", "authorization_endpoint", "token_endpoint", "grant_types_supported", "response_types_supported",
                     "code_challenge_methods_supported", "scopes_supported", "capabilities"],
        "properties": {
            "issuer": {"type": "string", "description": "`auth.issuer`: the `iss` of the tokens this service accepts."},
            "jwks_uri": {"type": "string", "format": "uri", "pattern": "^https://",
                         "description": "`auth.jwks` when it is an https URL; absent when the JWKS is a local file."},
            "authorization_endpoint": {"type": "string", "format": "uri", "pattern": "^https://",
                                       "description": "`auth.authorizationEndpoint`."},
            "token_endpoint": {"type": "string", "format": "uri", "pattern": "^https://", "description": "`auth.tokenEndpoint`."},
            "grant_types_supported": {"type": "array", "items": {"type": "string", "const": "authorization_code"},
                                      "minItems": 1, "maxItems": 1},
            "response_types_supported": {"type": "array", "items": {"type": "string", "const": "code"}, "minItems": 1, "maxItems": 1},
            "code_challenge_methods_supported": {"type": "array", "items": {"type": "string", "const": "S256"},
                                                 "minItems": 1, "maxItems": 1, "description": "PKCE with S256 only."},
            "scopes_supported": {"type": "array", "items": {"type": "string", "enum": SMART_SCOPES},
                                 "description": "Always this list, in this order: `openid`, `fhirUser`; "
                                                "`user/*.rs` and `user/<Type>.rs` for each served type; `user/Consent.c`; "
                                                "`patient/*.rs` and `patient/<Type>.rs` for each served type."},
            "capabilities": {"type": "array", "items": {"type": "string", "enum": SMART_CAPABILITIES},
                             "description": "Always this list."},
        },
        "additionalProperties": False,
        "examples": [smart_document(f"{IDP}/.well-known/jwks.json")],
    },
    "Probe": {
        "type": "object",
        "description": "The body of `/health/live` and `/health/ready` (`application/json`): nothing but `status`.",
        "required": ["status"],
        "properties": {"status": {
            "type": "string", "enum": ["ok", "ready", "draining", "database-unavailable", "audit-unavailable"],
            "description": "`/health/live`: always `ok`. `/health/ready`: `ready` (`200`), or why not (`503`), the first that "
                           "applies: `draining` (a graceful stop has begun), `database-unavailable` (the record's database "
                           "does not answer), `audit-unavailable` (the audit store cannot take a write now)."}},
        "additionalProperties": False,
        "examples": [{"status": "ready"}],
    },
    "HealthJWKS": obj(
        {"keys": {"type": "integer", "minimum": 0, "description": "How many usable signing keys (RSA, P-256 EC, each with a `kid`) "
                                                                  "the key set in use holds."},
         "lastLoaded": {"type": "string", "format": "date-time",
                        "description": "When the key set in use was loaded: at start, or when a reload last found a changed JWKS "
                                       "(UTC, milliseconds). A changed key set replaces the old one whole, and tokens verified "
                                       "before are verified again against it (a withdrawn key's tokens stop working at once)."},
         "lastAttempt": {"type": "string", "format": "date-time",
                         "description": "When the JWKS was last fetched (or read), successfully or not: every "
                                        "`auth.jwksRefreshSeconds` (default 300; 0: only on unknown `kid`s), and when a token names "
                                        "an unknown `kid` (at most once every 5 s)."},
         "lastAttemptSucceeded": {"type": "boolean",
                                  "description": "Whether that attempt worked. `false`: the last good keys stay in use."},
         "lastError": {"type": "string", "description": "Why the latest attempt failed; absent when it succeeded."}},
        required=["keys", "lastLoaded", "lastAttempt", "lastAttemptSucceeded"],
        description="The token verifier's key set (auth.jwks). A failed reload keeps the last good keys.",
        example=HEALTH_JWKS),
    "HealthSource": obj(
        {"id": {"type": "string", "description": "The source's `id` in the configuration (as in `meta.source` = "
                                                 "`urn:care-record:source:{id}` of the resources it supplied)."},
         "ods": {"type": "string", "description": "The ODS code of the organisation the source speaks for."},
         "lastSuccessfulSync": {"type": "string", "format": "date-time",
                                "description": "When the last successful sync of this source finished (UTC, milliseconds): the data "
                                               "of this source now in service is from then. Absent when no sync of it has ever "
                                               "succeeded (then it supplies no data)."},
         "lastAttempt": {"type": "string", "format": "date-time",
                         "description": "When the latest sync attempt, successful or not, ended (UTC, milliseconds)."},
         "lastAttemptSucceeded": {"type": "boolean",
                                  "description": "Whether that attempt succeeded. `false`: it failed (network, TLS, HTTP error, "
                                                 "malformed file, or a refresh refused as an implausible drop in volume) and the "
                                                 "source's previous data, from `lastSuccessfulSync`, stays in service (a sync is "
                                                 "all-or-nothing, C3)."}},
        required=["id", "ods"],
        description="One upstream source's freshness. `lastAttempt` and `lastAttemptSucceeded` are present for every listed source "
                    "(a source is listed once it has been attempted); `lastAttemptSucceeded` true means `lastSuccessfulSync` equals "
                    "`lastAttempt`.",
        example=HEALTH_SOURCES[1]),
}

SCHEMAS["AuditEvent"]["examples"] = [AUDIT_EXAMPLE_FILE, AUDIT_REFUSED, AUDIT_REFUSED_FOR_PATIENT, AUDIT_ATTEMPT_REFUSED_FILE,
                                     AUDIT_PROBE_FILE, AUDIT_PROBE_FOR_PATIENT]

for t in ["Patient"] + CLINICAL + ["Consent", "AuditEvent"]:
    SCHEMAS[f"{t}Bundle"] = {
        "description": f"A searchset Bundle of `{t}` resources (and, under `Prefer: handling=lenient`, an outcome entry).",
        "allOf": [S("Bundle"), {"type": "object", "properties": {
            "entry": {"type": "array", "items": {"anyOf": [
                {"type": "object", "properties": {"resource": S(t)}}, S("BundleOutcomeEntry")]}}}}],
    }

# ---------------------------------------------------------------- components: examples

EXAMPLES = {k: {"summary": s, "value": outcome("INVALID_PARAMETER", "invalid", t)} for k, (s, t) in INVALID_PARAMETER_EXAMPLES.items()}
for k, (summary, code, issue_type, text) in ERROR_EXAMPLES.items():
    EXAMPLES[k] = {"summary": summary, "value": outcome(code, issue_type, text)}
for k, (summary, text) in CONSENT_422.items():
    EXAMPLES[f"consent422{k[0].upper()}{k[1:]}"] = {"summary": summary, "value": outcome("INVALID_RESOURCE", "structure", text)}
for name, value in RESOURCE_EXAMPLES.items():
    EXAMPLES[name] = {"summary": f"A served {name}", "value": value}
EXAMPLES["ConsentImported"] = {"summary": "A Consent imported from the registered GP practice's feed", "value": CONSENT}
EXAMPLES["ConsentRecorded"] = {"summary": "A Consent recorded with POST /Consent (permanent consent to view)",
                               "description": "`Examples/resources/Consent-recorded.json`: the answer to `Consent-permanent.json` "
                                              "posted by dr.jones of A81001.", "value": CONSENT_CREATED}
EXAMPLES["ConsentRecorded24Hour"] = {"summary": "A 24-hour consent to view recorded with POST /Consent by dr.patel at RJR",
                                     "value": CONSENT_CREATED_24H}
for name, body in CONSENT_REQUESTS.items():
    summary, description = CONSENT_REQUEST_SUMMARIES[name]
    key = "consentRequest" + "".join(part.capitalize() for part in name.split("-"))
    EXAMPLES[key] = {"summary": summary, "description": f"`Examples/consent-requests/Consent-{name}.json`. {description}", "value": body}
EXAMPLES["CapabilityStatement"] = {
    "summary": "The CapabilityStatement for baseURL http://127.0.0.1:8080",
    "description": "`Profiles/CapabilityStatement-care-record.json` plus `implementation` (the configured `server.baseURL`).",
    "value": capability_statement()}
EXAMPLES["CapabilityStatementSMART"] = {
    "summary": "The same with auth.authorizationEndpoint and auth.tokenEndpoint configured",
    "description": "`rest[0].security` carries `SMART-on-FHIR` beside `OAuth` and a longer description; everything else is as in "
                   "`Profiles/CapabilityStatement-care-record.json` (which stays the unconfigured statement).",
    "value": capability_statement_smart()}

# ---------------------------------------------------------------- paths

COMMON_ERRORS = {
    "401": ref("responses", "TokenInvalid"),
    "403": ref("responses", "ForbiddenOrganisation"),
    "406": ref("responses", "NotAcceptable"),
    "429": ref("responses", "TooManyRequests"),
    "503": ref("responses", "AuditUnavailable"),
}
BTG_PARAMS = [ref("parameters", "PurposeOfUse"), ref("parameters", "AccessReason")]
ID_PARAMS = [ref("parameters", "XRequestID"), ref("parameters", "XCorrelationID"), ref("parameters", "Traceparent"),
             ref("parameters", "Tracestate")]
# Every authenticated operation: the optional cross-check of the end user's organisation.
AUTH_PARAMS = [ref("parameters", "EndUserOrganisation")]
UNAVAILABLE_READ = ("503", "UnavailableRead")


def ok(description, schema, example=None, examples=None):
    content = {"schema": schema}
    if example is not None:
        content["example"] = example
    if examples:
        content["examples"] = examples
    return {"description": description, "headers": VALIDATOR_HEADERS, "content": {FHIR: content}}


def read_params(path_param):
    return [ref("parameters", path_param), ref("parameters", "Format"), ref("parameters", "IfNoneMatch"),
            *ID_PARAMS] + AUTH_PARAMS + BTG_PARAMS


def search_params(*first, paged=True):
    paging = [ref("parameters", "Count"), ref("parameters", "Offset")] if paged else []
    return [ref("parameters", p) for p in first] + paging + [ref("parameters", "Format"), ref("parameters", "IfNoneMatch"),
                                                             *ID_PARAMS] + AUTH_PARAMS + [ref("parameters", "Prefer")] + BTG_PARAMS


def responses(ok_response, *errors, ok_status="200", conditional=True):
    out = {ok_status: ok_response}
    if conditional:
        out["304"] = ref("responses", "NotModified")
    for status, name in errors:
        out[status] = ref("responses", name)
    out.update({k: v for k, v in COMMON_ERRORS.items() if k not in out})
    out["500"] = ref("responses", "InternalError")
    return dict(sorted(out.items()))


ACCESS_NOTE = ("Order, before anything is looked up: the names of the query parameters (unknown or repeated: `400`), the "
               "values of `_count`/`_offset` where accepted (`400`), the emergency-override headers (`400`), the token's SMART "
               "scopes (`403 SCOPE_NOT_GRANTED`, when the token has a `scope` claim or `auth.requireScopes` is true), then the NHS "
               "number (`400`). Then the access decision (C5, in order): role "
               "(`403 ROLE_NOT_PERMITTED` unless a clinical role with `registration`, or role `patient` asking about their own NHS "
               "number) → care relationship of the user's organisation, or an emergency override (otherwise {missing}) → opted out "
               "/ blocked (`403`, never overridable) → consent in force for this user → emergency override → otherwise `403 "
               "CONSENT_REQUIRED`. Role `patient`: their own record, "
               "unless opted out; asking about another NHS number is `403 ROLE_NOT_PERMITTED`, audited under their own NHS number. "
               "The data is read in one snapshot with the patient's sharing state the decision was made on; if that state changed "
               "meanwhile, the decision is made again (at most three times, then `503 SERVICE_BUSY`).")

READ_BY_ID_NOTE = (
    "Order: query parameters (`400`) → emergency-override headers (`400`) → role (`403 ROLE_NOT_PERMITTED` for `admin`, "
    "`privacy-officer` and a clinical role without `registration`) → the token's SMART scopes (`403 SCOPE_NOT_GRANTED` unless "
    "they grant `r` on the type, when the token has a `scope` claim or `auth.requireScopes` is true), all before the id is "
    "looked up, so the answers do not depend "
    "on whether it exists and these roles cannot learn which ids exist → the id (`404 RESOURCE_NOT_FOUND` when there is no such "
    "id) → the access decision (C5) about the resource's patient: care relationship of the user's organisation, or an emergency "
    "override (otherwise `404 RESOURCE_NOT_FOUND`, the same answer as for an unknown id) → opted out / blocked (`403`, never "
    "overridable) → consent in force for this user → emergency override → otherwise `403 CONSENT_REQUIRED`. Role `patient`: "
    "resources about their own record, unless opted out (`403 PATIENT_OPTED_OUT`); another patient's resource is `404 "
    "RESOURCE_NOT_FOUND` as if the id did not exist (audited under the requester's own NHS number). The resource is read again "
    "consistently with the sharing state the decision was made on; if that state changed meanwhile, the decision is made again "
    "(at most three times, then `503 SERVICE_BUSY`).")


def write_op(method, type_, with_id):
    target = f"/{type_}/{{id}}" if with_id else f"/{type_}"
    consent_collection = type_ == "Consent" and not with_id
    allow = "GET, HEAD, POST" if consent_collection else "GET, HEAD"
    op = {
        "tags": ["Writes (refused)"],
        "operationId": f"{method}{type_}{'Instance' if with_id else 'Type'}",
        "summary": f"{method.upper()} {target}: refused, the record is view-only",
        "description": f"Always `405` `READ_ONLY` with `Allow: {allow}` for an authenticated user of a participating organisation "
                       "(the rate limit, negotiation, then authentication and the organisation, are checked first). Query parameters other than `_format` and the body are "
                       "ignored. Audited like every request.",
        "parameters": ([ref("parameters", "AnyId")] if with_id else []) + [ref("parameters", "Format"), *ID_PARAMS] + AUTH_PARAMS,
        "responses": {"401": ref("responses", "TokenInvalid"), "403": ref("responses", "ForbiddenOrganisation"),
                      "405": ref("responses", "ReadOnlyConsent" if consent_collection else "ReadOnly"),
                      "406": ref("responses", "NotAcceptable"),
                      "429": ref("responses", "TooManyRequests"),
                      "503": ref("responses", "AuditUnavailable")},
    }
    return op


def write_ops(type_, with_id, methods):
    return {m: write_op(m, type_, with_id) for m in methods}


PATHS = {}

PATHS["/metadata"] = {"get": {
    "tags": ["Capabilities"],
    "operationId": "capabilities",
    "summary": "The CapabilityStatement",
    "description": "No token needed, not audited, not rate limited. Accepts only `_format` as query parameter (anything else is `400`). "
                   "The body is fixed for the life of the process, so its ETag is stable; there is no `Last-Modified`. "
                   "It equals `Profiles/CapabilityStatement-care-record.json` plus `implementation`; when "
                   "`auth.authorizationEndpoint` and `auth.tokenEndpoint` are configured (SMART on FHIR), `rest[0].security` "
                   "also carries the `SMART-on-FHIR` service code and a longer description (see the examples).",
    "security": [],
    "parameters": [ref("parameters", "Format"), ref("parameters", "IfNoneMatch"), *ID_PARAMS],
    "responses": {
        "200": {"description": "The CapabilityStatement.",
                "headers": {**STD_HEADERS, "ETag": ref("headers", "ETag")},
                "content": {FHIR: {"schema": S("CapabilityStatement"), "examples": {
                    "capabilityStatement": ref("examples", "CapabilityStatement"),
                    "smartConfigured": ref("examples", "CapabilityStatementSMART")}}}},
        "304": ref("responses", "NotModified"),
        "400": ref("responses", "InvalidParameter"),
        "406": ref("responses", "NotAcceptable"),
    },
}}

PATHS["/.well-known/smart-configuration"] = {"get": {
    "tags": ["Capabilities"],
    "operationId": "smartConfiguration",
    "summary": "SMART on FHIR discovery (when configured)",
    "description": "SMART App Launch v2 discovery: the identity provider's authorization and token endpoints, the scopes this "
                   "service honours and the SMART capabilities. Served only when `auth.authorizationEndpoint` and "
                   "`auth.tokenEndpoint` are both configured (https URLs); otherwise there is no such route and the answer is `404` "
                   "`NOT_SUPPORTED`, as for any unknown endpoint. No token needed, not audited (exactly this path; other "
                   "`/.well-known/` paths are unknown endpoints and are audited), not rate limited (nothing under `/.well-known/` "
                   "is). Accepts only `_format` as query parameter (anything else is `400`); `Accept` and `_format` are "
                   "negotiated as everywhere else (`406`), though the body is `application/json`. The body is fixed for the life "
                   "of the process; no `ETag`, `Last-Modified` or conditional requests. `HEAD` answers the same without the body. "
                   "The scopes a client is granted come back in its tokens' `scope` claim, and narrow what the user's role allows "
                   "(see SMART on FHIR in the introduction).",
    "security": [],
    "parameters": [ref("parameters", "Format"), *ID_PARAMS],
    "responses": {
        "200": {"description": "The SMART configuration.", "headers": STD_HEADERS,
                "content": {"application/json": {"schema": S("SMARTConfiguration"), "examples": {
                    "jwksURL": {"summary": "auth.jwks is an https URL: jwks_uri is given",
                                "value": smart_document(f"{IDP}/.well-known/jwks.json")},
                    "jwksFile": {"summary": "auth.jwks is a local file: no jwks_uri", "value": smart_document()}}}}},
        "400": ref("responses", "InvalidParameter"),
        "404": ref("responses", "SMARTNotConfigured"),
        "406": ref("responses", "NotAcceptable"),
    },
}}

PATHS["/health"] = {"get": {
    "tags": ["Capabilities"],
    "operationId": "health",
    "summary": "Status report: data freshness, audit commits, token keys, database",
    "description": "For a load balancer or an orchestrator, `GET /health/ready` (send requests here?) and `GET /health/live` (is "
                   "the process alive?) are the probes to use; this report does not say whether the node is stopping. "
                   "No token needed, not audited, not rate limited. Query parameters are ignored except `_format`, and `Accept` is negotiated as "
                   "everywhere else (a probe sending e.g. `Accept: text/plain` gets `406`). No `ETag`, `Last-Modified` or "
                   "conditional request support. Reports:\n"
                   "- `audit`: the audit writer's commit statistics since the process started;\n"
                   "- `jwks`: the token verifier's key set: how many keys, when it was loaded, and how the latest reload went "
                   "(a failed reload keeps the last good keys, and says why in `lastError`);\n"
                   "- `sources`: for each upstream source, when its data in service was synced (`lastSuccessfulSync`) and how its "
                   "latest sync attempt went (`lastAttempt`, `lastAttemptSucceeded`). This is how clients tell how fresh each "
                   "source's data is (each served resource also names its source in `meta.source`). A source whose latest attempt "
                   "failed goes on serving the data of its last successful sync;\n"
                   "- `database`: the backend (`sqlite` or `postgresql`) and whether it answered just now.\n\n"
                   "The database is asked on every call, and the source list read from it: when it cannot be reached "
                   "(PostgreSQL down, a connection lost, the read failing), the answer is `503` with the same JSON body, "
                   "`status` `unavailable`, `database.reachable` `false` and no `sources`, so a load balancer sends requests "
                   "to another node; the node reconnects on its own. Any other failure is `500` `INTERNAL_ERROR` (an "
                   "OperationOutcome, `application/fhir+json`).",
    "security": [],
    "parameters": [ref("parameters", "Format"), *ID_PARAMS],
    "responses": {
        "200": {"description": "The process is up (and its database readable).", "headers": STD_HEADERS,
                "content": {"application/json": {"schema": S("Health"), "examples": {
                    "running": {"summary": "The hospital's latest sync failed, so its data is from the day before",
                                "value": HEALTH},
                    "jwksReloadFailed": {"summary": "The latest JWKS reload failed: the keys loaded at 02:00 stay in use",
                                         "value": HEALTH_JWKS_RELOAD_FAILED},
                    "newDatabase": {"summary": "Just started on a database no source has been synced into", "value": HEALTH_NEW_DATABASE}}}}},
        "406": ref("responses", "NotAcceptable"),
        "503": {"description": "The database cannot be reached: this node cannot serve requests now (it reconnects on its own).",
                "headers": STD_HEADERS,
                "content": {"application/json": {"schema": S("Health"), "examples": {
                    "databaseUnreachable": {"summary": "One node of several: its PostgreSQL database cannot be reached",
                                            "value": HEALTH_DATABASE_UNREACHABLE}}}}},
        "500": ref("responses", "InternalError"),
    },
}}

PROBE_HEADERS = STD_HEADERS


def probe(status, summary):
    return {"summary": summary, "value": {"status": status}}


PATHS["/health/live"] = {"get": {
    "tags": ["Capabilities"],
    "operationId": "healthLive",
    "summary": "Liveness probe",
    "description": "`200` `{\"status\":\"ok\"}` whenever the process answers HTTP; nothing else is checked, so a busy or cut-off "
                   "database never gets a node restarted. It stays `200` while the node drains before a graceful stop. No token "
                   "needed, not audited, not rate limited. Query parameters are ignored except `_format`; `Accept` and `_format` "
                   "are negotiated as everywhere else (`406`). `HEAD` answers the same without the body.",
    "security": [],
    "parameters": [ref("parameters", "Format"), *ID_PARAMS],
    "responses": {
        "200": {"description": "The process is alive.", "headers": PROBE_HEADERS,
                "content": {"application/json": {"schema": S("Probe"), "examples": {"alive": probe("ok", "Alive")}}}},
        "406": ref("responses", "NotAcceptable"),
    },
}}

PATHS["/health/ready"] = {"get": {
    "tags": ["Capabilities"],
    "operationId": "healthReady",
    "summary": "Readiness probe: send this node requests?",
    "description": "`200` `{\"status\":\"ready\"}` while the node is not stopping and can answer an audited request: the "
                   "record's database answers (`SELECT 1`) and the audit store can commit (SQLite: the audit file's write lock "
                   "is taken and given straight back, waiting at most 2 s behind another writer; PostgreSQL: the database "
                   "answers and is a primary, not a standby left behind by a failover). Nothing is written. Otherwise `503` "
                   "with the first reason that applies: `draining` from the moment `care-record serve` receives SIGTERM or "
                   "SIGINT (for `server.shutdownDrainSeconds`, default 5, the node goes on serving every request while this "
                   "answers `503`, so a load balancer that follows it moves the traffic away; then the server stops accepting "
                   "connections, finishes the requests in flight and exits 0), `database-unavailable`, `audit-unavailable`. "
                   "Unless the node is draining, both stores are asked on every call (at the same time). No `Retry-After` on "
                   "this `503`. No token needed, not audited, not rate limited. Query parameters are ignored except `_format`; "
                   "`Accept` and `_format` are negotiated as everywhere else (`406`). `HEAD` answers the same status without "
                   "the body.",
    "security": [],
    "parameters": [ref("parameters", "Format"), *ID_PARAMS],
    "responses": {
        "200": {"description": "Ready: send this node requests.", "headers": PROBE_HEADERS,
                "content": {"application/json": {"schema": S("Probe"), "examples": {"ready": probe("ready", "Ready")}}}},
        "406": ref("responses", "NotAcceptable"),
        "503": {"description": "Not ready: send requests to another node. The body says why.", "headers": PROBE_HEADERS,
                "content": {"application/json": {"schema": S("Probe"), "examples": {
                    "draining": probe("draining", "A graceful stop has begun (SIGTERM): the node still serves during the drain"),
                    "databaseUnavailable": probe("database-unavailable", "The record's database does not answer"),
                    "auditUnavailable": probe("audit-unavailable",
                                              "The audit store cannot commit (its write lock not free within 2 s, or a "
                                              "PostgreSQL standby)")}}}},
    },
}}

PATIENT_SEARCH_SELF = f"{BASE}/Patient?_count=50&_offset=0&identifier=https://fhir.nhs.uk/Id/nhs-number%7C{NHS}"
PATHS["/Patient"] = {
    "get": {
        "tags": ["Patient"],
        "operationId": "searchPatient",
        "summary": "Find a patient by NHS number",
        "description": "Search by NHS number identifier only (there is no region-wide search by name or date of birth). "
                       "Returns a searchset with `total` 1 and the Patient when the access decision allows reading the record and "
                       "the service holds the patient's demographics. An NHS number the service does not know, or a patient the "
                       "user's organisation has no care relationship with (and no emergency override), gives an empty searchset "
                       "with `total` 0, never `404`; so does an allowed patient without demographics. The other refusals are errors: "
                       "`403` as for a read. `_count=0` or `_offset` > 0 return `total` without the entry. "
                       + ACCESS_NOTE.format(missing="an empty searchset"),
        "parameters": search_params("NHSIdentifier"),
        "responses": responses(
            ok("A searchset Bundle with at most one Patient.", S("PatientBundle"), examples={
                "found": {"summary": "The patient is visible", "value": bundle(1, [("self", PATIENT_SEARCH_SELF)], [PATIENT])},
                "notVisible": {"summary": "Unknown patient, or no care relationship", "value": bundle(0, [("self", PATIENT_SEARCH_SELF)], [])},
            }),
            ("400", "BadRequestPatientSearch"), ("403", "ForbiddenRead"), UNAVAILABLE_READ),
    },
    **write_ops("Patient", False, ["post", "put", "patch", "delete"]),
}

PATHS["/Patient/{id}"] = {
    "get": {
        "tags": ["Patient"],
        "operationId": "readPatient",
        "summary": "Read a patient by NHS number",
        "description": "Only `_format` is accepted as query parameter. `404` `PATIENT_NOT_FOUND` for an unknown NHS number, for a "
                       "patient the user's organisation has no care relationship with (without an emergency override), and for an "
                       "allowed patient without demographics (e.g. known only from an episode of care). "
                       + ACCESS_NOTE.format(missing="`404 PATIENT_NOT_FOUND`"),
        "parameters": read_params("NHSNumberPath"),
        "responses": responses(ok("The Patient.", S("Patient"), examples={"patient": ref("examples", "Patient")}),
                               ("400", "BadRequestPatientRead"), ("403", "ForbiddenRead"), ("404", "PatientNotFound"),
                               UNAVAILABLE_READ),
    },
    **write_ops("Patient", True, ["post", "put", "patch", "delete"]),
}

EVERYTHING = bundle(5, [("self", f"{BASE}/Patient/{NHS}/$everything")], [PATIENT, ALLERGY, CONDITION, MEDICATION, CONSENT])
PATHS["/Patient/{id}/$everything"] = {"get": {
    "tags": ["Patient"],
    "operationId": "patientEverything",
    "summary": "Everything about one patient",
    "description": "A single, unpaged searchset Bundle: the Patient (when demographics are held), then every AllergyIntolerance, "
                   "Condition and MedicationStatement, then the Consent resources (sharing decisions, oldest first). `total` is the "
                   "number of entries; the only link is `self`. The entries are read from one database snapshot, so a sync running at "
                   "the same time shows either entirely or not at all. Only `_format` is accepted as query parameter (`_count`/`_offset` are "
                   "`400`). Same access decision as the Patient read; an allowed patient without demographics is not `404` here. "
                   "A token with a `scope` claim needs `r` on every type returned: Patient, AllergyIntolerance, Condition, "
                   "MedicationStatement and Consent (`user/*.rs`, or those five `user/<Type>.rs`; `patient/` for role `patient`), "
                   "else `403 SCOPE_NOT_GRANTED` naming the first missing. "
                   + ACCESS_NOTE.format(missing="`404 PATIENT_NOT_FOUND`"),
    "parameters": read_params("NHSNumberPath"),
    "responses": responses(ok("The patient's record.", S("Bundle"), example=EVERYTHING),
                           ("400", "BadRequestPatientRead"), ("403", "ForbiddenEverything"), ("404", "PatientNotFound"),
                           UNAVAILABLE_READ),
}}

for t in CLINICAL:
    res = RESOURCE_EXAMPLES[t]
    status_key, status_name, status_element, status_codes, _ = STATUS_SEARCH[t]
    # A page's query: the applied parameters sorted by name, then value (SearchParameters.query).
    filtered_self = f"{BASE}/{t}?" + "&".join(f"{k}={v}" for k, v in sorted(
        [("_count", "50"), ("_offset", "0"), ("_lastUpdated", "ge2026-01-01"), ("_sort", "-_lastUpdated"),
         (status_name, "active"), ("patient", NHS)]))
    PATHS[f"/{t}"] = {
        "get": {
            "tags": [t],
            "operationId": f"search{t}",
            "summary": f"{t} resources of one patient",
            "description": f"Every `{t}` of the patient, ordered by id and paged with `_count`/`_offset`; optionally only those "
                           f"updated within `_lastUpdated` bounds and with a given `{status_name}` (on `{status_element}`), "
                           "ordered by `meta.lastUpdated` with `_sort`, or only counted with `_summary=count`. The filters and "
                           "the order apply before paging, so `total` counts the matches and the links page through them. "
                           "Their values are checked before anything is looked up (`400 INVALID_PARAMETER`, the same for "
                           "every patient). "
                           "A patient the service does not know, or the user's organisation has no care relationship with (and no "
                           "emergency override), gives an empty searchset (`total` 0), not an error; the other refusals are `403`. "
                           "Every page is decided again. " + ACCESS_NOTE.format(missing="an empty searchset"),
            "parameters": search_params("PatientParam", "LastUpdated", status_key, "Sort", "Summary"),
            "responses": responses(
                ok(f"A searchset Bundle of {t}.", S(f"{t}Bundle"), examples={
                    "page": {"summary": "First page of 3 matches with _count=1", "value": bundle(
                        3, [("self", f"{BASE}/{t}?_count=1&_offset=0&patient={NHS}"),
                            ("next", f"{BASE}/{t}?_count=1&_offset=1&patient={NHS}")], [res])},
                    "filtered": {"summary": f"?patient={NHS}&{status_name}=active&_lastUpdated=ge2026-01-01&_sort=-_lastUpdated: "
                                            "one match", "value": bundle(1, [("self", filtered_self)], [res])},
                    "count": {"summary": f"?patient={NHS}&_summary=count: the number of matches only", "value": bundle(
                        3, [("self", f"{BASE}/{t}?_count=50&_offset=0&_summary=count&patient={NHS}")], [])},
                    "lenient": {"summary": f"?patient={NHS}&code=44054006&_count=1 with Prefer: handling=lenient: `code` is "
                                           "left out, and an outcome entry says so", "value": bundle(
                        3, [("self", f"{BASE}/{t}?_count=1&_offset=0&patient={NHS}"),
                            ("next", f"{BASE}/{t}?_count=1&_offset=1&patient={NHS}")], [res], ignored=["code"])},
                    "notVisible": {"summary": "Unknown patient, or no care relationship", "value": bundle(
                        0, [("self", f"{BASE}/{t}?_count=50&_offset=0&patient={NHS}")], [])},
                }),
                ("400", "BadRequestClinicalSearch"), ("403", "ForbiddenRead"), UNAVAILABLE_READ),
        },
        **write_ops(t, False, ["post", "put", "patch", "delete"]),
    }
    PATHS[f"/{t}/{{id}}"] = {
        "get": {
            "tags": [t],
            "operationId": f"read{t}",
            "summary": f"Read one {t}",
            "description": "Only `_format` is accepted as query parameter. `404` `RESOURCE_NOT_FOUND` when there is no such id, "
                           "when the resource's patient is not visible to the user (no care relationship and no emergency override), "
                           "and when a patient asks for another patient's resource: the answers are identical. " + READ_BY_ID_NOTE,
            "parameters": read_params("ResourceId"),
            "responses": responses(ok(f"The {t}.", S(t), examples={t[0].lower() + t[1:]: ref("examples", t)}),
                                   ("400", "BadRequestRead"), ("403", "ForbiddenReadById"), ("404", "ResourceNotFound"),
                                   UNAVAILABLE_READ),
        },
        **write_ops(t, True, ["post", "put", "patch", "delete"]),
    }

CONSENT_CREATE_DESCRIPTION = """\
Records one sharing decision for one patient (C6). The body is a FHIR R4 `Consent` (see `ConsentRequest`; the `Content-Type` is not \
examined, send `application/fhir+json`); at most 64 KiB.

Kinds: **consent to view** (`provision.type=permit`, action `access`), permanent (no actor, no end; a \
`provision.period.start`, if any, may not be in the future: `422`) or for the recording professional only for at most 24 \
hours (`provision.actor` naming the user by `reference.identifier.value` = token `sub`, and `provision.period` covering now); \
**block** (`deny` + `access`); **opt out** (`deny` + `collect`); **lift** a block or opt-out (a newer permanent `permit` + \
`access`). Every decision applies from the next request (an opt-out withholds the data at once); none can start in the \
future. `text` and `policy` are not accepted (`422`).

Checks, in order: query parameters (only `_format`); emergency-override headers if sent (`400`; they do not help here, but \
the request is recorded as an emergency override attempt); the token's SMART scopes, when it has a `scope` claim or \
`auth.requireScopes` is true (`403 SCOPE_NOT_GRANTED` unless they grant `c` on Consent: `user/Consent.c`, `user/Consent.cruds`, \
`user/*.write`, ...; the body is not read before this); body size (`413`); JSON (`400`); the Consent itself (`422`, see the \
examples: nothing about the user's access is revealed before the body is valid); then the access decision for recording:
- clinical role with a `registration` claim, else `403 ROLE_NOT_PERMITTED`;
- the user's organisation has a care relationship with the patient (registered GP practice, or an active episode of care), else \
`404 PATIENT_NOT_FOUND` (as for an unknown NHS number; an emergency override does not help);
- consent to view: any such clinician, no consent needed, unless the record is blocked or opted out: then it is a lift;
- block, opt-out and lift: clinicians of the patient's registered GP practice only (others `403 ROLE_NOT_PERMITTED`); a 24-hour \
consent cannot lift (`422`).

The server stores the Consent with a new id (a UUID), `dateTime` and `meta.lastUpdated` from its own clock, `performer` = the user \
(`https://cheshire-care-record.nhs.uk/Id/user` identifier = `sub`, display = `name`), `organization` = the user's ODS code, \
`patient` as both reference and identifier, and `meta.source` `urn:care-record:source:api`. The decision applies from the next \
request; the latest decision wins. An opt-out hides the patient's demographics and clinical entries from the next request and \
deletes them as soon as the record's writer is free (after a sync running at that moment). Each POST records a new decision \
(not idempotent).

Audited as `create`, and audited first: once the request has passed every check above, its audit record (status `201`, \
`returned` = `Consent/{id}`) is committed before the decision is stored. If the audit store cannot commit it the answer is `503 \
AUDIT_UNAVAILABLE` and nothing is stored: the decision does not apply and posting again is safe. Decisions are stored apart \
from the imported record, so a sync does not hold them up; if the decision still cannot be stored within a bounded wait of 2 s \
behind another writer of its store, the answer is `503 SERVICE_BUSY` (`Retry-After: 1`) and nothing is stored, and a second \
audit record for the same request id records that `503` (any other failure to store: `500 INTERNAL_ERROR`, likewise recorded \
a second time). Posting again is safe in every case."""

CONSENT_SEARCH_SELF = f"{BASE}/Consent?patient={NHS}"
PATHS["/Consent"] = {
    "get": {
        "tags": ["Consent"],
        "operationId": "searchConsent",
        "summary": "The sharing decisions of one patient",
        "description": "The patient's sharing decisions in one history, oldest first (by `dateTime`, then by arrival): imported from "
                       "upstream sources and recorded with `POST /Consent`. Not paged: `total` is the number of entries and the only "
                       "link is `self` (`{baseURL}/Consent?patient={NHS number}`); the only parameters are `patient` and `_format`. "
                       "Shown to users allowed to read the record, by the same access decision: a patient the service does not know, "
                       "or one the user's organisation has no care relationship with (and no emergency override), gives an empty "
                       "searchset; the other refusals are `403` (so a clinician without consent gets `403 CONSENT_REQUIRED`, and "
                       "for a blocked or opted-out record every clinician gets `403`, the registered practice included). "
                       + ACCESS_NOTE.format(missing="an empty searchset"),
        "parameters": search_params("PatientParam", paged=False),
        "responses": responses(
            ok("A searchset Bundle of Consent.", S("ConsentBundle"), examples={
                "found": {"summary": "An imported consent to view and a permanent consent recorded through the API",
                          "value": bundle(2, [("self", CONSENT_SEARCH_SELF)], [CONSENT, CONSENT_CREATED])},
                "notVisible": {"summary": "Unknown patient, or no care relationship",
                               "value": bundle(0, [("self", CONSENT_SEARCH_SELF)], [])},
            }),
            ("400", "BadRequestConsentSearch"), ("403", "ForbiddenRead"), UNAVAILABLE_READ),
    },
    "post": {
        "tags": ["Consent"],
        "operationId": "createConsent",
        "summary": "Record a sharing decision",
        "description": CONSENT_CREATE_DESCRIPTION,
        "parameters": [ref("parameters", "Format"), *ID_PARAMS] + AUTH_PARAMS + BTG_PARAMS,
        "requestBody": {
            "required": True,
            "description": "A FHIR R4 Consent (`Examples/consent-requests/`). The 24-hour example must be posted by `dr.patel` while its "
                           "period covers now.",
            "content": {FHIR: {"schema": S("ConsentRequest"), "examples": {
                key: ref("examples", key) for key in
                ["consentRequestPermanent", "consentRequest24Hour", "consentRequestBlock",
                 "consentRequestOptOut", "consentRequestLift"]}}},
        },
        "responses": responses(
            {"description": "Created: the Consent as stored (the same bytes `GET /Consent/{id}` serves).",
             "headers": {**STD_HEADERS, "Location": ref("headers", "Location"), "ETag": ref("headers", "ETag"),
                         "Last-Modified": ref("headers", "Last-Modified")},
             "content": {FHIR: {"schema": S("Consent"), "examples": {
                 "permanent": ref("examples", "ConsentRecorded"), "twentyFourHour": ref("examples", "ConsentRecorded24Hour")}}}},
            ("400", "BadRequestConsentCreate"), ("403", "ForbiddenConsentCreate"), ("404", "PatientNotFound"),
            ("413", "ConsentTooLarge"), ("422", "ConsentUnprocessable"), ("503", "UnavailableConsentCreate"),
            ok_status="201", conditional=False),
    },
    **write_ops("Consent", False, ["put", "patch", "delete"]),
}

PATHS["/Consent/{id}"] = {
    "get": {
        "tags": ["Consent"],
        "operationId": "readConsent",
        "summary": "Read one sharing decision",
        "description": "Only `_format` is accepted as query parameter. `404` `RESOURCE_NOT_FOUND` when there is no such id, when "
                       "its patient is not visible to the user (no care relationship and no emergency override), and when a patient "
                       "asks for another patient's decision: identical answers. The access decision about its patient is the one "
                       "for reading the record. " + READ_BY_ID_NOTE,
        "parameters": read_params("ConsentId"),
        "responses": responses(ok("The Consent.", S("Consent"), examples={
            "imported": ref("examples", "ConsentImported"), "recorded": ref("examples", "ConsentRecorded")}),
            ("400", "BadRequestRead"), ("403", "ForbiddenReadById"), ("404", "ResourceNotFound"), UNAVAILABLE_READ),
    },
    **write_ops("Consent", True, ["post", "put", "patch", "delete"]),
}

AUDIT_SELF = f"{BASE}/AuditEvent?_count=50&_offset=0&patient={NHS}"
PATHS["/AuditEvent"] = {
    "get": {
        "tags": ["AuditEvent"],
        "operationId": "searchAuditEvent",
        "summary": "Who accessed a patient's record (C8)",
        "description": "The audit records about one patient (every request that named the patient, allowed or refused), as FHIR "
                       "AuditEvents, newest first, paged with `_count`/`_offset`; filtered by `date` (on `recorded`) and `subtype` "
                       "(`subtype=emergency-override` finds every emergency override attempt, allowed or refused). Who may ask:\n"
                       "- role `patient`: their own NHS number only (token `nhs_number`), even when opted out;\n"
                       "- role `privacy-officer`: for a patient registered with their organisation, everything; for any other NHS "
                       "number, only what their own organisation's staff did;\n"
                       "- everyone else: `403 ROLE_NOT_PERMITTED`.\n\n"
                       "A token with a `scope` claim needs `s` on AuditEvent (`patient/AuditEvent.s` or `patient/*.rs` for role "
                       "`patient`, `user/AuditEvent.s` or `user/*.rs` for a privacy officer), else `403 SCOPE_NOT_GRANTED`, "
                       "checked before the role and before anything is looked up.\n\n"
                       "A request by a patient-role user for another patient's record is filed under the requester's own NHS "
                       "number: it is in the requester's own trail (its description shows `(another patient's record)` instead of "
                       "the path, and the other NHS number is not shown) and never in the other patient's. A privacy officer's "
                       "search for the other patient's NHS number finds it too (within the scope above), with an extra Patient "
                       "entity naming the other patient (`description` \"another patient's record, asked for by a patient\").\n\n"
                       "No care relationship or consent is involved and there is no `404`: an NHS number the service has never seen "
                       "gives the requests about it, if any. The request itself is audited after it is answered, so it is not in its "
                       "own result. Emergency-override headers are checked (`400`) but change nothing here (the request is still "
                       "recorded as an override attempt). Summaries of requests refused by the rate limit are about no patient and "
                       "are never returned. Each entry's `fullUrl` reads it again with `GET /AuditEvent/{id}`.\n\n"
                       "What each sees: a privacy officer gets the whole event; role `patient` gets who (user id, name, role, "
                       "organisation), when, what and the outcome, but not the staff member's registration number (`agent.altId`) "
                       "or IP address (`agent.network`).\n\n"
                       "**Without `patient`: a privacy officer's review of their organisation (issue 11).** Role `privacy-officer` "
                       "only (everyone else `403 ROLE_NOT_PERMITTED`). Every record about a patient registered with the officer's "
                       "organisation *when the access was made* (each record keeps the registered practice it was decided on), and "
                       "every record of the organisation's own staff's requests about any patient. `date` is required and must "
                       "bound the period on both sides, at most 31 days (e.g. `date=2026-11` or `date=ge2026-11-01&date=lt2026-11-15`); "
                       "`altid`, `subtype` (also `review`), `outcome` and `flag` filter; newest first; paged. Flags are shown as "
                       f"`meta.tag` (`{AUDIT_FLAG_SYSTEM}`) and the review state as the `review-state` detail. Records about no "
                       "patient are left out. Review a record with `POST /AuditEvent/{id}/$review`.",
        "parameters": search_params("AuditPatient", "AuditDate", "AuditSubtype", "AuditAltid", "AuditOutcome", "AuditFlag"),
        "responses": responses(
            ok("A searchset Bundle of AuditEvent.", S("AuditEventBundle"), examples={
                "trail": {"summary": "Role patient, their own trail: an emergency override after a search refused for want of "
                                     "consent (no agent.altId, no agent.network)",
                          "value": bundle(2, [("self", AUDIT_SELF)], [AUDIT_OVERRIDE_FOR_PATIENT, AUDIT_REFUSED_FOR_PATIENT])},
                "trailForPrivacyOfficer": {"summary": "The same two events as a privacy officer sees them (with agent.altId and "
                                                      "agent.network)",
                                           "value": bundle(2, [("self", AUDIT_SELF)], [AUDIT_OVERRIDE, AUDIT_REFUSED])},
                "overrides": {"summary": f"A privacy officer's ?patient={OTHER_NHS}&subtype=emergency-override&date=ge2026-11-01: "
                                         "an override attempt refused (an admin), then an emergency override that opened the record "
                                         "(Examples/resources/AuditEvent-emergency-override-refused.json and "
                                         "AuditEvent-emergency-override.json)", "value": bundle(
                    2, [("self", f"{BASE}/AuditEvent?_count=50&_offset=0&date=ge2026-11-01&patient={OTHER_NHS}&subtype=emergency-override")],
                    [AUDIT_ATTEMPT_REFUSED_FILE, AUDIT_EXAMPLE_FILE])},
                "probeForPrivacyOfficer": {
                    "summary": f"A privacy officer's ?patient={OTHER_NHS}&_count=1: a patient ({PROBER_NHS}) asked for "
                               f"{OTHER_NHS}'s record (Examples/resources/AuditEvent-patient-probe.json)",
                    "value": bundle(3, [("self", f"{BASE}/AuditEvent?_count=1&_offset=0&patient={OTHER_NHS}"),
                                        ("next", f"{BASE}/AuditEvent?_count=1&_offset=1&patient={OTHER_NHS}")], [AUDIT_PROBE_FILE])},
                "organisationReview": {
                    "summary": "A privacy officer of A81001, no patient: ?date=ge2026-11-25&date=lt2026-11-26&flag=emergency-override "
                               "(an override at 22:17 by a nurse of another organisation, flagged and not yet reviewed)",
                    "value": bundle(1, [("self", f"{BASE}/AuditEvent?_count=50&_offset=0&date=ge2026-11-25&date=lt2026-11-26"
                                                 "&flag=emergency-override")], [AUDIT_REVIEW_PENDING])},
                "probeForPatient": {
                    "summary": f"The same record in the requester's own trail (role patient, ?patient={PROBER_NHS}): the other "
                               "NHS number is not shown",
                    "value": bundle(1, [("self", f"{BASE}/AuditEvent?_count=50&_offset=0&patient={PROBER_NHS}")],
                                    [AUDIT_PROBE_FOR_PATIENT])},
            }),
            ("400", "BadRequestAuditSearch"), ("403", "ForbiddenAudit")),
    },
    **write_ops("AuditEvent", False, ["post", "put", "patch", "delete"]),
}
PATHS["/AuditEvent/{id}/$review"] = {
    "post": {
        "tags": ["AuditEvent"],
        "operationId": "reviewAuditEvent",
        "summary": "Record a privacy officer's review of an access (issue 11)",
        "description": "Role `privacy-officer` only (`403 ROLE_NOT_PERMITTED`); a token with a `scope` claim needs `c` on AuditEvent "
                       "(`user/AuditEvent.c`, `403 SCOPE_NOT_GRANTED`). The record must be an access about a patient within the "
                       "officer's scope (the patient registered with their organisation when the access was made, or a request by "
                       "their staff), and not itself a review: otherwise `404 RESOURCE_NOT_FOUND`, the same as an unknown id. The "
                       "body is a `Parameters` with `outcome` (`valueCode`: `appropriate`, `inappropriate`, `needs-follow-up`) and "
                       "optionally `note` (`valueString`, at most 2000 characters); anything else is `422 INVALID_RESOURCE`. The "
                       "review is this request's own audit record: appended to the hash chain, linked to the access (`reviewOf`), "
                       "committed before the answer (`503 AUDIT_UNAVAILABLE` if it cannot be); the access record is never changed. "
                       "Any access may be reviewed, flagged or not, and again (the latest review is the state shown). Answers the "
                       "reviewed AuditEvent as it now reads. `care-record audit review` records the same from the command line.",
        "parameters": [ref("parameters", "AuditEventId"), ref("parameters", "Format"), *ID_PARAMS] + AUTH_PARAMS,
        "requestBody": {"required": True, "description": "A FHIR Parameters resource.", "content": {FHIR: {
            "schema": S("ReviewRequest"), "example": REVIEW_REQUEST}}},
        "responses": {
            "200": {"description": "The reviewed AuditEvent with its review.",
                    "headers": {**STD_HEADERS, "ETag": ref("headers", "ETag")},
                    "content": {FHIR: {"schema": S("AuditEvent"), "example": AUDIT_REVIEW_DONE}}},
            "400": ref("responses", "BadRequestRead"),
            "401": ref("responses", "TokenInvalid"),
            "403": ref("responses", "ForbiddenAudit"),
            "404": ref("responses", "ResourceNotFound"),
            "406": ref("responses", "NotAcceptable"),
            "413": ref("responses", "ReviewTooLarge"),
            "422": ref("responses", "ReviewUnprocessable"),
            "429": ref("responses", "TooManyRequests"),
            "500": ref("responses", "InternalError"),
            "503": ref("responses", "AuditUnavailable"),
        },
    },
}
PATHS["/AuditEvent/{id}"] = {
    "get": {
        "tags": ["AuditEvent"],
        "operationId": "readAuditEvent",
        "summary": "Read one AuditEvent (the fullUrl of a search entry)",
        "description": "Roles other than `patient` and `privacy-officer` get `403 ROLE_NOT_PERMITTED` before the id is looked up; "
                       "then a token with a `scope` claim needs `r` on AuditEvent (`403 SCOPE_NOT_GRANTED`), also before the id "
                       "is looked up. "
                       "`404 RESOURCE_NOT_FOUND` for an unknown id, an event about no patient, and any event the user could not find "
                       "with `GET /AuditEvent?patient=` or, for a privacy officer, the organisation review (another patient's, or "
                       "outside the officer's scope: a patient registered with the organisation when the access was made or now, or "
                       "its staff's request): identical answers. A privacy officer sees the event's flags and review state. "
                       "A patient sees the event without `agent.altId` and `agent.network` (and, for their own request for another "
                       "patient's record, without the other NHS number). A privacy officer reads a patient's request for another "
                       "patient's record by id when the requester is registered with the officer's organisation or the "
                       "requester's token named it.",
        "parameters": read_params("AuditEventId"),
        "responses": responses(ok("The AuditEvent.", S("AuditEvent"), examples={
            "override": {"summary": "As a privacy officer sees it", "value": AUDIT_EXAMPLE_FILE},
            "probe": {"summary": "A patient's request for another patient's record, as a privacy officer sees it",
                      "value": AUDIT_PROBE_FILE}}),
                               ("400", "BadRequestRead"), ("403", "ForbiddenAudit"), ("404", "ResourceNotFound")),
    },
    **write_ops("AuditEvent", True, ["post", "put", "patch", "delete"]),
}

# ---------------------------------------------------------------- document

DESCRIPTION = f"""\
The Cheshire Care Record is a view-only regional shared care record served as FHIR R4 JSON.
This document describes the HTTP API as implemented in `Sources/CareRecordServer`.

**Authentication.** Every operation except `GET /metadata`, `GET /health`, `GET /health/live`,
`GET /health/ready` and `GET /.well-known/smart-configuration` needs `Authorization: Bearer <JWT>`: signed RS256 or ES256 by a key in the configured JWKS (`kid` required),
with `iss`, `aud`, `exp`, `iat` (and `nbf`) checked with 60 s leeway, and claims `sub`, `ods`, `role`
(clinical `doctor`, `nurse`, `social-worker`, `pharmacist`, `allied-health-professional`; `admin`,
`privacy-officer`, `patient`), optional `name` and `registration`, `nhs_number` for role `patient`, and an
optional `scope` (SMART scopes, space-separated: see SMART on FHIR below).
A token living longer than `auth.maximumTokenLifetimeSeconds` (`exp - iat`; default 43200, 12 hours) is refused,
and so is one whose header has a `typ` other than `JWT` or `at+jwt` (also `application/jwt`, `application/at+jwt`;
any case; no `typ` is fine): `401 TOKEN_INVALID`. The JWKS (a file, or an https URL) is reloaded every
`auth.jwksRefreshSeconds` (default 300; 0: only on demand) and when a token names an unknown `kid` (at most once
every 5 s); a changed key set replaces the old one at once (tokens signed by a withdrawn key stop working), and a
failed reload keeps the last good keys (`GET /health` shows `jwks`). The token's `ods` must be a participating
organisation. A client may send `NHSD-End-User-Organisation-ODS` (as NHS national APIs ask): when sent, it must name
the token's organisation (compared case-insensitively), else `403 ORGANISATION_MISMATCH`. The token decides the
organisation; the header is a cross-check that catches a client acting for the wrong one. Without it nothing is checked.

**SMART on FHIR.** This service does not issue tokens; the region's identity provider does. When
`auth.authorizationEndpoint` and `auth.tokenEndpoint` are configured (https URLs, both or neither),
`GET /.well-known/smart-configuration` publishes them for SMART App Launch v2 clients (no token, not audited, not
rate limited) and the CapabilityStatement's `rest[0].security` adds the `SMART-on-FHIR` service code; without them
that path is an unknown endpoint (`404 NOT_SUPPORTED`). The identity provider puts the scopes it granted in the
token's `scope` claim, one string, space-separated (a `scope` of another JSON type makes the token invalid, `401`;
an `scp` claim is not read). Scopes narrow what the role allows; they never widen it:
- staff roles need `user/` scopes, role `patient` needs `patient/` scopes (the role's record rules still apply: a
  patient reads only their own record);
- a scope is `user/<Type>.<permissions>` or `patient/<Type>.<permissions>`, `<Type>` a resource type or `*`;
  permissions are SMART v2 letters in `cruds` order (`rs`, `r`, `s`, `c`, ...; letters out of order grant nothing) or
  the SMART v1 suffixes `read` (= `rs`), `write` (= `cud`) and `*` (all);
- a search needs `s` on its type, a read by id `r`, `$everything` `r` on Patient, AllergyIntolerance, Condition,
  MedicationStatement and Consent, and `POST /Consent` `c` on Consent (`user/Consent.c`);
- granular scopes (`user/Condition.rs?category=...`) and scopes naming no resource (`openid`, `fhirUser`,
  `launch/patient`) grant nothing here; an empty `scope` claim grants nothing;
- any `system/` scope gets the token refused, whatever else it carries: every access must be attributable to a person;
- a token without a `scope` claim is decided by its role alone, unless `auth.requireScopes` is true (default false):
  then it is refused.

A refusal is `403 SCOPE_NOT_GRANTED`, on patient-scoped operations only (the refused writes, `405 READ_ONLY`, do not
look at scopes), after the query parameters, the emergency-override headers and (on reads by id) the role, and before
anything about the patient or the entry is looked up (for `POST /Consent`, before the body is read), so it is the
same for every NHS number or id.

**Rate limit.** Requests without a valid token are limited per client address (a token bucket: by default 10 a
second with bursts of 50; `server.rateLimit`); each user's requests (token `sub`) only when a per-user limit is
configured (off by default). A refused request gets `429 TOO_MANY_REQUESTS` with `Retry-After` (whole seconds)
before anything else is checked. `/metadata`, `/health`, `/health/live`, `/health/ready`, `/.well-known/smart-configuration` (exactly the unaudited paths) and CORS preflights from listed origins are
never limited (any other `OPTIONS` is an ordinary request: limited, audited, `404 NOT_SUPPORTED`). The
client address is the socket peer's, or, when the peer is one of `server.trustedProxies`, the one its `Forwarded` /
`X-Forwarded-For` header names (no one else's forwarding headers are believed).

**Access decision (C5).** Every patient-scoped route (Patient read, search and `$everything`, clinical
searches and reads, `GET /Consent`, `POST /Consent`, `GET /Consent/{{id}}`, `GET /AuditEvent`, `GET /AuditEvent/{{id}}`)
is registered behind one access middleware, which decides before the route's handler runs. Authentication and the
organisation checks come first (steps 1 and 2 below); then, before anything is looked up, the names of the query
parameters (unknown or repeated: `400 INVALID_PARAMETER`, or left out under `Prefer: handling=lenient`), the values of
`_count`/`_offset` (and of `date`/`subtype` on `GET /AuditEvent`) and the emergency-override headers (`400`) are
checked, then, on reads by id, the role, and on every patient-scoped route the token's SMART scopes (`403
SCOPE_NOT_GRANTED`, see SMART on FHIR), so those answers are the same whether or not the NHS number or id exists; then the rest, in this order:
1. no or invalid token: `401 TOKEN_INVALID` with `WWW-Authenticate`;
2. `NHSD-End-User-Organisation-ODS` sent and naming another organisation than the token: `403 ORGANISATION_MISMATCH`;
   organisation not participating: `403 ORGANISATION_NOT_PARTICIPATING`; role not allowed: `403 ROLE_NOT_PERMITTED`
   (`admin` and `privacy-officer` never read records; a clinical role needs a `registration` claim; role `patient`
   only their own NHS number). On reads by id (`GET /{{AllergyIntolerance|Condition|MedicationStatement|Consent}}/{{id}}`)
   `admin`, `privacy-officer` and a clinical role without `registration` are refused before the id is looked up, so
   they cannot learn which ids exist, and a patient asking for another patient's resource gets
   `404 RESOURCE_NOT_FOUND`, as for an unknown id;
3. no care relationship between the user's organisation and the patient (the registered GP practice, or an active
   episode of care covering now) and no emergency override, or an NHS number never seen: `404 PATIENT_NOT_FOUND`,
   byte-for-byte the same either way (request id and `traceresponse` aside). Searches answer an empty searchset instead, reads by id
   `404 RESOURCE_NOT_FOUND`. There is no region-wide patient search;
4. opted out: `403 PATIENT_OPTED_OUT` ("The patient has declined to have an electronic shared record."); blocked:
   `403 RECORD_BLOCKED` ("The patient has not given consent to view the record."). Never overridable, not even in an
   emergency;
5. consent to view in force: allowed. A permanent consent serves every professional whose organisation has a care
   relationship; a 24-hour consent only the professional it names, until it ends. The registered practice needs
   consent too;
6. emergency override: `X-Purpose-Of-Use: BTG` with a non-empty `X-Access-Reason` (otherwise `400 INVALID_PARAMETER`),
   clinical roles only: allowed without consent and without a care relationship; audited as an emergency override,
   with the reason, for review. When consent is in force (step 5) the headers are checked but the access is allowed
   by consent. Every request carrying `X-Purpose-Of-Use` is recorded as an emergency override attempt, whatever its
   outcome (allowed, refused, or `400`), and `GET /AuditEvent?subtype=emergency-override` finds them all;
7. otherwise `403 CONSENT_REQUIRED`: ask the patient and record consent with `POST /Consent`.

Role `patient` reads their own record (not when opted out: `403 PATIENT_OPTED_OUT`; a block does not stop them)
and their own audit trail; a request for another patient's record is refused and audited under the requester's own
NHS number (the other one is shown to privacy officers only). Role `privacy-officer` reads audit only
(`GET /AuditEvent`). Recording a decision (`POST /Consent`) and reading audit have their own rules, given with
those operations. Nothing is remembered between requests: a newly recorded decision applies from the next request,
and each page of a search is decided again. The data released is read in one snapshot with the patient's sharing
state the decision was made on; if that state changed in between, the decision is made again (at most three times,
then `503 SERVICE_BUSY`, rare).

**Order of checks.** `429` (rate limit) → `406` (`_format`/`Accept`) → `404 NOT_SUPPORTED` (no such route) → `401` →
`403 ORGANISATION_MISMATCH` → `403 ORGANISATION_NOT_PARTICIPATING` → `405` (refused writes) or, on patient-scoped
routes: `400` (unknown or repeated query parameters) → `400` (values of `_count`/`_offset`, and of `date`/`subtype` on
`GET /AuditEvent`) → `400` (malformed emergency-override headers) → reads by id: `403 ROLE_NOT_PERMITTED` for roles
that never read records → `403 SCOPE_NOT_GRANTED` (the token's `scope` claim, or none under `auth.requireScopes`) →
the patient or entry: `400` (NHS number, `patient`/`identifier` parameter), `404
RESOURCE_NOT_FOUND` (unknown id), or for `POST /Consent` `413`/`400`/`422` (the body) → the access decision above →
`400` (values of `_lastUpdated`, `clinical-status`/`status`, `_sort` and `_summary` on the clinical searches) → for
`POST /Consent`, the audit record is committed (`503 AUDIT_UNAVAILABLE`) before the decision is stored (`503
SERVICE_BUSY`) → `200`/`201`/`304`.

**Audit (C8).** Every request except `/metadata`, `/health`, `/health/live`, `/health/ready`,
`/.well-known/smart-configuration` (exactly these paths: any other, `/.well-known/...` included, is audited even
when it is an unknown endpoint) and CORS preflights from listed origins (refused ones, `401`s, `404`s for unknown routes, `406`s and `HEAD` requests included) is recorded in an append-only,
hash-chained audit log, and its answer leaves only once that record is durably committed. If it cannot be, the answer is replaced by `503 AUDIT_UNAVAILABLE` (`Retry-After: 1`)
and nothing is released. Requests refused by the rate limit (`429`) are not recorded one by one: each client address's
are counted in one record per minute (interaction `throttled`, method `*`, status 429, reason `TOO_MANY_REQUESTS`, a
`throttled-requests` detail with the count, and the client address). A change (`POST /Consent`) is audited before it
is made: its record is committed first, and if that fails the answer is `503` and nothing changes; if storing the
decision then fails (`503 SERVICE_BUSY` after a bounded 2 s wait), a second record for the same request id says so.
Each record is keyed by the server's own request id; the client's `X-Request-ID` and `X-Correlation-ID` are kept as
given. `GET /health` reports the commit statistics, the token keys, how fresh each upstream source's data is, and
whether the database answers.

**Transport.** HTTP, or HTTPS when `server.tls` names a certificate and key (TLS 1.2 at least); with `server.tls.clientCA`
every client must also present a certificate issued by that CA (mutual TLS), or the TLS handshake fails before any
request is read. The bearer token is required either way.

**Compression.** A response body of at least 1 KiB is sent gzip- or deflate-coded (`Content-Encoding`) when
`Accept-Encoding` asks for it; q-values are honoured (`gzip;q=0` refuses gzip), gzip is preferred on a tie, and
identity is sent when nothing else is acceptable (never `406`). `HEAD`, `204` and `304` answers are never coded.
Every response that may be coded says `Vary: Accept-Encoding`. The `ETag` stays the weak validator of the
uncompressed content, so `If-None-Match` works whatever coding was used.

**Browsers (CORS).** Off unless `server.cors.allowedOrigins` lists origins (exact `scheme://host[:port]`; `*` is not
accepted). For a listed origin, a preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) is answered
`204` with `Access-Control-Allow-Origin` (that origin), `Access-Control-Allow-Methods: GET, HEAD, POST`,
`Access-Control-Allow-Headers` (`Authorization`, `Content-Type`, `Accept`, `X-Purpose-Of-Use`, `X-Access-Reason`,
`X-Request-ID`, `X-Correlation-ID`, `Prefer`, `If-None-Match`) and `Access-Control-Max-Age: 600`, before the audit and
the rate limit (it carries no token, names no patient and releases nothing); every other response to that origin carries
`Access-Control-Allow-Origin` and `Access-Control-Expose-Headers` (`ETag`, `Last-Modified`, `Location`,
`X-Request-ID`, `X-Correlation-ID`, `Retry-After`, `WWW-Authenticate`), errors included. `Access-Control-Allow-Credentials`
is never sent: tokens are bearer tokens, not cookies. Other origins get no CORS headers at all (their pages cannot read
the answers), and their preflights are ordinary `OPTIONS` requests. With origins listed, every response says
`Vary: Origin`.

**Media type.** Responses are `application/fhir+json; charset=utf-8` (`/health`, `/health/live`, `/health/ready`,
`/.well-known/smart-configuration`: `application/json`).
`Accept` must allow `application/fhir+json`, `application/json`, `application/*` or `*/*` (q > 0) when present;
`_format` must be `json`, `application/json` or `application/fhir+json`; otherwise `406`.

**Headers on every response.** `X-Request-ID` (the client's if plain and ≤ 128 characters, else the server's own request
id), `X-Correlation-ID` (the client's, when plain and ≤ 128 characters), `Cache-Control: no-store`, `Vary` (see
Compression and Browsers) and `traceresponse` (the request's server span in W3C form, continuing the caller's
`traceparent` when one was sent). `429` and `503`
carry `Retry-After` (the `503`s of `GET /health` and `GET /health/ready` aside). Resource and Bundle responses (and
the `201` of `POST /Consent`) also carry a weak `ETag` and, when known, `Last-Modified`; on a `GET`, `If-None-Match`
with a matching tag (or `*`) gives `304`.

**HEAD.** `HEAD` is accepted on every `GET` operation below (it is not listed as an operation of its own): the `GET`
runs with every check, and the answer has its status and headers (`ETag`, `Last-Modified`, `Content-Type` and
`Content-Length` included) without the body. It is audited like the `GET`, with method `HEAD` and no `returned` detail
(nothing was released); `/metadata`, the health probes and `/.well-known/smart-configuration` are not audited either way. The `405`
answers to writes carry `Allow: GET, HEAD` (`GET, HEAD, POST` on `/Consent`).

**Paging.** `_count` 0–200 (default 50), `_offset` ≥ 0. Links are absolute (`server.baseURL`) and repeat the
query with `_count` and `_offset` set. `GET /Consent` and `$everything` are not paged. `_summary=count` (clinical
searches) answers `total` and the `self` link only.

**Search.** Clinical searches (`GET /AllergyIntolerance|Condition|MedicationStatement?patient=`) also take
`_lastUpdated` (repeatable; prefixes `eq`, `ge`, `gt`, `le`, `lt`, as `date` on `GET /AuditEvent`), `clinical-status`
(AllergyIntolerance, Condition) or `status` (MedicationStatement), `_sort=_lastUpdated` or `-_lastUpdated`, and
`_summary=count`. Every search is strict by default: a parameter it does not know, or one repeated that may be given
once, is `400 INVALID_PARAMETER`. With `Prefer: handling=lenient` such parameters are left out instead, and the
searchset ends with an `OperationOutcome` entry (`search.mode` `outcome`, severity `warning`) naming them; malformed
values of known parameters are still `400`.

**Health probes and a graceful stop.** `GET /health/live` answers `200` while the process answers. `GET
/health/ready` answers `200` when the node is not stopping and both the record's database and the audit store can
take a request's writes, else `503` with `draining`, `database-unavailable` or `audit-unavailable`. On SIGTERM (or
SIGINT) `care-record serve` answers `/health/ready` with `503` for `server.shutdownDrainSeconds` (default 5) while it
goes on serving everything else; then it stops accepting connections, finishes the requests in flight (each with its
audit record committed) and exits 0. A load balancer that sends requests only to nodes answering `/health/ready` with
`200` sees no failed request during a stop.

**Errors.** Every error is an `OperationOutcome` whose `issue[0].details.coding[0]` has system
`{ERR_SYSTEM}` and a stable code; `details.text` is safe to show. Unknown or repeated query parameters are
`400 INVALID_PARAMETER` (except on `/health`, `/health/live`, `/health/ready` and on refused writes, which ignore
them, and on searches under `Prefer: handling=lenient`). Any path/method not listed here, including `OPTIONS` (but for a listed
origin's CORS preflight) and a `HEAD` on a path without a `GET`, answers `404 NOT_SUPPORTED` (see
`components.responses.UnknownEndpoint`) without needing a token.
"""

DOC = {
    "openapi": "3.1.0",
    "info": {
        "title": "Cheshire Care Record FHIR API",
        "version": "0.1.0",
        "summary": "View-only regional shared care record (FHIR R4, JSON).",
        "description": DESCRIPTION,
    },
    "servers": [{"url": BASE, "description": "Local server (`care-record demo` or `serve` with the generated config); "
                                             "in production, the configured `server.baseURL`."}],
    "security": [{"bearerAuth": []}],
    "tags": [
        {"name": "Capabilities", "description": "Unauthenticated endpoints."},
        {"name": "Patient"}, {"name": "AllergyIntolerance"}, {"name": "Condition"}, {"name": "MedicationStatement"},
        {"name": "Consent", "description": "Sharing decisions: read, search, and record with `POST /Consent` (C6)."},
        {"name": "AuditEvent", "description": "The audit trail, for the patient themself and privacy officers (C8)."},
        {"name": "Writes (refused)", "description": "Every other write to a served resource type answers `405` `READ_ONLY`."},
    ],
    "paths": PATHS,
    "components": {
        "securitySchemes": {"bearerAuth": {
            "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
            "description": "A JWT signed RS256 or ES256, verified against the region's JWKS (reloaded every `auth.jwksRefreshSeconds`, "
                           "default 300, and on an unknown `kid` at most once every 5 s; a failed reload keeps the last good keys). "
                           "`exp - iat` at most `auth.maximumTokenLifetimeSeconds` (default 43200); a `typ` header, if any, must be "
                           "`JWT` or `at+jwt` (or `application/jwt`, `application/at+jwt`). Missing or invalid: `401` `TOKEN_INVALID`; "
                           "an `NHSD-End-User-Organisation-ODS` header naming another organisation than the token's `ods`: `403` "
                           "`ORGANISATION_MISMATCH`; organisation not participating: `403` `ORGANISATION_NOT_PARTICIPATING`. "
                           "Claims: `sub`, `ods`, `role`; optional `name` and `registration`; `nhs_number` for role `patient`; "
                           "optional `scope`, SMART App Launch scopes, space-separated (`user/<Type>.rs` for staff, "
                           "`patient/<Type>.rs` for role `patient`, `user/Consent.c` to record a decision; v1 `.read`, `.write`, "
                           "`.*` too), which narrow what the role allows on patient-scoped operations and never widen it: not "
                           "granted, any `system/` scope, or no `scope` while `auth.requireScopes` is true: `403` "
                           "`SCOPE_NOT_GRANTED`, before anything about the patient is looked up. Discovery: "
                           "`GET /.well-known/smart-configuration`, when configured.",
        }},
        "parameters": PARAMETERS,
        "headers": HEADERS,
        "responses": RESPONSES,
        "schemas": SCHEMAS,
        "examples": EXAMPLES,
    },
}


class Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True


def str_presenter(dumper, data):
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


Dumper.add_representer(str, str_presenter)

HEADER = """\
# OpenAPI description of the Cheshire Care Record FHIR facade as the code serves it today
# (Sources/CareRecordServer). Keep it in step with the routes, middleware and FHIRError texts.
"""

with open(REPO / "openapi.yaml", "w") as f:
    f.write(HEADER)
    yaml.dump(DOC, f, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=130, default_flow_style=False)
