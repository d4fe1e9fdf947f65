import CareRecordStore
import FHIR
import Foundation
import Testing
@testable import CareRecordCLI
import Upstream

@Suite("care-record backup (issue 10)")
struct BackupCommandTests {
    @Test("a copy taken while the audit log is being written verifies against its checkpoints and serves the same record")
    func onlineBackup() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("care-record-tests/backup-\(UUID().uuidString)")
        let summary = try RegionGenerator(patients: 40, seed: 4, outputDirectory: folder).run()
        let config = folder.appendingPathComponent("care-record.yaml").path
        let configuration = try CareRecordConfiguration.load(path: config)
        let record = try SQLiteCareRecordRepository(path: try #require(configuration.databasePath))
        #expect(await SyncRunner(repository: record).sync(configuration.sources).allSatisfy(\.succeeded))
        let audit = try SQLiteAuditStore(path: try #require(configuration.auditPath))
        let (key, _) = try AuditSigningKey.loadOrCreate(path: configuration.audit.signingKey)
        func append(_ count: Int) async throws {
            for index in 0..<count {
                let record = AuditRecord(recorded: FHIRDateTime.instant(Date()), requestID: "r\(index)", method: "GET", path: "/metadata", interaction: "read", status: 200, reasonCode: "OK")
                _ = try await audit.append([record])
            }
        }
        try await append(20)
        let head = try #require(try await audit.head())
        try AuditCheckpointFile.append(try key.checkpoint(sequence: head.sequence, headHash: head.hash, time: FHIRDateTime.instant(Date()), node: "test"), to: configuration.audit.checkpointFile)

        // Writes go on during the copy, as with serve running.
        let copy = folder.appendingPathComponent("backup-1")
        let writer = Task { try await append(200) }
        try await BackupCommand.parse(["--config", config, "--to", copy.path]).run()
        try await writer.value

        let names = Set(try FileManager.default.contentsOfDirectory(atPath: copy.path))
        #expect(names.isSuperset(of: ["care-record.sqlite", "care-record-decisions.sqlite", "audit.sqlite", "audit-checkpoints.log", "audit-verify.pem"]))
        #expect(!names.contains("audit-signing.pem"))
        // Restored as a configuration of its own: the audit log verifies against the copied checkpoints with the public key.
        let restored = folder.appendingPathComponent("restored.yaml")
        let text = try String(contentsOfFile: config, encoding: .utf8)
            .replacingOccurrences(of: "database: { path: data/care-record.sqlite }", with: """
                database: { path: backup-1/care-record.sqlite, auditPath: backup-1/audit.sqlite }
                audit: { signingKey: backup-1/absent-signing.pem, verifyKey: backup-1/audit-verify.pem, checkpointFile: backup-1/audit-checkpoints.log }
                """)
        try Data(text.utf8).write(to: restored)
        try await AuditCommand.Verify.parse(["--config", restored.path]).run()
        let copied = try SQLiteCareRecordRepository(path: copy.appendingPathComponent("care-record.sqlite").path)
        let patient = try #require(summary.registeredAtA81001.flatMap(NHSNumber.init))
        #expect(try await copied.patientState(patient) == (try await record.patientState(patient)))
        #expect(try await copied.everything(patient: patient) == (try await record.everything(patient: patient)))

        // Never into a folder that holds files.
        await #expect(throws: CLIError.self) { try await BackupCommand.parse(["--config", config, "--to", copy.path]).run() }
    }
}
