import CareRecordStore
import FHIR
import Foundation
import Testing
@testable import Upstream

@Suite("Bulk Data import rules (C3)")
struct ImportRulesTests {
    let valid = "9434765919"
    let other = "4010232137"

    func importer(_ repository: any CareRecordRepository) -> BulkExportImporter {
        BulkExportImporter(repository: repository)
    }

    @Test("an invalid NHS number is rejected and counted, with the entries that point at it", arguments: RecordBackend.all)
    func invalidNHSNumber(backend: RecordBackend) async throws {
        let repository = try await backend.makeRepository()
        var export = ExportFolder()
        try export.add(Upstream.patient("p1", nhs: valid))
        try export.add(Upstream.patient("p2", nhs: "9434765918"))
        try export.add(Upstream.patient("p3", nhs: "12345"))
        try export.add(Upstream.condition("c1", patient: "p1"))
        try export.add(Upstream.condition("c2", patient: "p2"))
        let report = await importer(repository).importFolder(try export.write(), source: gp)
        #expect(report.succeeded)
        #expect(report.patients == 1)
        #expect(report.rejected == ["invalid-nhs-number": 2, "patient-rejected": 1])
        #expect(report.accepted["Condition"] == 1)
        #expect(try await repository.patient(NHSNumber(valid)!) != nil)
    }

    @Test("a Consent from a source other than the registered practice is ignored and counted", arguments: RecordBackend.all)
    func consentFromHospital(backend: RecordBackend) async throws {
        let repository = try await backend.makeRepository()
        var gpExport = ExportFolder()
        try gpExport.add(Upstream.patient("p1", nhs: valid))
        _ = await importer(repository).importFolder(try gpExport.write(), source: gp)

        var hospitalExport = ExportFolder()
        try hospitalExport.add(Upstream.patient("h1", nhs: valid))
        try hospitalExport.add(Upstream.consent("k1", patient: "h1", type: "deny", action: "collect"))
        let report = await importer(repository).importFolder(try hospitalExport.write(), source: hospital)
        #expect(report.succeeded)
        #expect(report.rejected["consent-not-from-registered-practice"] == 1)
        let state = try #require(try await repository.patientState(NHSNumber(valid)!))
        #expect(state.decisions.isEmpty)
        #expect(state.restriction == .none)
        #expect(try await repository.patient(NHSNumber(valid)!) != nil)
    }

    @Test("the registered practice's Consent is honoured: deny+access blocks, permit+access consents", arguments: RecordBackend.all)
    func practiceConsent(backend: RecordBackend) async throws {
        let repository = try await backend.makeRepository()
        var export = ExportFolder()
        try export.add(Upstream.patient("p1", nhs: valid))
        try export.add(Upstream.patient("p2", nhs: other))
        try export.add(Upstream.consent("k1", patient: "p1", type: "deny", action: "access"))
        try export.add(Upstream.consent("k2", patient: "p2", type: "permit", action: "access"))
        let report = await importer(repository).importFolder(try export.write(), source: gp)
        #expect(report.accepted["Consent"] == 2)
        #expect(try await repository.patientState(NHSNumber(valid)!)?.restriction == .blocked)
        let consented = try #require(try await repository.patientState(NHSNumber(other)!))
        #expect(consented.consentsInForce(at: Date()).count == 1)
    }

    @Test("two practices' own exports: the later registration wins; at the same instant the first source by id, in either import order",
          arguments: RecordBackend.all, [false, true])
    func registrationTies(backend: RecordBackend, reversed: Bool) async throws {
        let second = SourceIdentity(id: "gp-b82002", ods: "B82002", isGPPractice: true)
        func export(_ practice: String, lastUpdated: String) throws -> URL {
            var patient = Upstream.patient("p-\(practice)", nhs: valid, practice: practice)
            patient.meta = Meta(lastUpdated: lastUpdated)
            var folder = ExportFolder()
            try folder.add(patient)
            return try folder.write()
        }
        let nhs = NHSNumber(valid)!
        let sameInstant = [(try export("A81001", lastUpdated: "2026-11-01T10:00:00Z"), gp), (try export("B82002", lastUpdated: "2026-11-01T10:00:00Z"), second)]
        let repository = try await backend.makeRepository()
        for (folder, source) in reversed ? sameInstant.reversed() : sameInstant {
            #expect(await importer(repository).importFolder(folder, source: source).succeeded)
        }
        #expect(try await repository.patientState(nhs)?.registeredPractice == "A81001")

        #expect(await importer(repository).importFolder(try export("B82002", lastUpdated: "2026-11-02T10:00:00Z"), source: second).succeeded)
        #expect(try await repository.patientState(nhs)?.registeredPractice == "B82002")
    }

