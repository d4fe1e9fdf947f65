import CareRecordStore
import Foundation
import Upstream
import UpstreamSimulator
@testable import CareRecordCLI

/// A generated region served over HTTPS by the upstream simulator, with the client files to reach it.
struct SimulatedRegion: Sendable {
    let folder: URL
    let summary: RegionSummary
    let simulator: UpstreamSimulator
    let files: SimulatorCertificates.Files
    let configuration: CareRecordConfiguration

    /// Generates a region, starts a simulator for it, runs `body`, and stops the simulator.
    static func with<T: Sendable>(
        patients: Int = 60, requireClientCertificate: Bool = false, bearerToken: String? = nil,
        _ body: @Sendable (SimulatedRegion) async throws -> T
    ) async throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("care-record-tests/https-\(UUID().uuidString)")
        let summary = try RegionGenerator(patients: patients, seed: 5, outputDirectory: folder).run()
        let certificates = try SimulatorCertificates.generate()
        let files = try certificates.writeClientFiles(to: folder.appendingPathComponent("certs"))
        let simulator = UpstreamSimulator(
            sourcesFolder: folder.appendingPathComponent("sources"), certificates: certificates, requireClientCertificate: requireClientCertificate,
            requiredBearerToken: bearerToken, pollsBeforeComplete: 0)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            group.addTask {
                try await simulator.run { port in continuation.yield(port) }
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CLIError("simulator did not start") }
            var configuration = try CareRecordConfiguration.load(path: folder.appendingPathComponent("care-record.yaml").path)
            configuration.sources = configuration.sources.map { source in
                var https = source
                https.url = URL(string: "https://127.0.0.1:\(port)/\(source.id)/$export")!
                https.caFile = files.caFile
                if requireClientCertificate {
                    https.clientCertificate = files.clientCertificate
                    https.clientKey = files.clientKey
                }
                https.bearerToken = bearerToken
                return https
            }
            let region = SimulatedRegion(folder: folder, summary: summary, simulator: simulator, files: files, configuration: configuration)
            let result = try await body(region)
            group.cancelAll()
            return result
        }
    }

    /// Sync options for tests: quick retries and polls.
    static var quickOptions: SyncOptions {
        var options = SyncOptions()
        options.retry = RetryPolicy(attempts: 2, baseDelay: .milliseconds(20))
        options.pollInterval = .milliseconds(50)
        // Generous for a healthy export on a busy machine; tests of an export that never completes shorten it.
        options.exportTimeout = .seconds(60)
        return options
    }
}
