import FHIR
import Foundation
import GRDB

/// Reads run synchronously on the caller's task, on the calling thread: a read of the record is a few indexed lookups, far
/// cheaper than the hop to a dispatch queue and back that an asynchronous read makes (issue 12: that hop was a fifth of the
/// read path's CPU). Each read is one transaction on its own connection, so snapshot isolation is unchanged; a read never
/// waits for the writer (WAL). Patient-scoped reads go through `readSnapshot` (the serving path's own connections and
/// statements); the few others through `readNow` (GRDB's synchronous `read`).
///
/// No read of the record may use GRDB's asynchronous `read`: an asynchronous read holds a reader connection while its
/// block waits for a thread, and on a small machine those threads are the very ones blocked here waiting for a reader. That
/// deadlock stopped the server under `/health` probes at 32 connections (`ServeLivenessTests` keeps it from coming back).
extension SQLiteCareRecordRepository {
    /// A read transaction on the calling thread (GRDB's synchronous `read`, which a synchronous function selects), for the
    /// reads off the serving path (source statuses, the sync lock's probe).
    func readNow<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    /// A read transaction of the serving path on the calling thread (`SnapshotReaders`): every patient-scoped read.
    func readSnapshot<T>(_ body: (SnapshotConnection) throws -> T) throws -> T {
        try snapshots.read(body)
    }

    public func patientState(_ nhsNumber: NHSNumber) async throws -> PatientState? {
        try readSnapshot { db in try Self.patientState(db, nhsNumber) }
    }

    public func patientStateAndRecord(_ nhsNumber: NHSNumber, reading query: SnapshotQuery) async throws -> (state: PatientState?, read: SnapshotRead?) {
        try readSnapshot { db in
            // An NHS number never seen: nothing to release, and the decision refuses it.
            guard let state = try Self.patientState(db, nhsNumber) else { return (nil, nil) }
            switch query {
            case .patient: return (state, .patient(try Self.patient(db, nhsNumber, registeredPractice: state.registeredPractice)))
            case .everything: return (state, .everything(try Self.everything(db, nhsNumber, registeredPractice: state.registeredPractice)))
            case .entries(let type):
                return (state, .entries(try Self.storedResources(db, Self.entriesSQL, [.text(nhsNumber.value), .text(type.rawValue)], type: type.rawValue, patient: nhsNumber)))
            }
        }
    }

    public func patient(_ nhsNumber: NHSNumber, consistentWith state: PatientState?) async throws -> StoredResource? {
        try readSnapshot { db in
            try Self.require(state, db)
            return try Self.patient(db, nhsNumber)
        }
    }

    /// Inside a read transaction: the state a decision was made on must still be the state (issue 8.13).
    static func require(_ state: PatientState?, _ db: some SQLiteStatementSource) throws {
        guard let state else { return }
        guard let current = try patientState(db, state.nhsNumber), current.isSameBasis(as: state) else { throw StoreError.stateChanged }
    }

    /// Inside a read transaction: the state is unchanged and the entry (if any) still belongs to its patient.
    static func require(_ state: PatientState?, owning entry: StoredResource?, _ db: some SQLiteStatementSource) throws -> StoredResource? {
        guard let state else { return entry }
        try require(state, db)
        guard let entry else { return nil }
        guard entry.nhsNumber == state.nhsNumber else { throw StoreError.stateChanged }
        return entry
    }

    public func everything(patient: NHSNumber, consistentWith state: PatientState?) async throws -> [StoredResource] {
        try readSnapshot { db in
            try Self.require(state, db)
            return try Self.everything(db, patient, registeredPractice: Self.registeredPractice(db, patient))
        }
    }

    static let entriesSQL = "SELECT id, sourceId, versionId, lastUpdated, resource FROM clinicalEntry WHERE nhsNumber = ? AND resourceType = ? ORDER BY id"

    /// Inside a read transaction: the combined Patient, then each clinical type, then the sharing decisions.
    static func everything(_ db: some SQLiteStatementSource, _ patient: NHSNumber, registeredPractice: String?) throws -> [StoredResource] {
        var resources = try Self.patient(db, patient, registeredPractice: registeredPractice).map { [$0] } ?? []
        // Read into one array: concatenating per type copied every entry once more (issue 12).
        for type in ClinicalResourceType.allCases {
            try storedResources(db, entriesSQL, [.text(patient.value), .text(type.rawValue)], type: type.rawValue, patient: patient, into: &resources)
        }
        return resources + (try Self.consents(db, patient))
    }

    /// Rows of `id, sourceId, versionId, lastUpdated, resource` (in that order), read by position.
    static func storedResources(
        _ db: some SQLiteStatementSource, _ sql: String, _ arguments: [SQLiteArgument], type: String, patient: NHSNumber
    ) throws -> [StoredResource] {
        var resources: [StoredResource] = []
        try storedResources(db, sql, arguments, type: type, patient: patient, into: &resources)
        return resources
    }

