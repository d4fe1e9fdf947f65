import ArgumentParser
import CareRecordStore
import Foundation

/// `care-record backup`: a consistent online copy of what a node keeps, while `serve` runs.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the record, the audit log and the audit checkpoints to a new folder while serve runs; then verify the copy.",
        discussion: """
            SQLite: each file is copied with SQLite's online backup API from one read snapshot (reads, decisions and imports \
            go on), and the copied audit log is verified against the copied checkpoints. PostgreSQL: the record and the audit \
            log are the database's to back up (pg_basebackup with WAL archiving, or pg_dump); this copies the checkpoints \
            and the verify key, which must be kept off the database host. The signing key is never copied.
            """)

    @Option(help: "Configuration file.") var config: String
    @Option(help: "Folder to create for the copy (must not exist, or be empty).") var to: String

    func run() async throws {
        let configuration = try CareRecordConfiguration.load(path: config)
        let folder = URL(fileURLWithPath: to).standardizedFileURL
        try Self.prepare(folder)
        // Checkpoints first: every checkpoint copied then names a record the audit copy made after it holds.
        let checkpoints = folder.appendingPathComponent("audit-checkpoints.log")
        if FileManager.default.fileExists(atPath: configuration.audit.checkpointFile) {
            try FileManager.default.copyItem(atPath: configuration.audit.checkpointFile, toPath: checkpoints.path)
        }
        // The public key only (no key yet: the node has signed no checkpoint).
        let verifyKey = try? AuditCommand.Verify.verifyKey(configuration)
        if let verifyKey { try Data(verifyKey.publicKeyPEM.utf8).write(to: folder.appendingPathComponent("audit-verify.pem")) }
        guard case .sqlite(let recordPath, let auditPath) = configuration.database else {
            Console.say("copied the audit checkpoints and the verify key to \(folder.path)")
            Console.say("the record and the audit log are in PostgreSQL: back them up with the database's own tools (pg_basebackup with WAL archiving, or pg_dump); see README, \"Backups\"")
            return
        }
        let repository = try SQLiteCareRecordRepository(path: recordPath)
        let files = try repository.backup(into: folder, recordName: URL(fileURLWithPath: recordPath).lastPathComponent)
        let auditCopy = folder.appendingPathComponent(URL(fileURLWithPath: auditPath).lastPathComponent).path
        try SQLiteAuditStore(path: auditPath).backup(to: auditCopy)
        let found = FileManager.default.fileExists(atPath: checkpoints.path) ? try AuditCheckpointFile.read(path: checkpoints.path) : []
        let copy = try SQLiteAuditStore(path: auditCopy)
        let result: AuditVerification
        if let verifyKey, !found.isEmpty {
            result = try await copy.verify(checkpoints: found, key: verifyKey)
        } else {
            result = try await copy.verify()
        }
        if let problem = result.problem {
            Console.say("BROKEN: the copied audit log does not verify: \(problem)")
            throw ExitCode.failure
        }
        for file in files + [auditCopy] { Console.say("copied \(file)") }
        let checked = verifyKey == nil ? 0 : found.count
        Console.say("audit copy verified: \(result.records) records, hash chain intact" + (checked > 0 ? " and consistent with \(checked) signed checkpoints" : ""))
    }

    /// Creates the folder, or accepts an empty one; never writes into one holding files.
    static func prepare(_ folder: URL) throws {
        if let existing = try? FileManager.default.contentsOfDirectory(atPath: folder.path) {
            guard existing.isEmpty else { throw CLIError("--to \(folder.path): the folder is not empty; a backup goes into a new folder") }
        } else {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
    }
}
