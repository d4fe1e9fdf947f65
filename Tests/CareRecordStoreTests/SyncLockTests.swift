import CareRecordStore
import Foundation
import Synchronization
import Testing

@Suite("One sync at a time across nodes (issue 9)")
struct SyncLockTests {
    /// Two handles on one record, as two nodes (or a node and `care-record sync`) have.
    func twoNodes(_ backend: RecordBackend) async throws -> (any CareRecordRepository, any CareRecordRepository) {
        switch backend {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("care-record-tests/\(UUID().uuidString)/record.sqlite").path
            return (try SQLiteCareRecordRepository(path: path), try SQLiteCareRecordRepository(path: path))
        case .postgres:
            let server = try await PostgresServer.shared()
            let settings = server.settings(database: try server.createDatabase())
            let a = try await PostgresCareRecordRepository(pool: try PostgresConnectionPool(settings: settings, maximumConnections: 2))
            let b = try await PostgresCareRecordRepository(pool: try PostgresConnectionPool(settings: settings, maximumConnections: 2))
            return (a, b)
        }
    }

    @Test("while one node holds the sync lock another skips without running, and takes it once it is free", arguments: RecordBackend.all)
    func exclusive(backend: RecordBackend) async throws {
        let (a, b) = try await twoNodes(backend)
        let (held, release) = AsyncStream<Void>.makeStream()
        let (entered, enter) = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await a.withSyncLock {
                enter.yield()
                for await _ in held { break }
                return "a synced"
            }
        }
        for await _ in entered { break }
        let ran = RanFlag()
        #expect(try await b.withSyncLock { ran.set(); return "b synced" } == nil)
        #expect(!ran.value)
        release.yield()
        #expect(try await holder.value == "a synced")
        #expect(try await b.withSyncLock { "b synced" } == "b synced")
        // A failing sync releases the lock too.
        await #expect(throws: CancellationError.self) { _ = try await a.withSyncLock { () throws -> Int in throw CancellationError() } }
        #expect(try await b.withSyncLock { 1 } == 1)
    }

    @Test("the backend says what it is and whether it answers", arguments: RecordBackend.all)
    func backendStatus(backend: RecordBackend) async throws {
        let repository = try await backend.makeRepository()
        #expect(repository.backend == (backend == .sqlite ? "sqlite" : "postgresql"))
        #expect(await repository.isReachable())
    }
}

/// Set once from inside a lock body.
final class RanFlag: Sendable {
    private let storage = Mutex(false)
    func set() { storage.withLock { $0 = true } }
    var value: Bool { storage.withLock { $0 } }
}
