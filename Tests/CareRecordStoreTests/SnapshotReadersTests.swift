@testable import CareRecordStore
import FHIR
import Foundation
import GRDB
import Synchronization
import Testing

/// The serving path's own read connections (issue 12): one snapshot per read, connections reused and bounded, failures
/// rolled back, and columns that do not hold what the schema promises refused rather than trusted.
@Suite("SQLite snapshot readers")
struct SnapshotReadersTests {
    func count(_ db: some SQLiteStatementSource, _ sql: String) throws -> Int64 {
        var rows = try SQLiteRows(db, sql, [])
        guard try rows.next() else { return -1 }
        return try rows.int64(0)
    }

    @Test("a read sees one snapshot: a write committed while it runs is not seen by its later statements, and is by the next read")
    func oneSnapshot() async throws {
        let (repository, done) = try scratchSQLiteRepository()
        defer { done() }
        try await repository.pool.write { db in try db.execute(sql: "INSERT INTO source (id, ods) VALUES ('gp-a81001', 'A81001')") }
        let seen = try repository.snapshots.read { db -> [Int64] in
            let before = try count(db, "SELECT COUNT(*) FROM source")
            // Another connection commits, and an API decision lands in the attached file, while the read is open.
            try repository.pool.write { db in try db.execute(sql: "INSERT INTO source (id, ods) VALUES ('acute-rjr', 'RJR')") }
            try repository.decisions.write { db in
                try db.execute(sql: """
                    INSERT INTO apiDecision (id, nhsNumber, kind, recordedAt, recordedByOds, lastUpdated, versionId, resource)
                    VALUES ('d1', '9434765919', 'consent', '2026-11-01 10:00:00.000', 'A81001', '2026-11-01 10:00:00.000', '1', x'7b7d')
                    """)
            }
            return [before, try count(db, "SELECT COUNT(*) FROM source"), try count(db, "SELECT COUNT(*) FROM decisions.apiDecision")]
        }
        #expect(seen == [1, 1, 0])
        let after = try repository.snapshots.read { db in
            [try count(db, "SELECT COUNT(*) FROM source"), try count(db, "SELECT COUNT(*) FROM decisions.apiDecision")]
        }
        #expect(after == [2, 1])
    }

