import CareRecordStore
import FHIR

/// The CapabilityStatement served at `/metadata`; `Profiles/CapabilityStatement-care-record.json` must match it (a test checks).
public enum CapabilityStatementBuilder {
    public static let canonicalBase = "https://cheshire-care-record.nhs.uk/fhir"
    public static let softwareVersion = "0.1.0"

    /// The statement for a server reachable at `baseURL`.
    public static func build(baseURL: String, smart: SMARTConfiguration? = nil) -> CapabilityStatement {
        var statement = template
        statement.implementation = .init(description: "Cheshire Care Record FHIR facade", url: baseURL)
        if smart != nil, var rest = statement.rest, !rest.isEmpty {
            rest[0].security = security(smart)
            statement.rest = rest
        }
        return statement
    }

    /// The statement without the instance-specific `implementation`, as published in `Profiles/`.
    public static var template: CapabilityStatement {
        let patientParam = CapabilityStatement.SearchParam(
            name: "patient", definition: "http://hl7.org/fhir/SearchParameter/clinical-patient", type: "reference",
            documentation: "Required: the patient's NHS number, as 9434765919 or Patient/9434765919.")
        let paging = [
            CapabilityStatement.SearchParam(name: "_count", type: "number", documentation: "Page size, 0 to 200 (default 50)."),
            CapabilityStatement.SearchParam(name: "_offset", type: "number", documentation: "Index of the first match on the page (from next/previous links)."),
        ]
        // The clinical searches' filters, order and count (ClinicalSearch), with the FHIR R4 definitions.
        let lastUpdated = CapabilityStatement.SearchParam(
            name: "_lastUpdated", definition: "http://hl7.org/fhir/SearchParameter/Resource-lastUpdated", type: "date",
            documentation: "meta.lastUpdated. Prefixes eq, ge, gt, le, lt; may repeat.")
        let sort = CapabilityStatement.SearchParam(
            name: "_sort", type: "string", documentation: "_lastUpdated or -_lastUpdated (ties by id); by id without it.")
        let summary = CapabilityStatement.SearchParam(name: "_summary", type: "token", documentation: "count: total only, no entries.")
        func status(_ type: ClinicalResourceType) -> CapabilityStatement.SearchParam {
            switch type {
            case .allergyIntolerance:
                .init(
                    name: "clinical-status", definition: "http://hl7.org/fhir/SearchParameter/AllergyIntolerance-clinical-status",
                    type: "token", documentation: "active, inactive, resolved; comma-separated for any of several.")
            case .condition:
                .init(
                    name: "clinical-status", definition: "http://hl7.org/fhir/SearchParameter/Condition-clinical-status", type: "token",
                    documentation: "active, recurrence, relapse, inactive, remission, resolved; comma-separated for any of several.")
            case .medicationStatement:
                .init(
                    name: "status", definition: "http://hl7.org/fhir/SearchParameter/medications-status", type: "token",
                    documentation: "active, completed, entered-in-error, intended, stopped, on-hold, unknown, not-taken; comma-separated for any of several.")
            }
        }
        func clinical(_ type: ClinicalResourceType) -> CapabilityStatement.Resource {
            .init(
                type: type.rawValue, profile: "\(canonicalBase)/StructureDefinition/CareRecord-\(type.rawValue)",
                interaction: [.init(code: "read"), .init(code: "search-type")],
                searchParam: [patientParam, status(type), lastUpdated, sort, summary] + paging)
        }
        let patient = CapabilityStatement.Resource(
            type: "Patient", profile: "\(canonicalBase)/StructureDefinition/CareRecord-Patient",
            documentation: "Read by NHS number; search by NHS number identifier only.",
            interaction: [.init(code: "read"), .init(code: "search-type")],
            searchParam: [
                .init(
                    name: "identifier", definition: "http://hl7.org/fhir/SearchParameter/Patient-identifier", type: "token",
                    documentation: "Required: https://fhir.nhs.uk/Id/nhs-number|{NHS number}.")
            ] + paging,
            operation: [.init(name: "everything", definition: "http://hl7.org/fhir/OperationDefinition/Patient-everything")])
        let consent = CapabilityStatement.Resource(
            type: "Consent", profile: "\(canonicalBase)/StructureDefinition/CareRecord-Consent",
            documentation: "Sharing decisions. create records consent to view (permanent, or 24-hour for the recording professional), a block, an opt-out, or lifting one (C6).",
            interaction: [.init(code: "read"), .init(code: "search-type"), .init(code: "create")], searchParam: [patientParam])
        let auditEvent = CapabilityStatement.Resource(
            type: "AuditEvent", profile: "\(canonicalBase)/StructureDefinition/CareRecord-AuditEvent",
            documentation: "Who accessed a patient's record: for the patient themself and for privacy officers (C8); without patient, a privacy officer's review of their organisation, with flags, and $review to record a review (issue 11).",
            interaction: [.init(code: "read"), .init(code: "search-type")],
            searchParam: [
                .init(
                    name: "patient", definition: "http://hl7.org/fhir/SearchParameter/AuditEvent-patient", type: "reference",
                    documentation: "The NHS number; left out only by a privacy officer reviewing their organisation (date then required, at most 31 days)."),
                .init(name: "date", definition: "http://hl7.org/fhir/SearchParameter/AuditEvent-date", type: "date", documentation: "Prefixes eq, ge, gt, le, lt; may repeat."),
                .init(
                    name: "subtype", definition: "http://hl7.org/fhir/SearchParameter/AuditEvent-subtype", type: "token",
                    documentation: "read, search-type, create, operation, or emergency-override (and review without patient); comma-separated for any of several."),
                .init(
                    name: "altid", definition: "http://hl7.org/fhir/SearchParameter/AuditEvent-altid", type: "token",
                    documentation: "Without patient: one user's records, by token sub."),
                .init(
                    name: "outcome", definition: "http://hl7.org/fhir/SearchParameter/AuditEvent-outcome", type: "token",
                    documentation: "Without patient: 0 success, 4 refused, 8 failed; comma-separated for any of several."),
                .init(
                    name: "flag", type: "token",
                    documentation: "Without patient: review flags from \(canonicalBase)/CodeSystem/care-record-audit-flag; comma-separated for any of several."),
            ] + paging,
            operation: [.init(name: "review", definition: "\(canonicalBase)/OperationDefinition/AuditEvent-review")])
        return CapabilityStatement(
            id: "care-record", url: "\(canonicalBase)/CapabilityStatement/care-record", version: softwareVersion,
            name: "CheshireCareRecord", title: "Cheshire Care Record FHIR facade", status: "active", date: "2026-11-25",
            publisher: "Cheshire Care Record",
            description: "View-only regional shared care record: FHIR R4 JSON, bearer tokens (RS256/ES256), access by care relationship.",
            kind: "instance", software: .init(name: "care-record", version: softwareVersion),
            fhirVersion: "4.0.1", format: ["application/fhir+json", "json"],
            rest: [
                .init(
                    mode: "server",
                    documentation: "Every request except /metadata, /health, /health/live and /health/ready needs Authorization: Bearer <JWT>. FHIR JSON only (_format=json or application/fhir+json). HEAD is answered on every GET. Searches accept Prefer: handling=lenient (unknown parameters are left out and named in an OperationOutcome entry with search mode outcome). Writes to clinical resources answer 405.",
                    security: security(nil),
                    resource: [patient] + ClinicalResourceType.allCases.map(clinical) + [consent, auditEvent])
            ])
    }

    /// OAuth bearer tokens; with the identity provider's endpoints configured, SMART on FHIR too, discovered at
    /// `/.well-known/smart-configuration`.
    static func security(_ smart: SMARTConfiguration?) -> CapabilityStatement.Security {
        let system = "http://terminology.hl7.org/CodeSystem/restful-security-service"
        guard smart != nil else {
            return .init(
                service: [CodeableConcept(system: system, code: "OAuth")],
                description: "JWT bearer tokens signed RS256 or ES256, verified against the region's JWKS.")
        }
        return .init(
            service: [CodeableConcept(system: system, code: "OAuth"), CodeableConcept(system: system, code: "SMART-on-FHIR")],
            description: "JWT bearer tokens signed RS256 or ES256, verified against the region's JWKS. SMART App Launch v2: endpoints at "
                + "/.well-known/smart-configuration; a token's scopes (user/<Type>.rs, patient/<Type>.rs, user/Consent.c) narrow what its role allows.")
    }
}
