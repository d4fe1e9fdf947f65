import FHIR
import Synchronization

/// What inner layers learn about a request for its audit record; shared by reference because the context is a value
/// and the audit middleware sits outside the layers that fill it in.
public final class AuditTrail: Sendable {
    /// The facts gathered so far.
    public struct Facts: Sendable {
        public var user: AuthenticatedUser?
        /// The patient the record is filed under (for a patient-role user asking about someone else: the requester).
        public var patient: NHSNumber?
        /// Another patient a patient-role user asked for (shown to privacy officers only).
        public var attemptedPatient: NHSNumber?
        /// The registered GP practice of the patient the decision was about, when it was made.
        public var registeredPractice: String?
        /// A privacy officer's review that this request records.
        public var review: Review?
        public var interaction = "unknown"
        public var resourceType: String?
        public var returned: String?
        public var basis: AccessBasis?
        /// `X-Purpose-Of-Use` and `X-Access-Reason` as sent, recorded on every request that carries them.
        public var purposeOfUse: String?
        public var accessReason: String?
        /// The client's `X-Request-ID` and `X-Correlation-ID`, as given.
        public var clientRequestID: String?
        public var correlationID: String?
        /// Refused by the rate limit: audited in a per-minute summary instead of one record each.
        public var throttled = false
        /// Set when the request's record was committed before its effect (a sharing decision), so none is written after.
        public var committedEarly = false
    }

    /// A review of an access record, as a request records it.
    public struct Review: Sendable {
        public var of: Int64
        public var outcome: ReviewOutcome
        public var note: String?
    }

    private let facts = Mutex(Facts())

    public init() {}

    /// Changes the facts.
    public func update(_ change: (inout Facts) -> Void) {
        facts.withLock { change(&$0) }
    }

    /// The facts now.
    public var snapshot: Facts { facts.withLock { $0 } }
}

extension AuditTrail {
    /// Names the interaction for the audit record.
    func begin(_ interaction: String, _ resourceType: String) {
        update {
            $0.interaction = interaction
            $0.resourceType = resourceType
        }
    }

    /// Says what a successful response releases.
    func released(_ summary: String) {
        update { $0.returned = summary }
    }
}
