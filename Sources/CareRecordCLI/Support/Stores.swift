import CareRecordStore
import Foundation
import Logging

/// The record and the audit log a configuration names, open: SQLite files, or one PostgreSQL database shared by every
/// node (one connection pool for both, migrated at open under the database's migration lock).
struct Stores: Sendable {
    let repository: any CareRecordRepository
    let audit: any CheckpointedAuditStore
    private let pool: PostgresConnectionPool?

    static func open(_ configuration: CareRecordConfiguration) async throws -> Stores {
        switch configuration.database {
        case .sqlite(let path, let auditPath):
            return Stores(repository: try SQLiteCareRecordRepository(path: path), audit: try SQLiteAuditStore(path: auditPath), pool: nil)
        case .postgresql(let settings):
            let pool = try connect(settings)
            do {
                let repository = try await PostgresCareRecordRepository(pool: pool)
                return Stores(repository: repository, audit: try await PostgresAuditStore(pool: pool), pool: pool)
            } catch {
                await pool.shutdown()
                throw unreachable(settings, error)
            }
        }
    }

    /// Opens the stores, runs `body` with them and closes them, also when it throws.
    static func with<Result>(_ configuration: CareRecordConfiguration, _ body: (Stores) async throws -> Result) async throws -> Result {
        let stores = try await open(configuration)
        do {
            let result = try await body(stores)
            await stores.close()
            return result
        } catch {
            await stores.close()
            throw error
        }
    }

    /// Closes the database connections (SQLite files close with their stores).
    func close() async {
        await pool?.shutdown()
    }

    static func connect(_ settings: PostgresSettings) throws -> PostgresConnectionPool {
        do {
            return try PostgresConnectionPool(settings: settings, logger: Logger(label: "care-record.postgres"))
        } catch {
            throw CLIError("database \(settings): cannot set up the connection (\(Self.describe(error)))")
        }
    }

    /// A start-up failure in one line, naming the database without its password.
    static func unreachable(_ settings: PostgresSettings, _ error: any Error) -> CLIError {
        CLIError("database \(settings): \(describe(error))")
    }

    static func describe(_ error: any Error) -> String {
        PostgresConnectionPool.explain(error)
    }
}
