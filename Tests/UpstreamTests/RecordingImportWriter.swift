import CareRecordStore
import FHIR
import Foundation
import Upstream

/// What a mapping wrote, in words (test double of the import's writer), to compare the fast paths with the Foundation
/// path: `links` answers `link(forUpstreamPatient:)` (unknown otherwise), `practices` the registered practice by NHS number.
final class RecordingImportWriter: SourceImportWriter {
    let source: SourceIdentity
    let links: [String: UpstreamPatientLink]
    let practices: [String: String]
    var calls: [String] = []

    init(source: SourceIdentity, links: [String: UpstreamPatientLink] = [:], practices: [String: String] = [:]) {
        self.source = source
        self.links = links
        self.practices = practices
    }

    func addPatient(_ resource: StoredResource, upstreamId: String, registeredPractice: String?) throws {
        calls.append(
            "patient \(resource.id) \(resource.nhsNumber) \(resource.versionId) \(resource.lastUpdated) \(upstreamId) "
                + "\(registeredPractice ?? "-") " + String(decoding: resource.json, as: UTF8.self))
    }
    func rejectUpstreamPatient(_ upstreamId: String) throws { calls.append("rejected \(upstreamId)") }
    func link(forUpstreamPatient upstreamId: String) throws -> UpstreamPatientLink { links[upstreamId] ?? .unknown }
    func registeredPractice(of nhsNumber: NHSNumber) throws -> String? { practices[nhsNumber.value] }
    func addEpisode(_ episode: CareEpisode, patient: NHSNumber) throws { calls.append("episode") }
    func addDecision(_ decision: SharingDecision, patient: NHSNumber, resource: StoredResource) throws {
        calls.append(
            "decision \(decision) \(patient) \(resource.id) \(resource.resourceType) \(resource.nhsNumber) \(resource.sourceId ?? "-") "
                + "\(resource.versionId) \(resource.lastUpdated) " + String(decoding: resource.json, as: UTF8.self))
    }
    func addEntry(_ resource: StoredResource) throws { calls.append("entry") }
}
