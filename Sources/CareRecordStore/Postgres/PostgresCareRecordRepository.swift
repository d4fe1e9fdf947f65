import FHIR
import Foundation
import Logging
import PostgresNIO

/// The combined record in PostgreSQL, shared by every node: the same tables and rules as the SQLite record, so the
/// guarantees are the same on both. A refresh is one transaction; every read that takes more than one statement runs
/// in one `REPEATABLE READ` snapshot, so it sees a refresh whole or not at all; nothing about a patient is cached in the
/// node, so a decision recorded through any node applies on the next request to every node.
public final class PostgresCareRecordRepository: CareRecordRepository {
    let pool: PostgresConnectionPool
    /// How long an opt-out waits for its purge before answering (the decision is in force either way).
    static let purgeWait: Duration = .seconds(1)
    /// Held (session-level, on a connection kept for the sync) by whichever node or `care-record sync` is syncing.
    static let syncLock: Int64 = 0x4341_5245_5359_4E43  // "CARESYNC"
    /// Rows per multi-row `INSERT` of an import (13 parameters at most each, well under the protocol's 65,535).
    static let rowsPerStatement = 1000

    /// Uses `pool` (shared with the node's audit store), applying the record's migrations first.
    public init(pool: PostgresConnectionPool) async throws {
        self.pool = pool
        try await pool.migrate(Self.migrations)
    }

    public var backend: String { "postgresql" }

    public func isReachable() async -> Bool {
        (try? await pool.withConnection { connection in
            try await connection.perform("SELECT 1", logger: self.pool.logger)
            return true
        }) ?? false
    }

