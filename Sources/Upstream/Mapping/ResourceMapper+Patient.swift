import CareRecordStore
import FHIR
import Foundation

extension ResourceMapper {
    /// A patient: valid NHS number required; registration from `generalPractitioner`, believed only from the practice named
    /// itself (a GP practice's own export, C3): any other source's claim is counted and changes nothing; served under its NHS number.
    func map(_ upstream: Patient, versionID: String, report: inout ImportReport) throws {
        let upstreamID = try upstreamID(upstream.id)
        guard let value = upstream.identifier?.first(where: { $0.system == NHSNumber.system })?.value else {
            try writer.rejectUpstreamPatient(upstreamID)
            throw Rejection(reason: .missingNHSNumber)
        }
        guard let nhs = NHSNumber(value) else {
            try writer.rejectUpstreamPatient(upstreamID)
            throw Rejection(reason: .invalidNHSNumber)
        }
        let datesValid = upstream.birthDate.map(FHIRDateTime.isValidDate) ?? true
            && upstream.deceasedDateTime.map(FHIRDateTime.isValidDateTime) ?? true
        guard datesValid else {
            try writer.rejectUpstreamPatient(upstreamID)
            throw Rejection(reason: .invalidDate)
        }
        let practice = upstream.generalPractitioner?
            .compactMap { $0.identifier }
            .first { $0.system == FHIRSystems.odsOrganisation && $0.value?.isEmpty == false }?.value

        var patient = upstream
        let others = (upstream.identifier ?? []).filter { $0.system != NHSNumber.system }
        patient.identifier = [nhs.identifier] + others
        patient.generalPractitioner = practice.map { ods in
            let named = upstream.generalPractitioner?.first { $0.identifier?.value == ods }
            return [Reference(type: "Organization", identifier: Identifier(system: FHIRSystems.odsOrganisation, value: ods), display: named?.display)]
        }
        let stored = try served(patient, id: nhs.value, versionID: versionID, lastUpdated: lastUpdated(upstream.meta), patient: nhs)
        try add(stored, upstreamID: upstreamID, claimedPractice: practice, report: &report)
    }

    /// Maps a Patient line on the fast path (`FastPatient`), with the same rules and served bytes as the Foundation path;
    /// false, having done nothing, when the line must take that path instead.
    func mapFastPatient(_ line: Data, report: inout ImportReport) throws -> Bool {
        guard let patient = FastPatient(line), let upstreamID = patient.id, !upstreamID.isEmpty else { return false }
        let versionID = StableID.versionID(line, source: source.id, revision: Self.mappingRevision)
        let lastUpdated = patient.metaLastUpdated.flatMap(timestamps.parse) ?? fallbackLastUpdated
        let meta = Meta(versionId: versionID, lastUpdated: timestamps.instant(lastUpdated), source: Self.sourceURI(source.id))
        guard let json = patient.served(meta: meta) else { return false }
        let nhs = patient.nhsNumber
        let stored = StoredResource(
            id: nhs.value, resourceType: Patient.resourceType, nhsNumber: nhs, sourceId: source.id, versionId: versionID,
            lastUpdated: lastUpdated, json: json)
        try add(stored, upstreamID: upstreamID, claimedPractice: patient.practice, report: &report)
        report.accept(Patient.resourceType)
        return true
    }

    /// Stores a mapped patient; its registration counts only from its practice's own export.
    private func add(_ stored: StoredResource, upstreamID: String, claimedPractice: String?, report: inout ImportReport) throws {
        var registration = claimedPractice
        if let claimed = claimedPractice, !(source.isGPPractice && claimed == source.ods) {
            report.reject(RejectReason.registrationNotFromPractice.rawValue)
            registration = nil
        }
        try writer.addPatient(stored, upstreamId: upstreamID, registeredPractice: registration)
    }
}
