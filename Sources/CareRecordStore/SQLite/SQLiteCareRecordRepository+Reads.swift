import FHIR
import Foundation
import GRDB

/// Reads run synchronously on the caller's task (GRDB's synchronous `read` takes a reader connection from the pool and runs
/// on the calling thread): a read of the record is a few indexed lookups, far cheaper than the hop to a dispatch queue and
/// back that the asynchronous `read` makes (issue 12: that hop was a fifth of the read path's CPU). Each read is still one
/// transaction on its own connection, so snapshot isolation is unchanged; a read never waits for the writer (WAL).
///
/// Every read of the record's pool must go through `readNow`, never GRDB's asynchronous `read`: an asynchronous read holds
/// a reader connection while its block waits for a thread, and on a small machine those threads are the very ones blocked
/// here waiting for a reader. That deadlock stopped the server under `/health` probes at 32 connections
/// (`ServeLivenessTests` keeps it from coming back).
extension SQLiteCareRecordRepository {
    /// A read transaction on the calling thread (GRDB's synchronous `read`, which a synchronous function selects).
    func readNow<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    public func patientState(_ nhsNumber: NHSNumber) async throws -> PatientState? {
        try readNow { db in try Self.patientState(db, nhsNumber) }
    }

    public func patientStateAndRecord(_ nhsNumber: NHSNumber, reading query: SnapshotQuery) async throws -> (state: PatientState?, read: SnapshotRead?) {
        try readNow { db in
            // An NHS number never seen: nothing to release, and the decision refuses it.
            guard let state = try Self.patientState(db, nhsNumber) else { return (nil, nil) }
            switch query {
            case .patient: return (state, .patient(try Self.patient(db, nhsNumber, registeredPractice: state.registeredPractice)))
            case .everything: return (state, .everything(try Self.everything(db, nhsNumber, registeredPractice: state.registeredPractice)))
            case .entries(let type):
                return (state, .entries(try Self.storedResources(
                    db.cachedStatement(sql: "SELECT id, sourceId, versionId, lastUpdated, resource FROM clinicalEntry WHERE nhsNumber = ? AND resourceType = ? ORDER BY id"),
                    [nhsNumber.value, type.rawValue], type: type.rawValue, patient: nhsNumber)))
            }
        }
    }

    public func patient(_ nhsNumber: NHSNumber, consistentWith state: PatientState?) async throws -> StoredResource? {
        try readNow { db in
            try Self.require(state, db)
            return try Self.patient(db, nhsNumber)
        }
    }

    /// Inside a read transaction: the state a decision was made on must still be the state (issue 8.13).
    static func require(_ state: PatientState?, _ db: Database) throws {
        guard let state else { return }
        guard let current = try patientState(db, state.nhsNumber), current.isSameBasis(as: state) else { throw StoreError.stateChanged }
    }

    /// Inside a read transaction: the state is unchanged and the entry (if any) still belongs to its patient.
    static func require(_ state: PatientState?, owning entry: StoredResource?, _ db: Database) throws -> StoredResource? {
        guard let state else { return entry }
        try require(state, db)
        guard let entry else { return nil }
        guard entry.nhsNumber == state.nhsNumber else { throw StoreError.stateChanged }
        return entry
    }

    public func everything(patient: NHSNumber, consistentWith state: PatientState?) async throws -> [StoredResource] {
        try readNow { db in
            try Self.require(state, db)
            return try Self.everything(db, patient, registeredPractice: Self.registeredPractice(db, patient))
        }
    }

    /// Inside a read transaction: the combined Patient, then each clinical type, then the sharing decisions.
    static func everything(_ db: Database, _ patient: NHSNumber, registeredPractice: String?) throws -> [StoredResource] {
        var resources = try Self.patient(db, patient, registeredPractice: registeredPractice).map { [$0] } ?? []
        for type in ClinicalResourceType.allCases {
            resources += try storedResources(
                db.cachedStatement(sql: "SELECT id, sourceId, versionId, lastUpdated, resource FROM clinicalEntry WHERE nhsNumber = ? AND resourceType = ? ORDER BY id"),
                [patient.value, type.rawValue], type: type.rawValue, patient: patient)
        }
        return resources + (try Self.consents(db, patient))
    }

    /// Rows of `id, sourceId, versionId, lastUpdated, resource` (in that order), read through a cursor by position.
    static func storedResources(_ statement: Statement, _ arguments: StatementArguments, type: String, patient: NHSNumber) throws -> [StoredResource] {
        var resources: [StoredResource] = []
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        while let row = try rows.next() {
            resources.append(StoredResource(
                id: row[0], resourceType: type, nhsNumber: patient, sourceId: row[1], versionId: row[2], lastUpdated: row[3], json: row[4]))
        }
        return resources
    }