    /// A read-only transaction on one snapshot.
    func snapshot<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> Result) async throws -> Result {
        try await pool.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    public func patientState(_ nhsNumber: NHSNumber) async throws -> PatientState? {
        // One statement: its own snapshot, no transaction needed.
        try await pool.withConnection { connection in try await Self.patientState(nhsNumber, connection, self.pool.logger) }
    }

    public func patient(_ nhsNumber: NHSNumber, consistentWith state: PatientState?) async throws -> StoredResource? {
        try await snapshot { connection, logger in
            try await Self.require(state, connection, logger)
            return try await Self.patient(nhsNumber, practice: state.map(\.registeredPractice), connection, logger)
        }
    }

    public func clinicalEntries(
        _ type: ClinicalResourceType, patient: NHSNumber, page: PageRequest, consistentWith state: PatientState?
    ) async throws -> Page<StoredResource> {
        try await snapshot { connection, logger in
            try await Self.require(state, connection, logger)
            // The total rides on every row of the page; only an empty page (past the end) needs a count of its own.
            let rows = try await Self.rows(connection.query(
                """
                SELECT id, sourceId, versionId, lastUpdated, resource, COUNT(*) OVER () FROM clinicalEntry
                WHERE nhsNumber = \(patient.value) AND resourceType = \(type.rawValue) ORDER BY id LIMIT \(page.count) OFFSET \(page.offset)
                """, logger: logger))
            var total = try rows.first.map { Int(try $0[5].decode(Int64.self)) } ?? 0
            if rows.isEmpty && page.offset > 0 {
                for try await count in try await connection.query(
                    "SELECT COUNT(*) FROM clinicalEntry WHERE nhsNumber = \(patient.value) AND resourceType = \(type.rawValue)", logger: logger
                ).decode(Int64.self) {
                    total = Int(count)
                }
            }
            return Page(total: total, items: try rows.map { try Self.storedResource($0, type: type.rawValue, patient: patient) })
        }
    }

    public func clinicalEntry(_ type: ClinicalResourceType, id: String, consistentWith state: PatientState?) async throws -> StoredResource? {
        try await snapshot { connection, logger in
            let rows = try await Self.rows(connection.query(
                "SELECT id, sourceId, versionId, lastUpdated, resource, nhsNumber FROM clinicalEntry WHERE id = \(id) AND resourceType = \(type.rawValue)",
                logger: logger))
            let entry = try rows.first.flatMap { row in
                try NHSNumber(row[5].decode(String.self)).map { try Self.storedResource(row, type: type.rawValue, patient: $0) }
            }
            return try await Self.require(state, owning: entry, connection, logger)
        }
    }

    public func everything(patient: NHSNumber, consistentWith state: PatientState?) async throws -> [StoredResource] {
        try await snapshot { connection, logger in
            try await Self.require(state, connection, logger)
            var resources = try await Self.patient(patient, practice: state.map(\.registeredPractice), connection, logger).map { [$0] } ?? []
            // One statement for every clinical type, in the same order as the SQLite record (type by type, then id).
            let rows = try await Self.rows(connection.query(
                """
                SELECT id, sourceId, versionId, lastUpdated, resource, resourceType FROM clinicalEntry
                WHERE nhsNumber = \(patient.value) ORDER BY resourceType, id
                """, logger: logger))
            var byType: [String: [StoredResource]] = [:]
            for row in rows {
                let type = try row[5].decode(String.self)
                byType[type, default: []].append(try Self.storedResource(row, type: type, patient: patient))
            }
            for type in ClinicalResourceType.allCases { resources += byType[type.rawValue] ?? [] }
            return resources + (try await Self.consents(patient, connection, logger))
        }
    }

    public func consents(patient: NHSNumber, consistentWith state: PatientState?) async throws -> [StoredResource] {
        try await snapshot { connection, logger in
            try await Self.require(state, connection, logger)
            return try await Self.consents(patient, connection, logger)
        }
    }

    public func consent(id: String, consistentWith state: PatientState?) async throws -> StoredResource? {
        try await snapshot { connection, logger in
            let rows = try await Self.rows(connection.query(
                "SELECT \(unescaped: Self.decisionColumns) FROM sharingDecision WHERE id = \(id)", logger: logger))
            let entry = try rows.first.flatMap { row in
                try NHSNumber(row[2].decode(String.self)).map { try Self.storedResource(decision: row, patient: $0) }
            }
            return try await Self.require(state, owning: entry, connection, logger)
        }
    }

    public func sourceStatuses() async throws -> [SourceStatus] {
        try await snapshot { connection, logger in
            var statuses: [SourceStatus] = []
            for try await (id, ods, isGPPractice) in try await connection.query(
                "SELECT id, ods, isGPPractice FROM source ORDER BY id", logger: logger
            ).decode((String, String, Bool).self) {
                statuses.append(SourceStatus(source: SourceIdentity(id: id, ods: ods, isGPPractice: isGPPractice), lastSuccess: nil, lastAttempt: nil))
            }
            for index in statuses.indices {
                let id = statuses[index].source.id
                statuses[index].lastSuccess = try await Self.lastRun(
                    connection.query("SELECT report FROM importRun WHERE sourceId = \(id) AND succeeded ORDER BY id DESC LIMIT 1", logger: logger))
                statuses[index].lastAttempt = try await Self.lastRun(
                    connection.query("SELECT report FROM importRun WHERE sourceId = \(id) ORDER BY id DESC LIMIT 1", logger: logger))
            }
            return statuses
        }
    }

    static func lastRun(_ rows: PostgresRowSequence) async throws -> ImportReport? {
        for try await json in rows.decode(String.self) {
            return try JSONDecoder.importReports.decode(ImportReport.self, from: Data(json.utf8))
        }
        return nil
    }

    public func withSyncLock<Result: Sendable>(_ body: @escaping @Sendable () async throws -> Result) async throws -> Result? {
        let logger = pool.logger
        // The lock is held by the session of a connection leased for the whole sync; if that connection is lost the server
        // releases it (another node may then start while this one finishes; each refresh is still all or nothing).
        return try await pool.withConnection { connection in
            var acquired = false
            for try await value in try await connection.query("SELECT pg_try_advisory_lock(\(Self.syncLock))", logger: logger).decode(Bool.self) {
                acquired = value
            }
            guard acquired else { return nil }
            let result: Swift.Result<Result, any Error>
            do {
                result = .success(try await body())
            } catch {
                result = .failure(error)
            }
            try? await connection.perform("SELECT pg_advisory_unlock(\(Self.syncLock))", logger: logger)
            return try result.get()
        }
    }
}

