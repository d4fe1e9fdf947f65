import ArgumentParser
import CareRecordServer
import CareRecordStore
import FHIR
import Foundation
import Logging
import Testing
@testable import CareRecordCLI

/// `serve`'s checkpoint writer and `care-record audit verify` together: the threat model of the README, end to end.
@Suite("Signed audit checkpoints through the command line", .serialized)
struct AuditCheckpointCommandTests {
    /// A configuration whose audit database, signing key and checkpoint file live in a fresh folder.
    func setUp() throws -> (folder: URL, configPath: String, configuration: CareRecordConfiguration) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("care-record-tests/checkpoints-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let yaml = """
            database: { path: data/care-record.sqlite }
            auth: { issuer: https://idp.test, audience: care-record, jwks: keys/jwks.json }
            organisations:
              - { ods: A81001, name: Hoole Road Surgery, type: gp-practice }
            """
        let configPath = folder.appendingPathComponent("care-record.yaml").path
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: configPath))
        return (folder, configPath, try CareRecordConfiguration.load(path: configPath))
    }

    func record(_ index: Int) -> AuditRecord {
        var record = AuditRecord(
            recorded: FHIRDateTime.instant(Date()), requestID: "r\(index)", method: "GET", path: "/Patient/9434765919", interaction: "read",
            status: 200, reasonCode: "OK")
        record.patientNHS = "9434765919"
        return record
    }

    func verify(_ configPath: String, _ extra: [String] = []) async throws -> Bool {
        let command = try AuditCommand.Verify.parse(["--config", configPath] + extra)
        do {
            try await command.run()
            return true
        } catch let exit as ExitCode where exit == .failure {
            return false
        }
    }

    func sqlite(_ path: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [path, sql]
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "sqlite3 is missing")
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
    }

    @Test("a key is created on first start; deleting the tail and rewriting the head is caught by the checkpoints, also from shipped logs")
    func truncationAndHeadRewrite() async throws {
        let (folder, configPath, configuration) = try setUp()
        let store = try SQLiteAuditStore(path: try #require(configuration.auditPath))
        let log = AuditLog(store: store)
        let service = try AuditCheckpointService.make(configuration, log: log, store: store, logger: Logger(label: "test"))
        #expect(FileManager.default.fileExists(atPath: configuration.audit.signingKey))
        for index in 1...6 { try await log.append(record(index)) }
        #expect(await service.checkpoint(await log.head, after: 0) == 6)
        #expect(try await verify(configPath))

        // An attacker with the audit file but not the key: drop the triggers, delete records 4-6, point the head at 3.
        try sqlite(try #require(configuration.auditPath), """
            DROP TRIGGER auditRecord_appendOnlyDelete; DELETE FROM auditRecord WHERE sequence > 3;
            UPDATE auditHead SET sequence = 3, hash = (SELECT hash FROM auditRecord WHERE sequence = 3);
            """)
        #expect(try await SQLiteAuditStore(path: try #require(configuration.auditPath)).verify().problem == nil)
        #expect(try await verify(configPath) == false)

        // The same caught from checkpoints extracted from shipped logs, with the local checkpoint file gone.
        let shipped = folder.appendingPathComponent("shipped.log").path
        let lines = try String(contentsOfFile: configuration.audit.checkpointFile, encoding: .utf8)
            .split(separator: "\n").map { "2026-11-27T10:00:00+0000 notice care-record: checkpoint=\($0) [CareRecordCLI] audit checkpoint" }
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: shipped))
        try FileManager.default.removeItem(atPath: configuration.audit.checkpointFile)
        #expect(try await verify(configPath))
        #expect(try await verify(configPath, ["--checkpoints", shipped]) == false)
    }

    @Test("editing a record and recomputing every later hash is caught; the key is needed to forge a checkpoint")
    func recomputation() async throws {
        let (_, configPath, configuration) = try setUp()
        let store = try SQLiteAuditStore(path: try #require(configuration.auditPath))
        let log = AuditLog(store: store)
        let service = try AuditCheckpointService.make(configuration, log: log, store: store, logger: Logger(label: "test"))
        for index in 1...4 { try await log.append(record(index)) }
        _ = await service.checkpoint(await log.head, after: 0)

        // Rewrite record 2's user and recompute the chain from there, as someone with the file could.
        var records: [AuditRecord] = []
        for sequence in Int64(1)...4 { records.append(try #require(try await store.record(sequence: sequence))) }
        records[1].userSub = "someone-else"
        var previous = records[0].hash
        var statements = ["DROP TRIGGER auditRecord_appendOnlyUpdate;"]
        for index in 1..<records.count {
            records[index].previousHash = previous
            records[index].hash = AuditChain.hash(records[index], previous: previous)
            previous = records[index].hash
            statements.append("""
                UPDATE auditRecord SET userSub = \(records[index].userSub.map { "'\($0)'" } ?? "NULL"), previousHash = '\(records[index].previousHash)',
                hash = '\(records[index].hash)' WHERE sequence = \(records[index].sequence);
                """)
        }
        statements.append("UPDATE auditHead SET hash = '\(previous)';")
        try sqlite(try #require(configuration.auditPath), statements.joined(separator: "\n"))
        #expect(try await SQLiteAuditStore(path: try #require(configuration.auditPath)).verify().problem == nil)
        #expect(try await verify(configPath) == false)
    }
}
