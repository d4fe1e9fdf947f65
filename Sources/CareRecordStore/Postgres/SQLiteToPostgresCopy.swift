import Foundation
import GRDB
import Logging
import PostgresNIO

/// Moves a one-node site onto PostgreSQL (`care-record migrate`): copies the SQLite record (its decisions file too) and
/// audit log into an empty PostgreSQL database, keeping every served id, version, sequence and hash, then verifies the
/// audit chain there. The record is copied in one transaction and the audit log in another, so a failed copy leaves
/// nothing half-written behind (run it again once the cause is fixed).
public struct SQLiteToPostgresCopy: Sendable {
    /// What was copied, table by table, and the verified audit chain.
    public struct Summary: Sendable, Hashable {
        public var rows: [String: Int] = [:]
        public var auditRecords: Int64 = 0
        public var auditHead: Int64?
    }

    /// Why a copy was refused.
    public enum Failure: Error, Hashable, CustomStringConvertible {
        case targetNotEmpty(String)
        case sourceChainBroken(String)
        case copiedChainBroken(String)
        case unsupportedText(table: String)

        public var description: String {
            switch self {
            case .targetNotEmpty(let table): "the PostgreSQL database already holds data (table \(table)); copy into an empty database"
            case .sourceChainBroken(let problem): "the SQLite audit log does not verify (\(problem)); nothing copied"
            case .copiedChainBroken(let problem): "the copied audit log does not verify (\(problem)); the copy is not to be used"
            case .unsupportedText(let table): "table \(table) holds text with a NUL character, which PostgreSQL cannot store; nothing copied"
            }
        }
    }

    let recordPath: String
    let auditPath: String
    let pool: PostgresConnectionPool
    static let batch = 500

    public init(recordPath: String, auditPath: String, pool: PostgresConnectionPool) {
        self.recordPath = recordPath
        self.auditPath = auditPath
        self.pool = pool
    }

    public func run() async throws -> Summary {
        let record = try SQLiteCareRecordRepository(path: recordPath)
        let audit = try SQLiteAuditStore(path: auditPath)
        let source = try await audit.verify()
        if let problem = source.problem { throw Failure.sourceChainBroken(problem) }
        let target = try await PostgresCareRecordRepository(pool: pool)
        let targetAudit = try await PostgresAuditStore(pool: pool)
        var summary = Summary()
        summary.rows = try await copyRecord(record, into: target)
        summary.auditRecords = try await copyAudit(audit)
        let copied = try await targetAudit.verify()
        if let problem = copied.problem { throw Failure.copiedChainBroken(problem) }
        summary.auditHead = try await targetAudit.head()?.sequence
        return summary
    }

    /// The record's tables, read from SQLite in one snapshot and written in one PostgreSQL transaction.
    func copyRecord(_ record: SQLiteCareRecordRepository, into target: PostgresCareRecordRepository) async throws -> [String: Int] {
        let tables = try await record.pool.read { db in try Self.readRecord(db) }
        return try await pool.transaction { connection, logger in
            try await connection.perform("SET LOCAL statement_timeout = 0", logger: logger)
            for table in ["source", "sharingDecision", "auditRecord"] {
                var any = false
                for try await _ in try await connection.query(PostgresQuery(unsafeSQL: "SELECT 1 FROM \(table) LIMIT 1"), logger: logger) { any = true }
                if any { throw Failure.targetNotEmpty(table) }
            }
            var counts: [String: Int] = [:]
            for table in tables {
                if table.rows.contains(where: { $0.contains { ($0 as? String)?.contains("\0") == true } }) { throw Failure.unsupportedText(table: table.name) }
                var start = 0
                while start < table.rows.count {
                    let end = min(start + Self.batch, table.rows.count)
                    try await connection.perform(try table.insert(table.rows[start..<end]), logger: logger)
                    start = end
                }
                counts[table.name, default: 0] += table.rows.count
            }
            // The serial columns go on from the copied values.
            try await connection.perform("SELECT setval(pg_get_serial_sequence('importrun', 'id'), GREATEST((SELECT MAX(id) FROM importRun), 1))", logger: logger)
            try await connection.perform(
                "SELECT setval(pg_get_serial_sequence('sharingdecision', 'sequence'), GREATEST((SELECT MAX(sequence) FROM sharingDecision), 1))", logger: logger)
            return counts
        }
    }