    static func patient(_ db: Database, _ nhsNumber: NHSNumber) throws -> StoredResource? {
        try patient(db, nhsNumber, registeredPractice: try Self.registeredPractice(db, nhsNumber))
    }

    /// The combined Patient: the registered practice's own record when it has one, else the most recently updated.
    static func patient(_ db: Database, _ nhsNumber: NHSNumber, registeredPractice practice: String?) throws -> StoredResource? {
        var best: (preferred: Bool, sourceId: String, versionId: String, lastUpdated: Date, json: Data)?
        let rows = try Row.fetchCursor(
            db.cachedStatement(sql: """
                SELECT p.sourceId, p.versionId, p.lastUpdated, p.resource, s.ods
                FROM patientRecord p JOIN source s ON s.id = p.sourceId
                WHERE p.nhsNumber = ?
                """),
            arguments: [nhsNumber.value])
        while let row = try rows.next() {
            let preferred = practice != nil && (row[4] as String) == practice
            let lastUpdated: Date = row[2]
            if let current = best, current.preferred != preferred ? current.preferred : current.lastUpdated >= lastUpdated { continue }
            best = (preferred, row[0], row[1], lastUpdated, row[3])
        }
        return best.map { best in
            StoredResource(
                id: nhsNumber.value, resourceType: Patient.resourceType, nhsNumber: nhsNumber,
                sourceId: best.sourceId, versionId: best.versionId, lastUpdated: best.lastUpdated, json: best.json)
        }
    }

    public func clinicalEntries(
        _ type: ClinicalResourceType, patient: NHSNumber, page: PageRequest, consistentWith state: PatientState?
    ) async throws -> Page<StoredResource> {
        try readNow { db in
            try Self.require(state, db)
            let arguments: StatementArguments = [patient.value, type.rawValue]
            let total = try Int.fetchOne(
                db.cachedStatement(sql: "SELECT COUNT(*) FROM clinicalEntry WHERE nhsNumber = ? AND resourceType = ?"), arguments: arguments) ?? 0
            let items = try Self.storedResources(
                db.cachedStatement(sql: """
                    SELECT id, sourceId, versionId, lastUpdated, resource FROM clinicalEntry
                    WHERE nhsNumber = ? AND resourceType = ? ORDER BY id LIMIT ? OFFSET ?
                    """),
                arguments + [page.count, page.offset], type: type.rawValue, patient: patient)
            return Page(total: total, items: items)
        }
    }

