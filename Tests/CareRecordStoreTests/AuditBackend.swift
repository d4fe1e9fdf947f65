import CareRecordStore
import Foundation
import Testing

/// The audit store backends every audit-store test runs on: the same cases, written once (fluent-kit's
/// FluentBenchmarker is the picture). PostgreSQL is left out, with a skipped test saying so, when it is not installed.
enum AuditBackend: String, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    static var all: [AuditBackend] { PostgresServer.isEnabled ? [.sqlite, .postgres] : [.sqlite] }

    var testDescription: String { self == .sqlite ? "SQLite" : "PostgreSQL" }

    /// A fresh, empty log on this backend.
    func makeLog() async throws -> TestAuditLog {
        switch self {
        case .sqlite:
            let path = scratchFolder().appendingPathComponent("audit.sqlite").path
            return TestAuditLog(store: try SQLiteAuditStore(path: path), location: .sqlite(path: path))
        case .postgres:
            let server = try await PostgresServer.shared()
            return try await TestAuditLog.postgres(server: server, database: try server.createDatabase())
        }
    }

    /// Runs `body` with a fresh log, closing its connections afterwards.
    func withLog<Result>(records: Int = 0, _ body: (TestAuditLog) async throws -> Result) async throws -> Result {
        let log = try await makeLog()
        do {
            try await log.appendReads(records)
            let result = try await body(log)
            await log.close()
            return result
        } catch {
            await log.close()
            throw error
        }
    }
}

/// One audit log under test: its store, and the means to reach under it as someone with access to the file or the
/// database would (the sqlite3 and psql command lines, not the code under test).
struct TestAuditLog: Sendable {
    enum Location: Sendable {
        case sqlite(path: String)
        case postgres(server: PostgresServer, database: String, pool: PostgresConnectionPool)
    }

    let store: any CheckpointedAuditStore
    let location: Location

    static func postgres(server: PostgresServer, database: String) async throws -> TestAuditLog {
        let pool = try PostgresConnectionPool(settings: server.settings(database: database), maximumConnections: 4)
        do {
            return TestAuditLog(store: try await PostgresAuditStore(pool: pool), location: .postgres(server: server, database: database, pool: pool))
        } catch {
            await pool.shutdown()
            throw error
        }
    }

    func close() async {
        if case .postgres(_, _, let pool) = location { await pool.shutdown() }
    }

    /// Appends `count` reads of one patient, one record per transaction as the API's quiet periods do.
    /// `upkeep: false` leaves out the store's upkeep between appends (`afterCommit`).
    func appendReads(_ count: Int, upkeep: Bool = true, recorded: (Int) -> String = { _ in "2026-11-27T10:00:00.000Z" }) async throws {
        for index in 0..<count {
            var record = AuditRecord(
                recorded: recorded(index), requestID: UUID().uuidString, method: "GET", path: "/Patient/9434765919",
                interaction: "read", status: 200, reasonCode: "OK")
            record.patientNHS = "9434765919"
            record.userSub = "dr.\(index)"
            _ = try await store.append([record])
            // As the server's single writer (`AuditLog`) does after each commit.
            if upkeep { await store.afterCommit() }
        }
    }

    /// Runs SQL as it is; the tool's exit status and error output.
    func execute(_ sql: String) throws -> (succeeded: Bool, errors: String) {
        switch location {
        case .sqlite(let path):
            let result = try CommandLineTool.sqlite3.run(["-bail", path], input: ".timeout 5000\n\(sql)\n")
            return (result.status == 0 && result.errors.isEmpty, result.errors)
        case .postgres(let server, let database, _):
            let result = try server.psqlResult(database: database, sql)
            return (result.status == 0, result.errors)
        }
    }

    /// Runs SQL after dropping the append-only triggers, as an attacker with write access would.
    func attack(_ sql: String) throws {
        switch location {
        case .sqlite(let path):
            try CommandLineTool.sqlite3.succeed(["-bail", path], input: """
                .timeout 5000
                DROP TRIGGER IF EXISTS auditRecord_appendOnlyUpdate;
                DROP TRIGGER IF EXISTS auditRecord_appendOnlyDelete;
                \(sql)
                """)
        case .postgres(let server, let database, _):
            try server.psql(database: database, """
                DROP TRIGGER IF EXISTS auditRecord_appendOnlyUpdate ON auditRecord;
                DROP TRIGGER IF EXISTS auditRecord_appendOnlyDelete ON auditRecord;
                \(sql)
                """)
        }
    }

    /// Runs `body` with another store on the same log, as a second node (or process) would open it.
    func withSecondNode<Result>(_ body: (TestAuditLog) async throws -> Result) async throws -> Result {
        let node: TestAuditLog
        switch location {
        case .sqlite(let path):
            node = TestAuditLog(store: try SQLiteAuditStore(path: path), location: location)
        case .postgres(let server, let database, _):
            node = try await .postgres(server: server, database: database)
        }
        do {
            let result = try await body(node)
            await node.close()
            return result
        } catch {
            await node.close()
            throw error
        }
    }

    /// Runs `body` with a consistent copy of the log as it is now, opened as a log of its own (an older backup, once
    /// more is appended to this one).
    func withCopy<Result>(_ body: (TestAuditLog) async throws -> Result) async throws -> Result {
        let copy = try await copy()
        do {
            let result = try await body(copy)
            await copy.close()
            return result
        } catch {
            await copy.close()
            throw error
        }
    }

    private func copy() async throws -> TestAuditLog {
        switch location {
        case .sqlite(let path):
            // Move everything from the WAL into the main file, so copying that file alone is a consistent backup.
            let walCheckpoint = try CommandLineTool.sqlite3.succeed([path], input: ".timeout 5000\nPRAGMA wal_checkpoint(TRUNCATE);\n")
            try #require(walCheckpoint.hasPrefix("0|"))
            let copy = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("older/audit.sqlite")
            try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: path, toPath: copy.path)
            return TestAuditLog(store: try SQLiteAuditStore(path: copy.path), location: .sqlite(path: copy.path))
        case .postgres(let server, let database, _):
            let copy = try server.createDatabase()
            let psql = try #require(PostgresServer.binaries).appendingPathComponent("psql").path
            let dump = try #require(PostgresServer.binaries).appendingPathComponent("pg_dump").path
            let quoted = { (arguments: [String]) in arguments.map { "'\($0)'" }.joined(separator: " ") }
            try CommandLineTool(path: "/bin/bash").succeed([
                "-c", "set -o pipefail; \(quoted([dump] + server.connectionArguments(database: database))) | "
                    + "\(quoted([psql, "-X"] + server.connectionArguments(database: copy) + ["-q", "-v", "ON_ERROR_STOP=1"])) >/dev/null",
            ])
            return try await .postgres(server: server, database: copy)
        }
    }
}