extension PostgresCareRecordRepository {
    /// Sharing decisions as one relation: API decisions (no source) sort after upstream ones recorded at the same instant,
    /// as in the SQLite record, whatever order the rows were inserted in.
    static let decisionColumns = """
        sequence + CASE WHEN sourceId IS NULL THEN 1099511627776 ELSE 0 END, id, nhsNumber, kind, recordedAt, recordedByOds, sourceId,
        recordedBySub, actorSub, periodStart, periodEnd, lastUpdated, versionId, resource
        """

    static func rows(_ sequence: PostgresRowSequence) async throws -> [PostgresRandomAccessRow] {
        var rows: [PostgresRandomAccessRow] = []
        for try await row in sequence { rows.append(row.makeRandomAccess()) }
        return rows
    }

    /// A row of `id, sourceId, versionId, lastUpdated, resource` as a served resource.
    static func storedResource(_ row: PostgresRandomAccessRow, type: String, patient: NHSNumber) throws -> StoredResource {
        StoredResource(
            id: try row[0].decode(String.self), resourceType: type, nhsNumber: patient, sourceId: try row[1].decode(String?.self),
            versionId: try row[2].decode(String.self), lastUpdated: try row[3].decode(Date.self), json: try row[4].decode(Data.self))
    }

    /// A row of `decisionColumns` as a served `Consent`.
    static func storedResource(decision row: PostgresRandomAccessRow, patient: NHSNumber) throws -> StoredResource {
        StoredResource(
            id: try row[1].decode(String.self), resourceType: Consent.resourceType, nhsNumber: patient, sourceId: try row[6].decode(String?.self),
            versionId: try row[12].decode(String.self), lastUpdated: try row[11].decode(Date.self), json: try row[13].decode(Data.self))
    }

    /// Inside a transaction: the state a decision was made on must still be the state (issue 8.13).
    static func require(_ state: PatientState?, _ connection: PostgresConnection, _ logger: Logger) async throws {
        guard let state else { return }
        guard let current = try await patientState(state.nhsNumber, connection, logger), current.isSameBasis(as: state) else { throw StoreError.stateChanged }
    }

    static func require(_ state: PatientState?, owning entry: StoredResource?, _ connection: PostgresConnection, _ logger: Logger) async throws -> StoredResource? {
        guard let state else { return entry }
        try await require(state, connection, logger)
        guard let entry else { return nil }
        guard entry.nhsNumber == state.nhsNumber else { throw StoreError.stateChanged }
        return entry
    }

