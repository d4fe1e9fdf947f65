import CareRecordStore
import Foundation
import Logging

/// Pulls sources into the combined record, one at a time, each all-or-nothing.
public struct SyncRunner: Sendable {
    let importer: BulkExportImporter
    let repository: any CareRecordRepository

    public init(repository: any CareRecordRepository, logger: Logger = Logger(label: "care-record.sync")) {
        self.repository = repository
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

    /// Syncs one source: a `file://` export folder is imported directly.
    public func sync(_ source: SourceConfiguration) async -> ImportReport {
        guard source.url.isFileURL else {
            var report = ImportReport(sourceId: source.id, startedAt: Date())
            report.finishedAt = Date()
            report.error = ImportError.unsupportedSourceURL("https sources need the libcurl transport, not yet available").description
            try? await repository.recordFailedImport(source.identity, report: report)
            return report
        }
        return await importer.importFolder(source.url, source: source.identity)
    }
}
