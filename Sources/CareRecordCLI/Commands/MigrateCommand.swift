import ArgumentParser
import CareRecordStore
import Foundation

/// `care-record migrate`: moves a one-node SQLite site onto PostgreSQL, so several nodes can share it.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy a SQLite record and audit log into an empty PostgreSQL database, then verify the audit chain there.",
        discussion: """
            Stop the SQLite node first (the copy reads one consistent snapshot, but anything written after it is not copied). \
            The password comes from --password-file or CARE_RECORD_DATABASE_PASSWORD, never from the URL.
            """)

    @Option(help: "The SQLite record: sqlite:PATH (its decisions file beside it is copied too).") var from: String
    @Option(help: "The PostgreSQL database: postgresql://user@host:port/database (empty, or created by serve/sync with nothing in it).") var to: String
    @Option(help: "The SQLite audit log: sqlite:PATH (default: audit.sqlite beside the record).") var audit: String?
    @Option(help: "File holding the database password (first line).") var passwordFile: String?
    @Option(help: "CA certificate (PEM) to verify the database server's TLS certificate with; TLS is used when given.") var caFile: String?

    func run() async throws {
        let recordPath = try Self.sqlitePath(from, option: "--from")
        let auditPath = try audit.map { try Self.sqlitePath($0, option: "--audit") }
            ?? URL(fileURLWithPath: recordPath).deletingLastPathComponent().appendingPathComponent("audit.sqlite").path
        for path in [recordPath, auditPath] where !FileManager.default.fileExists(atPath: path) {
            throw CLIError("\(path): no such SQLite file")
        }
        var password = ProcessInfo.processInfo.environment["CARE_RECORD_DATABASE_PASSWORD"]
        if let passwordFile {
            guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else { throw CLIError("--password-file: cannot read \(passwordFile)") }
            password = String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
        }
        let settings: PostgresSettings
        do {
            settings = try PostgresSettings(url: to, password: password, tlsCAFile: caFile)
        } catch {
            throw CLIError("--to: \(error.description)")
        }
        let pool = try Stores.connect(settings)
        let summary: SQLiteToPostgresCopy.Summary
        do {
            summary = try await SQLiteToPostgresCopy(recordPath: recordPath, auditPath: auditPath, pool: pool).run()
            await pool.shutdown()
        } catch let failure as SQLiteToPostgresCopy.Failure {
            await pool.shutdown()
            throw CLIError("migrate: \(failure.description)")
        } catch {
            await pool.shutdown()
            throw Stores.unreachable(settings, error)
        }
        let tables = summary.rows.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        Console.say("copied into \(settings): \(tables)")
        Console.say("audit: \(summary.auditRecords) records copied; hash chain verified in PostgreSQL (head at record \(summary.auditHead ?? 0))")
    }

    /// `sqlite:PATH` (or a bare path) as a path.
    static func sqlitePath(_ text: String, option: String) throws -> String {
        let path = text.hasPrefix("sqlite:") ? String(text.dropFirst("sqlite:".count)) : text
        guard !path.isEmpty, !path.contains("://") else { throw CLIError("\(option) must be sqlite:PATH") }
        return URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
