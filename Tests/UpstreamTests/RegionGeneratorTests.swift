import CareRecordStore
import FHIR
import Foundation
import Testing
@testable import CareRecordCLI
@testable import Upstream

@Suite("Synthetic region")
struct RegionGeneratorTests {
    func generate(seed: UInt64, patients: Int = 120) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("care-record-tests/region-\(UUID().uuidString)")
        try RegionGenerator(patients: patients, seed: seed, outputDirectory: folder).run()
        return folder
    }

    @Test("the same seed writes the same exports byte for byte; another seed does not")
    func deterministic() throws {
        let a = try generate(seed: 7), b = try generate(seed: 7), c = try generate(seed: 8)
        for file in ["gp-a81001/Patient.ndjson", "acute-rjr/Condition.ndjson", "gp-a81002/Consent.ndjson", "community-rxa/manifest.json"] {
            let path = "sources/\(file)"
            #expect(try Data(contentsOf: a.appendingPathComponent(path)) == Data(contentsOf: b.appendingPathComponent(path)))
        }
        #expect(try Data(contentsOf: a.appendingPathComponent("sources/gp-a81001/Patient.ndjson"))
            != Data(contentsOf: c.appendingPathComponent("sources/gp-a81001/Patient.ndjson")))
    }

    @Test("--history adds that many resolved past problems to each GP record and changes nothing else")
    func history() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("care-record-tests/region-\(UUID().uuidString)")
        try RegionGenerator(patients: 30, seed: 7, outputDirectory: folder, history: 4).run()
        let plain = try generate(seed: 7, patients: 30)
        func lines(_ region: URL, _ file: String) throws -> [Substring] {
            try String(contentsOf: region.appendingPathComponent("sources/\(file)"), encoding: .utf8).split(separator: "\n")
        }
        for practice in ["gp-a81001", "gp-a81002"] {
            let (with, without) = (try lines(folder, "\(practice)/Condition.ndjson"), try lines(plain, "\(practice)/Condition.ndjson"))
            let past = with.filter { $0.contains("\"gp-hist-") }
            #expect(with.filter { !$0.contains("\"gp-hist-") } == without)
            #expect(past.count == 4 * (try lines(plain, "\(practice)/Patient.ndjson")).count)
            #expect(past.allSatisfy { $0.contains("\"resolved\"") })
        }
        #expect(try lines(folder, "acute-rjr/Condition.ndjson") == lines(plain, "acute-rjr/Condition.ndjson"))
    }

    @Test("every generated line round-trips through the models as valid FHIR JSON")
    func roundTrip() throws {
        let folder = try generate(seed: 3)
        var lines = 0
        for source in try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("sources").path) {
            let sourceFolder = folder.appendingPathComponent("sources/\(source)")
            for file in try FileManager.default.contentsOfDirectory(atPath: sourceFolder.path) where file.hasSuffix(".ndjson") {
                var reader = try NDJSONReader(url: sourceFolder.appendingPathComponent(file))
                while let line = try reader.nextLine() {
                    let resource = try FHIRJSON.decode(AnyResource.self, from: line)
                    #expect(try FHIRJSON.decode(AnyResource.self, from: FHIRJSON.encode(resource)) == resource)
                    #expect(!String(decoding: line, as: UTF8.self).contains("null"))
                    lines += 1
                }
            }
        }
        #expect(lines > 500)
    }

    @Test("the generated config loads, and syncing it accepts the region and rejects exactly the planted bad records")
    func syncGeneratedRegion() async throws {
        let folder = try generate(seed: 1, patients: 200)
        let configuration = try CareRecordConfiguration.load(path: folder.appendingPathComponent("care-record.yaml").path)
        #expect(configuration.sources.count == 6)
        #expect(configuration.organisations.count == 7)
        let summary = try JSONDecoder().decode(RegionSummary.self, from: Data(contentsOf: folder.appendingPathComponent("region-summary.json")))
        let repository = try SQLiteCareRecordRepository(path: try #require(configuration.databasePath))
        let reports = await SyncRunner(repository: repository).sync(configuration.sources)
        #expect(reports.allSatisfy { $0.succeeded })
        let rejectedNHS = reports.map { $0.rejected["invalid-nhs-number"] ?? 0 }.reduce(0, +)
        #expect(rejectedNHS == summary.invalidNHSNumbers)
        #expect(summary.invalidNHSNumbers > 0)
        let gpPatients = reports.filter { $0.sourceId.hasPrefix("gp-") }.map(\.patients).reduce(0, +)
        #expect(gpPatients == 200)

        let optedOut = try #require(summary.hospitalOptedOut.flatMap(NHSNumber.init))
        #expect(try await repository.patient(optedOut) == nil)
        #expect(try await repository.patientState(optedOut)?.restriction == .optedOut)
        let consented = try #require(summary.hospitalActiveWithConsent.flatMap(NHSNumber.init))
        #expect(try await repository.patientState(consented)?.hasCareRelationship(ods: "RJR", at: Date()) == true)
        let ended = try #require(summary.hospitalEndedEpisode.flatMap(NHSNumber.init))
        #expect(try await repository.patientState(ended)?.hasCareRelationship(ods: "RJR", at: Date()) == false)
    }
}
