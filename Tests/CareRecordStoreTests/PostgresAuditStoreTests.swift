@testable import CareRecordStore
import FHIR
import Foundation
import Testing

/// What only the PostgreSQL backend has to show: migrations safe when nodes start together, verified TLS,
/// and a lost server answered with `StoreError.unavailable` (503) and recovered from without a restart.
@Suite("PostgreSQL audit store")
struct PostgresAuditStoreTests {
    static let patient = NHSNumber("9434765919")!

    func read(_ requestID: String) -> AuditRecord {
        var record = AuditRecord(
            recorded: "2026-11-27T10:00:00.000Z", requestID: requestID, method: "GET", path: "/Patient/9434765919",
            interaction: "read", status: 200, reasonCode: "OK")
        record.patientNHS = Self.patient.value
        return record
    }

    @Test("PostgreSQL is installed, so the PostgreSQL half of the store tests runs", .enabled(if: PostgresServer.isEnabled, PostgresServer.skipMessage))
    func serverAvailable() async throws {
        try #require(PostgresServer.binaries != nil, "CARE_RECORD_REQUIRE_POSTGRES=1 but PostgreSQL is not installed (apt-get install postgresql)")
        let server = try await PostgresServer.shared()
        #expect(try server.psql(database: "postgres", "SELECT 1").trimmingCharacters(in: .whitespacesAndNewlines) == "1")
    }

    @Test("nodes starting at once apply each migration once, recorded by name", .enabled(if: PostgresServer.isEnabled, PostgresServer.skipMessage))
    func concurrentMigrations() async throws {
        let server = try await PostgresServer.shared()
        let database = try server.createDatabase()
        let nodes = try (0..<3).map { _ in try PostgresConnectionPool(settings: server.settings(database: database), maximumConnections: 2) }
        do {
            async let a = PostgresAuditStore(pool: nodes[0])
            async let b = PostgresAuditStore(pool: nodes[1])
            async let c = PostgresAuditStore(pool: nodes[2])
            _ = try await [a, b, c]
            #expect(try await nodes[0].appliedMigrations() == ["audit-v1-log", "audit-v2-organisation-review"])
            #expect(try await nodes[1].migrate([PostgresMigration("audit-v1-log", ["SELECT no_such_function()"])]) == [])
            let added = PostgresMigration("test-v2-extra", ["CREATE TABLE extra (id integer)", "INSERT INTO extra VALUES (1)"])
            #expect(try await nodes[2].migrate([added]) == ["test-v2-extra"])
            #expect(try await nodes[0].migrate([added]) == [])
            #expect(try server.psql(database: database, "SELECT count(*) FROM extra").trimmingCharacters(in: .whitespacesAndNewlines) == "1")
            #expect(try await nodes[1].appliedMigrations() == ["audit-v1-log", "audit-v2-organisation-review", "test-v2-extra"])
        } catch {
            for node in nodes { await node.shutdown() }
            throw error
        }
        for node in nodes { await node.shutdown() }
    }

