import Foundation
import FHIR
import Logging
import PostgresNIO

/// The audit log in PostgreSQL, shared by every node as one hash chain: each append takes a transaction-level advisory
/// lock, reads the head, links and inserts its records and moves the head in one transaction, so appends from all
/// nodes serialize; triggers refuse updates, deletes and truncation, and the chain shows any change made around them.
public final class PostgresAuditStore: CheckpointedAuditStore {
    let pool: PostgresConnectionPool
    /// Held by each appending transaction: the one writer of the chain at a time, across nodes.
    static let chainLock: Int64 = 0x4341_5245_4155_4454  // "CAREAUDT"
    /// Rows per `INSERT` (30 parameters each, well under the protocol's 65,535) and per page when verifying.
    static let rowsPerStatement = 500
    static let pageSize = 1000

    /// Uses `pool` (shared with the other PostgreSQL stores of the node), applying the audit migrations first.
    public init(pool: PostgresConnectionPool) async throws {
        self.pool = pool
        try await pool.migrate(Self.migrations)
    }

    public func append(_ records: [AuditRecord]) async throws -> [AuditRecord] {
        guard !records.isEmpty else { return [] }
        return try await pool.transaction { connection, logger in
            try await connection.perform("SELECT pg_advisory_xact_lock(\(Self.chainLock))", logger: logger)
            let head = try await Self.head(connection, logger) ?? (0, AuditChain.genesis)
            // PostgreSQL's text holds no NUL (a token claim could carry one): replaced before linking, so what is stored is what was hashed.
            let linked = AuditChain.link(records.map(\.withoutNUL), after: head)
            var start = linked.startIndex
            while start < linked.endIndex {
                let end = min(start + Self.rowsPerStatement, linked.endIndex)
                try await connection.perform(Self.insert(linked[start..<end]), logger: logger)
                start = end
            }
            let last = linked[linked.count - 1]
            try await connection.perform(
                """
                INSERT INTO auditHead (id, sequence, hash) VALUES (1, \(last.sequence), \(last.hash))
                ON CONFLICT (id) DO UPDATE SET sequence = excluded.sequence, hash = excluded.hash
                """, logger: logger)
            return linked
        }
    }