    /// The audit log as it is (sequence, fields and hashes unchanged), and its head.
    func copyAudit(_ audit: SQLiteAuditStore) async throws -> Int64 {
        let (records, head) = try await audit.pool.read { db in
            (try Row.fetchAll(db, sql: "SELECT \(SQLiteAuditStore.columns) FROM auditRecord ORDER BY sequence").map(SQLiteAuditStore.record),
             try SQLiteAuditStore.head(db))
        }
        if records.contains(where: { $0.containsNUL }) { throw Failure.unsupportedText(table: "auditRecord") }
        try await pool.transaction { connection, logger in
            try await connection.perform("SET LOCAL statement_timeout = 0", logger: logger)
            try await connection.perform("SELECT pg_advisory_xact_lock(\(PostgresAuditStore.chainLock))", logger: logger)
            var start = records.startIndex
            while start < records.endIndex {
                let end = min(start + PostgresAuditStore.rowsPerStatement, records.endIndex)
                try await connection.perform(PostgresAuditStore.insert(records[start..<end]), logger: logger)
                start = end
            }
            if let head {
                try await connection.perform("INSERT INTO auditHead (id, sequence, hash) VALUES (1, \(head.sequence), \(head.hash))", logger: logger)
            }
        }
        return Int64(records.count)
    }

    /// One table's rows as read from SQLite, and how to insert them.
    struct Table: Sendable {
        let name: String
        let columns: [String]
        /// Column types in PostgreSQL terms, for binding: text, bool, int, date, bytes.
        let kinds: [Kind]
        let rows: [[(any Sendable)?]]

        enum Kind: Sendable { case text, bool, int, date, bytes }

        func insert(_ slice: ArraySlice<[(any Sendable)?]>) throws -> PostgresQuery {
            var fragment = SQLFragment()
            let tuples = try slice.map { row in
                "(" + (try zip(row, kinds).map { value, kind in try Self.bind(value, kind, &fragment) }).joined(separator: ",") + ")"
            }
            return PostgresQuery(
                unsafeSQL: "INSERT INTO \(name) (\(columns.joined(separator: ", "))) VALUES \(tuples.joined(separator: ","))", binds: fragment.binds)
        }

        static func bind(_ value: (any Sendable)?, _ kind: Kind, _ fragment: inout SQLFragment) throws -> String {
            switch kind {
            case .text: fragment.bind(value as? String)
            case .bool: fragment.bind(value as? Bool)
            case .int: fragment.bind(value as? Int64)
            case .date: fragment.bind(value as? Date)
            case .bytes: try fragment.bind(bytes: value as? Data ?? Data())
            }
        }
    }

