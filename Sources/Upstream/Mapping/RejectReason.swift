/// Why an upstream record was not taken into the combined record; each is counted in the import report.
public enum RejectReason: String, CaseIterable, Sendable {
    case missingID = "missing-id"
    case missingNHSNumber = "missing-nhs-number"
    case invalidNHSNumber = "invalid-nhs-number"
    case patientRejected = "patient-rejected"
    case unknownPatient = "unknown-patient"
    case invalidDate = "invalid-date"
    case episodeWithoutOrganisation = "episode-without-ods"
    case consentNotPatientPrivacy = "consent-not-patient-privacy"
    case consentNotActive = "consent-not-active"
    case consentNotRecognised = "consent-not-recognised"
    case consentWithoutDate = "consent-without-date"
    case consentNotFromRegisteredPractice = "consent-not-from-registered-practice"
    case consentInFuture = "consent-dated-in-future"
    case consentActorUnresolved = "consent-actor-unresolved"
    /// A `Patient.generalPractitioner` claim from a source that is not that GP practice; the patient is kept, the claim is not.
    case registrationNotFromPractice = "registration-not-from-practice"
    case unsupportedResourceType = "unsupported-resource-type"
}

/// Thrown by a mapping step to reject one record; the import carries on.
struct Rejection: Error {
    let reason: RejectReason
}
