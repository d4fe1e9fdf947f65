import CareRecordStore
import FHIR
import Foundation

extension ResourceMapper {
    /// Maps a clinical entry line on the fast path (`FastEntry`), with the same rules as `map(_:line:report:)`; false,
    /// having done nothing, when the line must take the Foundation path instead.
    func mapFast(_ line: Data, kind: FastEntry.Kind, report: inout ImportReport) throws -> Bool {
        guard let entry = FastEntry(line, kind: kind) else { return false }
        let type = kind.resourceType
        let versionID = StableID.versionID(line, source: source.id, revision: Self.mappingRevision)
        do {
            let nhs = try resolvePatient(entry.subject)
            try requireDates(entry.dates)
            let upstream = try upstreamID(entry.id)
            let id = StableID.resourceID(source: source.id, type: type, upstreamID: upstream)
            let lastUpdated = entry.metaLastUpdated.flatMap(timestamps.parse) ?? fallbackLastUpdated
            let meta = Meta(versionId: versionID, lastUpdated: timestamps.instant(lastUpdated), source: Self.sourceURI(source.id))
            guard let json = entry.served(id: id, meta: meta, patient: Self.patientReference(nhs)) else { return false }
            try writer.addEntry(
                StoredResource(
                    id: id, resourceType: type, nhsNumber: nhs, sourceId: source.id, versionId: versionID, lastUpdated: lastUpdated, json: json))
            report.accept(type)
        } catch let rejection as Rejection {
            report.reject(rejection.reason.rawValue)
        }
        return true
    }
}
