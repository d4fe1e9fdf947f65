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

    /// Syncs each source and returns one report per source, in order. The imports run one at a time, in order, each all or
    /// nothing; what they would wait for upstream runs beside them (issue 12): every https source's export is kicked off at
    /// once, so each upstream system prepares its own while the others do and while earlier sources import, and each
    /// source's files are downloaded while the source before it imports. At most two sources' downloads are on disk at a
    /// time: the one importing and the next.
    public func sync(_ sources: [SourceConfiguration]) async -> [ImportReport] {
        let manifests: [Task<BulkDataManifest, any Error>?] = sources.map { source in
            source.url.isFileURL ? nil : Task { try await self.bulkDataClient(for: source).completedManifest(source.url) }
        }
        return await withTaskCancellationHandler {
            var reports: [ImportReport] = []
            var next = sources.isEmpty ? nil : download(0, of: sources, manifests)
            for index in sources.indices {
                let downloaded = await next?.value
                next = index + 1 < sources.count ? download(index + 1, of: sources, manifests) : nil
                let report = await run(sources[index], downloaded: downloaded)
                metrics.record(report)
                reports.append(report)
            }
            return reports
        } onCancel: {
            for manifest in manifests { manifest?.cancel() }
        }
    }

    /// Syncs every source holding the record's sync lock, so one sync runs at a time across every node and
    /// `care-record sync`; nil, doing nothing, when another holds it.
    public func syncExclusively(_ sources: [SourceConfiguration]) async throws -> [ImportReport]? {
        try await repository.withSyncLock { await self.sync(sources) }
    }

    /// Syncs one source (see `sync(_:)`) and counts the run in the sync metrics.
    public func sync(_ source: SourceConfiguration) async -> ImportReport {
        await sync([source])[0]
    }

    /// An https source's export in a scratch folder, or why it could not be fetched; `started` is when its download began.
    struct Download: Sendable {
        let started: Date
        let folder: Result<URL, any Error>
    }

    /// Downloads `sources[index]`'s export once it is complete (nil for a `file://` source, which is read where it is).
    func download(_ index: Int, of sources: [SourceConfiguration], _ manifests: [Task<BulkDataManifest, any Error>?]) -> Task<Download, Never>? {
        guard let manifest = manifests[index] else { return nil }
        let source = sources[index]
        return Task {
            let started = Date()
            let scratch = options.scratchDirectory.appendingPathComponent("\(source.id)-\(UUID().uuidString)")
            do {
                try await bulkDataClient(for: source).download(try await manifest.value, from: source.url, into: scratch)
                return Download(started: started, folder: .success(scratch))
            } catch {
                try? FileManager.default.removeItem(at: scratch)
                return Download(started: started, folder: .failure(error))
            }
        }
    }

    /// Imports one source: a `file://` folder directly, an https source from its download, whose folder it then removes.
    func run(_ source: SourceConfiguration, downloaded: Download?) async -> ImportReport {
        let started = downloaded?.started ?? Date()
        let folder: URL
        switch downloaded?.folder {
        case nil: folder = source.url
        case .success(let scratch)?: folder = scratch
        case .failure(let error)?:
            var report = ImportReport(sourceId: source.id, startedAt: started)
            report.finishedAt = Date()
            report.error = BulkExportImporter.describe(failure: error)
            logger.error("download failed, last good data kept", metadata: ["source": "\(source.id)", "error": "\(report.error ?? "")"])
            try? await repository.recordFailedImport(source.identity, report: report)
            return report
        }
        defer { if downloaded != nil { try? FileManager.default.removeItem(at: folder) } }
        let minimum = options.force ? nil : await minimumResources(for: source)
        return await importer.importFolder(folder, source: source.identity, startedAt: started, minimumResources: minimum)
    }

    func bulkDataClient(for source: SourceConfiguration) -> BulkDataClient {
        let http = CurlHTTPClient(settings: options.httpSettings(for: source), logger: logger)
        return BulkDataClient(http: http, exportTimeout: options.exportTimeout, defaultPollInterval: options.pollInterval, logger: logger)
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
