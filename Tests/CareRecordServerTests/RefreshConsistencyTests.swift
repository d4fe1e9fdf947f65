import CareRecordStore
import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
import Upstream
@testable import CareRecordServer

@Suite("Reads during a refresh")
struct RefreshConsistencyTests {
    /// A copy of a source's export in which every family name changes and every other Condition is gone.
    static func refreshedCopy(of folder: URL) throws -> URL {
        let copy = folder.deletingLastPathComponent().appendingPathComponent("refreshed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        var manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("manifest.json"))) as! [String: Any]
        var outputs = manifest["output"] as! [[String: Any]]
        for index in outputs.indices {
            let name = outputs[index]["url"] as! String
            var lines = String(decoding: try Data(contentsOf: folder.appendingPathComponent(name)), as: UTF8.self).split(separator: "\n").map(String.init)
            if name.hasPrefix("Patient") {
                lines = try lines.map { line in
                    var patient = try FHIRJSON.decode(Patient.self, from: Data(line.utf8))
                    patient.name = [HumanName(family: "Refreshed", given: ["New"])]
                    return String(decoding: try FHIRJSON.encode(patient), as: UTF8.self)
                }
            }
            if name.hasPrefix("Condition") { lines = lines.enumerated().filter { $0.offset % 2 == 0 }.map(\.element) }
            outputs[index]["count"] = lines.count
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: copy.appendingPathComponent(name))
        }
        manifest["output"] = outputs
        try JSONSerialization.data(withJSONObject: manifest).write(to: copy.appendingPathComponent("manifest.json"))
        return copy
    }

    /// The family name and Condition ids of an `$everything` answer.
    static func snapshot(_ body: ByteBuffer) throws -> String {
        let bundle = try FHIRJSON.decode(FHIR.Bundle.self, from: Data(body.readableBytesView))
        var family = "-"
        var conditions: [String] = []
        for entry in bundle.entry ?? [] {
            switch entry.resource {
            case .patient(let patient)?: family = patient.name?.first?.family ?? "-"
            case .condition(let condition)?: conditions.append(condition.id ?? "")
            default: break
            }
        }
        return "\(family) \(conditions.sorted().joined(separator: ","))"
    }

    @Test("every read while a source is replaced sees all of the old data or all of the new, and none fails", arguments: RecordBackend.all)
    func oldOrNew(backend: RecordBackend) async throws {
        let fixture = try await RegionFixture.make(backend: backend)
        let nhs = try fixture.nhs(\.registeredAtA81001)
        let auth = try await fixture.keys.bearer(ods: "A81001")
        let original = fixture.folder.appendingPathComponent("sources/gp-a81001")
        let refreshed = try Self.refreshedCopy(of: original)
        let app = Application(router: try await fixture.api().buildRouter())
        try await app.test(.router) { client in
            let old = try Self.snapshot(try await client.execute(uri: "/Patient/\(nhs)/$everything", method: .get, headers: [.authorization: auth]) { $0.body })
            let importer = BulkExportImporter(repository: fixture.repository)
            let importsDone = ImportsDone()
            let observed = try await withThrowingTaskGroup(of: [String].self) { group in
                group.addTask {
                    var seen: [String] = []
                    for _ in 0..<4 {
                        #expect(await importer.importFolder(refreshed, source: SourceIdentity(id: "gp-a81001", ods: "A81001", isGPPractice: true)).succeeded)
                        #expect(await importer.importFolder(original, source: SourceIdentity(id: "gp-a81001", ods: "A81001", isGPPractice: true)).succeeded)
                    }
                    importsDone.value.withLock { $0 = true }
                    seen.append("done")
                    return seen
                }
                group.addTask {
                    var seen: [String] = []
                    // Reads go on for as long as the imports do (at least 150), however fast either is on this machine.
                    while seen.count < 150 || !importsDone.value.withLock({ $0 }) {
                        let response = try await client.execute(uri: "/Patient/\(nhs)/$everything", method: .get, headers: [.authorization: auth]) { $0 }
                        #expect(response.status == .ok)
                        seen.append(try Self.snapshot(response.body))
                    }
                    return seen
                }
                return try await group.reduce(into: [String]()) { $0 += $1 }.filter { $0 != "done" }
            }
            let new = observed.first { $0 != old } ?? "none"
            #expect(new.hasPrefix("Refreshed"))
            for snapshot in observed { #expect(snapshot == old || snapshot == new, "a mixed read: \(snapshot)") }
        }
    }
}

/// Set when the refreshes of `oldOrNew` are over.
final class ImportsDone: Sendable {
    let value = Mutex(false)
}
