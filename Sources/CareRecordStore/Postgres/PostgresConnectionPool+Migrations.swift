import PostgresNIO

/// One named, additive schema change; applied once and recorded in `schema_migration`.
public struct PostgresMigration: Sendable, Hashable {
    public var name: String
    /// Run in order, in one transaction (one statement each: the extended protocol takes no lists).
    public var statements: [String]

    public init(_ name: String, _ statements: [String]) {
        self.name = name
        self.statements = statements
    }
}

extension PostgresConnectionPool {
    /// Serializes migrations across nodes: held for the migrating transaction only.
    static let migrationLock: Int64 = 0x4341_5245_4D49_4752  // "CAREMIGR"

    /// Applies the migrations not yet recorded, in order, in one transaction under an advisory lock, so two nodes
    /// starting at once neither race nor apply anything twice; returns the names applied now.
    @discardableResult
    public func migrate(_ migrations: [PostgresMigration]) async throws -> [String] {
        try await transaction { connection, logger in
            // Migrations may wait for another node's and take long on a big table: no session bounds here.
            try await connection.perform("SET LOCAL lock_timeout = 0", logger: logger)
            try await connection.perform("SET LOCAL statement_timeout = 0", logger: logger)
            try await connection.perform("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: logger)
            try await connection.perform(
                "CREATE TABLE IF NOT EXISTS schema_migration (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT clock_timestamp())",
                logger: logger)
            var applied: Set<String> = []
            for try await name in try await connection.query("SELECT name FROM schema_migration", logger: logger).decode(String.self) {
                applied.insert(name)
            }
            var now: [String] = []
            for migration in migrations where !applied.contains(migration.name) {
                for statement in migration.statements {
                    try await connection.perform(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.perform("INSERT INTO schema_migration (name) VALUES (\(migration.name))", logger: logger)
                now.append(migration.name)
            }
            return now
        }
    }

    /// The names of the migrations recorded in the database, oldest first.
    public func appliedMigrations() async throws -> [String] {
        try await withConnection { connection in
            var names: [String] = []
            let rows = try await connection.query("SELECT name FROM schema_migration ORDER BY applied_at, name", logger: self.logger)
            for try await name in rows.decode(String.self) { names.append(name) }
            return names
        }
    }
}
