import CareRecordStore
import FHIR

/// Presents an audit record as a FHIR R4 `AuditEvent` (IHE Basic Audit Log Patterns; `Profiles/StructureDefinition-CareRecord-AuditEvent.json`).
enum AuditEventMapper {
    static let subtypeSystem = "https://cheshire-care-record.nhs.uk/fhir/CodeSystem/care-record-audit-subtype"
    static let interactionSystem = "http://hl7.org/fhir/restful-interaction"
    static let userSystem = "https://cheshire-care-record.nhs.uk/Id/user"

    /// The event as shown; a patient sees who, role, organisation, what and outcome, not staff addresses or registration numbers.
    static func event(_ record: AuditRecord, forPatient: Bool = false) -> AuditEvent {
        // Every override attempt is flagged, allowed or refused (issue 8.6).
        let override = record.isEmergencyOverrideAttempt
        var subtypes = [Coding(system: interactionSystem, code: record.interaction)]
        if record.isReview { subtypes.append(Coding(system: subtypeSystem, code: "review", display: "Review of an access")) }
        if override { subtypes.append(Coding(system: subtypeSystem, code: "emergency-override", display: "Emergency override")) }

        var user = AuditEvent.Agent(
            who: record.userSub.map { Reference(identifier: Identifier(system: userSystem, value: $0)) }, name: record.userName, requestor: true)
        user.role = record.userRole.map { [CodeableConcept(system: "https://cheshire-care-record.nhs.uk/fhir/CodeSystem/care-record-role", code: $0)] }
        if !forPatient {
            user.altId = record.userRegistration
            user.network = AuditEvent.Network(address: record.clientAddress ?? "unknown", type: "2")
        }
        var agents = [user]
        if let ods = record.userOds {
            agents.append(AuditEvent.Agent(who: Reference(identifier: Identifier(system: FHIRSystems.odsOrganisation, value: ods)), requestor: false))
        }

        var event = AuditEvent(
            type: Coding(system: "http://terminology.hl7.org/CodeSystem/audit-event-type", code: "rest", display: "RESTful Operation"),
            recorded: record.recorded, agent: agents,
            source: AuditEvent.Source(site: "Cheshire Care Record", observer: Reference(display: "Cheshire Care Record FHIR facade")))
        event.id = String(record.sequence)
        event.meta = Meta(versionId: String(record.hash.prefix(16)), lastUpdated: record.recorded, source: "urn:care-record:source:audit")
        event.subtype = subtypes
        event.action = record.interaction == "create" ? "C" : record.interaction == "operation" ? "E" : "R"
        event.outcome = record.status < 400 ? "0" : record.status < 500 ? "4" : "8"
        event.outcomeDesc = record.reasonCode == "OK" ? nil : record.reasonCode
        if override {
            event.purposeOfEvent = [CodeableConcept(system: "http://terminology.hl7.org/CodeSystem/v3-ActReason", code: "ETREAT", display: "Emergency Treatment")]
        }
        event.entity = entities(record, forPatient: forPatient)
        return event
    }

    /// The event as a privacy officer reviews it: its flags as `meta.tag` (care-record-audit-flag), and the review state
    /// as details of the request entity (`review-state`: `pending` while flagged and unreviewed, else the latest outcome).
    static func event(_ reviewed: ReviewedRecord) -> AuditEvent {
        var event = event(reviewed.record)
        let tags = reviewed.flags.sorted().map { Coding(system: AuditFlag.system, code: $0.rawValue, display: $0.display) }
        if !tags.isEmpty { event.meta?.tag = tags }
        var details: [(String, String?)] = []
        if let review = reviewed.latestReview {
            details = [
                ("review-state", review.reviewOutcome), ("reviewed-by", review.userSub), ("reviewed-at", review.recorded),
                ("review-note", review.reviewNote), ("review-record", "AuditEvent/\(review.sequence)"),
            ]
        } else if !reviewed.flags.isEmpty {
            details = [("review-state", "pending")]
        }
        if var entities = event.entity, let last = entities.indices.last {
            entities[last].detail = (entities[last].detail ?? []) + details.compactMap { name, value in
                value.map { AuditEvent.Detail(type: name, valueString: $0) }
            }
            event.entity = entities
        }
        return event
    }

    static func entities(_ record: AuditRecord, forPatient: Bool) -> [AuditEvent.Entity] {
        var entities: [AuditEvent.Entity] = []
        if let nhs = record.patientNHS {
            entities.append(AuditEvent.Entity(
                what: Reference(reference: "Patient/\(nhs)", identifier: Identifier(system: NHSNumber.system, value: nhs)),
                type: Coding(system: "http://terminology.hl7.org/CodeSystem/audit-entity-type", code: "1", display: "Person"),
                role: Coding(system: "http://terminology.hl7.org/CodeSystem/object-role", code: "1", display: "Patient")))
        }
        if let reviewed = record.reviewOf {
            var entity = AuditEvent.Entity(
                what: Reference(reference: "AuditEvent/\(reviewed)"),
                type: Coding(system: "http://terminology.hl7.org/CodeSystem/audit-entity-type", code: "2", display: "System Object"))
            entity.description = "the access reviewed"
            if !forPatient {
                entity.detail = [("review-outcome", record.reviewOutcome), ("review-note", record.reviewNote)].compactMap { name, value in
                    value.map { AuditEvent.Detail(type: name, valueString: $0) }
                }
            }
            entities.append(entity)
        }
        if let attempted = record.attemptedPatientNHS, !forPatient {
            var entity = AuditEvent.Entity(
                what: Reference(identifier: Identifier(system: NHSNumber.system, value: attempted)),
                type: Coding(system: "http://terminology.hl7.org/CodeSystem/audit-entity-type", code: "1", display: "Person"),
                role: Coding(system: "http://terminology.hl7.org/CodeSystem/object-role", code: "1", display: "Patient"))
            entity.description = "another patient's record, asked for by a patient"
            entities.append(entity)
        }
        var transaction = AuditEvent.Entity(
            what: Reference(identifier: Identifier(value: record.requestID)),
            type: Coding(system: "https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType", code: "XrequestId"))
        // The path of a patient's probe names the other patient: not shown back to patients.
        let path = forPatient && record.attemptedPatientNHS != nil ? "(another patient's record)" : record.path
        transaction.description = "\(record.method) \(path) -> \(record.status)"
        let details: [(String, String?)] = [
            ("reason-code", record.reasonCode), ("basis", record.basis), ("purpose-of-use", record.purposeOfUse),
            ("emergency-reason", record.accessReason), ("returned", record.returned),
            ("client-request-id", record.clientRequestID), ("correlation-id", record.correlationID),
            ("throttled-requests", record.throttledCount.map(String.init)),
            ("patient-registered-practice", forPatient ? nil : record.patientRegisteredOds),
        ]
        transaction.detail = details.compactMap { name, value in value.map { AuditEvent.Detail(type: name, valueString: $0) } }
        entities.append(transaction)
        return entities
    }
}
