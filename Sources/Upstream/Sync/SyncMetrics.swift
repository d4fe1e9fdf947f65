import CareRecordStore
import CoreMetrics
import Foundation

/// Sync runs per source: runs by result, resources accepted (by type) and rejected (by reason), bytes, duration, and the
/// time of the last successful run as a gauge. Labels are source ids, resource types and reject reasons only.
public struct SyncMetrics: Sendable {
    let factory: any MetricsFactory

    public static let durationLabel = "care_record_sync_duration_seconds"
    public static let lastSuccessLabel = "care_record_sync_last_success_timestamp_seconds"

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    /// Counts one finished run of a source.
    func record(_ report: ImportReport) {
        let source = ("source", report.sourceId)
        Counter(label: "care_record_sync_runs_total", dimensions: [source, ("result", report.succeeded ? "success" : "failure")], factory: factory)
            .increment()
        let finished = report.finishedAt ?? Date()
        CoreMetrics.Timer(label: Self.durationLabel, dimensions: [source], factory: factory)
            .recordNanoseconds(Int64(max(0, finished.timeIntervalSince(report.startedAt)) * 1e9))
        Counter(label: "care_record_sync_bytes_total", dimensions: [source], factory: factory).increment(by: report.bytes)
        for (type, count) in report.accepted {
            Counter(label: "care_record_sync_resources_accepted_total", dimensions: [source, ("resource_type", type)], factory: factory)
                .increment(by: count)
        }
        for (reason, count) in report.rejected {
            Counter(label: "care_record_sync_resources_rejected_total", dimensions: [source, ("reason", reason)], factory: factory)
                .increment(by: count)
        }
        if report.succeeded { lastSuccess(source: report.sourceId, at: finished) }
    }

    /// Sets each source's last-success gauge from the record, which every node shares (a sync may have run on another).
    public func refreshLastSuccess(from repository: any CareRecordRepository) async {
        guard let statuses = try? await repository.sourceStatuses() else { return }
        for status in statuses {
            if let last = status.lastSuccess { lastSuccess(source: status.source.id, at: last.finishedAt ?? last.startedAt) }
        }
    }

    func lastSuccess(source: String, at date: Date) {
        Gauge(label: Self.lastSuccessLabel, dimensions: [("source", source)], factory: factory).record(date.timeIntervalSince1970)
    }
}
