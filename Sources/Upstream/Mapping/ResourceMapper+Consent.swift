import CareRecordStore
import FHIR
import Foundation

extension ResourceMapper {
    /// Maps a Consent line on the fast path (`FastConsent`), with the same rules as `map(_:line:report:)`; false, having
    /// done nothing, when the line must take the Foundation path instead.
    func mapFastConsent(_ line: Data, report: inout ImportReport) throws -> Bool {
        guard let fast = FastConsent(line) else { return false }
        let versionID = StableID.versionID(line, source: source.id, revision: Self.mappingRevision)
        do {
            guard try map(fast.upstream, versionID: versionID, fast: fast) else { return false }
            report.accept(Consent.resourceType)
        } catch let rejection as Rejection {
            report.reject(rejection.reason.rawValue)
        }
        return true
    }

    /// A sharing decision, honoured only from the patient's registered GP practice (C3). With `fast`, the served bytes come
    /// from its template; false, having added nothing, when they cannot (a value that would need escaping).
    @discardableResult
    func map(_ upstream: Consent, versionID: String, fast: FastConsent? = nil) throws -> Bool {
        let upstreamID = try upstreamID(upstream.id)
        guard upstream.scope.contains(system: FHIRSystems.consentScope, code: "patient-privacy") else {
            throw Rejection(reason: .consentNotPatientPrivacy)
        }
        guard upstream.status == "active" else { throw Rejection(reason: .consentNotActive) }
        guard let patientReference = upstream.patient else { throw Rejection(reason: .unknownPatient) }
        let nhs = try resolvePatient(patientReference)
        guard let kind = SharingDecision.Kind(provision: upstream.provision) else { throw Rejection(reason: .consentNotRecognised) }
        guard let dateTime = upstream.dateTime, let recordedAt = FHIRDateTime.parse(dateTime) else {
            throw Rejection(reason: .consentWithoutDate)
        }
        // A decision dated in the future would outrank every decision made until then, API ones included.
        guard recordedAt <= now.addingTimeInterval(Self.consentClockSkew) else { throw Rejection(reason: .consentInFuture) }
        let actors = upstream.provision?.actor ?? []
        let actorSub = actors.first?.reference.identifier?.value.flatMap { $0.isEmpty ? nil : $0 }
        // A permit naming someone we cannot identify must not become a consent for everyone.
        if kind == .consentToView, !actors.isEmpty, actors.count > 1 || actorSub == nil {
            throw Rejection(reason: .consentActorUnresolved)
        }
        try requireDates([upstream.provision?.period?.start, upstream.provision?.period?.end])
        guard try writer.registeredPractice(of: nhs) == source.ods else {
            throw Rejection(reason: .consentNotFromRegisteredPractice)
        }
        let id = StableID.resourceID(source: source.id, type: Consent.resourceType, upstreamID: upstreamID)
        let resource: StoredResource
        if let fast {
            let lastUpdated = lastUpdated(upstream.meta)
            let meta = Meta(versionId: versionID, lastUpdated: timestamps.instant(lastUpdated), source: Self.sourceURI(source.id))
            guard let json = fast.served(id: id, meta: meta, patient: Self.patientReference(nhs)) else { return false }
            resource = StoredResource(
                id: id, resourceType: Consent.resourceType, nhsNumber: nhs, sourceId: source.id, versionId: versionID, lastUpdated: lastUpdated,
                json: json)
        } else {
            var consent = upstream
            consent.patient = Self.patientReference(nhs)
            resource = try served(consent, id: id, versionID: versionID, lastUpdated: lastUpdated(upstream.meta), patient: nhs)
        }
        let period = upstream.provision?.period
        let decision = SharingDecision(
            id: id, kind: kind, recordedAt: recordedAt, recordedByOds: source.ods, sourceId: source.id,
            actorSub: actorSub,
            periodStart: period?.start.flatMap(FHIRDateTime.parse), periodEnd: period?.end.flatMap(FHIRDateTime.parse))
        try writer.addDecision(decision, patient: nhs, resource: resource)
        return true
    }
}