    static func storedResources(
        _ db: some SQLiteStatementSource, _ sql: String, _ arguments: [SQLiteArgument], type: String, patient: NHSNumber,
        into resources: inout [StoredResource]
    ) throws {
        var rows = try SQLiteRows(db, sql, arguments)
        while try rows.next() {
            resources.append(StoredResource(
                id: try rows.string(0), resourceType: type, nhsNumber: patient, sourceId: try rows.string(1), versionId: try rows.string(2),
                lastUpdated: try rows.date(3), json: try rows.data(4)))
        }
    }

    static func patient(_ db: some SQLiteStatementSource, _ nhsNumber: NHSNumber) throws -> StoredResource? {
        try patient(db, nhsNumber, registeredPractice: try Self.registeredPractice(db, nhsNumber))
    }

    /// The combined Patient: the registered practice's own record when it has one, else the most recently updated.
    static func patient(_ db: some SQLiteStatementSource, _ nhsNumber: NHSNumber, registeredPractice practice: String?) throws -> StoredResource? {
        var best: (preferred: Bool, sourceId: String, versionId: String, lastUpdated: Date, json: Data)?
        var rows = try SQLiteRows(
            db, """
                SELECT p.sourceId, p.versionId, p.lastUpdated, p.resource, s.ods
                FROM patientRecord p JOIN source s ON s.id = p.sourceId
                WHERE p.nhsNumber = ?
                """,
            nhsNumber.value)
        while try rows.next() {
            var preferred = false
            if let practice { preferred = try rows.string(4) == practice }
            let lastUpdated = try rows.date(2)
            if let current = best, current.preferred != preferred ? current.preferred : current.lastUpdated >= lastUpdated { continue }
            best = (preferred, try rows.string(0), try rows.string(1), lastUpdated, try rows.data(3))
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
        try readSnapshot { db in
            try Self.require(state, db)
            var count = try SQLiteRows(db, "SELECT COUNT(*) FROM clinicalEntry WHERE nhsNumber = ? AND resourceType = ?", patient.value, type.rawValue)
            let total = try count.next() ? Int(try count.int64(0)) : 0
            let items = try Self.storedResources(
                db, """
                    SELECT id, sourceId, versionId, lastUpdated, resource FROM clinicalEntry
                    WHERE nhsNumber = ? AND resourceType = ? ORDER BY id LIMIT ? OFFSET ?
                    """,
                [.text(patient.value), .text(type.rawValue), .integer(page.count), .integer(page.offset)], type: type.rawValue, patient: patient)
            return Page(total: total, items: items)
        }
    }

    public func clinicalEntry(_ type: ClinicalResourceType, id: String, consistentWith state: PatientState?) async throws -> StoredResource? {
        try readSnapshot { db in
            var rows = try SQLiteRows(
                db, "SELECT id, sourceId, versionId, lastUpdated, resource, nhsNumber FROM clinicalEntry WHERE id = ? AND resourceType = ?", id, type.rawValue)
            var entry: StoredResource?
            if try rows.next(), let patient = NHSNumber(try rows.string(5)) {
                entry = StoredResource(
                    id: try rows.string(0), resourceType: type.rawValue, nhsNumber: patient, sourceId: try rows.string(1),
                    versionId: try rows.string(2), lastUpdated: try rows.date(3), json: try rows.data(4))
            }
            return try Self.require(state, owning: entry, db)
        }
    }

    public func consents(patient: NHSNumber, consistentWith state: PatientState?) async throws -> [StoredResource] {
        try readSnapshot { db in
            try Self.require(state, db)
            return try Self.consents(db, patient)
        }
    }

    /// Upstream decisions and API decisions (from the attached decisions file) as one relation; API sequences are offset so
    /// that insertion order still breaks ties between decisions made at the same instant. Columns by position:
    /// `decisionResource` reads a row of it.
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

    /// The Consent of a row of `allDecisions`; nil when its NHS number is not one.
    static func decisionResource(_ rows: borrowing SQLiteRows, patient: NHSNumber? = nil) throws -> StoredResource? {
        guard let nhsNumber = try patient ?? NHSNumber(rows.string(2)) else { return nil }
        return StoredResource(
            id: try rows.string(1), resourceType: Consent.resourceType, nhsNumber: nhsNumber, sourceId: rows.optionalString(6),
            versionId: try rows.string(12), lastUpdated: try rows.date(11), json: try rows.data(13))
    }

    static let consentsSQL = "SELECT * FROM (\(allDecisions(where: "nhsNumber = ?"))) ORDER BY recordedAt, sequence"

    static func consents(_ db: some SQLiteStatementSource, _ patient: NHSNumber) throws -> [StoredResource] {
        var resources: [StoredResource] = []
        var rows = try SQLiteRows(db, consentsSQL, patient.value, patient.value)
        while try rows.next() {
            if let resource = try decisionResource(rows, patient: patient) { resources.append(resource) }
        }
        return resources
    }

    static let consentByIdSQL = allDecisions(where: "id = ?")

    public func consent(id: String, consistentWith state: PatientState?) async throws -> StoredResource? {
        try readSnapshot { db in
            var rows = try SQLiteRows(db, Self.consentByIdSQL, id, id)
            let entry = try rows.next() ? try Self.decisionResource(rows) : nil
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

    /// The registered practice: only as a GP practice's own export says (C3), the most recently updated if several do (the
    /// first source by id among those updated at the same instant, as on PostgreSQL). Picked here, not by `ORDER BY ...
    /// LIMIT 1`: SQLite built a temporary B-tree to sort the one or two rows, a twentieth of a read's CPU (issue 12).
    ///
    /// An import asks it with `excludingSource`, its own source, while its own registration of the patient is not yet
    /// written: the source's rows from its last import stay in place until the import ends (only what changed is written).
    static func registeredPractice(
        _ db: some SQLiteStatementSource, _ nhsNumber: NHSNumber, excludingSource excluded: String? = nil
    ) throws -> String? {
        var rows: SQLiteRows
        if let excluded {
            rows = try SQLiteRows(db, Self.registrationsSQL.excludingSource, nhsNumber.value, excluded)
        } else {
            rows = try SQLiteRows(db, Self.registrationsSQL.all, nhsNumber.value)
        }
        var best: (practice: String, lastUpdated: String)?
        while try rows.next() {
            let lastUpdated = try rows.string(1)
            if let current = best, !current.lastUpdated.utf8.lexicographicallyPrecedes(lastUpdated.utf8) { continue }
            best = (try rows.string(0), lastUpdated)
        }
        return best?.practice
    }

    /// A patient's registrations in GP practices' own exports, in primary-key order (nhsNumber, sourceId); lastUpdated as
    /// text, compared as SQLite's ORDER BY compares it.
    static let registrationsSQL = {
        let select = """
            SELECT r.practiceOds, CAST(r.lastUpdated AS TEXT) FROM registration r JOIN source s ON s.id = r.sourceId
            WHERE r.nhsNumber = ? AND s.isGPPractice AND r.sourceOds = r.practiceOds AND s.ods = r.practiceOds
            """
        return (all: select + " ORDER BY r.sourceId", excludingSource: select + " AND r.sourceId <> ? ORDER BY r.sourceId")
    }()

    static func patientState(_ db: some SQLiteStatementSource, _ nhsNumber: NHSNumber) throws -> PatientState? {
        let practice = try registeredPractice(db, nhsNumber)
        // Columns by position: this runs on every patient-scoped request (issue 12).
        var episodes: [CareEpisode] = []
        var episodeRows = try SQLiteRows(db, Self.episodesSQL, nhsNumber.value)
        while try episodeRows.next() {
            episodes.append(CareEpisode(
                id: try episodeRows.string(0), ods: try episodeRows.string(1), status: try episodeRows.string(2),
                start: try episodeRows.optionalDate(3), end: try episodeRows.optionalDate(4), sourceId: try episodeRows.string(5)))
        }
        var decisions: [SharingDecision] = []
        for sql in Self.stateDecisionsSQL {
            var rows = try SQLiteRows(db, sql, nhsNumber.value)
            while try rows.next() {
                guard let kind = SharingDecision.Kind(rawValue: try rows.string(2)) else { continue }
                decisions.append(SharingDecision(
                    id: try rows.string(1), kind: kind, recordedAt: try rows.date(3), recordedByOds: try rows.string(4), sourceId: rows.optionalString(5),
                    recordedBySub: rows.optionalString(6), actorSub: rows.optionalString(7), periodStart: try rows.optionalDate(8),
                    periodEnd: try rows.optionalDate(9), sequence: try rows.int64(0)))
            }
        }
        // Sorted here as PostgreSQL's state is: the union's ORDER BY built a temporary B-tree on every request (issue 12).
        decisions.sort(by: SharingDecision.chronological)
        var demographics = try SQLiteRows(db, "SELECT EXISTS (SELECT 1 FROM patientRecord WHERE nhsNumber = ?)", nhsNumber.value)
        var hasDemographics = false
        if try demographics.next() { hasDemographics = try demographics.bool(0) }
        if practice == nil && episodes.isEmpty && decisions.isEmpty && !hasDemographics { return nil }
        return PatientState(
            nhsNumber: nhsNumber, registeredPractice: practice, episodes: episodes, decisions: decisions, hasDemographics: hasDemographics)
    }

    static let episodesSQL = "SELECT id, ods, status, periodStart, periodEnd, sourceId FROM careEpisode WHERE nhsNumber = ? ORDER BY ods, id"

    /// The decisions a state needs, without their resources: upstream ones, then the API's (their sequences after every
    /// upstream one), each read through its patient index (built once: the statement cache is keyed by the SQL text).
    static let stateDecisionsSQL = [
        """
        SELECT sequence, id, kind, recordedAt, recordedByOds, sourceId, recordedBySub, actorSub, periodStart, periodEnd
        FROM main.sharingDecision WHERE nhsNumber = ?
        """,
        """
        SELECT sequence + 1099511627776, id, kind, recordedAt, recordedByOds, NULL, recordedBySub, actorSub, periodStart, periodEnd
        FROM decisions.apiDecision WHERE nhsNumber = ?
        """,
    ]
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
