import CareRecordStore
import FHIR
import Foundation
import Synchronization

/// The sources' descriptions as searches show them, read from the record at most every `maximumAge` (they change when a
/// source is refreshed, nightly): reading every source's last import on each search cost half the throughput of
/// `GET /Condition?patient=` (issue 12). A description is thus at most two seconds older than the answer.
final class SourceDescriptions: Sendable {
    let repository: any CareRecordRepository
    let names: [String: String]
    let maximumAge: Duration
    private let cached = Mutex<(read: ContinuousClock.Instant, value: [String: SourceDescription])?>(nil)

    init(repository: any CareRecordRepository, names: [String: String], maximumAge: Duration = .seconds(2)) {
        self.repository = repository
        self.names = names
        self.maximumAge = maximumAge
    }

    /// Every known source by id.
    func current() async throws -> [String: SourceDescription] {
        let now = ContinuousClock.now
        if let cached = cached.withLock({ $0 }), now - cached.read < maximumAge { return cached.value }
        let value = try await SourceDescription.all(repository, names: names)
        cached.withLock { $0 = (now, value) }
        return value
    }
}

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
    /// The entry's `extension` array, keys sorted as in every served resource; written once per description, not per entry
    /// (a 100-entry `$everything` wrote it 100 times, issue 12).
    let extensionJSON: Data

    init(ods: String, name: String?, lastRefreshed: Date?) {
        self.ods = ods
        self.name = name
        self.lastRefreshed = lastRefreshed
        extensionJSON = Self.extensionJSON(ods: ods, name: name, lastRefreshed: lastRefreshed)
    }

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

    private static func extensionJSON(ods: String, name: String?, lastRefreshed: Date?) -> Data {
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
