import CareRecordStore
import Logging

/// The single writer of the audit log: records waiting when a commit starts go in together (group commit), and each
/// caller resumes only once its record is durably committed.
public actor AuditLog {
    /// Commit statistics, for the benchmark and the health probe.
    public struct Statistics: Sendable, Codable {
        public var records = 0
        public var transactions = 0
        public var largestTransaction = 0
        public var failures = 0
    }

    private let store: any AuditStore
    private var waiting: [(record: AuditRecord, continuation: CheckedContinuation<Void, any Error>)] = []
    private var committing = false
    public private(set) var statistics = Statistics()
    /// The chain head after this process's latest commit, for signed checkpoints.
    public private(set) var head: (sequence: Int64, hash: String)?

    public init(store: any AuditStore) {
        self.store = store
    }

    /// Appends a record; returns once it is committed, throws if it could not be.
    public func append(_ record: AuditRecord) async throws {
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
            do {
                let stored = try await store.append(batch.map(\.record))
                if let last = stored.last { head = (last.sequence, last.hash) }
                statistics.records += batch.count
                statistics.transactions += 1
                statistics.largestTransaction = max(statistics.largestTransaction, batch.count)
                for entry in batch { entry.continuation.resume() }
            } catch {
                statistics.failures += 1
                for entry in batch { entry.continuation.resume(throwing: error) }
            }
        }
        committing = false
    }
}