    public func records(patient: NHSNumber, filter: AuditFilter, page: PageRequest) async throws -> Page<AuditRecord> {
        var condition = SQLFragment()
        let nhs = condition.bind(patient.value)
        condition.sql = filter.includeAttempts ? "(patientNHS = \(nhs) OR attemptedPatientNHS = \(nhs))" : "patientNHS = \(nhs)"
        if let ods = filter.userOds {
            condition.sql += " AND userOds = \(condition.bind(ods))"
        }
        for bound in filter.recordedBounds {
            condition.sql += " AND recorded \(bound.comparison.rawValue) \(condition.bind(bound.instant))"
        }
        if !filter.subtypes.isEmpty {
            var alternatives = filter.subtypes.subtracting(["emergency-override"]).sorted().map { "interaction = \(condition.bind($0))" }
            if filter.subtypes.contains("emergency-override") { alternatives.append("(basis = 'emergency-override' OR purposeOfUse IS NOT NULL)") }
            condition.sql += " AND (\(alternatives.joined(separator: " OR ")))"
        }
        var pageQuery = condition
        pageQuery.sql = "SELECT \(Self.columns) FROM auditRecord WHERE \(condition.sql) ORDER BY sequence DESC"
        pageQuery.sql += " LIMIT \(pageQuery.bind(page.count)) OFFSET \(pageQuery.bind(page.offset))"
        let count = PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM auditRecord WHERE \(condition.sql)", binds: condition.binds)
        let items = PostgresQuery(unsafeSQL: pageQuery.sql, binds: pageQuery.binds)
        // One snapshot, so the total and the page agree while other nodes append.
        return try await pool.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") { connection, logger in
            var total = 0
            for try await value in try await connection.query(count, logger: logger).decode(Int64.self) { total = Int(value) }
            return Page(total: total, items: try await Self.records(connection.query(items, logger: logger)))
        }
    }

    public func record(sequence: Int64) async throws -> AuditRecord? {
        try await pool.withConnection { connection in
            let rows = try await connection.query(
                "SELECT \(unescaped: Self.columns) FROM auditRecord WHERE sequence = \(sequence)", logger: self.pool.logger)
            return try await Self.records(rows).first
        }
    }

    public func records(organisation ods: String, from: String, to: String) async throws -> [AuditRecord] {
        try await pool.withConnection { connection in
            try await Self.records(connection.query(
                """
                SELECT \(unescaped: Self.columns) FROM auditRecord
                WHERE recorded >= \(from) AND recorded < \(to) AND (patientRegisteredOds = \(ods) OR userOds = \(ods)) ORDER BY sequence
                """, logger: self.pool.logger))
        }
    }

    public func records(users: Set<String>, from: String, to: String) async throws -> [AuditRecord] {
        guard !users.isEmpty else { return [] }
        var query = SQLFragment()
        let list = users.sorted().map { query.bind($0) }.joined(separator: ",")
        query.sql = "SELECT \(Self.columns) FROM auditRecord WHERE userSub IN (\(list))"
        query.sql += " AND recorded >= \(query.bind(from)) AND recorded < \(query.bind(to)) ORDER BY sequence"
        let statement = PostgresQuery(unsafeSQL: query.sql, binds: query.binds)
        return try await pool.withConnection { connection in
            try await Self.records(connection.query(statement, logger: self.pool.logger))
        }
    }

    public func reviews(of sequences: Set<Int64>) async throws -> [AuditRecord] {
        guard !sequences.isEmpty else { return [] }
        var query = SQLFragment()
        let list = sequences.sorted().map { query.bind($0) }.joined(separator: ",")
        query.sql = "SELECT \(Self.columns) FROM auditRecord WHERE reviewOf IN (\(list)) ORDER BY sequence"
        let statement = PostgresQuery(unsafeSQL: query.sql, binds: query.binds)
        return try await pool.withConnection { connection in
            try await Self.records(connection.query(statement, logger: self.pool.logger))
        }
    }

    /// The database answers and is a primary (a standby, left behind by a failover, accepts no writes).
    public func canCommit() async -> Bool {
        (try? await pool.withConnection { connection in
            var writable = false
            for try await primary in try await connection.query("SELECT NOT pg_is_in_recovery()", logger: self.pool.logger).decode(Bool.self) {
                writable = primary
            }
            return writable
        }) ?? false
    }

    public func verify() async throws -> AuditVerification {
        try await walk { AuditChainVerifier() }
    }

    public func verify(checkpoints: [AuditCheckpoint], key: AuditVerifyKey) async throws -> AuditVerification {
        let signatureProblem = AuditCheckpointVerifier(checkpoints: checkpoints, key: key).signatureProblem
        if let signatureProblem { return AuditVerification(records: 0, problem: signatureProblem) }
        return try await walk { AuditCheckpointVerifier(checkpoints: checkpoints, key: key) }
    }

    public func head() async throws -> (sequence: Int64, hash: String)? {
        try await pool.withConnection { connection in
            try await Self.head(connection, self.pool.logger)
        }
    }

    public func allRecords(patient: NHSNumber) async throws -> [AuditRecord] {
        try await pool.withConnection { connection in
            try await Self.records(connection.query(
                """
                SELECT \(unescaped: Self.columns) FROM auditRecord WHERE patientNHS = \(patient.value) OR attemptedPatientNHS = \(patient.value)
                ORDER BY sequence
                """, logger: self.pool.logger))
        }
    }

    /// Walks the whole log in sequence order a page at a time (keyset, so memory stays constant however long it is),
    /// in one snapshot so the records and the head agree while other nodes append.
    private func walk(_ makeVerifier: @escaping @Sendable () -> any AuditChainWalk) async throws -> AuditVerification {
        try await pool.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") { connection, logger in
            var verifier = makeVerifier()
            var after: Int64 = -1
            while true {
                let page = try await Self.records(connection.query(
                    "SELECT \(unescaped: Self.columns) FROM auditRecord WHERE sequence > \(after) ORDER BY sequence LIMIT \(Self.pageSize)",
                    logger: logger))
                for record in page {
                    if let problem = verifier.check(record) { return AuditVerification(records: verifier.checked, problem: problem) }
                }
                guard let last = page.last, page.count == Self.pageSize else { break }
                after = last.sequence
            }
            return AuditVerification(records: verifier.checked, problem: verifier.finish(head: try await Self.head(connection, logger)))
        }
    }

    static func head(_ connection: PostgresConnection, _ logger: Logger) async throws -> (sequence: Int64, hash: String)? {
        for try await (sequence, hash) in try await connection.query("SELECT sequence, hash FROM auditHead WHERE id = 1", logger: logger)
            .decode((Int64, String).self) {
            return (sequence, hash)
        }
        return nil
    }
}

/// The two chain verifiers, walked the same way.
protocol AuditChainWalk {
    var checked: Int64 { get }
    mutating func check(_ record: AuditRecord) -> String?
    func finish(head: (sequence: Int64, hash: String)?) -> String?
}

extension AuditChainVerifier: AuditChainWalk {}
extension AuditCheckpointVerifier: AuditChainWalk {}

/// SQL text with its parameters numbered as they are bound.
struct SQLFragment {
    var sql = ""
    var binds = PostgresBindings()

    /// Binds a value; its placeholder.
    mutating func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    /// Binds bytes as `bytea`; its placeholder.
    mutating func bind(bytes value: Data) throws -> String {
        try binds.append(value)
        return "$\(binds.count)"
    }

    /// Binds an optional value (NULL when nil); its placeholder.
    mutating func bind(_ value: (some PostgresDynamicTypeEncodable)?) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }
}
