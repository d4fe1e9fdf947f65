import CareRecordStore
import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
@testable import CareRecordCLI
@testable import CareRecordServer
@testable import CareRecordStore

/// Test double: the real record (either backend), except that the first read of a patient's data is preceded by the registered
/// practice blocking the record, as if the block were committed between the access decision and the read.
struct BlockingBeforeReadRepository: CareRecordRepository {
    let inner: any CareRecordRepository
    let blocked = BlockedOnce()

    final class BlockedOnce: Sendable {
        private let done = Mutex(false)
        func first() -> Bool {
            done.withLock { done in
                let first = !done
                done = true
                return first
            }
        }
    }

    func blockFirst(_ nhs: NHSNumber) async throws {
        guard blocked.first(), let practice = try await inner.patientState(nhs)?.registeredPractice else { return }
        let id = UUID().uuidString.lowercased()
        let decision = SharingDecision(id: id, kind: .blocked, recordedAt: Date(), recordedByOds: practice, sourceId: nil, recordedBySub: "dr.gp")
        let resource = StoredResource(id: id, resourceType: "Consent", nhsNumber: nhs, sourceId: nil, versionId: "1", lastUpdated: Date(), json: Data("{}".utf8))
        try await inner.recordDecision(decision, patient: nhs, resource: resource)
    }

    func patientState(_ nhsNumber: NHSNumber) async throws -> PatientState? { try await inner.patientState(nhsNumber) }
    func patient(_ nhsNumber: NHSNumber, consistentWith state: PatientState?) async throws -> StoredResource? {
        try await blockFirst(nhsNumber)
        return try await inner.patient(nhsNumber, consistentWith: state)
    }
    func clinicalEntries(_ type: ClinicalResourceType, patient: NHSNumber, page: PageRequest, consistentWith state: PatientState?) async throws -> Page<StoredResource> {
        try await blockFirst(patient)
        return try await inner.clinicalEntries(type, patient: patient, page: page, consistentWith: state)
    }
    func clinicalEntry(_ type: ClinicalResourceType, id: String, consistentWith state: PatientState?) async throws -> StoredResource? {
        if let state { try await blockFirst(state.nhsNumber) }
        return try await inner.clinicalEntry(type, id: id, consistentWith: state)
    }
    func everything(patient: NHSNumber, consistentWith state: PatientState?) async throws -> [StoredResource] {
        try await blockFirst(patient)
        return try await inner.everything(patient: patient, consistentWith: state)
    }
    func consents(patient: NHSNumber, consistentWith state: PatientState?) async throws -> [StoredResource] {
        try await inner.consents(patient: patient, consistentWith: state)
    }
    func recordDecision(_ decision: SharingDecision, patient: NHSNumber, resource: StoredResource) async throws {
        try await inner.recordDecision(decision, patient: patient, resource: resource)
    }
    func consent(id: String, consistentWith state: PatientState?) async throws -> StoredResource? { try await inner.consent(id: id, consistentWith: state) }
    func replaceSource(_ source: SourceIdentity, startedAt: Date, load: @escaping @Sendable (any SourceImportWriter) throws -> ImportReport) async throws -> ImportReport {
        try await inner.replaceSource(source, startedAt: startedAt, load: load)
    }
    func recordFailedImport(_ source: SourceIdentity, report: ImportReport) async throws { try await inner.recordFailedImport(source, report: report) }
    func updateSources(_ sources: [SourceIdentity]) async throws { try await inner.updateSources(sources) }
    func sourceStatuses() async throws -> [SourceStatus] { try await inner.sourceStatuses() }
    func withSyncLock<Result: Sendable>(_ body: @escaping @Sendable () async throws -> Result) async throws -> Result? { try await inner.withSyncLock(body) }
    var backend: String { inner.backend }
    func isReachable() async -> Bool { await inner.isReachable() }
}

