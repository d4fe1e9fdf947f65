import CareRecordStore
import FHIR
import Foundation
import FuzzSupport
import Upstream

/// Fuzzes the NDJSON line mapper: the input is a small export file; each line is decoded as `BulkExportImporter.load` does
/// (`JSONDecoder` into `AnyResource`) and mapped by `ResourceMapper.map` into ``SourceImportWriterTestDouble``.
/// The mapper may only accept or count a rejection (the double never fails, so nothing may be thrown), and everything it
/// stores must read back as the resource it says it is, under its served id and this source's `meta.source`.
enum NDJSONFuzzTarget {
    /// A GP practice's own export, so registration claims for this practice are taken and any other is counted.
    static let source = SourceIdentity(id: "gp-a81001", ods: "A81001", isGPPractice: true)

    static func run(_ input: Data) {
        let writer = SourceImportWriterTestDouble(source: source)
        let mapper = ResourceMapper(source: source, fallbackLastUpdated: FuzzSupport.now, writer: writer)
        var report = ImportReport(sourceId: source.id, startedAt: FuzzSupport.now)
        let decoder = JSONDecoder()
        var mapped = 0
        for line in input.split(separator: UInt8(ascii: "\n")) {
            // The importer fails the whole file on an undecodable line; here the next line still gets its turn.
            guard let resource = try? decoder.decode(AnyResource.self, from: Data(line)) else { continue }
            do {
                try mapper.map(resource, line: Data(line), report: &report)
            } catch {
                FuzzSupport.fail("map threw \(type(of: error)) with a writer that never fails", input: input)
            }
            mapped += 1
        }
        // A Patient whose registration claim is refused is kept and its claim counted as well (issue 8.1): one line, two counts.
        let claims = report.rejected["registration-not-from-practice"] ?? 0
        let counted = report.accepted.values.reduce(0, +) + report.totalRejected - claims
        guard counted == mapped else { FuzzSupport.fail("\(mapped) lines mapped but \(counted) counted", input: input) }
        for stored in writer.stored {
            let served: AnyResource
            do {
                served = try FHIRJSON.decode(AnyResource.self, from: stored.json)
            } catch {
                FuzzSupport.fail("stored \(stored.resourceType) does not decode: \(error)", input: input)
            }
            let resource = served.resource
            guard served.resourceType == stored.resourceType, resource.id == stored.id,
                  resource.meta?.source == ResourceMapper.sourceURI(source.id), resource.meta?.versionId == stored.versionId else {
                FuzzSupport.fail("stored \(stored.resourceType)/\(stored.id) does not say what it is", input: input)
            }
        }
    }
}

/// A test double for the SQLite import writer: keeps what the mapper writes in memory and never fails.
final class SourceImportWriterTestDouble: SourceImportWriter {
    let source: SourceIdentity
    private(set) var stored: [StoredResource] = []
    private var links: [String: UpstreamPatientLink] = [:]
    private var practices: [NHSNumber: String] = [:]

    init(source: SourceIdentity) {
        self.source = source
    }

    func addPatient(_ resource: StoredResource, upstreamId: String, registeredPractice: String?) throws {
        stored.append(resource)
        links[upstreamId] = .patient(resource.nhsNumber)
        if let registeredPractice { practices[resource.nhsNumber] = registeredPractice }
    }

    func rejectUpstreamPatient(_ upstreamId: String) throws {
        links[upstreamId] = .rejected
    }

    func link(forUpstreamPatient upstreamId: String) throws -> UpstreamPatientLink {
        links[upstreamId] ?? .unknown
    }

    func registeredPractice(of nhsNumber: NHSNumber) throws -> String? {
        practices[nhsNumber]
    }

    func addEpisode(_ episode: CareEpisode, patient: NHSNumber) throws {}

    func addDecision(_ decision: SharingDecision, patient: NHSNumber, resource: StoredResource) throws {
        stored.append(resource)
    }

    func addEntry(_ resource: StoredResource) throws {
        stored.append(resource)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResourceMapper(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    NDJSONFuzzTarget.run(FuzzSupport.bytes(data, size))
    return 0
}
