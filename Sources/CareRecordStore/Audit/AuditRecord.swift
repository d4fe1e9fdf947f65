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
    /// The `X-Access-Reason` of an emergency override.
    public var accessReason: String?
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
