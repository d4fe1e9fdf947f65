import ArgumentParser
import CareRecordServer
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Upstream

/// `care-record serve`: serves the FHIR API, and Prometheus `/metrics` on a listener of its own when `server.metrics` is
/// set. Audit cannot be switched off.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the FHIR API.")

    @Option(help: "Configuration file.") var config: String

    func run() async throws {
        let configuration = try CareRecordConfiguration.load(path: config)
        CareRecordLogHandler.configure(configuration.logging)
        // Before anything makes a metric: metrics made earlier would stay with the no-op factory.
        let registry = configuration.server.metrics.map { _ in PrometheusMetrics.bootstrap() }
        let logger = Logger(label: "care-record")
        let spans = try SpanExport.make(configuration.tracing, logger: logger)
        let api = try await APIFactory.make(configuration, tracer: spans.tracer)
        if AuditLog.isCompiledOut {
            logger.critical("THIS IS THE BENCHMARK-ONLY BUILD WITH AUDIT COMPILED OUT: requests are not audited; never run it in service")
        }
        logger.info("serving", metadata: ["base_url": "\(configuration.server.baseURL)"])
        var services: [any Service] = [
            MaintenanceService(api: api, jwksRefreshSeconds: configuration.auth.jwksRefreshSeconds, logger: logger),
            try AuditCheckpointService.make(configuration, api: api, logger: logger),
        ]
        if let text = configuration.syncSchedule, let schedule = DailySchedule(text) {
            let runner = SyncRunner(repository: api.repository, logger: Logger(label: "care-record.sync"))
            services.append(ScheduledSyncService(schedule: schedule, runner: runner, sources: configuration.sources, logger: logger))
        }
        if let listener = configuration.server.metrics, let registry {
            let repository = api.repository
            let syncMetrics = SyncMetrics()
            services.append(
                MetricsEndpoint.buildApplication(
                    registry: registry, host: listener.host, port: listener.port, logger: Logger(label: "care-record.metrics"),
                    beforeScrape: { await syncMetrics.refreshLastSuccess(from: repository) }))
            logger.info("metrics", metadata: ["address": "http://\(listener.host):\(listener.port)/metrics"])
        }
        let application = try api.buildApplication(
            host: configuration.server.host, port: configuration.server.port, tls: try APIFactory.tls(configuration), logger: logger, services: services)
        // On SIGTERM or SIGINT the group stops its services last first: the drain, then the application (server, then its
        // services), then the span exporter, which flushes the spans of the last requests.
        let drain = DrainService(readiness: api.readiness, drain: .seconds(configuration.server.shutdownDrainSeconds), logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: (spans.service.map { [.init(service: $0)] } ?? []) + [.init(service: application), .init(service: drain)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