    public func clinicalEntry(_ type: ClinicalResourceType, id: String, consistentWith state: PatientState?) async throws -> StoredResource? {
        try readNow { db in
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT id, nhsNumber, sourceId, versionId, lastUpdated, resource FROM clinicalEntry WHERE id = ? AND resourceType = ?"),
                arguments: [id, type.rawValue])
            let entry = row.flatMap { row in NHSNumber(row["nhsNumber"]).map { Self.storedResource(row, type: type.rawValue, patient: $0) } }
            return try Self.require(state, owning: entry, db)
        }
    }

    public func consents(patient: NHSNumber, consistentWith state: PatientState?) async throws -> [StoredResource] {
        try readNow { db in
            try Self.require(state, db)
            return try Self.consents(db, patient)
        }
    }

    /// Upstream decisions and API decisions (from the attached decisions file) as one relation; API sequences are offset so
    /// that insertion order still breaks ties between decisions made at the same instant.
    static func allDecisions(where condition: String) -> String {
        """
        SELECT sequence, id, nhsNumber, kind, recordedAt, recordedByOds, sourceId, recordedBySub, actorSub, periodStart, periodEnd,
               lastUpdated, versionId, resource
        FROM main.sharingDecision WHERE \(condition)
        UNION ALL
        SELECT sequence + 1099511627776, id, nhsNumber, kind, recordedAt, recordedByOds, NULL, recordedBySub, actorSub, periodStart, periodEnd,
               lastUpdated, versionId, resource
        FROM decisions.apiDecision WHERE \(condition)
        """
    }

    static func consents(_ db: Database, _ patient: NHSNumber) throws -> [StoredResource] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM (\(allDecisions(where: "nhsNumber = ?"))) ORDER BY recordedAt, sequence"), arguments: [patient.value, patient.value]
        ).map { Self.storedResource($0, type: Consent.resourceType, patient: patient) }
    }

    public func consent(id: String, consistentWith state: PatientState?) async throws -> StoredResource? {
        try readNow { db in
            let row = try Row.fetchOne(db.cachedStatement(sql: Self.allDecisions(where: "id = ?")), arguments: [id, id])
            let entry = row.flatMap { row in NHSNumber(row["nhsNumber"]).map { Self.storedResource(row, type: Consent.resourceType, patient: $0) } }
            return try Self.require(state, owning: entry, db)
        }
    }

    public func sourceStatuses() async throws -> [SourceStatus] {
        try readNow { db in
            try Row.fetchAll(db, sql: "SELECT id, ods, isGPPractice FROM source ORDER BY id").map { row in
                let id: String = row["id"]
                func report(_ condition: String) throws -> ImportReport? {
                    let json = try String.fetchOne(
                        db, sql: "SELECT report FROM importRun WHERE sourceId = ? \(condition) ORDER BY id DESC LIMIT 1", arguments: [id])
                    return try json.map { try JSONDecoder.importReports.decode(ImportReport.self, from: Data($0.utf8)) }
                }
                return SourceStatus(
                    source: SourceIdentity(id: id, ods: row["ods"], isGPPractice: row["isGPPractice"]),
                    lastSuccess: try report("AND succeeded = 1"), lastAttempt: try report(""))
            }
        }
    }

    static func storedResource(_ row: Row, type: String, patient: NHSNumber) -> StoredResource {
        StoredResource(
            id: row["id"], resourceType: type, nhsNumber: patient, sourceId: row["sourceId"],
            versionId: row["versionId"], lastUpdated: row["lastUpdated"], json: row["resource"])
    }

    /// The registered practice: only as a GP practice's own export says (C3), the most recently updated if several do.
    static func registeredPractice(_ db: Database, _ nhsNumber: NHSNumber) throws -> String? {
        try String.fetchOne(
            db.cachedStatement(sql: """
                SELECT r.practiceOds FROM registration r JOIN source s ON s.id = r.sourceId
                WHERE r.nhsNumber = ? AND s.isGPPractice AND r.sourceOds = r.practiceOds AND s.ods = r.practiceOds
                ORDER BY r.lastUpdated DESC LIMIT 1
                """),
            arguments: [nhsNumber.value])
    }

    static func patientState(_ db: Database, _ nhsNumber: NHSNumber) throws -> PatientState? {
        let arguments: StatementArguments = [nhsNumber.value]
        let practice = try registeredPractice(db, nhsNumber)
        // Columns by position and rows through cursors (not copied): this runs on every patient-scoped request (issue 12).
        var episodes: [CareEpisode] = []
        let episodeRows = try Row.fetchCursor(db.cachedStatement(sql: Self.episodesSQL), arguments: arguments)
        while let row = try episodeRows.next() {
            episodes.append(CareEpisode(id: row[0], ods: row[1], status: row[2], start: row[3], end: row[4], sourceId: row[5]))
        }
        var decisions: [SharingDecision] = []
        let decisionRows = try Row.fetchCursor(db.cachedStatement(sql: Self.stateDecisionsSQL), arguments: [nhsNumber.value, nhsNumber.value])
        while let row = try decisionRows.next() {
            guard let kind = SharingDecision.Kind(rawValue: row[2]) else { continue }
            decisions.append(SharingDecision(
                id: row[1], kind: kind, recordedAt: row[3], recordedByOds: row[4], sourceId: row[5], recordedBySub: row[6], actorSub: row[7],
                periodStart: row[8], periodEnd: row[9], sequence: row[0]))
        }
        let hasDemographics = try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM patientRecord WHERE nhsNumber = ?)"), arguments: arguments) ?? false
        if practice == nil && episodes.isEmpty && decisions.isEmpty && !hasDemographics { return nil }
        return PatientState(
            nhsNumber: nhsNumber, registeredPractice: practice, episodes: episodes, decisions: decisions, hasDemographics: hasDemographics)
    }

    static let episodesSQL = "SELECT id, ods, status, periodStart, periodEnd, sourceId FROM careEpisode WHERE nhsNumber = ? ORDER BY ods, id"

    /// The decisions a state needs, without their resources (built once: the statement cache is keyed by the SQL text).
    static let stateDecisionsSQL = """
        SELECT sequence, id, kind, recordedAt, recordedByOds, sourceId, recordedBySub, actorSub, periodStart, periodEnd
        FROM (\(allDecisions(where: "nhsNumber = ?"))) ORDER BY recordedAt, sequence
        """
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
