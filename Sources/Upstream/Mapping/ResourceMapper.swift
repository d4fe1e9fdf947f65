import CareRecordStore
import FHIR
import Foundation

/// Maps upstream FHIR resources of one source into the combined record (C3); independent of how the export was fetched.
public struct ResourceMapper {
    public let source: SourceIdentity
    /// `meta.lastUpdated` for resources that carry none: the export's transaction time.
    public let fallbackLastUpdated: Date
    /// The present, against which upstream decisions dated in the future are refused.
    public let now: Date
    let writer: any SourceImportWriter
    let encoder = FHIRJSON.encoder()
    /// Used from the import's own thread only, like the writer.
    let timestamps = TimestampCache()
    /// Bump when the mapping changes what it serves for the same upstream bytes, so every `versionId` (and ETag) changes.
    static let mappingRevision = 1

    /// Clock skew tolerated on an upstream `Consent.dateTime` before it counts as dated in the future.
    public static let consentClockSkew: TimeInterval = 300

    public init(source: SourceIdentity, fallbackLastUpdated: Date, writer: any SourceImportWriter, now: Date = Date()) {
        self.source = source
        self.fallbackLastUpdated = fallbackLastUpdated
        self.now = now
        self.writer = writer
    }

    /// `meta.source` of everything this source contributes.
    public static func sourceURI(_ sourceID: String) -> String { "urn:care-record:source:\(sourceID)" }

    /// Maps one decoded upstream resource (`line` is its upstream JSON); a rejected record is counted in `report`, a store failure is thrown.
    public func map(_ resource: AnyResource, line: Data, report: inout ImportReport) throws {
        let versionID = StableID.versionID(line, source: source.id, revision: Self.mappingRevision)
        do {
            switch resource {
            case .patient(let patient): try map(patient, versionID: versionID, report: &report)
            case .episodeOfCare(let episode): try map(episode)
            case .consent(let consent): try map(consent, versionID: versionID)
            case .allergyIntolerance(var allergy):
                let nhs = try resolvePatient(allergy.patient)
                try requireDates([allergy.onsetDateTime, allergy.recordedDate])
                allergy.patient = Self.patientReference(nhs)
                try storeEntry(allergy, patient: nhs, versionID: versionID)
            case .condition(var condition):
                let nhs = try resolvePatient(condition.subject)
                try requireDates([condition.onsetDateTime, condition.abatementDateTime, condition.recordedDate])
                condition.subject = Self.patientReference(nhs)
                try storeEntry(condition, patient: nhs, versionID: versionID)
            case .medicationStatement(var statement):
                let nhs = try resolvePatient(statement.subject)
                try requireDates([statement.effectiveDateTime, statement.effectivePeriod?.start, statement.effectivePeriod?.end, statement.dateAsserted])
                statement.subject = Self.patientReference(nhs)
                try storeEntry(statement, patient: nhs, versionID: versionID)
            case .auditEvent, .bundle, .operationOutcome, .capabilityStatement, .parameters:
                throw Rejection(reason: .unsupportedResourceType)
            }
            report.accept(resource.resourceType)
        } catch let rejection as Rejection {
            report.reject(rejection.reason.rawValue)
        }
    }

    /// The served reference to a patient: literal by NHS number, with the NHS number as identifier.
    static func patientReference(_ nhs: NHSNumber) -> Reference {
        Reference(reference: "Patient/\(nhs.value)", identifier: nhs.identifier)
    }

    /// Finds the NHS number a reference leads to: this import's `Patient/{id}`, else an NHS number identifier.
    func resolvePatient(_ reference: Reference) throws -> NHSNumber {
        if let literal = reference.reference, let upstreamID = Self.lastPathComponent(ofPatientReference: literal) {
            switch try writer.link(forUpstreamPatient: upstreamID) {
            case .patient(let nhs): return nhs
            case .rejected: throw Rejection(reason: .patientRejected)
            case .unknown: break
            }
        }
        guard let identifier = reference.identifier, identifier.system == NHSNumber.system, let value = identifier.value else {
            throw Rejection(reason: .unknownPatient)
        }
        guard let nhs = NHSNumber(value) else { throw Rejection(reason: .invalidNHSNumber) }
        return nhs
    }

    /// The upstream id a literal reference names when it contains `Patient/`: its last non-empty path component. The
    /// common `Patient/{id}` is read from its bytes (`split` and Foundation's `contains` were 3% of an import's samples).
    static func lastPathComponent(ofPatientReference literal: String) -> String? {
        let prefix = "Patient/".utf8
        let bytes = literal.utf8
        if bytes.starts(with: prefix) {
            let rest = bytes.dropFirst(prefix.count)
            if !rest.isEmpty, !rest.contains(UInt8(ascii: "/")) { return String(Substring(rest)) }
        }
        guard literal.contains("Patient/"), let last = literal.split(separator: "/").last else { return nil }
        return String(last)
    }

    func requireDates(_ values: [String?]) throws {
        for case let value? in values where !FHIRDateTime.isValidDateTime(value) {
            throw Rejection(reason: .invalidDate)
        }
    }

    func lastUpdated(_ meta: Meta?) -> Date {
        meta?.lastUpdated.flatMap(timestamps.parse) ?? fallbackLastUpdated
    }

    func upstreamID(_ id: String?) throws -> String {
        guard let id, !id.isEmpty else { throw Rejection(reason: .missingID) }
        return id
    }

    /// Gives a resource its served id and meta, and encodes it once.
    func served<R: FHIRResource>(_ resource: R, id: String, versionID: String, lastUpdated: Date, patient: NHSNumber) throws -> StoredResource {
        var resource = resource
        resource.id = id
        resource.meta = Meta(versionId: versionID, lastUpdated: timestamps.instant(lastUpdated), source: Self.sourceURI(source.id))
        return StoredResource(
            id: id, resourceType: R.resourceType, nhsNumber: patient, sourceId: source.id,
            versionId: versionID, lastUpdated: lastUpdated, json: try encoder.encode(resource))
    }

    private func storeEntry<R: FHIRResource>(_ resource: R, patient: NHSNumber, versionID: String) throws {
        let upstream = try upstreamID(resource.id)
        let id = StableID.resourceID(source: source.id, type: R.resourceType, upstreamID: upstream)
        try writer.addEntry(try served(resource, id: id, versionID: versionID, lastUpdated: lastUpdated(resource.meta), patient: patient))
    }
}