    @Test(
        "a lock wait that times out mid-transaction is StoreError.unavailable, not the next statement's 25P02",
        .enabled(if: PostgresServer.isEnabled, PostgresServer.skipMessage))
    func lockTimeoutInsideTransaction() async throws {
        let server = try await PostgresServer.shared()
        let settings = server.settings(database: try server.createDatabase())
        let holder = try PostgresConnectionPool(settings: settings, maximumConnections: 1, connectionWait: .seconds(60))
        let waiter = try PostgresConnectionPool(settings: settings, maximumConnections: 1, connectionWait: .seconds(60))
        let lock = PostgresAuditStore.chainLock
        try await holder.withConnection { connection in
            try await connection.perform("SELECT pg_advisory_lock(\(lock))", logger: holder.logger)
        }
        // The error of pg_advisory_xact_lock comes with its rows: read to the end, it stops the transaction there.
        await #expect(throws: StoreError.unavailable) {
            try await waiter.transaction { connection, logger in
                try await connection.perform("SET LOCAL lock_timeout = '200ms'", logger: logger)
                try await connection.perform("SELECT pg_advisory_xact_lock(\(lock))", logger: logger)
                try await connection.perform("SELECT 1", logger: logger)
            }
        }
        await waiter.shutdown()
        await holder.shutdown()
    }

    @Test("a failing migration leaves nothing behind and is not recorded", .enabled(if: PostgresServer.isEnabled, PostgresServer.skipMessage))
    func failingMigration() async throws {
        let server = try await PostgresServer.shared()
        let node = try PostgresConnectionPool(settings: server.settings(database: try server.createDatabase()), maximumConnections: 2)
        let broken = PostgresMigration("test-broken", ["CREATE TABLE half (id integer)", "SELECT no_such_function()"])
        await #expect(throws: (any Error).self) { try await node.migrate([broken]) }
        #expect(try await node.migrate([]) == [])
        #expect(try await node.appliedMigrations() == [])
        await node.shutdown()
    }

    @Test("a server that cannot be reached is unavailable (503), not an internal error", .enabled(if: PostgresServer.isEnabled, PostgresServer.skipMessage))
    func unreachable() async throws {
        // Port 1 on the loopback: nothing listens there, so every connection is refused.
        let server = try await PostgresServer.shared()
        var settings = server.settings(database: "postgres")
        settings.port = 1
        let node = try PostgresConnectionPool(settings: settings, maximumConnections: 2, connectionWait: .seconds(1))
        let started = ContinuousClock.now
        await #expect(throws: StoreError.unavailable) { _ = try await PostgresAuditStore(pool: node) }
        #expect(ContinuousClock.now - started < .seconds(30), "bounded by connectionWait, with room for a busy machine")
        await node.shutdown()
    }

    @Test("a lost server gives StoreError.unavailable, and the node recovers on its own when it is back", .enabled(if: PostgresServer.isEnabled, PostgresServer.skipMessage))
    func outageAndRecovery() async throws {
        let server = try await PostgresServer.launch()
        defer { server.terminate() }
        let node = try PostgresConnectionPool(settings: server.settings(database: try server.createDatabase()), maximumConnections: 2, connectionWait: .seconds(5))
        let store = try await PostgresAuditStore(pool: node)
        _ = try await store.append([read("before")])

        try await server.stop()
        let started = ContinuousClock.now
        await #expect(throws: StoreError.unavailable) { _ = try await store.append([read("during")]) }
        await #expect(throws: StoreError.unavailable) { _ = try await store.verify() }
        await #expect(throws: StoreError.unavailable) { _ = try await store.records(patient: Self.patient, filter: AuditFilter(), page: PageRequest(offset: 0, count: 10)) }
        #expect(ContinuousClock.now - started < .seconds(30))

        try await server.restart()
        var recovered = false
        for _ in 0..<60 where !recovered {
            do {
                _ = try await store.append([read("after")])
                recovered = true
            } catch StoreError.unavailable {
                try await Task.sleep(for: .seconds(1))
            }
        }
        #expect(recovered, "the pool reconnected within a minute")
        #expect(try await store.verify() == AuditVerification(records: 2, problem: nil))
        #expect(try await store.allRecords(patient: Self.patient).map(\.requestID) == ["before", "after"])
        await node.shutdown()
    }

    @Test("TLS to the database is fully verified: the right CA and the certificate's host name", .enabled(if: PostgresServer.isEnabled, PostgresServer.skipMessage))
    func tls() async throws {
        let server = try await PostgresServer.launch(tls: true)
        defer { server.terminate() }
        let database = try server.createDatabase()
        var settings = server.settings(database: database)
        settings.host = "localhost"
        settings.tls = PostgresSettings.TLS(caFile: try #require(server.caFile))
        let node = try PostgresConnectionPool(settings: settings, maximumConnections: 1)
        _ = try await PostgresAuditStore(pool: node).append([read("over TLS")])
        let encrypted = try server.psql(database: database, """
            SELECT count(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid)
            WHERE application_name = 'care-record' AND datname = '\(database)' AND ssl
            """)
        #expect(encrypted.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        await node.shutdown()

        // The certificate names localhost, not the address; and a CA that did not issue it is no trust anchor.
        var byAddress = settings
        byAddress.host = "127.0.0.1"
        let otherCA = scratchFolder()
        try FileManager.default.createDirectory(at: otherCA, withIntermediateDirectories: true)
        try CommandLineTool.openssl.succeed([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", otherCA.appendingPathComponent("ca.key").path,
            "-out", otherCA.appendingPathComponent("ca.pem").path, "-days", "2", "-subj", "/CN=another CA",
        ])
        var untrusted = settings
        untrusted.tls = PostgresSettings.TLS(caFile: otherCA.appendingPathComponent("ca.pem").path)
        for refused in [byAddress, untrusted] {
            let node = try PostgresConnectionPool(settings: refused, maximumConnections: 1, connectionWait: .seconds(1))
            await #expect(throws: StoreError.unavailable) { _ = try await PostgresAuditStore(pool: node) }
            await node.shutdown()
        }
        #expect(try server.psql(database: database, "SELECT count(*) FROM auditRecord").trimmingCharacters(in: .whitespacesAndNewlines) == "1")
    }
}
