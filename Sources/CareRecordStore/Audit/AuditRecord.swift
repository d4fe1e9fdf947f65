/// One audited request (C8): who, from where, what was asked and returned, the outcome and its basis.
public struct AuditRecord: Codable, Sendable, Hashable {
    /// Position in the log, from 1; assigned when appended.
    public var sequence: Int64 = 0
    /// FHIR instant (UTC, milliseconds).
    public var recorded: String
    public var requestID: String
    public var userSub: String?
    public var userName: String?
    public var userRole: String?
    public var userOds: String?
    public var userRegistration: String?
    public var clientAddress: String?
    public var method: String
    /// Path and query as requested (bounded).
    public var path: String
    /// FHIR interaction: read, search-type, create, operation, or unknown.
    public var interaction: String
    public var resourceType: String?
    public var patientNHS: String?
    /// What was released, e.g. `Patient/9434765919` or `Bundle 3 Condition`.
    public var returned: String?
    public var status: Int
    /// `OK`, or the C5 error code.
    public var reasonCode: String
    /// consent, short-term-consent, emergency-override, own-record, privacy-officer, care-relationship.
    public var basis: String?
    /// The `X-Access-Reason` sent with an emergency override request, whether or not the override was what allowed it.
    public var accessReason: String?
    /// The `X-Purpose-Of-Use` a request carried (`BTG` for an emergency override attempt), whatever its outcome.
    public var purposeOfUse: String?
    /// The `X-Request-ID` the client sent, as given (bounded); `requestID` is always the server's own.
    public var clientRequestID: String?
    /// The `X-Correlation-ID` the client sent, as given (bounded).
    public var correlationID: String?
    /// Another patient's NHS number that a patient-role user asked for; the record is filed under the requester's own
    /// number and this is shown to privacy officers only.
    public var attemptedPatientNHS: String?
    /// For a rate-limit summary: how many requests from `clientAddress` were refused with 429 in the minute it covers.
    public var throttledCount: Int?
    /// ODS code of the patient's registered GP practice when the access was made (the patient the decision was about),
    /// so each organisation's privacy officers find the accesses to their patients as they were registered then.
    public var patientRegisteredOds: String?
    /// For a privacy officer's review: the sequence of the access record reviewed, the outcome (`appropriate`,
    /// `inappropriate`, `needs-follow-up`) and the note. A review is a record of its own, appended; the access is never changed.
    public var reviewOf: Int64?
    public var reviewOutcome: String?
    public var reviewNote: String?
    /// Whether the record is a privacy officer's review of another record.
    public var isReview: Bool { reviewOf != nil }

    /// Whether the request was an emergency override attempt (C5 step 6), allowed or not.
    public var isEmergencyOverrideAttempt: Bool {
        basis == "emergency-override" || purposeOfUse != nil
    }

    public var previousHash = ""
    public var hash = ""

    public init(recorded: String, requestID: String, method: String, path: String, interaction: String, status: Int, reasonCode: String) {
        self.recorded = recorded
        self.requestID = requestID
        self.method = method
        self.path = path
        self.interaction = interaction
        self.status = status
        self.reasonCode = reasonCode
    }
}
