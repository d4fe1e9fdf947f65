import CoreMetrics

/// The audit writer's group commits: records per commit, commit latency, and failed commits with the records they held.
public struct AuditCommitMetrics: Sendable {
    let recordsPerCommit: Recorder
    let commitDuration: Timer
    let records: Counter
    let failures: Counter
    let failedRecords: Counter

    public static let recordsPerCommitLabel = "care_record_audit_records_per_commit"
    static let commitDurationLabel = "care_record_audit_commit_duration_seconds"

    init(factory: any MetricsFactory) {
        recordsPerCommit = Recorder(label: Self.recordsPerCommitLabel, dimensions: [], aggregate: true, factory: factory)
        commitDuration = Timer(label: Self.commitDurationLabel, dimensions: [], factory: factory)
        records = Counter(label: "care_record_audit_records_committed_total", dimensions: [], factory: factory)
        failures = Counter(label: "care_record_audit_commit_failures_total", dimensions: [], factory: factory)
        failedRecords = Counter(label: "care_record_audit_records_failed_total", dimensions: [], factory: factory)
    }

    func committed(records count: Int, duration: Duration) {
        recordsPerCommit.record(count)
        commitDuration.recordNanoseconds(duration.nanoseconds)
        records.increment(by: count)
    }

    func failed(records count: Int) {
        failures.increment()
        failedRecords.increment(by: count)
    }
}