@Suite("The access decision as middleware (issue 8.10, 8.13, 8.14)")
struct AccessMiddlewareTests {
    @Test("a block committed between the decision and the read releases nothing",
          arguments: RecordBackend.all, ["/Patient/{nhs}", "/Condition?patient={nhs}", "/Patient/{nhs}/$everything"])
    func blockBetweenDecisionAndRead(backend: RecordBackend, _ template: String) async throws {
        let fixture = try await RegionFixture.make(backend: backend)
        let nhs = try fixture.nhs(\.hospitalActiveWithConsent)
        let repository = BlockingBeforeReadRepository(inner: fixture.repository)
        let api = CareRecordAPI(
            repository: repository, auditStore: try temporaryAuditStore(), verifier: try await fixture.keys.verifier(),
            participating: fixture.participating, baseURL: RegionFixture.baseURL)
        let doctor = try await fixture.keys.bearer(ods: "RJR")
        try await Application(router: api.buildRouter()).test(.router) { client async throws in
            try await client.execute(uri: template.replacingOccurrences(of: "{nhs}", with: nhs), method: .get, headers: [.authorization: doctor]) { response in
                #expect(response.status == .forbidden)
                #expect(errorCode(response.body) == "RECORD_BLOCKED")
            }
        }
    }

    @Test("a malformed emergency header is refused the same for an existing and an absent id")
    func headersBeforeLookup() async throws {
        let fixture = try await RegionFixture.shared()
        let nhs = try fixture.nhs(\.hospitalActiveWithConsent)
        let entry = try #require(try await fixture.repository.clinicalEntries(.condition, patient: NHSNumber(nhs)!, page: .init(offset: 0, count: 1)).items.first)
        let doctor = try await fixture.keys.bearer(ods: "RJR")
        let purpose = HTTPField.Name("X-Purpose-Of-Use")!
        try await Application(router: try await fixture.api().buildRouter()).test(.router) { client async throws in
            for id in [entry.id, "no-such-entry"] {
                for (headers, uri) in [([purpose: "TREAT"], "/Condition/\(id)"), ([purpose: "BTG"], "/Condition/\(id)"), ([:], "/Condition/\(id)?foo=1")] {
                    var all: HTTPFields = [.authorization: doctor]
                    for (name, value) in headers { all[name] = value }
                    let status = try await client.execute(uri: uri, method: .get, headers: all) { $0.status }
                    #expect(status == .badRequest, "\(uri) \(headers)")
                }
            }
        }
    }

