import CareRecordStore
import FHIR
import Foundation
import Testing
import Upstream
@testable import CareRecordCLI
@testable import CareRecordServer

@Suite("A graceful stop under load (issue 10)")
struct GracefulStopTests {
    @Test("SIGTERM: /health/ready turns 503 while the node still serves; clients that follow readiness see no failed request; exit 0")
    func drain() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("care-record-tests/drain-\(UUID().uuidString)")
        let summary = try RegionGenerator(patients: 40, seed: 2, outputDirectory: folder).run()
        let generated = folder.appendingPathComponent("care-record.yaml")
        let port = try PostgresServer.freePort()
        let text = try String(contentsOf: generated, encoding: .utf8)
            .replacingOccurrences(of: "port: 8080, baseURL: \"http://127.0.0.1:8080\"", with: "port: \(port), baseURL: \"http://127.0.0.1:\(port)\", shutdownDrainSeconds: 2")
        #expect(text.contains("shutdownDrainSeconds: 2"))
        try Data(text.utf8).write(to: generated)
        let configuration = try CareRecordConfiguration.load(path: generated.path)
        let repository = try SQLiteCareRecordRepository(path: try #require(configuration.databasePath))
        #expect(await SyncRunner(repository: repository).sync(configuration.sources).allSatisfy(\.succeeded))

        let node = try ServeNode(config: generated, port: port, log: folder.appendingPathComponent("serve.log"))
        defer { node.stop() }
        try await node.waitUntilHealthy()
        let signer = try await TokenSigner(keyFile: folder.appendingPathComponent("keys/signing-key.pem").path)
        let token = "Bearer " + (try await signer.sign(AccessTokenClaims(
            iss: ConfigTemplate.issuer, aud: ConfigTemplate.audience, sub: "dr.gp", exp: Date().addingTimeInterval(600), iat: Date(),
            name: "Dr GP", ods: "A81001", role: "doctor", registration: "GMC1234567", nhsNumber: nil)))
        let patient = try #require(summary.registeredAtA81001)

        // Four clients behind a load balancer that follows readiness: each asks /health/ready before every request and
        // stops sending once the node is not ready.
        let runs = try await withThrowingTaskGroup(of: (statuses: [Int], sawNotReady: Bool).self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var statuses: [Int] = []
                    while statuses.count < 5000 {
                        // During the drain the probe answers 503 (not a refused connection: the node still serves).
                        let ready = try? await node.send("/health/ready").status
                        guard ready == 200 else { return (statuses, ready == 503) }
                        statuses.append((try? await node.send("/Patient/\(patient)", token: token).status) ?? -1)
                    }
                    return (statuses, false)
                }
            }
            try await Task.sleep(for: .seconds(2))
            node.terminate()
            return try await group.reduce(into: [(statuses: [Int], sawNotReady: Bool)]()) { $0.append($1) }
        }
        let statuses = runs.flatMap(\.statuses)
        #expect(runs.filter(\.sawNotReady).count == runs.count)
        #expect(runs.allSatisfy { !$0.statuses.isEmpty })
        #expect(statuses.allSatisfy { $0 == 200 }, "failed: \(statuses.filter { $0 != 200 }.prefix(5))")
        #expect(await node.waitForExit() == 0)
        let log = try String(contentsOf: folder.appendingPathComponent("serve.log"), encoding: .utf8)
        #expect(log.contains("not ready; draining"))
        // Every answer was audited before it left, and the chain is whole.
        let audit = try SQLiteAuditStore(path: try #require(configuration.auditPath))
        let verification = try await audit.verify()
        #expect(verification.problem == nil)
        #expect(verification.records >= Int64(statuses.count))
    }
}
