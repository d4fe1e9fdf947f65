import FHIR
import HTTPTypes

/// An error answered as an `OperationOutcome` with a status and a C5 code; its text is safe to show anyone.
public struct FHIRError: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var code: ErrorCode
    public var text: String
    /// Extra response headers (`WWW-Authenticate`, `Allow`).
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ code: ErrorCode, _ text: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.text = text
        self.headers = headers
    }

    /// The OperationOutcome body.
    public var outcome: OperationOutcome {
        OperationOutcome(issue: [
            .init(
                severity: "error", code: code.issueType,
                details: CodeableConcept(coding: [Coding(system: ErrorCode.system, code: code.rawValue)], text: text))
        ])
    }
}

extension FHIRError {
    /// No credentials: the challenge carries no error code (RFC 6750 section 3).
    static let tokenMissing = FHIRError(
        .unauthorized, .tokenInvalid, "The access token is missing, invalid or expired.", headers: [.wwwAuthenticate: #"Bearer realm="care-record""#])
    static let tokenInvalid = FHIRError(
        .unauthorized, .tokenInvalid, "The access token is missing, invalid or expired.",
        headers: [.wwwAuthenticate: #"Bearer realm="care-record", error="invalid_token""#])
    static let organisationNotParticipating = FHIRError(
        .forbidden, .organisationNotParticipating, "Your organisation does not participate in the Cheshire Care Record.")
    static let organisationMismatch = FHIRError(
        .forbidden, .organisationMismatch, "NHSD-End-User-Organisation-ODS names another organisation than the access token.")
    static func scopeNotGranted(_ text: String) -> FHIRError { FHIRError(.forbidden, .scopeNotGranted, text) }
    static let roleNotPermitted = FHIRError(.forbidden, .roleNotPermitted, "Your role does not permit this.")
    static let patientOptedOut = FHIRError(.forbidden, .patientOptedOut, "The patient has declined to have an electronic shared record.")
    static let recordBlocked = FHIRError(.forbidden, .recordBlocked, "The patient has not given consent to view the record.")
    static let consentRequired = FHIRError(
        .forbidden, .consentRequired,
        "The patient's consent is needed to view the record. Ask the patient, then record it with POST /Consent (permanent, or for yourself for up to 24 hours); in an emergency use X-Purpose-Of-Use: BTG with an X-Access-Reason.")
    static let shortTermConsentCannotLift = FHIRError(
        .unprocessableContent, .invalidResource, "A 24-hour consent cannot lift a block or an opt-out; record a permanent consent.")
    static let auditUnavailable = FHIRError(
        .serviceUnavailable, .auditUnavailable, "The request cannot be served because it cannot be audited; try again later.",
        headers: [.retryAfter: "1"])
    /// A store stayed busy past the bounded wait (a decision behind another writer, or a read racing changes).
    static let serviceBusy = FHIRError(
        .serviceUnavailable, .serviceBusy, "The service is busy; try again shortly.", headers: [.retryAfter: "1"])
    static let patientNotFound = FHIRError(.notFound, .patientNotFound, "No patient record was found.")
    static let resourceNotFound = FHIRError(.notFound, .resourceNotFound, "No resource was found with this id.")
    static let invalidNHSNumber = FHIRError(.badRequest, .invalidNHSNumber, "The NHS number is not a valid 10-digit NHS number.")
    static let notAcceptable = FHIRError(
        .notAcceptable, .notSupported, "Only FHIR JSON is supported (application/fhir+json, or _format=json).")
    static let unknownEndpoint = FHIRError(.notFound, .notSupported, "This endpoint or resource type is not supported; see /metadata.")
    static let internalError = FHIRError(.internalServerError, .internalError, "The request could not be completed.")

    static func tooManyRequests(retryAfter seconds: Int) -> FHIRError {
        FHIRError(.tooManyRequests, .tooManyRequests, "Too many requests; slow down and try again later.", headers: [.retryAfter: String(seconds)])
    }

    static func invalidParameter(_ text: String) -> FHIRError { FHIRError(.badRequest, .invalidParameter, text) }

    static func invalidResource(_ text: String, status: HTTPResponse.Status = .unprocessableContent) -> FHIRError {
        FHIRError(status, .invalidResource, text)
    }

    static func readOnly(allow: String) -> FHIRError {
        FHIRError(.methodNotAllowed, .readOnly, "The Cheshire Care Record is view-only.", headers: [.allow: allow])
    }
}
