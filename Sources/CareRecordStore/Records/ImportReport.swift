import Foundation

/// What one import of one source did: counts, rejects by reason, and the error if it failed.
public struct ImportReport: Codable, Sendable, Hashable {
    public var sourceId: String
    public var startedAt: Date
    public var finishedAt: Date?
    public var succeeded: Bool
    public var patients: Int
    /// Accepted resources by upstream resource type (Patient included).
    public var accepted: [String: Int]
    /// Rejected records by reason; never silently dropped (C3).
    public var rejected: [String: Int]
    public var bytes: Int
    public var error: String?

    public init(sourceId: String, startedAt: Date) {
        self.sourceId = sourceId
        self.startedAt = startedAt
        self.succeeded = false
        self.patients = 0
        self.accepted = [:]
        self.rejected = [:]
        self.bytes = 0
    }

    /// Counts one accepted resource of a type.
    public mutating func accept(_ resourceType: String) {
        accepted[resourceType, default: 0] += 1
    }

    /// Counts one rejected record.
    public mutating func reject(_ reason: String) {
        rejected[reason, default: 0] += 1
    }

    public var totalRejected: Int { rejected.values.reduce(0, +) }
}
