import CareRecordStore
import FHIR
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import NIOCore
import Testing
import Upstream
@testable import CareRecordCLI
@testable import CareRecordServer

/// Two `care-record serve` processes (the built executable) on their own ports, sharing one PostgreSQL database, as a
/// region runs them behind a load balancer.
@Suite("Two serve nodes over one PostgreSQL (issue 9)", .enabled(if: PostgresServer.isEnabled, PostgresServer.skipMessage), .serialized)
struct TwoNodeTests {
    @Test("a block recorded on one node is refused on the other; reads during a refresh never mix; one chain; a killed node loses no acknowledged record; a lost database is 503, then recovered")
    func twoNodes() async throws {
        // A server of its own: this test stops and restarts it.
        let server = try await PostgresServer.launch()
        defer { server.terminate() }
        let region = try await TwoNodeRegion(server: server)
        let a = try region.startNode("a")
        let b = try region.startNode("b")
        defer {
            a.stop()
            b.stop()
        }
        try await a.waitUntilHealthy()
        try await b.waitUntilHealthy()
        let database = try await b.health()["database"] as? [String: Any]
        #expect(database?["backend"] as? String == "postgresql")
        #expect(database?["reachable"] as? Bool == true)

        // 1. A sharing decision recorded through node A applies on the very next request to node B.
        let patient = try #require(region.summary.hospitalActiveWithConsent)
        let patientNHS = try #require(NHSNumber(patient))
        let practice = try #require(try await region.repository.patientState(patientNHS)?.registeredPractice)
        let hospital = try await region.token(ods: "RJR")
        #expect(try await b.send("/Patient/\(patient)", token: hospital).status == 200)
        let block = try await a.send(
            "/Consent", method: "POST", token: try await region.token(ods: practice),
            body: Data(ConsentBody.make(nhs: patient, type: "deny", action: "access").utf8))
        #expect(block.status == 201)
        let refused = try await b.send("/Patient/\(patient)", token: hospital)
        #expect(refused.status == 403)
        #expect(String(decoding: refused.body, as: UTF8.self).contains("RECORD_BLOCKED"))
        // Lifted through node B (the practice records consent again): node A serves the record on its next request.
        let lift = try await b.send(
            "/Consent", method: "POST", token: try await region.token(ods: practice),
            body: Data(ConsentBody.make(nhs: patient, type: "permit", action: "access").utf8))
        #expect(lift.status == 201)
        #expect(try await a.send("/Patient/\(patient)", token: hospital).status == 200)

        // 2. Reads on both nodes while the GP source is refreshed (as node A's scheduled sync would) see old or new, never a mix.
        let reader = try #require(region.summary.registeredAtA81001)
        let gp = try await region.token(ods: "A81001")
        let original = region.folder.appendingPathComponent("sources/gp-a81001")
        let refreshed = try RefreshConsistencyTests.refreshedCopy(of: original)
        let before = try Self.snapshot(try await a.send("/Patient/\(reader)/$everything", token: gp))
        let importer = BulkExportImporter(repository: region.repository)
        let source = SourceIdentity(id: "gp-a81001", ods: "A81001", isGPPractice: true)
        let seen = try await withThrowingTaskGroup(of: [String].self) { group in
            group.addTask {
                for _ in 0..<3 {
                    #expect(await importer.importFolder(refreshed, source: source).succeeded)
                    #expect(await importer.importFolder(original, source: source).succeeded)
                }
                return []
            }
            for node in [a, b] {
                group.addTask {
                    var seen: [String] = []
                    for _ in 0..<60 { seen.append(try Self.snapshot(try await node.send("/Patient/\(reader)/$everything", token: gp))) }
                    return seen
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        let after = seen.first { $0 != before } ?? "none"
        for snapshot in seen { #expect(snapshot == before || snapshot == after, "a mixed read: \(snapshot)") }

        // 3. Killing node A mid-load loses no acknowledged audit record: every answer that left either node is in the one chain.
        let acknowledged = try await withThrowingTaskGroup(of: [String].self) { group in
            for node in [a, b] {
                group.addTask {
                    var ids: [String] = []
                    for _ in 0..<400 {
                        guard let response = try? await node.send("/Patient/\(reader)", token: gp) else { break }
                        if let id = response.requestID { ids.append(id) }
                    }
                    return ids
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            a.kill()
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(acknowledged.count > 400)
        let audit = try await PostgresAuditStore(pool: region.pool)
        let stored = try region.auditRequestIDs()
        let missing = acknowledged.filter { !stored.contains($0) }
        #expect(missing.isEmpty, "acknowledged but not audited: \(missing.prefix(5))")
        let verification = try await audit.verify()
        #expect(verification.problem == nil)
        #expect(verification.records >= Int64(acknowledged.count))

        // 4. The database goes away: 503 with an OperationOutcome, /health says so; back again, the node recovers by itself.
        try await server.stop()
        let down = try await b.send("/Patient/\(reader)", token: gp)
        #expect(down.status == 503)
        #expect(String(decoding: down.body, as: UTF8.self).contains("OperationOutcome"))
        #expect(try await b.send("/health").status == 503)
        try await server.restart()
        var recovered = false
        for _ in 0..<120 where !recovered {
            recovered = (try? await b.send("/Patient/\(reader)", token: gp).status) == 200
            if !recovered { try await Task.sleep(for: .seconds(1)) }
        }
        #expect(recovered, "node B did not recover within two minutes of the database's return")
        #expect(try await audit.verify().problem == nil)
        await region.pool.shutdown()
    }

    /// The family name and Condition ids of an `$everything` answer.
    static func snapshot(_ response: NodeResponse) throws -> String {
        #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
        return try RefreshConsistencyTests.snapshot(ByteBuffer(bytes: response.body))
    }
}

/// A generated region whose two node configurations point at one PostgreSQL database, synced into it.
struct TwoNodeRegion: Sendable {
    let server: PostgresServer
    let database: String
    let folder: URL
    let summary: RegionSummary
    let pool: PostgresConnectionPool
    let repository: PostgresCareRecordRepository
    let signer: TokenSigner

    init(server: PostgresServer) async throws {
        self.server = server
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("care-record-tests/nodes-\(UUID().uuidString)")
        summary = try RegionGenerator(patients: 200, seed: 1, outputDirectory: folder).run()
        database = try server.createDatabase()
        try Data("\(server.password)\n".utf8).write(to: folder.appendingPathComponent("database-password"))
        pool = try PostgresConnectionPool(settings: server.settings(database: database), maximumConnections: 4)
        repository = try await PostgresCareRecordRepository(pool: pool)
        let configuration = try CareRecordConfiguration.load(path: folder.appendingPathComponent("care-record.yaml").path)
        #expect(await SyncRunner(repository: repository).sync(configuration.sources).allSatisfy(\.succeeded))
        signer = try await TokenSigner(keyFile: folder.appendingPathComponent("keys/signing-key.pem").path)
    }

    /// Writes `node-NAME.yaml` (the generated configuration on PostgreSQL, on a free port) and starts `serve` with it.
    func startNode(_ name: String) throws -> ServeNode {
        let port = try PostgresServer.freePort()
        let generated = try String(contentsOf: folder.appendingPathComponent("care-record.yaml"), encoding: .utf8)
        let text = generated
            .replacingOccurrences(of: "database: { path: data/care-record.sqlite }", with: """
                database: { url: "postgresql://\(PostgresServer.superuser)@127.0.0.1:\(server.port)/\(database)", passwordFile: database-password }
                audit: { signingKey: audit-signing.pem, checkpointFile: checkpoints-\(name).log }
                """)
            .replacingOccurrences(of: "port: 8080, baseURL: \"http://127.0.0.1:8080\"", with: "port: \(port), baseURL: \"http://127.0.0.1:\(port)\"")
        #expect(text.contains("postgresql://") && text.contains("port: \(port)"))
        let config = folder.appendingPathComponent("node-\(name).yaml")
        try Data(text.utf8).write(to: config)
        return try ServeNode(config: config, port: port, log: folder.appendingPathComponent("node-\(name).log"))
    }

    func token(ods: String) async throws -> String {
        "Bearer " + (try await signer.sign(AccessTokenClaims(
            iss: ConfigTemplate.issuer, aud: ConfigTemplate.audience, sub: "dr.\(ods.lowercased())", exp: Date().addingTimeInterval(3600), iat: Date(),
            name: "Dr Test", ods: ods, role: "doctor", registration: "GMC1234567", nhsNumber: nil)))
    }

    /// Every request id in the audit log, read with psql (not the code under test).
    func auditRequestIDs() throws -> Set<String> {
        Set(try server.psql(database: database, "COPY (SELECT requestID FROM auditRecord) TO STDOUT").split(separator: "\n").map(String.init))
    }
}

/// One answer from a node.
struct NodeResponse: Sendable {
    let status: Int
    let body: Data
    let requestID: String?
}

/// A `care-record serve` child process.
final class ServeNode: Sendable {
    let port: Int
    private let process: Process

    /// The built `care-record` executable, beside the test bundle.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("care-record")
    }

    init(config: URL, port: Int, log: URL) throws {
        self.port = port
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["serve", "--config", config.path]
        process.standardOutput = output
        process.standardError = output
        try process.run()
        self.process = process
    }

    func waitUntilHealthy() async throws {
        for _ in 0..<100 {
            if (try? await send("/health").status) == 200 { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("node on port \(port) did not become healthy")
    }

    func health() async throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: try await send("/health").body) as? [String: Any] ?? [:]
    }

    func send(_ path: String, method: String = "GET", token: String? = nil, body: Data? = nil) async throws -> NodeResponse {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 30
        if let token { request.setValue(token, forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = body
            request.setValue("application/fhir+json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        return NodeResponse(status: http?.statusCode ?? 0, body: data, requestID: http?.value(forHTTPHeaderField: "X-Request-ID"))
    }

    /// SIGKILL: no graceful shutdown, as when a machine is lost.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM: a graceful stop, as an orchestrator sends it.
    func terminate() {
        process.terminate()
    }

    /// Waits for the process to end without holding a thread of the concurrency pool (a graceful stop takes seconds);
    /// its exit status.
    func waitForExit() async -> Int32 {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        return process.terminationStatus
    }

    /// Cleanup: SIGKILL, so nothing waits for a drain.
    func stop() {
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
