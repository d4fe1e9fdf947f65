import CareRecordStore
import Foundation
import Testing
@testable import CareRecordCLI

@Suite("The database section: SQLite or PostgreSQL (issue 9)")
struct DatabaseConfigurationTests {
    /// The valid configuration with its `database` line replaced, written with any extra files in a folder of its own.
    func load(database: String, files: [String: String] = [:], environment: [String: String] = [:]) throws -> CareRecordConfiguration {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("care-record-tests/database-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("secrets"), withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
        let text = validConfiguration.replacingOccurrences(of: "database: { path: data/care-record.sqlite }", with: database)
        let file = folder.appendingPathComponent("care-record.yaml")
        try Data(text.utf8).write(to: file)
        return try CareRecordConfiguration.load(path: file.path, environment: environment)
    }

    func problem(database: String, files: [String: String] = [:]) -> String {
        do {
            _ = try load(database: database, files: files)
            return "loaded"
        } catch {
            return "\(error)"
        }
    }

    @Test("a URL selects PostgreSQL: the password from the file (its first line), TLS with the CA resolved against the folder")
    func postgres() throws {
        let configuration = try load(
            database: "database: { url: \"postgresql://care_record@db.example.org:6432/care_record\", passwordFile: secrets/db, tls: { caFile: certs/db-ca.pem } }",
            files: ["secrets/db": "s3cret\n"], environment: ["CARE_RECORD_DATABASE_PASSWORD": "from-environment"])
        guard case .postgresql(let settings) = configuration.database else { Issue.record("not PostgreSQL"); return }
        #expect(settings.host == "db.example.org")
        #expect(settings.port == 6432)
        #expect(settings.user == "care_record")
        #expect(settings.database == "care_record")
        #expect(settings.password == "s3cret")
        #expect(settings.tls?.caFile.hasSuffix("/certs/db-ca.pem") == true)
        #expect(configuration.databasePath == nil && configuration.auditPath == nil)
        // Checkpoints and the signing key sit beside the configuration file when there is no audit database file.
        #expect(configuration.audit.checkpointFile.hasSuffix("/audit-checkpoints.log"))
        #expect(!"\(configuration)".contains("s3cret"))
    }

    @Test("the multi-node example (Examples/config/postgres.yaml) loads as PostgreSQL with TLS")
    func example() throws {
        let configuration = try CareRecordConfiguration.load(path: ExampleConfigurationTests.folder.appendingPathComponent("postgres.yaml").path, environment: [:])
        guard case .postgresql(let settings) = configuration.database else { Issue.record("not PostgreSQL"); return }
        #expect(settings.password == "change-me")
        #expect(settings.tls != nil)
    }

    @Test("without a password file the password comes from CARE_RECORD_DATABASE_PASSWORD")
    func environmentPassword() throws {
        let configuration = try load(
            database: "database: { url: \"postgresql://care_record@127.0.0.1/care_record\" }", environment: ["CARE_RECORD_DATABASE_PASSWORD": "from-environment"])
        guard case .postgresql(let settings) = configuration.database else { Issue.record("not PostgreSQL"); return }
        #expect(settings.password == "from-environment")
        #expect(settings.port == 5432)
        #expect(settings.tls == nil)
    }

    @Test("a path selects SQLite, as before")
    func sqlite() throws {
        let configuration = try load(database: "database: { path: data/record.sqlite, auditPath: audit/audit.sqlite }")
        #expect(configuration.databasePath?.hasSuffix("/data/record.sqlite") == true)
        #expect(configuration.auditPath?.hasSuffix("/audit/audit.sqlite") == true)
        #expect(configuration.audit.checkpointFile.hasSuffix("/audit/audit-checkpoints.log"))
    }

    static let databaseProblems: [(String, String)] = [
        ("database: { path: data/x.sqlite, url: \"postgresql://u@h/d\" }", "database: path (SQLite) and url (PostgreSQL) cannot be used together"),
        ("database: { auditPath: a.sqlite, url: \"postgresql://u@h/d\" }", "cannot be used together"),
        ("database: { passwordFile: secrets/db }", "database.passwordFile needs database.url"),
        ("database: { }", "database.path (SQLite) or database.url (PostgreSQL) is required"),
        ("database: { url: \"postgresql://u:pw@h/d\" }", "database.url must not contain a password"),
        ("database: { url: \"mysql://u@h/d\" }", "the scheme must be postgresql://"),
        ("database: { url: \"postgresql://u@h/d?sslmode=require\" }", "query parameters are not supported"),
        ("database: { url: \"postgresql://u@h/d\", tls: { caFile: ca.pem, verify: false } }", "unknown key 'database.tls.verify'"),
        ("database: { url: \"postgresql://u@h/d\", host: h }", "unknown key 'database.host'"),
        ("database: { url: \"postgresql://u@h/d\", passwordFile: secrets/missing }", "database.passwordFile: cannot read"),
    ]

    @Test("unknown, conflicting or unsafe database settings are one-line errors", arguments: databaseProblems)
    func problems(_ database: String, _ expected: String) {
        let message = problem(database: database)
        #expect(message.contains(expected), "\(message)")
        #expect(!message.contains("\n"))
        #expect(!message.contains("pw@"))
    }
}
