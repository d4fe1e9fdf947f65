import ArgumentParser
import Foundation
import Logging
import UpstreamSimulator

/// `care-record simulate`: serves a generated region's exports as HTTPS Bulk Data upstreams (development and benchmarks).
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Serve a generated region (care-record generate) as FHIR Bulk Data upstreams over HTTPS with a fresh CA; rewrites DIR/care-record.yaml to use them.")

    @Option(help: "A folder written by care-record generate.") var region: String
    @Option(help: "Port (0 picks a free one).") var port = 0
    @Flag(help: "Require a client certificate (mutual TLS).") var requireClientCertificate = false

    func run() async throws {
        let folder = URL(fileURLWithPath: region).standardizedFileURL
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("sources").path) else {
            throw CLIError("\(region) has no sources/ folder: run care-record generate first")
        }
        let certificates = try SimulatorCertificates.generate()
        let files = try certificates.writeClientFiles(to: folder.appendingPathComponent("certs"))
        let simulator = UpstreamSimulator(
            sourcesFolder: folder.appendingPathComponent("sources"), certificates: certificates, requireClientCertificate: requireClientCertificate)
        var logger = Logger(label: "care-record.simulator")
        logger.logLevel = .warning
        let configured = try CareRecordConfiguration.load(path: folder.appendingPathComponent("care-record.yaml").path)
        try await simulator.run(port: port, logger: logger) { bound in
            do {
                try ConfigTemplate.write(
                    to: folder, port: configured.server.port, upstream: SimulatedUpstream(port: bound, files: files, bearerToken: nil))
                Console.say("Serving https://127.0.0.1:\(bound)/<source>/$export; \(folder.path)/care-record.yaml now syncs from it. Ctrl-C stops.")
            } catch {
                Console.say("cannot rewrite the config: \(error)")
            }
        }
    }
}
