@testable import CareRecordStore
import Foundation
import GRDB
import Testing

/// How the record's SQLite connections are set up for the read path and the refresh (issue 12).
@Suite("SQLite connection settings")
struct SQLiteConnectionSettingsTests {
    @Test("readers map the record; the writer does not, so a refresh's resident size stays that of its own work")
    func mappedReadersOnly() async throws {
        let (repository, done) = try scratchSQLiteRepository()
        defer { done() }
        let reader = try repository.readNow { db in try Int.fetchOne(db, sql: "PRAGMA mmap_size") }
        let writer = try await repository.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA mmap_size") }
        #expect(reader == 268_435_456)
        #expect(writer == 0)
    }

    @Test("a read is one transaction, and its connection goes back to the pool outside one, also when the read throws")
    func readTransaction() throws {
        let (repository, done) = try scratchSQLiteRepository()
        defer { done() }
        struct Refused: Error {}
        for _ in 0..<3 {
            #expect(try repository.readNow { db in db.isInsideTransaction })
            #expect(throws: Refused.self) { try repository.readNow { _ in throw Refused() } }
            #expect(try repository.pool.unsafeRead { db in !db.isInsideTransaction })
        }
    }
}
