import CareRecordStore
import FHIR
import Foundation

/// A `POST /Consent` body, checked against C6 before any access decision.
struct ConsentSubmission: Sendable {
    static let maximumShortTerm: TimeInterval = 24 * 3600
    static let userSystem = "https://cheshire-care-record.nhs.uk/Id/user"

    let consent: Consent
    let nhsNumber: NHSNumber
    let kind: SharingDecision.Kind
    /// A consent to view for the recording professional only, with an end within 24 hours.
    let shortTerm: Bool
    let periodStart: Date?
    let periodEnd: Date?
    let actorSub: String?

    /// Parses and checks the body; anything off is 400 (not JSON) or 422 (not a valid sharing decision), saying what.
    init(body: Data, user: AuthenticatedUser, now: Date) throws {
        guard let object = try? JSONSerialization.jsonObject(with: body), let document = object as? [String: Any] else {
            throw FHIRError.invalidResource("The body must be a FHIR JSON Consent resource.", status: .badRequest)
        }
        guard document["resourceType"] as? String == "Consent" else { throw FHIRError.invalidResource("resourceType must be Consent.") }
        if let problem = ConsentElements.unknownElement(in: document) {
            throw FHIRError.invalidResource("Unknown or misplaced element \(problem).")
        }
        let consent: Consent
        do {
            consent = try FHIRJSON.decode(Consent.self, from: body)
        } catch {
            throw FHIRError.invalidResource("Consent is not valid FHIR R4: \((error as? DecodingError)?.summary ?? "unreadable").")
        }
        guard consent.status == "active" else { throw FHIRError.invalidResource("Consent.status must be active.") }
        guard consent.scope.contains(system: FHIRSystems.consentScope, code: "patient-privacy") else {
            throw FHIRError.invalidResource("Consent.scope must be \(FHIRSystems.consentScope)#patient-privacy.")
        }
        nhsNumber = try Self.patient(consent.patient)
        guard let kind = SharingDecision.Kind(provision: consent.provision) else {
            throw FHIRError.invalidResource(
                "Consent.provision must be permit + access (consent to view), deny + access (block) or deny + collect (opt out), with actions from \(FHIRSystems.consentAction).")
        }
        self.kind = kind
        self.consent = consent
        (shortTerm, periodStart, periodEnd, actorSub) = try Self.scope(of: consent.provision, kind: kind, user: user, now: now)
    }

    /// The patient: `Patient/{NHS number}` and/or an NHS number identifier, agreeing.
    static func patient(_ reference: Reference?) throws -> NHSNumber {
        let fromReference = reference?.reference.map { $0.hasPrefix("Patient/") ? String($0.dropFirst(8)) : "" }
        let fromIdentifier = reference?.identifier.flatMap { $0.system == NHSNumber.system ? $0.value : nil }
        let values = [fromReference, fromIdentifier].compactMap { $0 }
        guard let first = values.first, Set(values).count == 1, let nhs = NHSNumber(first), !first.contains(" ") else {
            throw FHIRError.invalidResource("Consent.patient must be Patient/{NHS number} (and/or its NHS number identifier), with a valid NHS number.")
        }
        return nhs
    }

    /// Permanent (no actor, no end) or 24-hour (this user as the only actor, a period of at most 24 hours that has not ended).
    static func scope(of provision: Consent.Provision?, kind: SharingDecision.Kind, user: AuthenticatedUser, now: Date) throws
        -> (shortTerm: Bool, start: Date?, end: Date?, actor: String?)
    {
        let actors = provision?.actor ?? []
        let period = provision?.period
        if actors.isEmpty && period?.end == nil {
            // Permanent: it applies from the next request, so it cannot start later.
            if let startText = period?.start {
                guard let start = FHIRDateTime.parse(startText), start <= now.addingTimeInterval(300) else {
                    throw FHIRError.invalidResource("A sharing decision applies from now: provision.period.start cannot be in the future.")
                }
            }
            return (false, nil, nil, nil)
        }
        guard kind == .consentToView else {
            throw FHIRError.invalidResource("A block or opt-out applies to everyone and has no end: no provision.actor or provision.period.end.")
        }
        guard actors.count == 1, let sub = actors[0].reference.identifier?.value, sub == user.sub else {
            throw FHIRError.invalidResource("A 24-hour consent names exactly one actor: you, by provision.actor.reference.identifier.value = your user id.")
        }
        guard let startText = period?.start, let endText = period?.end,
              let start = FHIRDateTime.parse(startText), let end = FHIRDateTime.parse(endText), startText.count > 10, endText.count > 10 else {
            throw FHIRError.invalidResource("A 24-hour consent needs provision.period.start and .end as dateTimes with a time and zone.")
        }
        guard end > start, end.timeIntervalSince(start) <= maximumShortTerm else {
            throw FHIRError.invalidResource("A consent for one professional lasts at most 24 hours (provision.period).")
        }
        guard end > now, start <= now.addingTimeInterval(300) else {
            throw FHIRError.invalidResource("provision.period must cover now.")
        }
        return (true, start, end, sub)
    }
}
