import ArgumentParser
import CareRecordServer
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Upstream

/// `care-record serve`: serves the FHIR API.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the FHIR API.")

    @Option(help: "Configuration file.") var config: String
    /// For the audit benchmark only: serve without writing audit records (never in service).
    @Flag(name: .customLong("benchmark-without-audit"), help: .hidden) var withoutAudit = false

    func run() async throws {
        let configuration = try CareRecordConfiguration.load(path: config)
        let api = try await APIFactory.make(configuration, auditEnabled: !withoutAudit)
        let logger = Logger(label: "care-record")
        if withoutAudit { logger.warning("AUDIT DISABLED for a benchmark: never run like this in service") }
        logger.info("serving", metadata: ["base_url": "\(configuration.server.baseURL)"])
        var services: [any Service] = []
        if let text = configuration.syncSchedule, let schedule = DailySchedule(text) {
            let runner = SyncRunner(repository: api.repository, logger: Logger(label: "care-record.sync"))
            services.append(ScheduledSyncService(schedule: schedule, runner: runner, sources: configuration.sources, logger: logger))
        }
        try await api.buildApplication(host: configuration.server.host, port: configuration.server.port, logger: logger, services: services).runService()
    }
}
