@testable import CareRecordStore
import Foundation
import GRDB
import GRDBSQLite
import Testing

/// The audit log's WAL is checkpointed on a thread of its own; the writer copies the last few frames between two commits so
/// that the log restarts, and a commit checkpoints only past a backstop (issue 12).
@Suite("Audit WAL checkpoints off the commit path")
struct WALCheckpointerTests {
    /// A fresh SQLite audit log (`AuditBackend`), its store and its file.
    func makeLog() async throws -> (log: TestAuditLog, store: SQLiteAuditStore, path: String) {
        let log = try await AuditBackend.sqlite.makeLog()
        guard case .sqlite(let path) = log.location, let store = log.store as? SQLiteAuditStore else { throw CancellationError() }
        return (log, store, path)
    }

    func size(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    }

    @Test("below the backstop commits never checkpoint; the checkpointer's thread does, every commitsPerCheckpoint commits; the chain stays intact")
    func checkpointsOffTheCommitPath() async throws {
        let (log, store, path) = try await makeLog()
        #expect(try await store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") } == SQLiteAuditStore.walBackstopPages)
        let fileBefore = try size(path)

        let commits = WALCheckpointer.commitsPerCheckpoint * 2 + 10
        try await log.appendReads(commits)
        // Two checkpoints asked for; each runs on the checkpointer's thread once asked.
        for _ in 0..<100 where store.checkpointer.checkpoints < 2 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(store.checkpointer.checkpoints == 2)
        let outcome = store.checkpointer.lastOutcome
        #expect(outcome.code == SQLITE_OK)
        #expect(outcome.copied > 0)
        // The records reached the database file itself, not only its log.
        #expect(try size(path) > fileBefore)
        let verification = try await store.verify()
        #expect(verification.records == Int64(commits))
        #expect(verification.problem == nil)
    }

    @Test("under commits that never pause, the log restarts once the writer copies the last frames between two commits, below the backstop")
    func logRestartsBelowTheBackstop() async throws {
        let (log, store, path) = try await makeLog()
        // About five pages of log per commit: without a restart the log would pass 7,000 pages; with the backstop alone, 4,000.
        try await log.appendReads(1_500)
        let pages = try size(path + "-wal") / 4_096
        #expect(store.checkpointer.restartsRequested > 0)
        #expect(pages < SQLiteAuditStore.walBackstopPages, "\(pages) pages of log")
        #expect(try await store.verify().problem == nil)
    }

    @Test("when the writer leaves its share undone, the backstop still bounds the log")
    func backstopBoundsTheLog() async throws {
        let (log, store, path) = try await makeLog()
        try await log.appendReads(1_500, upkeep: false)
        let pages = try size(path + "-wal") / 4_096
        #expect(pages <= SQLiteAuditStore.walBackstopPages + 1_000, "\(pages) pages of log")
        #expect(store.checkpointer.checkpoints > 0)
        #expect(try await store.verify().problem == nil)
    }
}
