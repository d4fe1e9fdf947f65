import CareRecordStore
import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CareRecordServer

/// Test double: an audit store whose every commit fails, as a full disk or a lost volume would.
struct FailingAuditStore: AuditStore {
    struct Failure: Error {}
    func append(_ records: [AuditRecord]) async throws -> [AuditRecord] { throw Failure() }
    func records(patient: NHSNumber, filter: AuditFilter, page: PageRequest) async throws -> Page<AuditRecord> { throw Failure() }
    func record(sequence: Int64) async throws -> AuditRecord? { throw Failure() }
    func verify() async throws -> AuditVerification { throw Failure() }
    func canCommit() async -> Bool { false }
    func records(organisation ods: String, from: String, to: String) async throws -> [AuditRecord] { throw Failure() }
    func records(users: Set<String>, from: String, to: String) async throws -> [AuditRecord] { throw Failure() }
    func reviews(of sequences: Set<Int64>) async throws -> [AuditRecord] { throw Failure() }
}

/// Test double: a real SQLite audit store whose commits take 50 ms, so that records arriving meanwhile queue up.
struct SlowAuditStore: AuditStore {
    let inner: SQLiteAuditStore
    func append(_ records: [AuditRecord]) async throws -> [AuditRecord] {
        try await Task.sleep(for: .milliseconds(50))
        return try await inner.append(records)
    }
    func records(patient: NHSNumber, filter: AuditFilter, page: PageRequest) async throws -> Page<AuditRecord> {
        try await inner.records(patient: patient, filter: filter, page: page)
    }
    func record(sequence: Int64) async throws -> AuditRecord? { try await inner.record(sequence: sequence) }
    func verify() async throws -> AuditVerification { try await inner.verify() }
    func canCommit() async -> Bool { await inner.canCommit() }
    func records(organisation ods: String, from: String, to: String) async throws -> [AuditRecord] {
        try await inner.records(organisation: ods, from: from, to: to)
    }
    func records(users: Set<String>, from: String, to: String) async throws -> [AuditRecord] { try await inner.records(users: users, from: from, to: to) }
    func reviews(of sequences: Set<Int64>) async throws -> [AuditRecord] { try await inner.reviews(of: sequences) }
}

@Suite("The audit trail (C8)")
struct AuditTrailTests {
    @Test("audit is compiled in: only the benchmark-only build (-DCARE_RECORD_BENCHMARK_AUDIT_OFF) leaves it out")
    func compiledIn() {
        #expect(!AuditLog.isCompiledOut)
    }

    @Test("N requests of mixed outcomes leave exactly N records, each with the fields C8 lists")
    func oneRecordPerRequest() async throws {
        let fixture = try await RegionFixture.shared()
        let store = try temporaryAuditStore()
        let consented = try fixture.nhs(\.hospitalActiveWithConsent)
        let ended = try fixture.nhs(\.hospitalEndedEpisode)
        let doctor = try await fixture.keys.bearer(ods: "RJR", sub: "dr.audit")
        let purpose = HTTPField.Name("X-Purpose-Of-Use")!, reason = HTTPField.Name("X-Access-Reason")!
        let requests: [(uri: String, headers: HTTPFields, status: HTTPResponse.Status)] = [
            ("/Patient/\(consented)", [.authorization: doctor], .ok),
            ("/Patient/\(consented)", [:], .unauthorized),
            ("/Patient/\(ended)", [.authorization: doctor], .notFound),
            ("/Patient/\(ended)", [.authorization: doctor, purpose: "BTG", reason: "Collapsed in clinic"], .ok),
            ("/Condition?patient=\(consented)&_count=999", [.authorization: doctor], .badRequest),
            ("/Patient/\(consented)", [.authorization: doctor, .accept: "application/fhir+xml"], .notAcceptable),
            ("/Observation", [.authorization: doctor], .notFound),
            ("/metadata", [:], .ok),
            ("/health", [:], .ok),
        ]
        let app = Application(router: try await fixture.api(auditStore: store).buildRouter())
        try await app.test(.router) { client in
            for request in requests {
                let status = try await client.execute(uri: request.uri, method: .get, headers: request.headers) { $0.status }
                #expect(status == request.status, "\(request.uri)")
            }
        }
        let verification = try await store.verify()
        #expect(verification.records == 7)
        #expect(verification.problem == nil)

        let aboutConsented = try await store.records(patient: NHSNumber(consented)!, filter: AuditFilter(), page: .init(offset: 0, count: 10)).items
        let allowed = try #require(aboutConsented.first { $0.status == 200 })
        #expect(allowed.userSub == "dr.audit")
        #expect(allowed.userRole == "doctor")
        #expect(allowed.userOds == "RJR")
        #expect(allowed.userRegistration == "GMC-1234567")
        #expect(allowed.interaction == "read")
        #expect(allowed.resourceType == "Patient")
        #expect(allowed.returned == "Patient/\(consented)")
        #expect(allowed.basis == "consent")
        #expect(allowed.reasonCode == "OK")
        #expect(allowed.requestID.count == 36)
        #expect(FHIRDateTime.isValidDateTime(allowed.recorded))
        let refused = try #require(aboutConsented.first { $0.status == 400 })
        #expect(refused.reasonCode == "INVALID_PARAMETER")
        #expect(refused.interaction == "search-type")
        #expect(refused.returned == nil)

        let aboutEnded = try await store.records(patient: NHSNumber(ended)!, filter: AuditFilter(), page: .init(offset: 0, count: 10)).items
        #expect(Set(aboutEnded.map(\.reasonCode)) == ["PATIENT_NOT_FOUND", "OK"])
        let override = try #require(aboutEnded.first { $0.status == 200 })
        #expect(override.basis == "emergency-override")
        #expect(override.accessReason == "Collapsed in clinic")
        let overrides = try await store.records(patient: NHSNumber(ended)!, filter: AuditFilter(subtypes: ["emergency-override"]), page: .init(offset: 0, count: 10))
        #expect(overrides.items.map(\.sequence) == [override.sequence])
    }

