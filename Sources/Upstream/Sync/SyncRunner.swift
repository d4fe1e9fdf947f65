import CareRecordStore
import Foundation
import Logging

/// Pulls sources into the combined record, one at a time, each all-or-nothing, and reports each.
public struct SyncRunner: Sendable {
    let importer: BulkExportImporter
    let repository: any CareRecordRepository
    let options: SyncOptions
    let logger: Logger
    let metrics: SyncMetrics

    public init(
        repository: any CareRecordRepository, options: SyncOptions = SyncOptions(), logger: Logger = Logger(label: "care-record.sync"),
        metrics: SyncMetrics = SyncMetrics()
    ) {
        self.repository = repository
        self.options = options
        self.logger = logger
        self.metrics = metrics
        importer = BulkExportImporter(repository: repository, logger: logger)
    }

    /// Syncs each source and returns one report per source, in order.
    public func sync(_ sources: [SourceConfiguration]) async -> [ImportReport] {
        var reports: [ImportReport] = []
        for source in sources {
            reports.append(await sync(source))
        }
        return reports
    }

    /// Syncs every source holding the record's sync lock, so one sync runs at a time across every node and
    /// `care-record sync`; nil, doing nothing, when another holds it.
    public func syncExclusively(_ sources: [SourceConfiguration]) async throws -> [ImportReport]? {
        try await repository.withSyncLock { await self.sync(sources) }
    }

    /// Syncs one source (see `run`) and counts the run in the sync metrics.
    public func sync(_ source: SourceConfiguration) async -> ImportReport {
        let report = await run(source)
        metrics.record(report)
        return report
    }

    /// Syncs one source: a `file://` folder directly, an https source through the Bulk Data client into a scratch folder.
    func run(_ source: SourceConfiguration) async -> ImportReport {
        let started = Date()
        let minimum = options.force ? nil : await minimumResources(for: source)
        guard !source.url.isFileURL else {
            return await importer.importFolder(source.url, source: source.identity, startedAt: started, minimumResources: minimum)
        }
        let scratch = options.scratchDirectory.appendingPathComponent("\(source.id)-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        do {
            let http = CurlHTTPClient(settings: options.httpSettings(for: source), logger: logger)
            try await BulkDataClient(http: http, exportTimeout: options.exportTimeout, defaultPollInterval: options.pollInterval, logger: logger)
                .export(from: source.url, into: scratch)
        } catch {
            var report = ImportReport(sourceId: source.id, startedAt: started)
            report.finishedAt = Date()
            report.error = BulkExportImporter.describe(failure: error)
            logger.error("download failed, last good data kept", metadata: ["source": "\(source.id)", "error": "\(report.error ?? "")"])
            try? await repository.recordFailedImport(source.identity, report: report)
            return report
        }
        return await importer.importFolder(scratch, source: source.identity, startedAt: started, minimumResources: minimum)
    }

    /// Half of what the last good run held, when it held enough to judge by.
    func minimumResources(for source: SourceConfiguration) async -> Int? {
        guard let last = try? await repository.sourceStatuses().first(where: { $0.source.id == source.id })?.lastSuccess else { return nil }
        let total = last.accepted.values.reduce(0, +) + last.totalRejected
        return total >= options.implausibleDropFloor ? total / 2 : nil
    }
}

/// How syncs run: forcing past the drop guard, the scratch folder, the export timeout, retry policy.
public struct SyncOptions: Sendable {
    /// Apply a refresh even when it holds less than half of the last good run.
    public var force = false
    /// The guard applies once a source's last good run held at least this many resources.
    public var implausibleDropFloor = 100
    public var scratchDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("care-record-sync")
    public var exportTimeout: Duration = .seconds(900)
    /// The wait between status polls when the server sends no `Retry-After`.
    public var pollInterval: Duration = .seconds(2)
    public var retry = RetryPolicy()

    public init(force: Bool = false) {
        self.force = force
    }

    func httpSettings(for source: SourceConfiguration) -> HTTPClientSettings {
        var settings = HTTPClientSettings(
            caFile: source.caFile, clientCertificate: source.clientCertificate, clientKey: source.clientKey, bearerToken: source.bearerToken)
        settings.timeoutSeconds = source.timeoutSeconds
        settings.retry = retry
        return settings
    }
}
