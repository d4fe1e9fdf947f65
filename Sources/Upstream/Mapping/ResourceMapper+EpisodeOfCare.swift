import CareRecordStore
import FHIR
import Foundation

extension ResourceMapper {
    /// An episode of care: the managing organisation (by ODS code) treats the patient while it is active (C3).
    func map(_ episode: EpisodeOfCare) throws {
        let upstreamID = try upstreamID(episode.id)
        let nhs = try resolvePatient(episode.patient)
        guard let identifier = episode.managingOrganization?.identifier, identifier.system == FHIRSystems.odsOrganisation,
              let ods = identifier.value, !ods.isEmpty else {
            throw Rejection(reason: .episodeWithoutOrganisation)
        }
        try requireDates([episode.period?.start, episode.period?.end])
        let id = StableID.resourceID(source: source.id, type: EpisodeOfCare.resourceType, upstreamID: upstreamID)
        try writer.addEpisode(
            CareEpisode(
                id: id, ods: ods, status: episode.status, start: episode.period?.start.flatMap(FHIRDateTime.parse),
                end: episode.period?.end.flatMap(FHIRDateTime.parse), sourceId: source.id),
            patient: nhs)
    }
}
