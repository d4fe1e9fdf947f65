import HTTPTypes

/// The stable machine codes of `OperationOutcome.issue.details.coding` (C5), defined in `Profiles/CodeSystem-care-record-error-code.json`.
public enum ErrorCode: String, Sendable, CaseIterable {
    case tokenInvalid = "TOKEN_INVALID"
    case organisationNotParticipating = "ORGANISATION_NOT_PARTICIPATING"
    case organisationMismatch = "ORGANISATION_MISMATCH"
    case roleNotPermitted = "ROLE_NOT_PERMITTED"
    case scopeNotGranted = "SCOPE_NOT_GRANTED"
    case patientNotFound = "PATIENT_NOT_FOUND"
    case resourceNotFound = "RESOURCE_NOT_FOUND"
    case patientOptedOut = "PATIENT_OPTED_OUT"
    case recordBlocked = "RECORD_BLOCKED"
    case consentRequired = "CONSENT_REQUIRED"
    case invalidNHSNumber = "INVALID_NHS_NUMBER"
    case invalidParameter = "INVALID_PARAMETER"
    case invalidResource = "INVALID_RESOURCE"
    case readOnly = "READ_ONLY"
    case auditUnavailable = "AUDIT_UNAVAILABLE"
    case serviceBusy = "SERVICE_BUSY"
    case tooManyRequests = "TOO_MANY_REQUESTS"
    case notSupported = "NOT_SUPPORTED"
    case internalError = "INTERNAL_ERROR"

    /// The canonical URL of the code system.
    public static let system = "https://cheshire-care-record.nhs.uk/fhir/CodeSystem/care-record-error-code"

    /// The FHIR `IssueType` that goes with the code.
    var issueType: String {
        switch self {
        case .tokenInvalid: "login"
        case .organisationNotParticipating, .organisationMismatch, .roleNotPermitted, .scopeNotGranted, .patientOptedOut, .recordBlocked, .consentRequired: "forbidden"
        case .patientNotFound, .resourceNotFound: "not-found"
        case .invalidNHSNumber, .invalidParameter: "invalid"
        case .invalidResource: "structure"
        case .readOnly, .notSupported: "not-supported"
        case .auditUnavailable, .serviceBusy: "transient"
        case .tooManyRequests: "throttled"
        case .internalError: "exception"
        }
    }
}