    /// `practice`: the registered practice when already read in this transaction (a re-checked state), to save a query.
    static func patient(
        _ nhsNumber: NHSNumber, practice known: String?? = nil, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> StoredResource? {
        let practice: String?
        if let known {
            practice = known
        } else {
            practice = try await registeredPractice(nhsNumber, connection, logger)
        }
        var best: (preferred: Bool, resource: StoredResource)?
        for row in try await rows(connection.query(
            """
            SELECT p.nhsNumber, p.sourceId, p.versionId, p.lastUpdated, p.resource, s.ods
            FROM patientRecord p JOIN source s ON s.id = p.sourceId WHERE p.nhsNumber = \(nhsNumber.value) ORDER BY p.sourceId
            """, logger: logger)) {
            // The registered practice's own demographics first, then the most recently updated; the first of equals kept.
            let resource = try storedResource(row, type: Patient.resourceType, patient: nhsNumber)
            let preferred = try row[5].decode(String.self) == practice
            if let current = best {
                let better = current.preferred != preferred ? preferred : resource.lastUpdated > current.resource.lastUpdated
                guard better else { continue }
            }
            best = (preferred, resource)
        }
        return best?.resource
    }

    static func consents(_ patient: NHSNumber, _ connection: PostgresConnection, _ logger: Logger) async throws -> [StoredResource] {
        try await decisionRows(patient, connection, logger).map { try storedResource(decision: $0, patient: patient) }
    }

    static func decisionRows(_ patient: NHSNumber, _ connection: PostgresConnection, _ logger: Logger) async throws -> [PostgresRandomAccessRow] {
        try await rows(connection.query(
            "SELECT \(unescaped: decisionColumns) FROM sharingDecision WHERE nhsNumber = \(patient.value) ORDER BY 5, 1", logger: logger))
    }

    /// The registered practice: only as a GP practice's own export says (C3), the most recently updated if several do (the
    /// first source by id among those updated at the same instant).
    static func registeredPractice(_ nhsNumber: NHSNumber, _ connection: PostgresConnection, _ logger: Logger) async throws -> String? {
        for try await practice in try await connection.query(
            """
            SELECT r.practiceOds FROM registration r JOIN source s ON s.id = r.sourceId
            WHERE r.nhsNumber = \(nhsNumber.value) AND s.isGPPractice AND r.sourceOds = r.practiceOds AND s.ods = r.practiceOds
            ORDER BY r.lastUpdated DESC, r.sourceId LIMIT 1
            """, logger: logger
        ).decode(String.self) {
            return practice
        }
        return nil
    }

    /// Everything `PatientState` holds, in one statement (one round trip, and one snapshot even outside a transaction):
    /// kind 0 the registered practice, 1 an episode, 2 a decision, 3 demographics held. Sorted in Swift as the SQLite
    /// record sorts them (keys are ASCII, so byte order and Swift's order agree).
    static let stateQuery = """
        (SELECT 0, r.practiceOds, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,
                NULL::timestamptz, NULL::timestamptz, NULL::timestamptz, NULL::bigint
         FROM registration r JOIN source s ON s.id = r.sourceId
         WHERE r.nhsNumber = $1 AND s.isGPPractice AND r.sourceOds = r.practiceOds AND s.ods = r.practiceOds
         ORDER BY r.lastUpdated DESC, r.sourceId LIMIT 1)
        UNION ALL
        SELECT 1, id, ods, status, sourceId, NULL, NULL, periodStart, periodEnd, NULL, NULL FROM careEpisode WHERE nhsNumber = $1
        UNION ALL
        SELECT 2, id, kind, recordedByOds, sourceId, recordedBySub, actorSub, recordedAt, periodStart, periodEnd,
               sequence + CASE WHEN sourceId IS NULL THEN 1099511627776 ELSE 0 END
        FROM sharingDecision WHERE nhsNumber = $1
        UNION ALL
        SELECT 3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL WHERE EXISTS (SELECT 1 FROM patientRecord WHERE nhsNumber = $1)
        """

    /// `stateQuery`, prepared once per connection: it runs on every request.
    struct StateStatement: PostgresPreparedStatement {
        static let sql = PostgresCareRecordRepository.stateQuery
        typealias Row = PostgresRandomAccessRow
        let nhsNumber: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(nhsNumber)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> PostgresRandomAccessRow { row.makeRandomAccess() }
    }

    static func patientState(_ nhsNumber: NHSNumber, _ connection: PostgresConnection, _ logger: Logger) async throws -> PatientState? {
        var practice: String?
        var episodes: [CareEpisode] = []
        var decisions: [SharingDecision] = []
        var hasDemographics = false
        for try await row in try await connection.execute(StateStatement(nhsNumber: nhsNumber.value), logger: logger) {
            switch try row[0].decode(Int32.self) {
            case 0:
                practice = try row[1].decode(String.self)
            case 1:
                episodes.append(CareEpisode(
                    id: try row[1].decode(String.self), ods: try row[2].decode(String.self), status: try row[3].decode(String.self),
                    start: try row[7].decode(Date?.self), end: try row[8].decode(Date?.self), sourceId: try row[4].decode(String.self)))
            case 2:
                guard let kind = SharingDecision.Kind(rawValue: try row[2].decode(String.self)) else { continue }
                decisions.append(SharingDecision(
                    id: try row[1].decode(String.self), kind: kind, recordedAt: try row[7].decode(Date.self), recordedByOds: try row[3].decode(String.self),
                    sourceId: try row[4].decode(String?.self), recordedBySub: try row[5].decode(String?.self), actorSub: try row[6].decode(String?.self),
                    periodStart: try row[8].decode(Date?.self), periodEnd: try row[9].decode(Date?.self), sequence: try row[10].decode(Int64.self)))
            default:
                hasDemographics = true
            }
        }
        if practice == nil && episodes.isEmpty && decisions.isEmpty && !hasDemographics { return nil }
        episodes.sort { ($0.ods, $0.id) < ($1.ods, $1.id) }
        decisions.sort(by: SharingDecision.chronological)
        return PatientState(nhsNumber: nhsNumber, registeredPractice: practice, episodes: episodes, decisions: decisions, hasDemographics: hasDemographics)
    }
}
