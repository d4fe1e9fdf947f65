import FHIR
import Foundation

/// Everything the access decision needs to know about one patient, and nothing clinical.
public struct PatientState: Sendable, Hashable {
    public var nhsNumber: NHSNumber
    /// ODS code of the registered GP practice, if known.
    public var registeredPractice: String?
    public var episodes: [CareEpisode]
    public var decisions: [SharingDecision]
    public var hasDemographics: Bool

    public init(nhsNumber: NHSNumber, registeredPractice: String?, episodes: [CareEpisode], decisions: [SharingDecision], hasDemographics: Bool) {
        self.nhsNumber = nhsNumber
        self.registeredPractice = registeredPractice
        self.episodes = episodes
        self.decisions = decisions
        self.hasDemographics = hasDemographics
    }

    /// Whether the organisation has a care relationship: it is the registered practice or has an active episode (C5 step 3).
    public func hasCareRelationship(ods: String, at now: Date) -> Bool {
        registeredPractice == ods || episodes.contains { $0.ods == ods && $0.isActive(at: now) }
    }
}

/// What the registered practice's latest decision leaves in place.
public enum RecordRestriction: String, Sendable, Hashable {
    case none
    case blocked
    case optedOut = "opted-out"
}

extension PatientState {
    /// Decisions honoured from the registered practice only (C3), oldest first.
    public var practiceDecisions: [SharingDecision] {
        guard let practice = registeredPractice else { return [] }
        return decisions.filter { $0.recordedByOds == practice }.sorted(by: SharingDecision.chronological)
    }

    /// Opted out or blocked, by the latest restricting-or-lifting decision of the registered practice.
    public var restriction: RecordRestriction {
        let latest = practiceDecisions.last { $0.kind != .consentToView || $0.isPermanentConsent }
        switch latest?.kind {
        case .optedOut: return .optedOut
        case .blocked: return .blocked
        case .consentToView, nil: return .none
        }
    }

    /// Consents to view in force at `now`: upstream ones only from the registered practice, API ones from whoever recorded them.
    public func consentsInForce(at now: Date) -> [SharingDecision] {
        decisions.filter { decision in
            decision.kind == .consentToView && decision.isInForce(at: now)
                && (decision.sourceId == nil || decision.recordedByOds == registeredPractice)
        }
    }
}

extension PatientState {
    /// Whether an access decision made on `other` still holds on this state: the same registration, episodes,
    /// demographics and decisions in the same order. Sequence numbers themselves are left out: a refresh re-inserts a
    /// source's unchanged decisions under new ones, which changes nothing a decision rests on (and must not make every
    /// read during a refresh decide again).
    public func isSameBasis(as other: PatientState) -> Bool {
        func unnumbered(_ decisions: [SharingDecision]) -> [SharingDecision] {
            decisions.map { decision in
                var decision = decision
                decision.sequence = 0
                return decision
            }
        }
        return nhsNumber == other.nhsNumber && registeredPractice == other.registeredPractice && episodes == other.episodes
            && hasDemographics == other.hasDemographics && unnumbered(decisions) == unnumbered(other.decisions)
    }
}

extension SharingDecision {
    /// Orders by `recordedAt`, then by insertion.
    public static func chronological(_ a: SharingDecision, _ b: SharingDecision) -> Bool {
        (a.recordedAt, a.sequence) < (b.recordedAt, b.sequence)
    }
}