    static func readRecord(_ db: Database) throws -> [Table] {
        func table(_ name: String, _ sql: String, _ columns: [(String, Table.Kind)]) throws -> Table {
            let rows = try Row.fetchAll(db, sql: sql).map { row in
                columns.enumerated().map { index, column -> (any Sendable)? in
                    switch column.1 {
                    case .text: row[index] as String?
                    case .bool: row[index] as Bool?
                    case .int: row[index] as Int64?
                    case .date: row[index] as Date?
                    case .bytes: row[index] as Data?
                    }
                }
            }
            return Table(name: name, columns: columns.map(\.0), kinds: columns.map(\.1), rows: rows)
        }
        let upstreamMax = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(sequence), 0) FROM main.sharingDecision") ?? 0
        let decisionColumns: [(String, Table.Kind)] = [
            ("sequence", .int), ("id", .text), ("nhsNumber", .text), ("kind", .text), ("recordedAt", .date), ("recordedByOds", .text),
            ("sourceId", .text), ("recordedBySub", .text), ("actorSub", .text), ("periodStart", .date), ("periodEnd", .date),
            ("lastUpdated", .date), ("versionId", .text), ("resource", .bytes),
        ]
        return [
            try table("source", "SELECT id, ods, isGPPractice FROM source ORDER BY id", [("id", .text), ("ods", .text), ("isGPPractice", .bool)]),
            try table(
                "importRun", "SELECT id, sourceId, succeeded, report FROM importRun ORDER BY id",
                [("id", .int), ("sourceId", .text), ("succeeded", .bool), ("report", .text)]),
            try table(
                "patientRecord", "SELECT nhsNumber, sourceId, upstreamId, lastUpdated, versionId, resource FROM patientRecord",
                [("nhsNumber", .text), ("sourceId", .text), ("upstreamId", .text), ("lastUpdated", .date), ("versionId", .text), ("resource", .bytes)]),
            try table(
                "registration", "SELECT nhsNumber, sourceId, sourceOds, practiceOds, lastUpdated FROM registration",
                [("nhsNumber", .text), ("sourceId", .text), ("sourceOds", .text), ("practiceOds", .text), ("lastUpdated", .date)]),
            try table(
                "careEpisode", "SELECT id, nhsNumber, sourceId, ods, status, periodStart, periodEnd FROM careEpisode",
                [("id", .text), ("nhsNumber", .text), ("sourceId", .text), ("ods", .text), ("status", .text), ("periodStart", .date), ("periodEnd", .date)]),
            // Upstream decisions keep their sequence; API decisions (the decisions file) follow them, in their own order.
            try table(
                "sharingDecision",
                """
                SELECT sequence, id, nhsNumber, kind, recordedAt, recordedByOds, sourceId, recordedBySub, actorSub, periodStart, periodEnd,
                       lastUpdated, versionId, resource FROM main.sharingDecision
                UNION ALL
                SELECT sequence + \(upstreamMax), id, nhsNumber, kind, recordedAt, recordedByOds, NULL, recordedBySub, actorSub, periodStart,
                       periodEnd, lastUpdated, versionId, resource FROM decisions.apiDecision
                ORDER BY 1
                """, decisionColumns),
            try table(
                "clinicalEntry", "SELECT id, resourceType, nhsNumber, sourceId, lastUpdated, versionId, resource FROM clinicalEntry",
                [("id", .text), ("resourceType", .text), ("nhsNumber", .text), ("sourceId", .text), ("lastUpdated", .date), ("versionId", .text),
                 ("resource", .bytes)]),
        ]
    }
}

extension AuditRecord {
    /// Whether any field holds a NUL character (which PostgreSQL's text cannot).
    var containsNUL: Bool {
        [recorded, requestID, userSub, userName, userRole, userOds, userRegistration, clientAddress, method, path, interaction, resourceType,
         patientNHS, returned, reasonCode, basis, accessReason, purposeOfUse, clientRequestID, correlationID, attemptedPatientNHS]
            .contains { $0?.contains("\0") == true }
    }

    /// The record with every NUL character replaced by U+FFFD, before it is linked, so PostgreSQL can store what was hashed.
    var withoutNUL: AuditRecord {
        guard containsNUL else { return self }
        func clean(_ text: String) -> String { text.replacingOccurrences(of: "\0", with: "\u{FFFD}") }
        var record = self
        record.recorded = clean(recorded)
        record.requestID = clean(requestID)
        record.method = clean(method)
        record.path = clean(path)
        record.interaction = clean(interaction)
        record.reasonCode = clean(reasonCode)
        record.userSub = userSub.map(clean)
        record.userName = userName.map(clean)
        record.userRole = userRole.map(clean)
        record.userOds = userOds.map(clean)
        record.userRegistration = userRegistration.map(clean)
        record.clientAddress = clientAddress.map(clean)
        record.resourceType = resourceType.map(clean)
        record.patientNHS = patientNHS.map(clean)
        record.returned = returned.map(clean)
        record.basis = basis.map(clean)
        record.accessReason = accessReason.map(clean)
        record.purposeOfUse = purposeOfUse.map(clean)
        record.clientRequestID = clientRequestID.map(clean)
        record.correlationID = correlationID.map(clean)
        record.attemptedPatientNHS = attemptedPatientNHS.map(clean)
        return record
    }
}