    @Test("a read that fails is rolled back, and its connection serves the next read")
    func failureRollsBack() throws {
        let (repository, done) = try scratchSQLiteRepository()
        defer { done() }
        struct Refused: Error {}
        #expect(throws: Refused.self) {
            try repository.snapshots.read { db in
                _ = try count(db, "SELECT COUNT(*) FROM source")
                throw Refused()
            }
        }
        #expect(repository.snapshots.idleCount == 1)
        #expect(try repository.snapshots.read { db in try count(db, "SELECT COUNT(*) FROM source") } == 0)
        #expect(repository.snapshots.idleCount == 1)
        // SQL that does not prepare is an error, not a crash, and leaves the connection usable.
        #expect(throws: DatabaseError.self) { try repository.snapshots.read { db in try count(db, "SELECT COUNT(*) FROM nowhere") } }
        #expect(try repository.snapshots.read { db in try count(db, "SELECT 7") } == 7)
    }

    @Test("reads from many threads at once each get a connection of their own; at most idleLimit are kept")
    func concurrentReads() throws {
        let (repository, done) = try scratchSQLiteRepository()
        defer { done() }
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 200) { _ in
            do {
                let value = try repository.snapshots.read { db in try count(db, "SELECT COUNT(*) FROM source") + 1 }
                if value != 1 { failures.withLock { $0 += 1 } }
            } catch {
                failures.withLock { $0 += 1 }
            }
        }
        #expect(failures.withLock { $0 } == 0)
        #expect((1...SnapshotReaders.idleLimit).contains(repository.snapshots.idleCount))
    }

    @Test("a NULL where a value must be, or text that is no date (where a date or none must be), is refused with SQLITE_MISMATCH")
    func mismatches() throws {
        let (repository, done) = try scratchSQLiteRepository()
        defer { done() }
        try repository.snapshots.read { db in
            var rows = try SQLiteRows(db, "SELECT NULL, 'not a date', '2026-11-01 10:00:00.000', 42", [])
            #expect(try rows.next())
            #expect(rows.optionalString(0) == nil)
            #expect(try rows.optionalDate(0) == nil)
            func isMismatch(_ read: () throws -> Void) -> Bool {
                do {
                    try read()
                    return false
                } catch {
                    return (error as? DatabaseError)?.resultCode == .SQLITE_MISMATCH
                }
            }
            #expect(isMismatch { _ = try rows.string(0) })
            #expect(isMismatch { _ = try rows.data(0) })
            #expect(isMismatch { _ = try rows.int64(0) })
            #expect(isMismatch { _ = try rows.date(1) })
            #expect(isMismatch { _ = try rows.optionalDate(1) })
            #expect(try rows.date(2) == Date(timeIntervalSince1970: 1_793_527_200))
            #expect(try rows.int64(3) == 42)
            #expect(try rows.next() == false)
        }
    }

    /// Rows of one statement read while the same SQL is asked for again: refused, the first rows untouched, then served.
    func checkNestedRowsRefused(_ db: some SQLiteStatementSource) throws {
        let sql = "SELECT value FROM (SELECT 1 AS value UNION ALL SELECT 2 UNION ALL SELECT 3) ORDER BY value"
        do {
            var outer = try SQLiteRows(db, sql, [])
            #expect(try outer.next())
            #expect(throws: DatabaseError.self) { _ = try SQLiteRows(db, sql, []) }
            // The outer rows were not reset by the refused attempt.
            #expect(try outer.int64(0) == 1)
            #expect(try outer.next())
            #expect(try outer.int64(0) == 2)
        }
        #expect(try count(db, "SELECT count(*) FROM (\(sql))") == 3)
        var again = try SQLiteRows(db, sql, [])
        #expect(try again.next())
        #expect(try again.int64(0) == 1)
    }

    @Test("rows of a statement asked for again while the first rows are still being read are refused, on both kinds of connection; once those rows are done the statement serves again")
    func nestedRowsRefused() async throws {
        let (repository, done) = try scratchSQLiteRepository()
        defer { done() }
        try repository.snapshots.read { db in try checkNestedRowsRefused(db) }
        try await repository.pool.read { db in try checkNestedRowsRefused(db) }
    }

    @Test("rows read over a GRDB connection survive GRDB letting go of its cached statement mid-read")
    func rowsOutliveGRDBCache() async throws {
        let (repository, done) = try scratchSQLiteRepository()
        defer { done() }
        try await repository.pool.read { db in
            var rows = try SQLiteRows(db, "SELECT value FROM (SELECT 1 AS value UNION ALL SELECT 2) ORDER BY value", [])
            #expect(try rows.next())
            db.clearSchemaCache()
            db.releaseMemory()
            #expect(try rows.int64(0) == 1)
            #expect(try rows.next())
            #expect(try rows.int64(0) == 2)
            #expect(try rows.next() == false)
        }
    }

    @Test("values bound through the C API are stored as GRDB's arguments store them: text, integers, NULL, and blobs (an empty one too)")
    func bindingsMatchGRDB() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (way TEXT, value)")
            let bytes = Data([0, 1, 2, 0xFF])
            let values: [(SQLiteArgument, (any DatabaseValueConvertible)?)] = [
                (.text("Ωmega \u{0}x"), "Ωmega \u{0}x"), (.integer(-7), -7), (.null, nil), (.blob(bytes), bytes), (.blob(Data()), Data()),
            ]
            for (argument, value) in values {
                try SQLiteRows.execute(db, "INSERT INTO t (way, value) VALUES ('c', ?)", [argument])
                try db.execute(sql: "INSERT INTO t (way, value) VALUES ('grdb', ?)", arguments: [value])
            }
            let stored = { (way: String) in
                try Row.fetchAll(db, sql: "SELECT typeof(value), quote(value) FROM t WHERE way = ? ORDER BY rowid", arguments: [way])
                    .map { "\($0[0] as String) \($0[1] as String)" }
            }
            let direct = try stored("c")
            #expect(direct == (try stored("grdb")))
            #expect(direct.last == "blob X''")
        }
    }
}