    /// A patient the hospital may read on consent, with entries of every clinical type and a sharing decision.
    static func patientWithEverything(_ fixture: RegionFixture) async throws -> NHSNumber {
        let candidates = try await fixture.sqliteRepository.pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT nhsNumber FROM clinicalEntry GROUP BY nhsNumber HAVING COUNT(DISTINCT resourceType) = 3 ORDER BY nhsNumber
                """)
        }
        for candidate in candidates.compactMap(NHSNumber.init) {
            guard let state = try await fixture.repository.patientState(candidate) else { continue }
            if state.hasCareRelationship(ods: "RJR", at: Date()), state.restriction == .none,
               state.consentsInForce(at: Date()).contains(where: { $0.actorSub == nil }) {
                return candidate
            }
        }
        throw CLIError("the fixture region has no patient with every kind of entry readable by RJR")
    }

    /// One request the route check sends.
    struct RouteRequest: Sendable {
        var name: String
        var method: HTTPRequest.Method
        var uri: String
        var auth: String
        var body: String?
        var requestID = UUID().uuidString
    }

    /// Every registered route, exercised as a user it should serve: a response releasing data must carry an access basis,
    /// which only the access middleware records. A route the table below cannot exercise fails the test too.
    func unguardedRoutes(_ router: Router<CareRecordRequestContext>, fixture: RegionFixture, store: SQLiteAuditStore) async throws -> [String] {
        let patient = try await Self.patientWithEverything(fixture)
        let nhs = patient.value
        let doctor = try await fixture.keys.bearer(ods: "RJR", sub: "dr.routes")
        let officer = try await fixture.keys.bearer(ods: "RJR", role: "privacy-officer", sub: "po.routes", registration: nil)
        var ids: [String: String] = ["Patient": nhs]
        for type in ClinicalResourceType.allCases {
            ids[type.rawValue] = try await fixture.repository.clinicalEntries(type, patient: patient, page: .init(offset: 0, count: 1)).items.first?.id
        }
        ids["Consent"] = try await fixture.repository.consents(patient: patient).first?.id
        let routes = router.routes.map { route in
            let described = route.path.description
            return (method: route.method, path: described.hasPrefix("/") ? described : "/" + described)
        }
        let app = Application(router: router)
        // One audited read first, so that an AuditEvent id exists.
        _ = try await app.test(.router) { client async throws in
            try await client.execute(uri: "/Patient/\(nhs)", method: .get, headers: [.authorization: doctor]) { $0.status }
        }
        ids["AuditEvent"] = try await store.allRecords(patient: patient).first.map { String($0.sequence) }
        var table: [RouteRequest] = []
        for (method, path) in routes where !["/metadata", "/health", "/health/live", "/health/ready"].contains(path) {
            let components = path.split(separator: "/").map(String.init)
            guard let type = components.first else { continue }
            let isIDParameter = { (component: String) in component == ":id" || component == "{id}" }
            var uri = "/" + components.map { isIDParameter($0) ? (ids[type] ?? "missing") : $0 }.joined(separator: "/")
            if !components.contains(where: isIDParameter) && method == .get {
                uri += type == "Patient" ? "?identifier=\(NHSNumber.system)%7C\(nhs)" : "?patient=\(nhs)"
            }
            let review = #"{"resourceType":"Parameters","parameter":[{"name":"outcome","valueCode":"appropriate"}]}"#
            let body = method == .post && path == "/Consent" ? ConsentBody.make(nhs: nhs, type: "permit", action: "access")
                : method == .post && path.hasSuffix("/$review") ? review : nil
            table.append(RouteRequest(name: "\(method.rawValue) \(path)", method: method, uri: uri, auth: type == "AuditEvent" ? officer : doctor, body: body))
        }
        let requests = table
        let statuses = try await app.test(.router) { client async throws in
            var statuses: [HTTPResponse.Status] = []
            for request in requests {
                statuses.append(try await client.execute(
                    uri: request.uri, method: request.method,
                    headers: [.authorization: request.auth, .xRequestID: request.requestID, .contentType: "application/fhir+json"],
                    body: request.body.map { ByteBuffer(string: $0) }
                ) { $0.status })
            }
            return statuses
        }
        var problems: [String] = []
        let records = try await store.allRecords(patient: patient)
        for (request, status) in zip(requests, statuses) {
            if status == .methodNotAllowed && request.method != .get { continue }
            guard (200..<300).contains(status.code) else {
                problems.append("\(request.name): answered \(status.code); give the test a request it should serve")
                continue
            }
            if records.first(where: { $0.clientRequestID == request.requestID })?.basis == nil {
                problems.append("\(request.name): released data without an access decision")
            }
        }
        return problems
    }

    @Test("every route that can release patient data is behind the access middleware")
    func everyRouteDecided() async throws {
        let fixture = try await RegionFixture.make()
        let store = try temporaryAuditStore()
        let api = try await fixture.api(auditStore: store)
        #expect(try await unguardedRoutes(api.buildRouter(), fixture: fixture, store: store) == [])
    }

    @Test("the route check fails for a route registered outside the access middleware")
    func routeCheckCanFail() async throws {
        let fixture = try await RegionFixture.make()
        let store = try temporaryAuditStore()
        let api = try await fixture.api(auditStore: store)
        let router = api.buildRouter()
        let repository = fixture.repository
        router.get("Patient/:id/summary") { _, context -> Response in
            guard let nhs = NHSNumber(context.parameters.get("id") ?? "") else { throw HTTPError(.badRequest) }
            let patient = try await repository.patient(nhs)
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: patient?.json ?? Data())))
        }
        let problems = try await unguardedRoutes(router, fixture: fixture, store: store)
        #expect(problems == ["GET /Patient/{id}/summary: released data without an access decision"])
    }
}
