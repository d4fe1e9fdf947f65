import CareRecordStore
import FHIR
import Foundation

/// What a request wants to do with one patient's record.
public enum PatientInteraction: Sendable, Hashable {
    /// Patient, clinical entries, `$everything`, sharing decisions.
    case readRecord
    /// `POST /Consent`: a sharing decision; `shortTerm` for a 24-hour consent.
    case recordDecision(SharingDecision.Kind, shortTerm: Bool)
    /// `GET /AuditEvent` about the patient.
    case readAudit
}

/// Why access is allowed; recorded in the audit trail.
public enum AccessBasis: Sendable, Hashable {
    case consent
    case shortTermConsent
    case emergencyOverride(reason: String)
    case ownRecord
    case privacyOfficer
    /// Recording a sharing decision, which needs a care relationship but no consent.
    case careRelationship

    /// The audit code of the basis.
    public var code: String {
        switch self {
        case .consent: "consent"
        case .shortTermConsent: "short-term-consent"
        case .emergencyOverride: "emergency-override"
        case .ownRecord: "own-record"
        case .privacyOfficer: "privacy-officer"
        case .careRelationship: "care-relationship"
        }
    }
}

/// The outcome of the access decision.
public enum AccessDecision: Sendable, Equatable {
    case allow(AccessBasis)
    case deny(FHIRError)

    /// `allowed` or `refused`, for metrics and traces.
    var outcome: String {
        if case .allow = self { "allowed" } else { "refused" }
    }

    /// The basis of an allowed access or the C5 code of a refusal, for metrics and traces.
    var reason: String {
        switch self {
        case .allow(let basis): basis.code
        case .deny(let error): error.code.rawValue
        }
    }
}

/// Everything the decision looks at; nothing else.
public struct AccessRequest: Sendable {
    public var user: AuthenticatedUser
    /// The NHS number asked for.
    public var nhsNumber: NHSNumber
    /// The patient's state; nil for an NHS number never seen.
    public var patient: PatientState?
    public var interaction: PatientInteraction
    /// The `X-Access-Reason` of a well-formed emergency override (`X-Purpose-Of-Use: BTG`), or nil.
    public var emergencyReason: String?
    public var now: Date

    public init(user: AuthenticatedUser, nhsNumber: NHSNumber, patient: PatientState?, interaction: PatientInteraction, emergencyReason: String?, now: Date) {
        self.user = user
        self.nhsNumber = nhsNumber
        self.patient = patient
        self.interaction = interaction
        self.emergencyReason = emergencyReason
        self.now = now
    }
}

/// The access decision of C5 as one pure function: no HTTP, no SQL.
public struct AccessPolicy: Sendable {
    /// ODS codes of participating organisations.
    public let participating: Set<String>

    public init(participating: Set<String>) {
        self.participating = participating
    }

    /// Whether the user's organisation participates (C5 step 2).
    public func admits(_ user: AuthenticatedUser) -> Bool {
        participating.contains(user.ods)
    }

    /// Decides one request in the order of C5; an unknown patient and an unrelated one get the same answer.
    public func decide(_ request: AccessRequest) -> AccessDecision {
        let user = request.user
        guard admits(user) else { return .deny(.organisationNotParticipating) }
        switch request.interaction {
        case .readAudit: return decideAudit(request)
        case .readRecord: return user.role == .patient ? decideOwnRecord(request) : decideRead(request)
        case .recordDecision(let kind, let shortTerm): return decideRecording(request, kind: kind, shortTerm: shortTerm)
        }
    }

    /// Step 2 for clinical data: a clinical role with a registration number.
    private func isClinician(_ user: AuthenticatedUser) -> Bool {
        user.role.isClinical && user.registration != nil
    }

    private func decideRead(_ request: AccessRequest) -> AccessDecision {
        let user = request.user
        guard isClinician(user) else { return .deny(.roleNotPermitted) }
        guard let patient = request.patient else { return .deny(.patientNotFound) }
        let related = patient.hasCareRelationship(ods: user.ods, at: request.now)
        guard related || request.emergencyReason != nil else { return .deny(.patientNotFound) }
        switch patient.restriction {
        case .optedOut: return .deny(.patientOptedOut)
        case .blocked: return .deny(.recordBlocked)
        case .none: break
        }
        // Consent serves professionals with a care relationship (C5 step 5); anyone else is here by override.
        if related {
            let consents = patient.consentsInForce(at: request.now)
            if consents.contains(where: { $0.actorSub == nil }) { return .allow(.consent) }
            if consents.contains(where: { $0.actorSub == user.sub }) { return .allow(.shortTermConsent) }
        }
        if let reason = request.emergencyReason { return .allow(.emergencyOverride(reason: reason)) }
        return .deny(.consentRequired)
    }

    private func decideOwnRecord(_ request: AccessRequest) -> AccessDecision {
        guard request.user.nhsNumber == request.nhsNumber else { return .deny(.roleNotPermitted) }
        guard let patient = request.patient else { return .deny(.patientNotFound) }
        return patient.restriction == .optedOut ? .deny(.patientOptedOut) : .allow(.ownRecord)
    }

    private func decideAudit(_ request: AccessRequest) -> AccessDecision {
        switch request.user.role {
        case .patient where request.user.nhsNumber == request.nhsNumber: .allow(.ownRecord)
        case .privacyOfficer: .allow(.privacyOfficer)
        default: .deny(.roleNotPermitted)
        }
    }

    private func decideRecording(_ request: AccessRequest, kind: SharingDecision.Kind, shortTerm: Bool) -> AccessDecision {
        let user = request.user
        guard isClinician(user) else { return .deny(.roleNotPermitted) }
        guard let patient = request.patient, patient.hasCareRelationship(ods: user.ods, at: request.now) else {
            return .deny(.patientNotFound)
        }
        let atPractice = patient.registeredPractice == user.ods
        switch kind {
        case .blocked, .optedOut:
            return atPractice ? .allow(.careRelationship) : .deny(.roleNotPermitted)
        case .consentToView:
            guard patient.restriction != .none else {
                return .allow(.careRelationship)
            }
            // Consent on a blocked or opted-out record lifts it: the registered practice only, and only permanently.
            guard atPractice else { return .deny(.roleNotPermitted) }
            return shortTerm ? .deny(.shortTermConsentCannotLift) : .allow(.careRelationship)
        }
    }
}
