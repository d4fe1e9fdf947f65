import CareRecordStore
import FHIR
import Foundation
import Upstream

/// Writes a small Bulk Data export folder (manifest + NDJSON) for a test, line by line.
struct ExportFolder {
    let url: URL
    private(set) var files: [String: [String]] = [:]
    var counts: [String: Int] = [:]

    init(_ name: String = UUID().uuidString) {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("care-record-tests/\(name)")
    }

    mutating func add<R: FHIRResource>(_ resource: R) throws {
        files[R.resourceType, default: []].append(String(decoding: try FHIRJSON.encode(resource), as: UTF8.self))
    }

    mutating func addRaw(_ line: String, type: String) {
        files[type, default: []].append(line)
    }

    func write() throws -> URL {
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        var output: [BulkDataManifest.File] = []
        for (type, lines) in files.sorted(by: { $0.key < $1.key }) {
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url.appendingPathComponent("\(type).ndjson"))
            output.append(.init(type: type, url: "\(type).ndjson", count: counts[type] ?? lines.count))
        }
        let manifest = BulkDataManifest(transactionTime: "2026-11-24T02:00:00Z", request: "https://example.org/$export", output: output)
        try JSONEncoder().encode(manifest).write(to: url.appendingPathComponent("manifest.json"))
        return url
    }
}

/// Builders for the upstream resources the import rules are about.
enum Upstream {
    static func patient(_ id: String, nhs: String, practice: String? = "A81001", family: String = "Smith") -> Patient {
        var patient = Patient(id: id, identifier: [Identifier(system: NHSNumber.system, value: nhs)])
        patient.name = [HumanName(family: family, given: ["Jo"])]
        patient.birthDate = "1950-01-01"
        patient.generalPractitioner = practice.map { [Reference(identifier: Identifier(system: FHIRSystems.odsOrganisation, value: $0))] }
        patient.meta = Meta(lastUpdated: "2026-11-01T10:00:00Z")
        return patient
    }

    static func condition(_ id: String, patient: String, code: String = "44054006") -> Condition {
        var condition = Condition(subject: Reference(reference: "Patient/\(patient)"), code: CodeableConcept(system: FHIRSystems.snomed, code: code))
        condition.id = id
        condition.onsetDateTime = "2020-01-01"
        return condition
    }

    static func consent(_ id: String, patient: String, type: String, action: String, date: String = "2026-01-01T10:00:00Z") -> Consent {
        var consent = Consent(
            status: "active", scope: CodeableConcept(system: FHIRSystems.consentScope, code: "patient-privacy"),
            category: [CodeableConcept(system: "http://loinc.org", code: "59284-0")], patient: Reference(reference: "Patient/\(patient)"))
        consent.id = id
        consent.dateTime = date
        consent.provision = .init(type: type, action: [CodeableConcept(system: FHIRSystems.consentAction, code: action)])
        return consent
    }

    static func episode(_ id: String, patient: String, ods: String, status: String = "active") -> EpisodeOfCare {
        var episode = EpisodeOfCare(
            status: status, patient: Reference(reference: "Patient/\(patient)"),
            managingOrganization: Reference(identifier: Identifier(system: FHIRSystems.odsOrganisation, value: ods)))
        episode.id = id
        return episode
    }
}

/// A fresh SQLite record in a temporary folder.
func temporaryRepository() throws -> SQLiteCareRecordRepository {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("care-record-tests/\(UUID().uuidString)/record.sqlite").path
    return try SQLiteCareRecordRepository(path: path)
}

let gp = SourceIdentity(id: "gp-a81001", ods: "A81001", isGPPractice: true)
let hospital = SourceIdentity(id: "acute-rjr", ods: "RJR")