    @Test("opting out purges the demographics and entries that other sources sent, and keeps relationships", arguments: RecordBackend.all)
    func optOutPurges(backend: RecordBackend) async throws {
        let repository = try await backend.makeRepository()
        var hospitalExport = ExportFolder()
        try hospitalExport.add(Upstream.patient("h1", nhs: valid))
        try hospitalExport.add(Upstream.condition("hc1", patient: "h1"))
        try hospitalExport.add(Upstream.episode("e1", patient: "h1", ods: "RJR"))
        _ = await importer(repository).importFolder(try hospitalExport.write(), source: hospital)
        let nhs = NHSNumber(valid)!
        #expect(try await repository.clinicalEntries(.condition, patient: nhs, page: .init(offset: 0, count: 10)).total == 1)

        var gpExport = ExportFolder()
        try gpExport.add(Upstream.patient("p1", nhs: valid))
        try gpExport.add(Upstream.condition("c1", patient: "p1"))
        try gpExport.add(Upstream.consent("k1", patient: "p1", type: "deny", action: "collect"))
        let report = await importer(repository).importFolder(try gpExport.write(), source: gp)
        #expect(report.succeeded)
        #expect(try await repository.patient(nhs) == nil)
        #expect(try await repository.clinicalEntries(.condition, patient: nhs, page: .init(offset: 0, count: 10)).total == 0)
        let state = try #require(try await repository.patientState(nhs))
        #expect(state.restriction == .optedOut)
        #expect(!state.hasDemographics)
        #expect(state.registeredPractice == "A81001")
        #expect(state.hasCareRelationship(ods: "RJR", at: Date()))

        // A later hospital refresh brings nothing back while the opt-out stands.
        _ = await importer(repository).importFolder(try hospitalExport.write(), source: hospital)
        #expect(try await repository.patient(nhs) == nil)
        #expect(try await repository.clinicalEntries(.condition, patient: nhs, page: .init(offset: 0, count: 10)).total == 0)
    }