    @Test("if the audit store cannot commit: 503 AUDIT_UNAVAILABLE and no patient data in the body")
    func auditFailure() async throws {
        let fixture = try await RegionFixture.shared()
        let consented = try fixture.nhs(\.hospitalActiveWithConsent)
        let app = Application(router: try await fixture.api(auditStore: FailingAuditStore()).buildRouter())
        try await app.test(.router) { client in
            for uri in ["/Patient/\(consented)", "/Condition?patient=\(consented)", "/Patient/\(consented)/$everything"] {
                let response = try await client.execute(uri: uri, method: .get, headers: [.authorization: try await fixture.keys.bearer(ods: "RJR")]) { $0 }
                #expect(response.status == .serviceUnavailable)
                #expect(errorCode(response.body) == "AUDIT_UNAVAILABLE")
                let body = String(buffer: response.body)
                #expect(!body.contains(consented))
                #expect(!body.contains("\"Patient\""))
                #expect(response.headers[.eTag] == nil)
            }
            #expect(try await client.execute(uri: "/metadata", method: .get) { $0.status } == .ok)
        }
    }

    @Test("records waiting while a commit runs are committed together, and every caller waits for its own")
    func groupCommit() async throws {
        let store = try temporaryAuditStore()
        let log = AuditLog(store: SlowAuditStore(inner: store))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                group.addTask {
                    try await log.append(AuditRecord(
                        recorded: "2026-11-25T10:00:00.000Z", requestID: "r\(index)", method: "GET", path: "/x", interaction: "read", status: 200, reasonCode: "OK"))
                }
            }
            try await group.waitForAll()
        }
        let statistics = await log.statistics
        #expect(statistics.records == 40)
        #expect(statistics.transactions < 40)
        #expect(statistics.largestTransaction > 1)
        #expect(try await store.verify() == AuditVerification(records: 40, problem: nil))
    }

    @Test("GET /AuditEvent: the patient's own trail as FHIR AuditEvents, filtered by date and subtype, and only for them")
    func auditEventSearch() async throws {
        let fixture = try await RegionFixture.shared()
        let own = try fixture.nhs(\.registeredAtA81001)
        let store = try temporaryAuditStore()
        let app = Application(router: try await fixture.api(auditStore: store).buildRouter())
        try await app.test(.router) { client in
            let gp = try await fixture.keys.bearer(ods: "A81001", sub: "dr.gp")
            let patient = try await fixture.keys.bearer(ods: "A81001", role: "patient", sub: "me", registration: nil, nhsNumber: own)
            _ = try await client.execute(uri: "/Patient/\(own)", method: .get, headers: [.authorization: gp]) { $0.status }
            _ = try await client.execute(uri: "/Condition?patient=\(own)", method: .get, headers: [.authorization: gp]) { $0.status }
            let trail = try bundle(try await client.execute(uri: "/AuditEvent?patient=\(own)", method: .get, headers: [.authorization: patient]) { $0.body })
            #expect(trail.total == 2)
            guard case .auditEvent(let newest) = try #require(trail.entry?.first?.resource) else { Issue.record("not an AuditEvent"); return }
            #expect(newest.subtype?.first?.code == "search-type")
            #expect(newest.agent.first?.who?.identifier?.value == "dr.gp")
            #expect(newest.entity?.first?.what?.reference == "Patient/\(own)")
            #expect(newest.outcome == "0")

            let reads = try bundle(try await client.execute(uri: "/AuditEvent?patient=\(own)&subtype=read", method: .get, headers: [.authorization: patient]) { $0.body })
            #expect(reads.total == 1)
            let future = try bundle(try await client.execute(uri: "/AuditEvent?patient=\(own)&date=ge2099-01-01", method: .get, headers: [.authorization: patient]) { $0.body })
            #expect(future.total == 0)
            let today = FHIRDateTime.instant(Date()).prefix(10)
            let bounded = try bundle(try await client.execute(uri: "/AuditEvent?patient=\(own)&date=ge\(today)&date=le\(today)", method: .get, headers: [.authorization: patient]) { $0.body })
            // Two reads by the GP and the patient's three earlier searches of their own trail.
            #expect(bounded.total == 5)

            // Each entry's fullUrl reads the same event; the patient sees no staff address or registration number.
            let fullUrl = try #require(trail.entry?.first?.fullUrl)
            let single = try await client.execute(uri: String(fullUrl.dropFirst(RegionFixture.baseURL.count)), method: .get, headers: [.authorization: patient]) { $0 }
            #expect(single.status == .ok)
            let event = try FHIRJSON.decode(AuditEvent.self, from: Data(buffer: single.body))
            #expect(event == newest)
            #expect(event.agent.first?.network == nil)
            let stranger = try await fixture.keys.bearer(ods: "A81001", role: "patient", sub: "someone", registration: nil, nhsNumber: "9434765919")
            let notTheirs = try await client.execute(uri: String(fullUrl.dropFirst(RegionFixture.baseURL.count)), method: .get, headers: [.authorization: stranger]) { $0 }
            #expect(errorCode(notTheirs.body) == "RESOURCE_NOT_FOUND")
            #expect(errorCode(try await client.execute(uri: "/AuditEvent/999999", method: .get, headers: [.authorization: patient]) { $0.body }) == "RESOURCE_NOT_FOUND")
            #expect(errorCode(try await client.execute(uri: String(fullUrl.dropFirst(RegionFixture.baseURL.count)), method: .get, headers: [.authorization: gp]) { $0.body }) == "ROLE_NOT_PERMITTED")

            let other = try await client.execute(uri: "/AuditEvent?patient=9434765919", method: .get, headers: [.authorization: patient]) { $0 }
            #expect(other.status == .forbidden)
            #expect(errorCode(other.body) == "ROLE_NOT_PERMITTED")
            let doctor = try await client.execute(uri: "/AuditEvent?patient=\(own)", method: .get, headers: [.authorization: gp]) { $0 }
            #expect(errorCode(doctor.body) == "ROLE_NOT_PERMITTED")
            let badDate = try await client.execute(uri: "/AuditEvent?patient=\(own)&date=yesterday", method: .get, headers: [.authorization: patient]) { $0 }
            #expect(errorCode(badDate.body) == "INVALID_PARAMETER")
        }
    }

    @Test("a privacy officer sees everything about their practice's patients, and only their own staff's actions about others")
    func privacyOfficerScope() async throws {
        let fixture = try await RegionFixture.shared()
        let patient = try fixture.nhs(\.registeredAtA81001)
        let store = try temporaryAuditStore()
        let app = Application(router: try await fixture.api(auditStore: store).buildRouter())
        try await app.test(.router) { client in
            let hospital = try await fixture.keys.bearer(ods: "RJR", sub: "dr.h")
            let hospitalOfficer = try await fixture.keys.bearer(ods: "RJR", role: "privacy-officer", sub: "po", registration: nil)
            let practiceOfficer = try await fixture.keys.bearer(ods: "A81001", role: "privacy-officer", sub: "po2", registration: nil)
            _ = try await client.execute(uri: "/Patient/\(patient)", method: .get, headers: [.authorization: hospital]) { $0.status }
            _ = try await client.execute(uri: "/Patient/\(patient)", method: .get, headers: [.authorization: try await fixture.keys.bearer(ods: "A81001")]) { $0.status }
            // The patient is registered at A81001: the hospital's officer sees only the hospital doctor's read.
            let hospitalView = try bundle(try await client.execute(uri: "/AuditEvent?patient=\(patient)", method: .get, headers: [.authorization: hospitalOfficer]) { $0.body })
            #expect(hospitalView.total == 1)
            guard case .auditEvent(let event) = try #require(hospitalView.entry?.first?.resource) else { Issue.record("not an AuditEvent"); return }
            #expect(event.agent.first?.who?.identifier?.value == "dr.h")
            // The practice's officer sees both reads and the hospital officer's search.
            let practiceView = try bundle(try await client.execute(uri: "/AuditEvent?patient=\(patient)", method: .get, headers: [.authorization: practiceOfficer]) { $0.body })
            #expect(practiceView.total == 3)
            let registered = patient
            let clinical = try await client.execute(uri: "/Patient/\(registered)", method: .get, headers: [.authorization: practiceOfficer]) { $0 }
            #expect(errorCode(clinical.body) == "ROLE_NOT_PERMITTED")
        }
    }
}
