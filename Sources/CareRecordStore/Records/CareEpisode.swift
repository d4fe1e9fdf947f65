import Foundation

/// An organisation treating a patient, from an upstream `EpisodeOfCare` (C3).
public struct CareEpisode: Sendable, Hashable {
    public var id: String
    public var ods: String
    public var status: String
    public var start: Date?
    public var end: Date?
    public var sourceId: String

    public init(id: String, ods: String, status: String, start: Date?, end: Date?, sourceId: String) {
        self.id = id
        self.ods = ods
        self.status = status
        self.start = start
        self.end = end
        self.sourceId = sourceId
    }

    /// Active status, and a period (if any) that covers `now`.
    public func isActive(at now: Date) -> Bool {
        status == "active" && (start.map { $0 <= now } ?? true) && (end.map { now <= $0 } ?? true)
    }
}
