import CareRecordStore
import CoreMetrics
import Instrumentation
import Logging
import Tracing

/// The single writer of the audit log: records waiting when a commit starts go in together (group commit), and each
/// caller resumes only once its record is durably committed.
public actor AuditLog {
    /// True only in the benchmark-only build (`AUDIT_OFF=1 Benchmarks/read-benchmark.sh` compiles it with
    /// `-DCARE_RECORD_BENCHMARK_AUDIT_OFF` into `.build-audit-off/`): the audit middleware then builds and writes no record,
    /// so the benchmark can measure what audit costs. No configuration, option or environment variable of a normal build can
    /// switch audit off.
    #if CARE_RECORD_BENCHMARK_AUDIT_OFF
    public static let isCompiledOut = true
    #else
    public static let isCompiledOut = false
    #endif

    /// Commit statistics, for the benchmark and the health probe.
    public struct Statistics: Sendable, Codable {
        public var records = 0
        public var transactions = 0
        public var largestTransaction = 0
        public var failures = 0
    }

    private let store: any AuditStore
    private let metrics: AuditCommitMetrics
    private let tracer: any Tracer
    private let recordsSpans: Bool
    private var waiting: [(record: AuditRecord, continuation: CheckedContinuation<Void, any Error>)] = []
    private var committing = false
    public private(set) var statistics = Statistics()
    /// The chain head after this process's latest commit, for signed checkpoints.
    public private(set) var head: (sequence: Int64, hash: String)?

    /// `tracer` gives each append a span (`audit commit`) in the caller's trace; `metricsFactory` receives the commit metrics.
    public init(store: any AuditStore, metricsFactory: any MetricsFactory = MetricsSystem.factory, tracer: any Tracer = NoOpTracer()) {
        self.store = store
        metrics = AuditCommitMetrics(factory: metricsFactory)
        self.tracer = tracer
        recordsSpans = W3CTracer.records(tracer)
    }

    /// Appends a record; returns once it is committed, throws if it could not be.
    public func append(_ record: AuditRecord) async throws {
        // No span when spans go nowhere (`W3CTracer.records`).
        guard recordsSpans else { return try await enqueue(record) }
        let span = tracer.startSpan("audit commit", context: InstrumentationContext.current ?? .topLevel, ofKind: .internal)
        defer { span.end() }
        do {
            try await enqueue(record)
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }

    private func enqueue(_ record: AuditRecord) async throws {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append((record, continuation))
            if !committing {
                committing = true
                Task { await self.commitWaiting() }
            }
        }
    }

    private func commitWaiting() async {
        while !waiting.isEmpty {
            let batch = waiting
            waiting.removeAll(keepingCapacity: true)
            let started = ContinuousClock.now
            do {
                let stored = try await store.append(batch.map(\.record))
                if let last = stored.last { head = (last.sequence, last.hash) }
                statistics.records += batch.count
                statistics.transactions += 1
                statistics.largestTransaction = max(statistics.largestTransaction, batch.count)
                metrics.committed(records: batch.count, duration: ContinuousClock.now - started)
                for entry in batch { entry.continuation.resume() }
                // Requests arriving meanwhile wait for the next commit, together.
                await store.afterCommit()
            } catch {
                statistics.failures += 1
                metrics.failed(records: batch.count)
                for entry in batch { entry.continuation.resume(throwing: error) }
            }
        }
        committing = false
    }
}
