import FHIR
import Foundation
import GRDB

/// The audit log in its own SQLite file: WAL with `synchronous = FULL`, so a committed record survives a crash;
/// triggers refuse updates and deletes, and the hash chain shows any change made around them.
public final class SQLiteAuditStore: CheckpointedAuditStore {
    let pool: DatabasePool
    /// Checkpoints the log's WAL off the commit path.
    let checkpointer: WALCheckpointer
    static let columns = """
        sequence, recorded, requestID, userSub, userName, userRole, userOds, userRegistration, clientAddress, method, path,
        interaction, resourceType, patientNHS, returned, status, reasonCode, basis, accessReason, previousHash, hash,
        purposeOfUse, clientRequestID, correlationID, attemptedPatientNHS, throttledCount,
        patientRegisteredOds, reviewOf, reviewOutcome, reviewNote
        """
    static let columnCount = 30
    /// The log's size (pages) past which a commit checkpoints what the checkpointer's thread has not yet copied: a backstop,
    /// the log restarting at about `WALCheckpointer.restartFrames` pages when the writer does its share (`afterCommit`).
    static let walBackstopPages = 4_000
    static let insertSQL = "INSERT INTO auditRecord (\(columns)) VALUES (\(Array(repeating: "?", count: columnCount).joined(separator: ",")))"
    /// How long an append waits for another writer of the file (another process) before failing: the API then answers 503.
    public static let writeTimeout: TimeInterval = 2

