@testable import CareRecordStore
import Foundation
import GRDB
import GRDBSQLite
import Testing

/// The audit log's WAL is checkpointed on a thread of its own; a commit does so only past a backstop, so the log restarts
/// (issue 12).
@Suite("Audit WAL checkpoints off the commit path")
struct WALCheckpointerTests {
    @Test("below the backstop commits never checkpoint; the checkpointer's thread does, every commitsPerCheckpoint commits; the chain stays intact")
    func checkpointsOffTheCommitPath() async throws {
        let folder = scratchFolder()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("audit.sqlite").path
        let store = try SQLiteAuditStore(path: path)
        #expect(try await store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") } == SQLiteAuditStore.walBackstopPages)
        let fileBefore = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)

        let commits = WALCheckpointer.commitsPerCheckpoint * 2 + 10
        for index in 0..<commits {
            var record = AuditRecord(
                recorded: "2026-11-28T10:00:00.000Z", requestID: "request-\(index)", method: "GET", path: "/Patient/9434765919",
                interaction: "read", status: 200, reasonCode: "OK")
            record.patientNHS = "9434765919"
            _ = try await store.append([record])
        }
        // Two checkpoints asked for; each runs on the checkpointer's thread once asked.
        for _ in 0..<100 where store.checkpointer.checkpoints < 2 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(store.checkpointer.checkpoints == 2)
        let outcome = store.checkpointer.lastOutcome
        #expect(outcome.code == SQLITE_OK)
        #expect(outcome.copied > 0)
        // The records reached the database file itself, not only its log.
        let fileAfter = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(fileAfter > fileBefore)
        let verification = try await store.verify()
        #expect(verification.records == Int64(commits))
        #expect(verification.problem == nil)
    }

    @Test("under commits that never pause, the log is still restarted: its file stays bounded")
    func logStaysBounded() async throws {
        let folder = scratchFolder()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("audit.sqlite").path
        let store = try SQLiteAuditStore(path: path)
        // About five pages of log per commit: without a restart the log would pass 7,000 pages.
        for index in 0..<1_500 {
            var record = AuditRecord(
                recorded: "2026-11-28T10:00:00.000Z", requestID: "request-\(index)", method: "GET", path: "/Patient/9434765919",
                interaction: "read", status: 200, reasonCode: "OK")
            record.patientNHS = "9434765919"
            record.userSub = "dr.\(index % 17)"
            _ = try await store.append([record])
        }
        let log = try #require(try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int)
        #expect(log <= (SQLiteAuditStore.walBackstopPages + 1_000) * 4_096, "\(log / 4_096) pages of log")
        #expect(store.checkpointer.checkpoints > 0)
        #expect(try await store.verify().problem == nil)
    }
}
