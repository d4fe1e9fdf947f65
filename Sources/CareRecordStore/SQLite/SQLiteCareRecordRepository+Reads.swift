import FHIR
import Foundation
import GRDB

extension SQLiteCareRecordRepository {
    public func patientState(_ nhsNumber: NHSNumber) async throws -> PatientState? {
        try await pool.read { db in try Self.patientState(db, nhsNumber) }
    }

    public func patient(_ nhsNumber: NHSNumber) async throws -> StoredResource? {
        try await pool.read { db in try Self.patient(db, nhsNumber) }
    }

    public func everything(patient: NHSNumber) async throws -> [StoredResource] {
        try await pool.read { db in
            var resources = try Self.patient(db, patient).map { [$0] } ?? []
            for type in ClinicalResourceType.allCases {
                resources += try Row.fetchAll(
                    db, sql: "SELECT id, sourceId, versionId, lastUpdated, resource FROM clinicalEntry WHERE nhsNumber = ? AND resourceType = ? ORDER BY id",
                    arguments: [patient.value, type.rawValue]
                ).map { Self.storedResource($0, type: type.rawValue, patient: patient) }
            }
            return resources + (try Self.consents(db, patient))
        }
    }

    static func patient(_ db: Database, _ nhsNumber: NHSNumber) throws -> StoredResource? {
        do {
            let practice = try Self.registeredPractice(db, nhsNumber)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT p.sourceId, p.versionId, p.lastUpdated, p.resource, s.ods
                    FROM patientRecord p JOIN source s ON s.id = p.sourceId
                    WHERE p.nhsNumber = ?
                    """,
                arguments: [nhsNumber.value])
            let best = rows.max { a, b in
                let aPreferred = (a["ods"] as String) == practice
                let bPreferred = (b["ods"] as String) == practice
                if aPreferred != bPreferred { return bPreferred }
                return (a["lastUpdated"] as Date) < (b["lastUpdated"] as Date)
            }
            return best.map { row in
                StoredResource(
                    id: nhsNumber.value, resourceType: Patient.resourceType, nhsNumber: nhsNumber,
                    sourceId: row["sourceId"], versionId: row["versionId"], lastUpdated: row["lastUpdated"], json: row["resource"])
            }
        }
    }

    public func clinicalEntries(_ type: ClinicalResourceType, patient: NHSNumber, page: PageRequest) async throws -> Page<StoredResource> {
        try await pool.read { db in
            let arguments: StatementArguments = [patient.value, type.rawValue]
            let total = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM clinicalEntry WHERE nhsNumber = ? AND resourceType = ?", arguments: arguments) ?? 0
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, sourceId, versionId, lastUpdated, resource FROM clinicalEntry
                    WHERE nhsNumber = ? AND resourceType = ? ORDER BY id LIMIT ? OFFSET ?
                    """,
                arguments: arguments + [page.count, page.offset])
            return Page(total: total, items: rows.map { Self.storedResource($0, type: type.rawValue, patient: patient) })
        }
    }

    public func clinicalEntry(_ type: ClinicalResourceType, id: String) async throws -> StoredResource? {
        try await pool.read { db in
            let row = try Row.fetchOne(
                db,
                sql: "SELECT id, nhsNumber, sourceId, versionId, lastUpdated, resource FROM clinicalEntry WHERE id = ? AND resourceType = ?",
                arguments: [id, type.rawValue])
            guard let row, let nhs = NHSNumber(row["nhsNumber"]) else { return nil }
            return Self.storedResource(row, type: type.rawValue, patient: nhs)
        }
    }

    public func consents(patient: NHSNumber) async throws -> [StoredResource] {
        try await pool.read { db in try Self.consents(db, patient) }
    }

    static func consents(_ db: Database, _ patient: NHSNumber) throws -> [StoredResource] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT id, sourceId, versionId, lastUpdated, resource FROM sharingDecision
                WHERE nhsNumber = ? ORDER BY recordedAt, sequence
                """,
            arguments: [patient.value]
        ).map { Self.storedResource($0, type: Consent.resourceType, patient: patient) }
    }

    public func consent(id: String) async throws -> StoredResource? {
        try await pool.read { db in
            let row = try Row.fetchOne(
                db, sql: "SELECT id, nhsNumber, sourceId, versionId, lastUpdated, resource FROM sharingDecision WHERE id = ?", arguments: [id])
            guard let row, let nhs = NHSNumber(row["nhsNumber"]) else { return nil }
            return Self.storedResource(row, type: Consent.resourceType, patient: nhs)
        }
    }

    public func sourceStatuses() async throws -> [SourceStatus] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, ods FROM source ORDER BY id").map { row in
                let id: String = row["id"]
                func report(_ condition: String) throws -> ImportReport? {
                    let json = try String.fetchOne(
                        db, sql: "SELECT report FROM importRun WHERE sourceId = ? \(condition) ORDER BY id DESC LIMIT 1", arguments: [id])
                    return try json.map { try JSONDecoder.importReports.decode(ImportReport.self, from: Data($0.utf8)) }
                }
                return SourceStatus(
                    source: SourceIdentity(id: id, ods: row["ods"]),
                    lastSuccess: try report("AND succeeded = 1"), lastAttempt: try report(""))
            }
        }
    }

    static func storedResource(_ row: Row, type: String, patient: NHSNumber) -> StoredResource {
        StoredResource(
            id: row["id"], resourceType: type, nhsNumber: patient, sourceId: row["sourceId"],
            versionId: row["versionId"], lastUpdated: row["lastUpdated"], json: row["resource"])
    }

    /// The registered practice: one a practice reports for itself first, then the most recently updated.
    static func registeredPractice(_ db: Database, _ nhsNumber: NHSNumber) throws -> String? {
        try String.fetchOne(
            db,
            sql: """
                SELECT practiceOds FROM registration WHERE nhsNumber = ?
                ORDER BY (sourceOds = practiceOds) DESC, lastUpdated DESC LIMIT 1
                """,
            arguments: [nhsNumber.value])
    }

    static func patientState(_ db: Database, _ nhsNumber: NHSNumber) throws -> PatientState? {
        let arguments: StatementArguments = [nhsNumber.value]
        let practice = try registeredPractice(db, nhsNumber)
        let episodes = try Row.fetchAll(
            db, sql: "SELECT id, ods, status, periodStart, periodEnd, sourceId FROM careEpisode WHERE nhsNumber = ?", arguments: arguments
        ).map { row in
            CareEpisode(id: row["id"], ods: row["ods"], status: row["status"], start: row["periodStart"], end: row["periodEnd"], sourceId: row["sourceId"])
        }
        let decisions = try Row.fetchAll(
            db,
            sql: """
                SELECT sequence, id, kind, recordedAt, recordedByOds, sourceId, recordedBySub, actorSub, periodStart, periodEnd
                FROM sharingDecision WHERE nhsNumber = ? ORDER BY recordedAt, sequence
                """,
            arguments: arguments
        ).compactMap(sharingDecision)
        let hasDemographics = try Bool.fetchOne(
            db, sql: "SELECT EXISTS (SELECT 1 FROM patientRecord WHERE nhsNumber = ?)", arguments: arguments) ?? false
        if practice == nil && episodes.isEmpty && decisions.isEmpty && !hasDemographics { return nil }
        return PatientState(
            nhsNumber: nhsNumber, registeredPractice: practice, episodes: episodes, decisions: decisions, hasDemographics: hasDemographics)
    }

    static func sharingDecision(_ row: Row) -> SharingDecision? {
        guard let kind = SharingDecision.Kind(rawValue: row["kind"]) else { return nil }
        return SharingDecision(
            id: row["id"], kind: kind, recordedAt: row["recordedAt"], recordedByOds: row["recordedByOds"], sourceId: row["sourceId"],
            recordedBySub: row["recordedBySub"], actorSub: row["actorSub"], periodStart: row["periodStart"], periodEnd: row["periodEnd"],
            sequence: row["sequence"])
    }
}

extension JSONDecoder {
    /// Decodes stored import reports (dates as ISO 8601).
    static var importReports: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

extension JSONEncoder {
    /// Encodes import reports for storage (dates as ISO 8601, keys sorted).
    static var importReports: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
