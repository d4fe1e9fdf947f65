import CareRecordStore
import FHIR
import Foundation
import Testing
@testable import Upstream

/// A source that lies: claims registrations it does not hold, dates its decisions in the future, or names no one in a
/// permit (issue 8.1, 8.2). Each claim is counted and changes nothing.
@Suite("A hostile upstream source")
struct HostileSourceTests {
    let nhsText = "9434765919"
    var nhs: NHSNumber { NHSNumber(nhsText)! }
    /// A hospital export that names the hospital itself as the patient's GP.
    let rogueHospital = SourceIdentity(id: "acute-rjr", ods: "RJR", isGPPractice: false)

    func importFolder(_ export: ExportFolder, _ source: SourceIdentity, into repository: any CareRecordRepository, now: Date = Date()) async throws -> ImportReport {
        await BulkExportImporter(repository: repository).importFolder(try export.write(), source: source, startedAt: now)
    }

    @Test("a hospital naming itself as the GP gains no registration, and its claim is counted", arguments: RecordBackend.all)
    func hospitalClaimsRegistration(backend: RecordBackend) async throws {
        let repository = try await backend.makeRepository()
        var hospitalExport = ExportFolder()
        try hospitalExport.add(Upstream.patient("h1", nhs: nhsText, practice: "RJR"))
        let report = try await importFolder(hospitalExport, rogueHospital, into: repository)
        #expect(report.succeeded)
        #expect(report.rejected["registration-not-from-practice"] == 1)
        #expect(report.accepted["Patient"] == 1)
        #expect(try await repository.patientState(nhs)?.registeredPractice == nil)
    }

    @Test("a hospital's claim cannot displace the real practice, nor make its own Consents count", arguments: RecordBackend.all)
    func hospitalCannotTakePracticePowers(backend: RecordBackend) async throws {
        let repository = try await backend.makeRepository()
        var gpExport = ExportFolder()
        try gpExport.add(Upstream.patient("p1", nhs: nhsText, practice: "A81001"))
        try gpExport.add(Upstream.consent("k1", patient: "p1", type: "deny", action: "access"))
        #expect(try await importFolder(gpExport, gp, into: repository).succeeded)

        // A newer Patient from the hospital claiming to be the practice, with an opt-in of its own.
        var hospitalExport = ExportFolder()
        var claim = Upstream.patient("h1", nhs: nhsText, practice: "RJR")
        claim.meta = Meta(lastUpdated: "2026-11-20T10:00:00Z")
        try hospitalExport.add(claim)
        try hospitalExport.add(Upstream.consent("hk1", patient: "h1", type: "permit", action: "access", date: "2026-11-20T10:00:00Z"))
        let report = try await importFolder(hospitalExport, rogueHospital, into: repository)
        #expect(report.rejected["registration-not-from-practice"] == 1)
        #expect(report.rejected["consent-not-from-registered-practice"] == 1)
        let state = try #require(try await repository.patientState(nhs))
        #expect(state.registeredPractice == "A81001")
        #expect(state.restriction == .blocked)
        #expect(!state.hasCareRelationship(ods: "RJR", at: Date()))
    }

    @Test("a GP practice's export naming another practice registers no one with either", arguments: RecordBackend.all)
    func practiceNamingAnotherPractice(backend: RecordBackend) async throws {
        let repository = try await backend.makeRepository()
        var export = ExportFolder()
        try export.add(Upstream.patient("p1", nhs: nhsText, practice: "A81002"))
        let report = try await importFolder(export, gp, into: repository)
        #expect(report.rejected["registration-not-from-practice"] == 1)
        #expect(try await repository.patientState(nhs)?.registeredPractice == nil)
    }

    @Test("a source configured as a GP practice no longer registers anyone once its organisation is not one", arguments: RecordBackend.all)
    func sourceTypeChangesApplyAtOnce(backend: RecordBackend) async throws {
        let repository = try await backend.makeRepository()
        var export = ExportFolder()
        try export.add(Upstream.patient("p1", nhs: nhsText, practice: "A81001"))
        #expect(try await importFolder(export, gp, into: repository).succeeded)
        #expect(try await repository.patientState(nhs)?.registeredPractice == "A81001")
        try await repository.updateSources([SourceIdentity(id: gp.id, ods: gp.ods, isGPPractice: false)])
        #expect(try await repository.patientState(nhs)?.registeredPractice == nil)
    }

    @Test("an upstream Consent dated in the future is rejected and counted, not ranked above today's decisions", arguments: RecordBackend.all)
    func futureConsent(backend: RecordBackend) async throws {
        let repository = try await backend.makeRepository()
        let now = try #require(FHIRDateTime.parse("2026-11-27T12:00:00Z"))
        var export = ExportFolder()
        try export.add(Upstream.patient("p1", nhs: nhsText))
        try export.add(Upstream.consent("k1", patient: "p1", type: "deny", action: "access", date: "2026-11-27T11:00:00Z"))
        try export.add(Upstream.consent("k2", patient: "p1", type: "permit", action: "access", date: "2099-01-01T00:00:00Z"))
        // Within the clock-skew allowance: accepted.
        try export.add(Upstream.consent("k3", patient: "p1", type: "deny", action: "access", date: "2026-11-27T12:04:00Z"))
        let report = try await importFolder(export, gp, into: repository, now: now)
        #expect(report.rejected["consent-dated-in-future"] == 1)
        #expect(report.accepted["Consent"] == 2)
        #expect(try await repository.patientState(nhs)?.restriction == .blocked)
    }

    @Test("a permit whose actor has no identifier is rejected, not taken as consent for everyone", arguments: RecordBackend.all)
    func permitWithUnresolvableActor(backend: RecordBackend) async throws {
        let repository = try await backend.makeRepository()
        var export = ExportFolder()
        try export.add(Upstream.patient("p1", nhs: nhsText))
        var consent = Upstream.consent("k1", patient: "p1", type: "permit", action: "access")
        consent.provision?.actor = [.init(role: CodeableConcept(system: "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", code: "IRCP"),
                                          reference: Reference(display: "Dr Somebody"))]
        try export.add(consent)
        let report = try await importFolder(export, gp, into: repository)
        #expect(report.rejected["consent-actor-unresolved"] == 1)
        let state = try #require(try await repository.patientState(nhs))
        #expect(state.consentsInForce(at: Date()).isEmpty)
    }
}
