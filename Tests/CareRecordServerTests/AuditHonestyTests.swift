import CareRecordStore
import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CareRecordServer

/// The audit trail tells the truth about who asked, on what grounds and with which ids (issue 8.6, 8.7, 8.8).
@Suite("What the audit trail records")
struct AuditHonestyTests {
    static let purpose = HTTPField.Name("X-Purpose-Of-Use")!
    static let reason = HTTPField.Name("X-Access-Reason")!

    @Test("every emergency override attempt is flagged and findable, whatever its outcome")
    func everyOverrideAttemptFlagged() async throws {
        let fixture = try await RegionFixture.shared()
        let store = try temporaryAuditStore()
        let optedOut = try fixture.nhs(\.hospitalOptedOut)
        let consented = try fixture.nhs(\.hospitalActiveWithConsent)
        let doctor = try await fixture.keys.bearer(ods: "RJR", sub: "dr.btg")
        let btg: HTTPFields = [.authorization: doctor, Self.purpose: "BTG", Self.reason: "Unconscious in ED"]
        try await Application(router: try await fixture.api(auditStore: store).buildRouter()).test(.router) { client async throws in
            #expect(try await client.status(uri: "/Patient/\(optedOut)", method: .get, headers: btg) == .forbidden)
            #expect(try await client.status(uri: "/Patient/\(consented)", method: .get, headers: btg) == .ok)
            var noReason = btg
            noReason[Self.reason] = nil
            #expect(try await client.status(uri: "/Patient/\(consented)", method: .get, headers: noReason) == .badRequest)
        }
        let refused = try await store.records(
            patient: NHSNumber(optedOut)!, filter: AuditFilter(subtypes: ["emergency-override"]), page: .init(offset: 0, count: 10)).items
        #expect(refused.count == 1)
        #expect(refused.first?.accessReason == "Unconscious in ED")
        #expect(refused.first?.reasonCode == "PATIENT_OPTED_OUT")
        let consentedAttempts = try await store.records(
            patient: NHSNumber(consented)!, filter: AuditFilter(subtypes: ["emergency-override"]), page: .init(offset: 0, count: 10)).items
        #expect(consentedAttempts.count == 2)
        #expect(consentedAttempts.allSatisfy { $0.purposeOfUse == "BTG" })
        #expect(Set(consentedAttempts.map(\.status)) == [200, 400])
        let event = AuditEventMapper.event(try #require(refused.first))
        #expect(event.subtype?.contains { $0.code == "emergency-override" } == true)
        #expect(event.purposeOfEvent?.first?.coding?.first?.code == "ETREAT")
    }

    @Test("a patient probing another record is filed under their own number; only privacy officers see whom they asked for")
    func patientProbeFiledUnderRequester() async throws {
        let fixture = try await RegionFixture.shared()
        let store = try temporaryAuditStore()
        let prober = try fixture.nhs(\.notKnownToHospital)
        let victim = try fixture.nhs(\.hospitalActiveWithConsent)
        #expect(prober != victim)
        let patient = try await fixture.keys.bearer(ods: "A81001", role: "patient", sub: "patient.prober", registration: nil, nhsNumber: prober)
        let victimToken = try await fixture.keys.bearer(ods: "A81001", role: "patient", sub: "patient.victim", registration: nil, nhsNumber: victim)
        let victimState = try #require(try await fixture.repository.patientState(NHSNumber(victim)!))
        let officer = try await fixture.keys.bearer(
            ods: try #require(victimState.registeredPractice), role: "privacy-officer", sub: "po.victim", registration: nil)
        try await Application(router: try await fixture.api(auditStore: store).buildRouter()).test(.router) { client async throws in
            #expect(try await client.status(uri: "/Patient/\(victim)", method: .get, headers: [.authorization: patient]) == .forbidden)
            #expect(try await client.status(uri: "/Condition?patient=\(victim)", method: .get, headers: [.authorization: patient]) == .forbidden)

            let victimView = try bundle(try await client.execute(uri: "/AuditEvent?patient=\(victim)", method: .get, headers: [.authorization: victimToken]) { $0.body })
            let victimText = String(decoding: try FHIRJSON.encode(victimView), as: UTF8.self)
            #expect(!victimText.contains("patient.prober"))

            let proberView = try bundle(try await client.execute(uri: "/AuditEvent?patient=\(prober)", method: .get, headers: [.authorization: patient]) { $0.body })
            let proberText = String(decoding: try FHIRJSON.encode(proberView), as: UTF8.self)
            #expect((proberView.total ?? 0) >= 2)
            #expect(!proberText.contains(victim))

            let officerView = try bundle(try await client.execute(uri: "/AuditEvent?patient=\(victim)", method: .get, headers: [.authorization: officer]) { $0.body })
            let officerText = String(decoding: try FHIRJSON.encode(officerView), as: UTF8.self)
            #expect(officerText.contains("patient.prober"))
        }
        let filed = try await store.records(patient: NHSNumber(prober)!, filter: AuditFilter(), page: .init(offset: 0, count: 10)).items
            .filter { $0.resourceType != "AuditEvent" }
        #expect(filed.count == 2)
        #expect(filed.allSatisfy { $0.attemptedPatientNHS == victim })
        #expect(try await store.records(patient: NHSNumber(victim)!, filter: AuditFilter(), page: .init(offset: 0, count: 10)).items
            .allSatisfy { $0.userSub != "patient.prober" })
    }

    @Test("the audit keys on the server's own request id; the client's ids are echoed and kept as given")
    func serverRequestID() async throws {
        let fixture = try await RegionFixture.shared()
        let store = try temporaryAuditStore()
        let nhs = try fixture.nhs(\.hospitalActiveWithConsent)
        let doctor = try await fixture.keys.bearer(ods: "RJR")
        let correlation = HTTPField.Name("X-Correlation-ID")!
        try await Application(router: try await fixture.api(auditStore: store).buildRouter()).test(.router) { client async throws in
            for _ in 0..<2 {
                let response = try await client.execute(
                    uri: "/Patient/\(nhs)", method: .get, headers: [.authorization: doctor, .xRequestID: "chosen-by-client", correlation: "corr-42"]) { $0 }
                #expect(response.headers[.xRequestID] == "chosen-by-client")
                #expect(response.headers[correlation] == "corr-42")
            }
            let unsafe = try await client.execute(uri: "/Patient/\(nhs)", method: .get, headers: [.authorization: doctor, .xRequestID: "bad id!"]) { $0 }
            #expect(unsafe.headers[.xRequestID]?.count == 36)
        }
        let records = try await store.allRecords(patient: NHSNumber(nhs)!)
        #expect(records.count == 3)
        #expect(Set(records.map(\.requestID)).count == 3)
        #expect(records.allSatisfy { $0.requestID.count == 36 && $0.requestID != "chosen-by-client" })
        #expect(records.prefix(2).allSatisfy { $0.clientRequestID == "chosen-by-client" && $0.correlationID == "corr-42" })
        #expect(records.last?.clientRequestID == "bad id!")
        let event = AuditEventMapper.event(try #require(records.first))
        let details = event.entity?.last?.detail?.map(\.type) ?? []
        #expect(details.contains("client-request-id"))
        #expect(event.entity?.last?.what?.identifier?.value == records.first?.requestID)
    }

    @Test("forwarded client addresses are believed only from trusted proxies", arguments: [false, true])
    func trustedProxies(_ trusted: Bool) async throws {
        let fixture = try await RegionFixture.shared()
        let store = try temporaryAuditStore()
        let nhs = try fixture.nhs(\.hospitalActiveWithConsent)
        let doctor = try await fixture.keys.bearer(ods: "RJR")
        let api = CareRecordAPI(
            repository: fixture.repository, auditStore: store, verifier: try await fixture.keys.verifier(), participating: fixture.participating,
            baseURL: RegionFixture.baseURL, settings: APISettings(trustedProxies: trusted ? ["127.0.0.1"] : []))
        let app = Application(router: api.buildRouter(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client async throws in
            let headers: HTTPFields = [.authorization: doctor, .xForwardedFor: "203.0.113.9, 127.0.0.1"]
            #expect(try await client.status(uri: "/Patient/\(nhs)", method: .get, headers: headers) == .ok)
            #expect(try await client.status(uri: "/Patient/\(nhs)", method: .get, headers: [.authorization: doctor, .forwarded: "for=\"[2001:db8::7]:4711\""]) == .ok)
        }
        let addresses = try await store.allRecords(patient: NHSNumber(nhs)!).map(\.clientAddress)
        #expect(addresses == (trusted ? ["203.0.113.9", "2001:db8::7"] : ["127.0.0.1", "127.0.0.1"]))
    }
}