    public init(path: String) throws {
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.writeTimeout)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Checkpoints run on `checkpointer`'s thread; a commit checkpoints only past the backstop, what that thread has
            // not yet copied, so that the log can restart (issue 12).
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.walBackstopPages)")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
        checkpointer = WALCheckpointer(path: path)
    }

    deinit { checkpointer.stop() }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-audit-log") { db in
            try db.execute(sql: """
                CREATE TABLE auditRecord (
                    sequence INTEGER PRIMARY KEY NOT NULL,
                    recorded TEXT NOT NULL, requestID TEXT NOT NULL,
                    userSub TEXT, userName TEXT, userRole TEXT, userOds TEXT, userRegistration TEXT, clientAddress TEXT,
                    method TEXT NOT NULL, path TEXT NOT NULL, interaction TEXT NOT NULL, resourceType TEXT, patientNHS TEXT,
                    returned TEXT, status INTEGER NOT NULL, reasonCode TEXT NOT NULL, basis TEXT, accessReason TEXT,
                    previousHash TEXT NOT NULL, hash TEXT NOT NULL
                );
                CREATE INDEX auditRecord_byPatient ON auditRecord(patientNHS, recorded);
                CREATE TABLE auditHead (id INTEGER PRIMARY KEY CHECK (id = 1), sequence INTEGER NOT NULL, hash TEXT NOT NULL);
                CREATE TRIGGER auditRecord_appendOnlyUpdate BEFORE UPDATE ON auditRecord BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER auditRecord_appendOnlyDelete BEFORE DELETE ON auditRecord BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                """)
        }
        migrator.registerMigration("v2-request-identity-and-attempts") { db in
            // New fields are absent (NULL) on older records, and absent fields are not hashed, so the chain still verifies.
            try db.execute(sql: """
                ALTER TABLE auditRecord ADD COLUMN purposeOfUse TEXT;
                ALTER TABLE auditRecord ADD COLUMN clientRequestID TEXT;
                ALTER TABLE auditRecord ADD COLUMN correlationID TEXT;
                ALTER TABLE auditRecord ADD COLUMN attemptedPatientNHS TEXT;
                ALTER TABLE auditRecord ADD COLUMN throttledCount INTEGER;
                CREATE INDEX auditRecord_byAttemptedPatient ON auditRecord(attemptedPatientNHS) WHERE attemptedPatientNHS IS NOT NULL;
                """)
        }
        migrator.registerMigration("v3-organisation-review") { db in
            try db.execute(sql: """
                ALTER TABLE auditRecord ADD COLUMN patientRegisteredOds TEXT;
                ALTER TABLE auditRecord ADD COLUMN reviewOf INTEGER;
                ALTER TABLE auditRecord ADD COLUMN reviewOutcome TEXT;
                ALTER TABLE auditRecord ADD COLUMN reviewNote TEXT;
                CREATE INDEX auditRecord_byRecorded ON auditRecord(recorded);
                CREATE INDEX auditRecord_byUser ON auditRecord(userSub, recorded);
                CREATE INDEX auditRecord_byReviewed ON auditRecord(reviewOf) WHERE reviewOf IS NOT NULL;
                """)
        }
        return migrator
    }

    public func append(_ records: [AuditRecord]) async throws -> [AuditRecord] {
        do {
            return try await appendLinked(records)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            throw StoreError.busy
        }
    }

    /// Between two commits: when the checkpointer's thread asks, copies the last frames of the log into the file, so that
    /// the next commit restarts the log (`WALCheckpointer`). Left to the backstop if it fails.
    public func afterCommit() async {
        guard checkpointer.takeRestartRequest() else { return }
        defer { checkpointer.restartDone() }
        _ = try? await pool.writeWithoutTransaction { db in try db.checkpoint(.passive) }
    }

    private func appendLinked(_ records: [AuditRecord]) async throws -> [AuditRecord] {
        defer { checkpointer.committed() }
        return try await pool.write { db in
            let head = try Self.head(db) ?? (0, AuditChain.genesis)
            let linked = AuditChain.link(records, after: head)
            // Bound through SQLite's C API (`SQLiteRows`): GRDB's argument array boxed each of the thirty values, about a
            // third of the insert's CPU (issue 12).
            for record in linked {
                try SQLiteRows.execute(db, Self.insertSQL, [
                    .integer(Int(record.sequence)), .text(record.recorded), .text(record.requestID), .text(record.userSub), .text(record.userName),
                    .text(record.userRole), .text(record.userOds), .text(record.userRegistration), .text(record.clientAddress), .text(record.method),
                    .text(record.path), .text(record.interaction), .text(record.resourceType), .text(record.patientNHS), .text(record.returned),
                    .integer(record.status), .text(record.reasonCode), .text(record.basis), .text(record.accessReason), .text(record.previousHash),
                    .text(record.hash), .text(record.purposeOfUse), .text(record.clientRequestID), .text(record.correlationID),
                    .text(record.attemptedPatientNHS), .integer(record.throttledCount), .text(record.patientRegisteredOds),
                    .integer(record.reviewOf.map { Int($0) }), .text(record.reviewOutcome), .text(record.reviewNote),
                ])
            }
            if let last = linked.last {
                try db.cachedStatement(
                    sql: "INSERT INTO auditHead (id, sequence, hash) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET sequence = excluded.sequence, hash = excluded.hash"
                ).execute(arguments: [last.sequence, last.hash])
            }
            return linked
        }
    }

    public func records(patient: NHSNumber, filter: AuditFilter, page: PageRequest) async throws -> Page<AuditRecord> {
        var conditions = [filter.includeAttempts ? "(patientNHS = ? OR attemptedPatientNHS = ?)" : "patientNHS = ?"]
        var arguments: [(any DatabaseValueConvertible)?] = filter.includeAttempts ? [patient.value, patient.value] : [patient.value]
        if let ods = filter.userOds {
            conditions.append("userOds = ?")
            arguments.append(ods)
        }
        for bound in filter.recordedBounds {
            conditions.append("recorded \(bound.comparison.rawValue) ?")
            arguments.append(bound.instant)
        }
        if !filter.subtypes.isEmpty {
            let interactions = filter.subtypes.subtracting(["emergency-override"]).sorted()
            var alternatives = interactions.map { _ in "interaction = ?" }
            arguments += interactions.map { $0 as String? }
            if filter.subtypes.contains("emergency-override") { alternatives.append("(basis = 'emergency-override' OR purposeOfUse IS NOT NULL)") }
            conditions.append("(\(alternatives.joined(separator: " OR ")))")
        }
        let whereClause = conditions.joined(separator: " AND ")
        let statementArguments = StatementArguments(arguments)
        return try await pool.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM auditRecord WHERE \(whereClause)", arguments: statementArguments) ?? 0
            let rows = try Row.fetchAll(
                db, sql: "SELECT \(Self.columns) FROM auditRecord WHERE \(whereClause) ORDER BY sequence DESC LIMIT ? OFFSET ?",
                arguments: statementArguments + [page.count, page.offset])
            return Page(total: total, items: rows.map(Self.record))
        }
    }

    public func record(sequence: Int64) async throws -> AuditRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM auditRecord WHERE sequence = ?", arguments: [sequence]).map(Self.record)
        }
    }

    public func records(organisation ods: String, from: String, to: String) async throws -> [AuditRecord] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.columns) FROM auditRecord
                    WHERE recorded >= ? AND recorded < ? AND (patientRegisteredOds = ? OR userOds = ?) ORDER BY sequence
                    """,
                arguments: [from, to, ods, ods]).map(Self.record)
        }
    }

    public func records(users: Set<String>, from: String, to: String) async throws -> [AuditRecord] {
        guard !users.isEmpty else { return [] }
        let list = users.sorted()
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.columns) FROM auditRecord
                    WHERE userSub IN (\(list.map { _ in "?" }.joined(separator: ","))) AND recorded >= ? AND recorded < ? ORDER BY sequence
                    """,
                arguments: StatementArguments(list + [from, to])).map(Self.record)
        }
    }

    public func reviews(of sequences: Set<Int64>) async throws -> [AuditRecord] {
        guard !sequences.isEmpty else { return [] }
        let list = sequences.sorted()
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(Self.columns) FROM auditRecord WHERE reviewOf IN (\(list.map { _ in "?" }.joined(separator: ","))) ORDER BY sequence",
                arguments: StatementArguments(list)).map(Self.record)
        }
    }

    /// Takes the file's write lock and gives it straight back (waiting at most `writeTimeout` for another writer).
    public func canCommit() async -> Bool {
        do {
            try await pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) { .rollback }
            }
            return true
        } catch {
            return false
        }
    }

    public func verify() async throws -> AuditVerification {
        try await pool.read { db in
            var verifier = AuditChainVerifier()
            let cursor = try Row.fetchCursor(db, sql: "SELECT \(Self.columns) FROM auditRecord ORDER BY sequence")
            while let row = try cursor.next() {
                if let problem = verifier.check(Self.record(row)) {
                    return AuditVerification(records: verifier.checked, problem: problem)
                }
            }
            return AuditVerification(records: verifier.checked, problem: verifier.finish(head: try Self.head(db)))
        }
    }

    /// Every record of a patient in time order, for `care-record audit report`.
    public func allRecords(patient: NHSNumber) async throws -> [AuditRecord] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(Self.columns) FROM auditRecord WHERE patientNHS = ? OR attemptedPatientNHS = ? ORDER BY sequence",
                arguments: [patient.value, patient.value])
                .map(Self.record)
        }
    }

    static func head(_ db: Database) throws -> (sequence: Int64, hash: String)? {
        // Prepared once per connection (the statement cache): every group commit reads it (issue 12).
        try Row.fetchOne(db.cachedStatement(sql: "SELECT sequence, hash FROM auditHead WHERE id = 1")).map { ($0[0], $0[1]) }
    }

    static func record(_ row: Row) -> AuditRecord {
        var record = AuditRecord(
            recorded: row["recorded"], requestID: row["requestID"], method: row["method"], path: row["path"],
            interaction: row["interaction"], status: row["status"], reasonCode: row["reasonCode"])
        record.sequence = row["sequence"]
        record.userSub = row["userSub"]
        record.userName = row["userName"]
        record.userRole = row["userRole"]
        record.userOds = row["userOds"]
        record.userRegistration = row["userRegistration"]
        record.clientAddress = row["clientAddress"]
        record.resourceType = row["resourceType"]
        record.patientNHS = row["patientNHS"]
        record.returned = row["returned"]
        record.basis = row["basis"]
        record.accessReason = row["accessReason"]
        record.purposeOfUse = row["purposeOfUse"]
        record.clientRequestID = row["clientRequestID"]
        record.correlationID = row["correlationID"]
        record.attemptedPatientNHS = row["attemptedPatientNHS"]
        record.throttledCount = row["throttledCount"]
        record.patientRegisteredOds = row["patientRegisteredOds"]
        record.reviewOf = row["reviewOf"]
        record.reviewOutcome = row["reviewOutcome"]
        record.reviewNote = row["reviewNote"]
        record.previousHash = row["previousHash"]
        record.hash = row["hash"]
        return record
    }
}
