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
        var registration = practice
        if let claimed = practice, !(source.isGPPractice && claimed == source.ods) {
            report.reject(RejectReason.registrationNotFromPractice.rawValue)
            registration = nil
        }
        try writer.addPatient(stored, upstreamId: upstreamID, registeredPractice: registration)
    }
}
