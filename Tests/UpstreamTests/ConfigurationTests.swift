import CareRecordStore
import Foundation
import Testing
@testable import CareRecordCLI
import Upstream

let validConfiguration = """
        server: { host: 127.0.0.1, port: 8181, baseURL: "https://care.example.org" }
        database: { path: data/care-record.sqlite }
        auth:
          issuer: https://idp.example.org
          audience: care-record
          jwks: keys/jwks.json
        organisations:
          - { ods: A81001, name: Hoole Road Surgery, type: gp-practice }
          - { ods: RJR, name: Countess of Chester Hospital, type: acute-trust }
        sources:
          - id: gp-a81001
            ods: A81001
            url: https://gp.example.org/fhir/$export
            caFile: certs/upstream-ca.pem
            timeoutSeconds: 30
        sync: { schedule: "02:00" }
        """

@Suite("Configuration file (C2)")
struct ConfigurationTests {
    static let valid = validConfiguration

    func load(_ text: String) throws -> CareRecordConfiguration {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("care-record-tests/config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("care-record.yaml")
        try Data(text.utf8).write(to: file)
        return try CareRecordConfiguration.load(path: file.path)
    }

    func problem(_ text: String) -> String {
        do {
            _ = try load(text)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test("a valid file loads, with paths resolved against its folder")
    func valid() throws {
        let configuration = try load(Self.valid)
        #expect(configuration.server.port == 8181)
        #expect(configuration.server.baseURL == "https://care.example.org")
        #expect(configuration.databasePath?.hasSuffix("/data/care-record.sqlite") == true)
        #expect(configuration.databasePath?.hasPrefix("/") == true)
        #expect(configuration.sources.first?.caFile?.hasSuffix("/certs/upstream-ca.pem") == true)
        #expect(configuration.sources.first?.timeoutSeconds == 30)
        #expect(configuration.syncSchedule == "02:00")
    }

    @Test("JSON is accepted as YAML")
    func json() throws {
        let text = #"{"database": {"path": "x.sqlite"}, "auth": {"issuer": "i", "audience": "a", "jwks": "k.json"}, "organisations": [{"ods": "A1", "name": "n", "type": "hospice"}]}"#
        #expect(try load(text).organisations.first?.ods == "A1")
    }

    @Test("each problem is named in one line", arguments: problemCases)
    func problems(_ text: String, _ expected: String) {
        let message = problem(text)
        #expect(message.contains(expected), "\(message)")
        #expect(!message.contains("\n"))
    }

    static let problemCases: [(String, String)] = [
        ("server: { hots: x }\n" + validConfiguration.split(separator: "\n").dropFirst().joined(separator: "\n"), "unknown key 'server.hots'"),
        (validConfiguration.replacingOccurrences(of: "  audience: care-record\n", with: ""), "missing 'auth.audience'"),
        (validConfiguration.replacingOccurrences(of: "type: acute-trust", with: "type: hospital"), "organisations[1].type 'hospital' is not one of"),
        (validConfiguration.replacingOccurrences(of: "    ods: A81001\n", with: "    ods: ZZZ\n"), "sources[0].ods 'ZZZ' is not a participating organisation"),
        (validConfiguration.replacingOccurrences(of: "https://gp.example.org", with: "http://gp.example.org"), "sources[0].url must be an https:// or file:// URL"),
        (validConfiguration.replacingOccurrences(of: "\"02:00\"", with: "\"25:00\""), "sync.schedule must be a time of day"),
        (validConfiguration + "\nextra: 1", "unknown key 'extra'"),
        ("server: [1, 2", "not valid YAML"),
    ]

    @Test("a missing file says so")
    func missingFile() {
        #expect(throws: ConfigurationError.self) { try CareRecordConfiguration.load(path: "/nonexistent/care-record.yaml") }
    }

    @Test("a missing JWKS file is a clear error")
    func missingJWKS() async {
        await #expect(throws: CLIError.self) { try await APIFactory.loadJWKS("/nonexistent/jwks.json") }
    }
}

@Suite("Examples/config")
struct ExampleConfigurationTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Examples/config").standardizedFileURL

    @Test("the production-shaped example loads")
    func production() throws {
        let configuration = try CareRecordConfiguration.load(path: Self.folder.appendingPathComponent("care-record.yaml").path)
        #expect(configuration.sources.map(\.id) == ["gp-a81001", "acute-rjr"])
        #expect(configuration.sources.first?.clientKey?.hasSuffix("Examples/config/certs/client-key.pem") == true)
        #expect(configuration.server.cors.allowedOrigins == ["https://portal.cheshire.example.nhs.uk"])
    }

    @Test("the file-sources example syncs the example exports")
    func fileSources() async throws {
        let configuration = try CareRecordConfiguration.load(path: Self.folder.appendingPathComponent("file-sources.yaml").path)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("care-record-tests/\(UUID().uuidString)/x.sqlite").path
        let repository = try SQLiteCareRecordRepository(path: path)
        let reports = await SyncRunner(repository: repository).sync(configuration.sources)
        #expect(reports.count == 2)
        #expect(reports.allSatisfy { $0.succeeded && $0.patients > 0 })
    }
}
