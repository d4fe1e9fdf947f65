import Foundation

/// A patient's sharing decision, from the registered practice's feed or recorded through the API (C3, C6).
public struct SharingDecision: Sendable, Hashable {
    /// What the patient decided.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case optedOut = "opted-out"
        case blocked
        case consentToView = "consent-to-view"
    }

    public var id: String
    public var kind: Kind
    /// `Consent.dateTime`: the latest decision wins.
    public var recordedAt: Date
    /// The organisation that recorded it: the upstream source's or the API user's.
    public var recordedByOds: String
    /// The upstream source it came from; nil when recorded through the API.
    public var sourceId: String?
    /// The API user who recorded it.
    public var recordedBySub: String?
    /// For a 24-hour consent: the professional it names (token `sub`).
    public var actorSub: String?
    public var periodStart: Date?
    public var periodEnd: Date?
    /// Insertion order, breaking ties between decisions with the same `recordedAt`.
    public var sequence: Int64

    public init(
        id: String, kind: Kind, recordedAt: Date, recordedByOds: String, sourceId: String?,
        recordedBySub: String? = nil, actorSub: String? = nil, periodStart: Date? = nil, periodEnd: Date? = nil,
        sequence: Int64 = 0
    ) {
        self.id = id
        self.kind = kind
        self.recordedAt = recordedAt
        self.recordedByOds = recordedByOds
        self.sourceId = sourceId
        self.recordedBySub = recordedBySub
        self.actorSub = actorSub
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.sequence = sequence
    }

    /// A consent to view for every professional with a care relationship (no actor, no end).
    public var isPermanentConsent: Bool { kind == .consentToView && actorSub == nil && periodEnd == nil }

    /// Whether the decision's period (if any) covers `now`.
    public func isInForce(at now: Date) -> Bool {
        (periodStart.map { $0 <= now } ?? true) && (periodEnd.map { now < $0 } ?? true)
    }
}
