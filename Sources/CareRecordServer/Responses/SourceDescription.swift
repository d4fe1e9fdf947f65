import CareRecordStore
import FHIR
import Foundation

/// Where a searchset entry came from, as of the answer: the source's organisation (ODS code and name) and its last
/// successful refresh. Said on the `Bundle.entry`, not in the resource, so a resource's `versionId` and ETag stay those
/// of its upstream content while the source is refreshed every night.
struct SourceDescription: Sendable, Hashable {
    static let organisationExtension = "https://cheshire-care-record.nhs.uk/fhir/StructureDefinition/source-organisation"
    static let refreshedExtension = "https://cheshire-care-record.nhs.uk/fhir/StructureDefinition/source-last-refreshed"

    let ods: String
    /// The organisation's name from `organisations:`; nil when it is not configured.
    let name: String?
    /// When the source's last successful import finished.
    let lastRefreshed: Date?

    /// Every known source by id, its organisation named from `names` (ODS code to name).
    static func all(_ repository: any CareRecordRepository, names: [String: String]) async throws -> [String: SourceDescription] {
        var sources: [String: SourceDescription] = [:]
        for status in try await repository.sourceStatuses() {
            let success = status.lastSuccess
            sources[status.source.id] = SourceDescription(
                ods: status.source.ods, name: names[status.source.ods], lastRefreshed: success.map { $0.finishedAt ?? $0.startedAt })
        }
        return sources
    }

    /// The entry's `extension` array, keys sorted as in every served resource.
    var extensionJSON: Data {
        var reference = #"{"#
        if let name { reference += #""display":\#(JSONString.quoted(name)),"# }
        reference += #""identifier":{"system":\#(JSONString.quoted(FHIRSystems.odsOrganisation)),"value":\#(JSONString.quoted(ods))}}"#
        var json = #"[{"url":\#(JSONString.quoted(Self.organisationExtension)),"valueReference":\#(reference)}"#
        if let lastRefreshed {
            json += #",{"url":\#(JSONString.quoted(Self.refreshedExtension)),"valueInstant":\#(JSONString.quoted(FHIRDateTime.instant(lastRefreshed)))}"#
        }
        return Data((json + "]").utf8)
    }
}
