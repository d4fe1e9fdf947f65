import CareRecordStore
import FHIR
import Foundation

/// Counts requests refused by the rate limit, per client address and minute, and audits each count as one record once its
/// minute is over, so a flood cannot grow the audit log by a record per request yet is never unaudited.
public actor ThrottleSummary {
    private struct Key: Hashable {
        var address: String
        var minute: Int64
    }

    private var counts: [Key: Int] = [:]
    /// Requests refused by the rate limit since start, for `/health`.
    public private(set) var total = 0
    /// One flush at a time: the actor is re-entered while a record is being appended.
    private var flushing = false

    public init() {}

    /// Counts one refused request, then audits every earlier minute's counts (a failure keeps them for later).
    func count(address: String, at now: Date, log: AuditLog) async throws {
        counts[Key(address: address, minute: Self.minute(now)), default: 0] += 1
        total += 1
        try await flush(before: now, log: log)
    }

    /// Audits the counts of minutes that ended before `now` (all of them when `now` is nil, at shutdown).
    public func flush(before now: Date?, log: AuditLog) async throws {
        guard !flushing else { return }
        flushing = true
        defer { flushing = false }
        let current = now.map(Self.minute) ?? Int64.max
        let due = counts.filter { $0.key.minute < current }.sorted { ($0.key.minute, $0.key.address) < ($1.key.minute, $1.key.address) }
        for (key, count) in due {
            // Removed only once audited, so a failed append keeps the count for the next attempt.
            try await log.append(Self.record(address: key.address, minute: key.minute, count: count))
            counts[key, default: count] -= count
            if counts[key] == 0 { counts.removeValue(forKey: key) }
        }
    }

    static func minute(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 / 60).rounded(.down)) }

    static func record(address: String, minute: Int64, count: Int) -> AuditRecord {
        let start = Date(timeIntervalSince1970: TimeInterval(minute * 60))
        var record = AuditRecord(
            recorded: FHIRDateTime.instant(start.addingTimeInterval(59.999)), requestID: "throttled-\(minute)-\(address)", method: "*",
            path: "(requests refused by the rate limit from \(FHIRDateTime.instant(start)) for one minute)", interaction: "throttled",
            status: 429, reasonCode: "TOO_MANY_REQUESTS")
        record.clientAddress = address
        record.throttledCount = count
        return record
    }
}
