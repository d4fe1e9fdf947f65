import CareRecordStore
import FHIR
import Foundation

/// Why access to a patient's record is allowed.
public enum AccessBasis: String, Sendable, Hashable {
    case careRelationship = "care-relationship"
}

/// The outcome of the access decision for one patient.
public enum AccessDecision: Sendable, Equatable {
    case allow(AccessBasis)
    case deny(FHIRError)
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

    /// Decides access to one patient's record; an unknown patient and one without a care relationship get the same answer.
    public func decide(user: AuthenticatedUser, patient: PatientState?, now: Date) -> AccessDecision {
        guard admits(user) else { return .deny(.organisationNotParticipating) }
        guard let patient, patient.hasCareRelationship(ods: user.ods, at: now) else { return .deny(.patientNotFound) }
        return .allow(.careRelationship)
    }
}