    @Test("a malformed line anywhere discards the whole run and the previous import stays in service", arguments: RecordBackend.all, ["Patient", "Condition"])
    func malformedLine(backend: RecordBackend, in type: String) async throws {
        let repository = try await backend.makeRepository()
        var good = ExportFolder()
        try good.add(Upstream.patient("p1", nhs: valid, family: "Before"))
        try good.add(Upstream.condition("c1", patient: "p1"))
        #expect(await importer(repository).importFolder(try good.write(), source: gp).succeeded)

        var bad = ExportFolder()
        try bad.add(Upstream.patient("p1", nhs: valid, family: "After"))
        try bad.add(Upstream.patient("p2", nhs: other))
        try bad.add(Upstream.condition("c1", patient: "p1"))
        try bad.add(Upstream.condition("c2", patient: "p2"))
        bad.addRaw(#"{"resourceType":"\#(type)","id":"broken""#, type: type)
        let report = await importer(repository).importFolder(try bad.write(), source: gp)
        #expect(!report.succeeded)
        #expect(report.error?.contains("malformed") == true)

        let patient = try #require(try await repository.patient(NHSNumber(valid)!))
        #expect(String(decoding: patient.json, as: UTF8.self).contains("Before"))
        #expect(try await repository.patientState(NHSNumber(other)!) == nil)
        let status = try #require(try await repository.sourceStatuses().first)
        #expect(status.lastSuccess?.succeeded == true)
        #expect(status.lastAttempt?.succeeded == false)
    }

    @Test("a truncated file (fewer lines than the manifest says) or a broken manifest fails the run", arguments: RecordBackend.all)
    func truncatedAndBrokenManifest(backend: RecordBackend) async throws {
        let repository = try await backend.makeRepository()
        var export = ExportFolder()
        try export.add(Upstream.patient("p1", nhs: valid))
        export.counts["Patient"] = 2
        let truncated = await importer(repository).importFolder(try export.write(), source: gp)
        #expect(!truncated.succeeded)
        #expect(truncated.error?.contains("truncated") == true)

        let folder = try ExportFolder().write()
        try Data("{not json".utf8).write(to: folder.appendingPathComponent("manifest.json"))
        let broken = await importer(repository).importFolder(folder, source: gp)
        #expect(!broken.succeeded)
        #expect(try await repository.patientState(NHSNumber(valid)!) == nil)
    }

    @Test("a manifest URL leading outside the export folder is refused")
    func pathTraversal() throws {
        let manifest = BulkDataManifest(transactionTime: "2026-01-01T00:00:00Z", request: "x", output: [.init(type: "Patient", url: "../../etc/passwd")])
        #expect(throws: ImportError.self) { try BulkExportImporter.localFiles(of: manifest, in: URL(fileURLWithPath: "/tmp/export")) }
    }

    @Test("re-importing the same export keeps every served id", arguments: RecordBackend.all)
    func stableIDs(backend: RecordBackend) async throws {
        let repository = try await backend.makeRepository()
        var export = ExportFolder()
        try export.add(Upstream.patient("p1", nhs: valid))
        try export.add(Upstream.condition("c1", patient: "p1"))
        try export.add(Upstream.condition("c2", patient: "p1", code: "38341003"))
        let folder = try export.write()
        let nhs = NHSNumber(valid)!
        _ = await importer(repository).importFolder(folder, source: gp)
        let first = try await repository.clinicalEntries(.condition, patient: nhs, page: .init(offset: 0, count: 10)).items
        _ = await importer(repository).importFolder(folder, source: gp)
        let second = try await repository.clinicalEntries(.condition, patient: nhs, page: .init(offset: 0, count: 10)).items
        #expect(first.count == 2)
        #expect(first.map(\.id) == second.map(\.id))
        #expect(first.map(\.versionId) == second.map(\.versionId))
        #expect(first.map(\.json) == second.map(\.json))
    }

    @Test("a refresh leaves the record as importing its export into an empty record would: changed, added and removed rows",
          arguments: RecordBackend.all)
    func refreshEqualsFreshImport(backend: RecordBackend) async throws {
        let third = "9000000009"
        var before = ExportFolder()
        try before.add(Upstream.patient("p1", nhs: valid))
        try before.add(Upstream.patient("p2", nhs: other))
        try before.add(Upstream.patient("p3", nhs: third))
        try before.add(Upstream.condition("c1", patient: "p1"))
        try before.add(Upstream.condition("c2", patient: "p1", code: "38341003"))
        try before.add(Upstream.condition("c3", patient: "p2"))
        try before.add(Upstream.episode("e1", patient: "p2", ods: "RJR"))
        try before.add(Upstream.consent("k1", patient: "p2", type: "deny", action: "access"))
        // The next export: p1 renamed, p2 no longer registered here, p3 gone; c1 recoded, c2 gone, c4 new, c3 as it was;
        // e1 gone, e2 new; k1 as it was and k2 new.
        var after = ExportFolder()
        // Dated before the stored row: the refresh's row replaces it all the same. Then the same patient again, dated earlier
        // still: within one export the later `lastUpdated` wins.
        var renamed = Upstream.patient("p1", nhs: valid, family: "Jones")
        renamed.meta = Meta(lastUpdated: "2026-10-01T10:00:00Z")
        try after.add(renamed)
        var older = Upstream.patient("p1-older", nhs: valid, practice: nil, family: "Older")
        older.meta = Meta(lastUpdated: "2026-09-01T10:00:00Z")
        try after.add(older)
        try after.add(Upstream.patient("p2", nhs: other, practice: nil))
        try after.add(Upstream.condition("c1", patient: "p1", code: "195967001"))
        try after.add(Upstream.condition("c3", patient: "p2"))
        try after.add(Upstream.condition("c4", patient: "p1", code: "73211009"))
        try after.add(Upstream.episode("e2", patient: "p1", ods: "RXA"))
        try after.add(Upstream.consent("k1", patient: "p2", type: "deny", action: "access"))
        try after.add(Upstream.consent("k2", patient: "p1", type: "permit", action: "access"))

        let refreshed = try await backend.makeRepository()
        #expect(await importer(refreshed).importFolder(try before.write(), source: gp).succeeded)
        let refresh = await importer(refreshed).importFolder(try after.write(), source: gp)
        let fresh = try await backend.makeRepository()
        let first = await importer(fresh).importFolder(try after.write(), source: gp)
        #expect(refresh.succeeded && first.succeeded)
        #expect(refresh.accepted == first.accepted && refresh.rejected == first.rejected)
        for nhs in [valid, other, third].map({ NHSNumber($0)! }) {
            #expect(try await Self.contents(of: refreshed, nhs) == Self.contents(of: fresh, nhs), "\(nhs.value)")
        }
        // What changed is served as changed, what left is gone.
        let patient = try #require(try await refreshed.patient(NHSNumber(valid)!))
        #expect(String(decoding: patient.json, as: UTF8.self).contains("Jones"))
        #expect(try await refreshed.patient(NHSNumber(third)!) == nil)
        #expect(try await refreshed.patientState(NHSNumber(other)!)?.registeredPractice == nil)
        let entries = try await refreshed.clinicalEntries(.condition, patient: NHSNumber(valid)!, page: .init(offset: 0, count: 10)).items
        #expect(entries.count == 2)
        #expect(entries.allSatisfy { String(decoding: $0.json, as: UTF8.self).contains("38341003") == false })
    }

    /// What a patient's record serves and what the access decision reads, with decisions' insertion sequences left out
    /// (they number every insert a record ever made).
    static func contents(of repository: any CareRecordRepository, _ nhs: NHSNumber) async throws -> [String] {
        let served = try await repository.everything(patient: nhs).map {
            "\($0.resourceType)/\($0.id) \($0.versionId) \($0.lastUpdated.timeIntervalSince1970) \($0.sourceId ?? "-") \(String(decoding: $0.json, as: UTF8.self))"
        }
        guard var state = try await repository.patientState(nhs) else { return served + ["no state"] }
        state.decisions = state.decisions.map { var decision = $0; decision.sequence = 0; return decision }
            .sorted { ($0.recordedAt, $0.id) < ($1.recordedAt, $1.id) }
        state.episodes.sort { $0.id < $1.id }
        return served + ["\(state)"]
    }

    @Test("a Consent in a refresh counts the practice's registration as the refresh holds it, not as the last import did",
          arguments: RecordBackend.all)
    func refreshedRegistrationDecidesConsent(backend: RecordBackend) async throws {
        let repository = try await backend.makeRepository()
        let nhs = NHSNumber(valid)!
        var registered = ExportFolder()
        try registered.add(Upstream.patient("p1", nhs: valid))
        #expect(await importer(repository).importFolder(try registered.write(), source: gp).succeeded)
        #expect(try await repository.patientState(nhs)?.registeredPractice == "A81001")

        // The patient left the practice: its next export no longer registers them, so its Consent for them is not honoured.
        var left = ExportFolder()
        try left.add(Upstream.patient("p1", nhs: valid, practice: nil))
        try left.add(Upstream.consent("k1", patient: "p1", type: "deny", action: "access"))
        let report = await importer(repository).importFolder(try left.write(), source: gp)
        #expect(report.rejected["consent-not-from-registered-practice"] == 1)
        #expect(try await repository.patientState(nhs)?.restriction == RecordRestriction.none)

        // Registered again in the refresh that brings the Consent: honoured.
        var back = ExportFolder()
        try back.add(Upstream.patient("p1", nhs: valid))
        try back.add(Upstream.consent("k1", patient: "p1", type: "deny", action: "access"))
        let again = await importer(repository).importFolder(try back.write(), source: gp)
        #expect(again.accepted["Consent"] == 1)
        #expect(try await repository.patientState(nhs)?.restriction == .blocked)
    }

    @Test("served entries carry their source, last update, and a reference to the patient by NHS number", arguments: RecordBackend.all)
    func servedShape(backend: RecordBackend) async throws {
        let repository = try await backend.makeRepository()
        var export = ExportFolder()
        try export.add(Upstream.patient("p1", nhs: valid))
        var condition = Upstream.condition("c1", patient: "p1")
        condition.meta = Meta(lastUpdated: "2026-10-05T08:00:00Z")
        try export.add(condition)
        _ = await importer(repository).importFolder(try export.write(), source: gp)
        let entry = try #require(try await repository.clinicalEntries(.condition, patient: NHSNumber(valid)!, page: .init(offset: 0, count: 1)).items.first)
        let served = try FHIRJSON.decode(Condition.self, from: entry.json)
        #expect(served.id == entry.id)
        #expect(served.meta?.source == "urn:care-record:source:gp-a81001")
        #expect(served.meta?.lastUpdated == "2026-10-05T08:00:00.000Z")
        #expect(served.meta?.versionId == entry.versionId)
        #expect(served.subject.reference == "Patient/\(valid)")
        #expect(served.subject.identifier?.value == valid)
    }

    @Test("entries referring to an unknown patient, and resources of unsupported types, are counted", arguments: RecordBackend.all)
    func unknownPatientAndUnsupportedType(backend: RecordBackend) async throws {
        let repository = try await backend.makeRepository()
        var export = ExportFolder()
        try export.add(Upstream.patient("p1", nhs: valid))
        try export.add(Upstream.condition("c1", patient: "nobody"))
        export.addRaw(#"{"resourceType":"Observation","id":"o1","status":"final"}"#, type: "Observation")
        let report = await importer(repository).importFolder(try export.write(), source: gp)
        #expect(report.succeeded)
        #expect(report.rejected == ["unknown-patient": 1, "unsupported-resource-type": 1])
    }
}
