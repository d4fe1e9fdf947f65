import CareRecordStore
import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
@testable import CareRecordServer

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let current = Mutex(Date())
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// `POST /Consent` bodies.
enum ConsentBody {
    static func make(nhs: String, type: String, action: String, extra: [String: Any] = [:], top: [String: Any] = [:]) -> String {
        var provision: [String: Any] = ["type": type, "action": [["coding": [["system": FHIRSystems.consentAction, "code": action]]]]]
        provision.merge(extra) { $1 }
        var consent: [String: Any] = [
            "resourceType": "Consent", "status": "active",
            "scope": ["coding": [["system": FHIRSystems.consentScope, "code": "patient-privacy"]]],
            "category": [["coding": [["system": "http://loinc.org", "code": "59284-0"]]]],
            "patient": ["reference": "Patient/\(nhs)"], "provision": provision,
        ]
        consent.merge(top) { $1 }
        return String(decoding: try! JSONSerialization.data(withJSONObject: consent), as: UTF8.self)
    }

    static func shortTerm(nhs: String, actor: String, from start: Date, hours: Double) -> String {
        make(nhs: nhs, type: "permit", action: "access", extra: [
            "period": ["start": FHIRDateTime.instant(start), "end": FHIRDateTime.instant(start.addingTimeInterval(hours * 3600))],
            "actor": [["role": ["coding": [["system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "IRCP"]]],
                       "reference": ["identifier": ["value": actor]]]],
        ])
    }
}

@Suite("Recording sharing decisions (C6)")
struct ConsentTests {
    /// A private region (these tests write), a movable clock, and a client.
    func withRegion(_ backend: RecordBackend, _ body: @Sendable (any TestClientProtocol, RegionFixture, TestClock) async throws -> Void) async throws {
        let fixture = try await RegionFixture.make(backend: backend)
        let clock = TestClock()
        let app = Application(router: try await fixture.api(clock: { clock.now }).buildRouter())
        try await app.test(.router) { client in try await body(client, fixture, clock) }
    }

    func post(_ client: any TestClientProtocol, _ body: String, auth: String) async throws -> TestResponse {
        try await client.execute(uri: "/Consent", method: .post, headers: [.authorization: auth, .contentType: "application/fhir+json"], body: ByteBuffer(string: body)) { $0 }
    }

    func read(_ client: any TestClientProtocol, _ nhs: String, auth: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var all = headers
        all[.authorization] = auth
        return try await client.execute(uri: "/Patient/\(nhs)", method: .get, headers: all) { $0 }
    }

    @Test("a related clinician records permanent consent: 201 + Location, and the next request is allowed", arguments: RecordBackend.all)
    func permanentConsent(backend: RecordBackend) async throws {
        try await withRegion(backend) { client, fixture, _ in
            let nhs = try fixture.nhs(\.hospitalActiveWithoutConsent)
            let nurse = try await fixture.keys.bearer(ods: "RJR", role: "nurse", sub: "nurse.a")
            #expect(errorCode(try await read(client, nhs, auth: nurse).body) == "CONSENT_REQUIRED")
            let created = try await post(client, ConsentBody.make(nhs: nhs, type: "permit", action: "access"), auth: nurse)
            #expect(created.status == .created)
            let location = try #require(created.headers[.location])
            #expect(location.hasPrefix("\(RegionFixture.baseURL)/Consent/"))
            #expect(try await read(client, nhs, auth: nurse).status == .ok)
            let doctor = try await fixture.keys.bearer(ods: "RJR", sub: "dr.other")
            #expect(try await read(client, nhs, auth: doctor).status == .ok)
            let stored = try await client.execute(uri: String(location.dropFirst(RegionFixture.baseURL.count)), method: .get, headers: [.authorization: nurse]) { $0 }
            #expect(stored.status == .ok)
            let consent = try FHIRJSON.decode(Consent.self, from: Data(buffer: stored.body))
            #expect(consent.performer?.first?.identifier?.value == "nurse.a")
            #expect(consent.policyRule?.coding?.first?.code == "OPTIN")
            let listed = try bundle(try await client.execute(uri: "/Consent?patient=\(nhs)", method: .get, headers: [.authorization: nurse]) { $0.body })
            #expect(listed.entry?.contains { $0.resource?.resource.id == consent.id } == true)
        }
    }

    @Test("a 24-hour consent serves only the professional it names, and only until it ends", arguments: RecordBackend.all)
    func shortTermConsent(backend: RecordBackend) async throws {
        try await withRegion(backend) { client, fixture, clock in
            let nhs = try fixture.nhs(\.hospitalActiveWithoutConsent)
            // Tokens are bounded to 12 hours (issue 8.12): each step mints fresh ones at the moved clock.
            func token(_ sub: String) async throws -> String {
                "Bearer \(try await fixture.keys.token(TestKeys.claims(sub: sub, ods: "RJR", now: clock.now)))"
            }
            let created = try await post(client, ConsentBody.shortTerm(nhs: nhs, actor: "dr.named", from: clock.now, hours: 24), auth: try await token("dr.named"))
            #expect(created.status == .created)
            #expect(try await read(client, nhs, auth: try await token("dr.named")).status == .ok)
            #expect(errorCode(try await read(client, nhs, auth: try await token("dr.colleague")).body) == "CONSENT_REQUIRED")
            clock.advance(23 * 3600)
            #expect(try await read(client, nhs, auth: try await token("dr.named")).status == .ok)
            clock.advance(2 * 3600)
            #expect(errorCode(try await read(client, nhs, auth: try await token("dr.named")).body) == "CONSENT_REQUIRED")
        }
    }

    @Test("a 24-hour consent longer than 24 hours, naming someone else, or already ended is 422 INVALID_RESOURCE", arguments: RecordBackend.all)
    func shortTermConsentRules(backend: RecordBackend) async throws {
        try await withRegion(backend) { client, fixture, clock in
            let nhs = try fixture.nhs(\.hospitalActiveWithoutConsent)
            let doctor = try await fixture.keys.bearer(ods: "RJR", sub: "dr.named")
            for body in [
                ConsentBody.shortTerm(nhs: nhs, actor: "dr.named", from: clock.now, hours: 25),
                ConsentBody.shortTerm(nhs: nhs, actor: "dr.somebody.else", from: clock.now, hours: 2),
                ConsentBody.shortTerm(nhs: nhs, actor: "dr.named", from: clock.now.addingTimeInterval(-7200), hours: 1),
                ConsentBody.make(nhs: nhs, type: "deny", action: "access", extra: ["period": ["start": "2026-01-01T00:00:00Z", "end": "2026-01-02T00:00:00Z"]]),
            ] {
                let response = try await post(client, body, auth: doctor)
                #expect(response.status == .unprocessableContent)
                #expect(errorCode(response.body) == "INVALID_RESOURCE")
            }
            #expect(errorCode(try await read(client, nhs, auth: doctor).body) == "CONSENT_REQUIRED")
        }
    }

    @Test("only the registered practice blocks, opts out, and lifts either; others get 403 ROLE_NOT_PERMITTED", arguments: RecordBackend.all)
    func blockAndLift(backend: RecordBackend) async throws {
        try await withRegion(backend) { client, fixture, _ in
            let nhs = try fixture.nhs(\.hospitalActiveWithConsent)
            let practice = try #require(try await fixture.repository.patientState(NHSNumber(nhs)!)?.registeredPractice)
            let hospital = try await fixture.keys.bearer(ods: "RJR", sub: "dr.h")
            let gp = try await fixture.keys.bearer(ods: practice, sub: "dr.gp")
            #expect(try await read(client, nhs, auth: hospital).status == .ok)
            let firstPage = try bundle(try await client.execute(uri: "/Condition?patient=\(nhs)&_count=1", method: .get, headers: [.authorization: hospital]) { $0.body })
            let next = try #require(firstPage.link?.first { $0.relation == "next" }?.url ?? firstPage.link?.first { $0.relation == "self" }?.url)

            let hospitalBlock = try await post(client, ConsentBody.make(nhs: nhs, type: "deny", action: "access"), auth: hospital)
            #expect(hospitalBlock.status == .forbidden)
            #expect(errorCode(hospitalBlock.body) == "ROLE_NOT_PERMITTED")
            #expect(try await post(client, ConsentBody.make(nhs: nhs, type: "deny", action: "access"), auth: gp).status == .created)
            let blocked = try await read(client, nhs, auth: hospital, headers: [HTTPField.Name("X-Purpose-Of-Use")!: "BTG", HTTPField.Name("X-Access-Reason")!: "emergency"])
            #expect(errorCode(blocked.body) == "RECORD_BLOCKED")
            #expect(String(buffer: blocked.body).contains("The patient has not given consent to view the record."))
            // Paging links are authorised again on every page.
            let laterPage = try await client.execute(uri: String(next.dropFirst(RegionFixture.baseURL.count)), method: .get, headers: [.authorization: hospital]) { $0 }
            #expect(errorCode(laterPage.body) == "RECORD_BLOCKED")

            #expect(errorCode(try await post(client, ConsentBody.make(nhs: nhs, type: "permit", action: "access"), auth: hospital).body) == "ROLE_NOT_PERMITTED")
            let shortLift = try await post(client, ConsentBody.shortTerm(nhs: nhs, actor: "dr.gp", from: Date(), hours: 1), auth: gp)
            #expect(shortLift.status == .unprocessableContent)
            #expect(try await post(client, ConsentBody.make(nhs: nhs, type: "permit", action: "access"), auth: gp).status == .created)
            #expect(try await read(client, nhs, auth: hospital).status == .ok)
        }
    }

    @Test("opting out through the API removes demographics and clinical data at once and keeps the relationships", arguments: RecordBackend.all)
    func optOut(backend: RecordBackend) async throws {
        try await withRegion(backend) { client, fixture, _ in
            let nhs = try fixture.nhs(\.hospitalActiveWithConsent)
            let patient = NHSNumber(nhs)!
            let practice = try #require(try await fixture.repository.patientState(patient)?.registeredPractice)
            #expect(try await fixture.repository.patient(patient) != nil)
            let created = try await post(client, ConsentBody.make(nhs: nhs, type: "deny", action: "collect"), auth: try await fixture.keys.bearer(ods: practice))
            #expect(created.status == .created)
            #expect(try await fixture.repository.patient(patient) == nil)
            #expect(try await fixture.repository.clinicalEntries(.condition, patient: patient, page: .init(offset: 0, count: 10)).total == 0)
            let state = try #require(try await fixture.repository.patientState(patient))
            #expect(state.hasCareRelationship(ods: "RJR", at: Date()))
            let refused = try await read(client, nhs, auth: try await fixture.keys.bearer(ods: "RJR"))
            #expect(refused.status == .forbidden)
            #expect(errorCode(refused.body) == "PATIENT_OPTED_OUT")
            #expect(String(buffer: refused.body).contains("The patient has declined to have an electronic shared record."))
        }
    }

    @Test("malformed requests are refused with a clear OperationOutcome", arguments: RecordBackend.all)
    func malformed(backend: RecordBackend) async throws {
        try await withRegion(backend) { client, fixture, _ in
            let nhs = try fixture.nhs(\.hospitalActiveWithoutConsent)
            let doctor = try await fixture.keys.bearer(ods: "RJR")
            let cases: [(String, HTTPResponse.Status, String)] = [
                ("this is not json", .badRequest, "INVALID_RESOURCE"),
                (#"{"resourceType":"Patient"}"#, .unprocessableContent, "INVALID_RESOURCE"),
                (ConsentBody.make(nhs: nhs, type: "permit", action: "access", top: ["scope": ["coding": [["system": FHIRSystems.consentScope, "code": "research"]]]]), .unprocessableContent, "INVALID_RESOURCE"),
                (ConsentBody.make(nhs: nhs, type: "permit", action: "access", top: ["status": "draft"]), .unprocessableContent, "INVALID_RESOURCE"),
                (ConsentBody.make(nhs: nhs, type: "permit", action: "access", top: ["patient": ["reference": "Patient/9000000008"]]), .unprocessableContent, "INVALID_RESOURCE"),
                (ConsentBody.make(nhs: nhs, type: "permit", action: "access", top: ["patient": ["reference": "Patient/\(nhs)", "identifier": ["system": NHSNumber.system, "value": "9434765919"]]]), .unprocessableContent, "INVALID_RESOURCE"),
                (ConsentBody.make(nhs: nhs, type: "permit", action: "access", top: ["sourceAttachment": ["url": "x"]]), .unprocessableContent, "INVALID_RESOURCE"),
                (ConsentBody.make(nhs: nhs, type: "permit", action: "access", extra: ["purpose": [["code": "x"]]]), .unprocessableContent, "INVALID_RESOURCE"),
                (ConsentBody.make(nhs: nhs, type: "permit", action: "collect"), .unprocessableContent, "INVALID_RESOURCE"),
                (String(repeating: " ", count: 70_000) + "{}", .contentTooLarge, "INVALID_RESOURCE"),
            ]
            for (body, status, code) in cases {
                let response = try await post(client, body, auth: doctor)
                #expect(response.status == status, "\(body.prefix(80))")
                #expect(errorCode(response.body) == code, "\(body.prefix(80))")
            }
            #expect(errorCode(try await read(client, nhs, auth: doctor).body) == "CONSENT_REQUIRED")
        }
    }

    @Test("who may record: not admins or patients, not clinicians without a relationship", arguments: RecordBackend.all)
    func whoMayRecord(backend: RecordBackend) async throws {
        try await withRegion(backend) { client, fixture, _ in
            let nhs = try fixture.nhs(\.hospitalActiveWithoutConsent)
            let body = ConsentBody.make(nhs: nhs, type: "permit", action: "access")
            #expect(errorCode(try await post(client, body, auth: try await fixture.keys.bearer(ods: "RJR", role: "admin", registration: nil)).body) == "ROLE_NOT_PERMITTED")
            #expect(errorCode(try await post(client, body, auth: try await fixture.keys.bearer(ods: "RJR", registration: nil)).body) == "ROLE_NOT_PERMITTED")
            #expect(errorCode(try await post(client, body, auth: try await fixture.keys.bearer(ods: "RJR", role: "patient", registration: nil, nhsNumber: nhs)).body) == "ROLE_NOT_PERMITTED")
            let stranger = try await post(client, body, auth: try await fixture.keys.bearer(ods: "H1001"))
            #expect(stranger.status == .notFound)
            #expect(errorCode(stranger.body) == "PATIENT_NOT_FOUND")
        }
    }

    @Test("a sharing decision is audited before it takes effect: audit down means 503 and no change; audit up means exactly one record", arguments: RecordBackend.all)
    func auditedBeforeChange(backend: RecordBackend) async throws {
        let fixture = try await RegionFixture.make(backend: backend)
        let nhs = try fixture.nhs(\.hospitalActiveWithoutConsent)
        let body = ConsentBody.make(nhs: nhs, type: "permit", action: "access")
        let doctor = try await fixture.keys.bearer(ods: "RJR")
        try await Application(router: try await fixture.api(auditStore: FailingAuditStore()).buildRouter()).test(.router) { client in
            let response = try await post(client, body, auth: doctor)
            #expect(response.status == .serviceUnavailable)
            #expect(errorCode(response.body) == "AUDIT_UNAVAILABLE")
        }
        #expect(try await fixture.repository.consents(patient: NHSNumber(nhs)!).isEmpty)
        let store = try temporaryAuditStore()
        try await Application(router: try await fixture.api(auditStore: store).buildRouter()).test(.router) { client in
            let status = try await post(client, body, auth: doctor).status
            #expect(status == .created)
        }
        let records = try await store.records(patient: NHSNumber(nhs)!, filter: AuditFilter(), page: .init(offset: 0, count: 10)).items
        #expect(records.count == 1)
        #expect(records.first?.interaction == "create")
        #expect(records.first?.status == 201)
        #expect(records.first?.returned?.hasPrefix("Consent/") == true)
    }
}
