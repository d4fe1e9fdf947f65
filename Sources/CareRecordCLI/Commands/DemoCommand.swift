import ArgumentParser
import CareRecordStore
import Crypto
import Foundation
import Logging
import ServiceLifecycle
import Upstream
import UpstreamSimulator

/// `care-record demo`: the newcomer's tour: a small synthetic region served by simulated HTTPS upstreams with a fresh CA,
/// synced through libcurl, then the FHIR server, with ready-to-paste curl commands. Ctrl-C stops everything.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Generate a small region, serve it over HTTPS, sync it through libcurl, serve the FHIR API, print curl commands.")

    @Option(help: "Port of the FHIR server.") var port = 8080
    @Option(help: "Folder for the demo region (replaced on each run).") var dir = "demo-region"
    @Option(help: "Number of synthetic patients.") var patients = 200
    @Flag(help: "Serve the FHIR API over HTTPS with a freshly generated CA (the printed curl commands pass it with --cacert).") var tls = false
    @Option(help: "Port of the reference patient portal, a second origin the API allows (default: the API's port + 1).") var portalPort: Int?
    @Option(help: "Folder of the portal's files (default: Examples/portal under the working directory, else in the repository of this executable).")
    var portalDir: String?

    func run() async throws {
        let folder = URL(fileURLWithPath: dir).standardizedFileURL
        let portalFolder = try PortalServer.locate(option: portalDir)
        try? FileManager.default.removeItem(at: folder)
        let summary = try RegionGenerator(patients: patients, seed: 1, outputDirectory: folder).run()
        Console.say("Generated \(summary.patients) synthetic patients in \(folder.path)")
        let certificates = try SimulatorCertificates.generate()
        let files = try certificates.writeClientFiles(to: folder.appendingPathComponent("certs"))
        let token = SHA256.hash(data: Data(UUID().uuidString.utf8)).hexadecimal
        let simulator = UpstreamSimulator(
            sourcesFolder: folder.appendingPathComponent("sources"), certificates: certificates, requireClientCertificate: true,
            requiredBearerToken: token, pollsBeforeComplete: 1)
        var quiet = Logger(label: "care-record.simulator")
        quiet.logLevel = .critical
        let simulatorLogger = quiet

        try await withThrowingTaskGroup(of: Void.self) { group in
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            group.addTask { try await simulator.run(logger: simulatorLogger) { continuation.yield($0) } }
            var iterator = ports.makeAsyncIterator()
            guard let upstreamPort = await iterator.next() else { throw CLIError("the upstream simulator did not start") }
            Console.say("Simulated upstreams: https://127.0.0.1:\(upstreamPort)/<source>/$export (mutual TLS, CA in \(files.caFile))")
            if tls { try Self.writeAPICertificates(to: folder) }
            try ConfigTemplate.write(
                to: folder, port: port, upstream: SimulatedUpstream(port: upstreamPort, files: files, bearerToken: token), apiTLS: tls,
                corsOrigins: [portalOrigin])
            try await serve(folder: folder, summary: summary, portalFolder: portalFolder)
            group.cancelAll()
        }
    }

    /// The portal's origin: a second local origin, listed in the API's `server.cors.allowedOrigins`.
    var portalOrigin: String { "http://127.0.0.1:\(portalPort ?? port + 1)" }

    /// Syncs every source through libcurl, then serves the API and the portal until Ctrl-C.
    func serve(folder: URL, summary: RegionSummary, portalFolder: URL) async throws {
        let configPath = folder.appendingPathComponent("care-record.yaml").path
        let configuration = try CareRecordConfiguration.load(path: configPath)
        let api = try await APIFactory.make(configuration)
        Console.say("Syncing \(configuration.sources.count) sources over HTTPS (FHIR Bulk Data, libcurl):")
        for report in await SyncRunner(repository: api.repository, logger: .quiet("care-record.sync")).sync(configuration.sources) {
            Console.say("  \(SyncReportFormatter.line(report))")
        }
        let walkthrough = try await DemoWalkthrough(
            keyFile: folder.appendingPathComponent("keys/signing-key.pem").path, baseURL: configuration.server.baseURL, configPath: configPath,
            summary: summary, caFile: tls ? folder.appendingPathComponent(ConfigTemplate.apiCA).path : nil, portalURL: portalOrigin + "/"
        ).text()
        var logger = Logger(label: "care-record")
        logger.logLevel = .warning
        let services: [any Service] = [
            MaintenanceService(api: api, jwksRefreshSeconds: configuration.auth.jwksRefreshSeconds, logger: logger),
            try AuditCheckpointService.make(configuration, api: api, logger: logger),
        ]
        // The demo has no identity provider (its SMART endpoints are placeholders), so the portal offers no SMART sign-in: no clientId.
        let portal = PortalServer(
            folder: portalFolder, configuration: PortalConfiguration(apiBaseURL: configuration.server.baseURL, clientId: nil, developmentSignIn: true),
            connectOrigins: [PortalServer.origin(of: configuration.server.baseURL)].compactMap { $0 })
        let portalApp = try portal.application(port: portalPort ?? port + 1, logger: logger)
        let apiApp = try api.buildApplication(host: configuration.server.host, port: port, tls: try APIFactory.tls(configuration), logger: logger, services: services) {
            Console.say(walkthrough)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await portalApp.runService() }
            group.addTask { try await apiApp.runService() }
            // Either stopping (Ctrl-C, or a port in use) stops both.
            _ = try await group.next()
            group.cancelAll()
        }
    }

    /// `--tls`: a CA of the API's own, and a certificate for 127.0.0.1 and localhost that it issued (the key owner-only).
    static func writeAPICertificates(to folder: URL) throws {
        let certificates = try SimulatorCertificates.generate(commonName: "Care Record Demo API CA")
        let write = { (text: String, path: String) in try Data(text.utf8).write(to: folder.appendingPathComponent(path)) }
        try write(certificates.caCertificate, ConfigTemplate.apiCA)
        try write(certificates.serverCertificate, ConfigTemplate.apiCertificate)
        try write(certificates.serverKey, ConfigTemplate.apiKey)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: folder.appendingPathComponent(ConfigTemplate.apiKey).path)
    }
}
