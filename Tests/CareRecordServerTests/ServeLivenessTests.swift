import CareRecordStore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import Upstream
@testable import CareRecordCLI
@testable import CareRecordServer

/// The built `care-record serve` under many concurrent connections: it must go on answering. Reads of the record run
/// synchronously on the request's thread (issue 12); an asynchronous read of the same pool (the health probe's) once held
/// every reader connection while waiting for a thread that was itself waiting for a reader, and the server stopped
/// answering for good. The server runs in its own process, so a deadlock there fails this test instead of hanging it.
@Suite("care-record serve keeps answering under concurrent health probes and reads")
struct ServeLivenessTests {
    @Test("200 requests, 32 at a time, health probes mixed with patient reads: every one answered")
    func concurrentProbesAndReads() async throws {
        let folder = scratchFolder()
        let summary = try RegionGenerator(patients: 40, seed: 5, outputDirectory: folder).run()
        let generated = folder.appendingPathComponent("care-record.yaml")
        let configuration = try CareRecordConfiguration.load(path: generated.path)
        let repository = try SQLiteCareRecordRepository(path: try #require(configuration.databasePath))
        #expect(await SyncRunner(repository: repository, logger: .quiet("test")).sync(configuration.sources).allSatisfy(\.succeeded))
        let port = try PostgresServer.freePort()
        let text = try String(contentsOf: generated, encoding: .utf8).replacingOccurrences(
            of: "port: 8080, baseURL: \"http://127.0.0.1:8080\"", with: "port: \(port), baseURL: \"http://127.0.0.1:\(port)\"")
        #expect(text.contains("port: \(port)"))
        let config = folder.appendingPathComponent("liveness.yaml")
        try Data(text.utf8).write(to: config)
        let node = try ServeNode(config: config, port: port, log: folder.appendingPathComponent("serve.log"))
        defer { node.stop() }
        try await node.waitUntilHealthy()

        let patient = try #require(summary.registeredAtA81001)
        let signer = try await TokenSigner(keyFile: folder.appendingPathComponent("keys/signing-key.pem").path)
        let token = try await ServeObservabilityTests.token(signer, ods: "A81001")
        // Many connections at once (URLSession.shared would queue most of them behind a handful).
        let session = URLSession(configuration: {
            let configuration = URLSessionConfiguration.ephemeral
            configuration.httpMaximumConnectionsPerHost = 64
            configuration.timeoutIntervalForRequest = 10
            return configuration
        }())
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            var statuses: [Int] = []
            for index in 0..<200 {
                if index >= 32, let status = try await group.next() {
                    statuses.append(status)
                    // A request that timed out means the server stopped answering: no point in queueing more behind it.
                    if status == -1 { group.cancelAll(); break }
                }
                group.addTask {
                    var request = URLRequest(url: URL(string: index % 2 == 0 ? "http://127.0.0.1:\(port)/health" : "http://127.0.0.1:\(port)/Patient/\(patient)")!)
                    request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
                    do {
                        let (_, response) = try await session.data(for: request)
                        return (response as? HTTPURLResponse)?.statusCode ?? 0
                    } catch {
                        return -1  // timed out: the server stopped answering
                    }
                }
            }
            for try await status in group { statuses.append(status) }
            return statuses
        }
        let unanswered = statuses.filter { $0 != 200 }
        #expect(unanswered.isEmpty, "\(unanswered.count) of \(statuses.count) requests not answered 200: \(Set(unanswered))")
        #expect(statuses.count == 200)
        #expect((try? await node.send("/health").status) == 200, "the server answers after the burst")
    }
}
