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
        func clinical(_ type: String) -> CapabilityStatement.Resource {
            .init(
                type: type, profile: "\(canonicalBase)/StructureDefinition/CareRecord-\(type)",
                interaction: [.init(code: "read"), .init(code: "search-type")], searchParam: [patientParam] + paging)
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
            documentation: "Who accessed a patient's record: for the patient themself and for privacy officers (C8).",
            interaction: [.init(code: "read"), .init(code: "search-type")],
            searchParam: [
                .init(name: "patient", definition: "http://hl7.org/fhir/SearchParameter/AuditEvent-patient", type: "reference", documentation: "Required: the NHS number."),
                .init(name: "date", definition: "http://hl7.org/fhir/SearchParameter/AuditEvent-date", type: "date", documentation: "Prefixes eq, ge, gt, le, lt; may repeat."),
                .init(
                    name: "subtype", definition: "http://hl7.org/fhir/SearchParameter/AuditEvent-subtype", type: "token",
                    documentation: "read, search-type, create, operation, or emergency-override; comma-separated for any of several."),
            ] + paging)
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
                    documentation: "Every request except /metadata and /health needs Authorization: Bearer <JWT>. FHIR JSON only (_format=json or application/fhir+json). Writes to clinical resources answer 405.",
                    security: security(nil),
                    resource: [patient] + ClinicalResourceType.allCases.map { clinical($0.rawValue) } + [consent, auditEvent])
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
