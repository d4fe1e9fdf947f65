import CareRecordStore
import Foundation
import Testing

/// The record backends the repository, import and consent tests run on: the same cases, written once. PostgreSQL is left
/// out (with `PostgresServer.skipMessage`) when it is not installed, and required where `CARE_RECORD_REQUIRE_POSTGRES=1`.
///
/// This file and the PostgreSQL helpers are shared by the test targets through symbolic links in each (`Tests/Support`).
enum RecordBackend: String, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    static var all: [RecordBackend] { PostgresServer.isEnabled ? [.sqlite, .postgres] : [.sqlite] }

    var testDescription: String { self == .sqlite ? "SQLite" : "PostgreSQL" }

    /// A fresh, empty record: a SQLite file in a temporary folder, or a new database on the tests' PostgreSQL server. The
    /// PostgreSQL pool (at most four connections, closed when idle) lives as long as the test process.
    func makeRepository() async throws -> any CareRecordRepository {
        switch self {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("care-record-tests/\(UUID().uuidString)/record.sqlite").path
            return try SQLiteCareRecordRepository(path: path)
        case .postgres:
            return try await PostgresCareRecordRepository(pool: try await Self.makePool())
        }
    }

    /// A pool on a new, empty database of the shared test server.
    static func makePool(maximumConnections: Int = 4) async throws -> PostgresConnectionPool {
        let server = try await PostgresServer.shared()
        return try PostgresConnectionPool(settings: server.settings(database: try server.createDatabase()), maximumConnections: maximumConnections)
    }
}
