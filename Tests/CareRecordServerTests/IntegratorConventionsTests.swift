import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CareRecordServer

/// What integrators reach for (issue 10), over a real socket: HEAD, NHS header conventions, search filters, sort and
/// count, lenient handling, and the liveness and readiness probes.
@Suite("Integrator conventions over a live socket (issue 10)")
struct IntegratorConventionsTests {
    func withLiveClient(_ body: @Sendable (any TestClientProtocol, RegionFixture) async throws -> Void) async throws {
        let fixture = try await RegionFixture.shared()
        let app = Application(router: try await fixture.api().buildRouter(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in try await body(client, fixture) }
    }

    func get(_ client: any TestClientProtocol, _ uri: String, auth: String? = nil, method: HTTPRequest.Method = .get, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        if let auth { headers[.authorization] = auth }
        return try await client.execute(uri: uri, method: method, headers: headers) { $0 }
    }

    @Test("HEAD answers every GET route with the same status and headers and no body")
    func head() async throws {
        try await withLiveClient { client, fixture in
            let nhs = try fixture.nhs(\.hospitalActiveWithConsent)
            let auth = try await fixture.keys.bearer(ods: "RJR")
            for uri in ["/Patient/\(nhs)", "/Condition?patient=\(nhs)", "/metadata", "/Patient/9999999999"] {
                let get = try await self.get(client, uri, auth: auth)
                let head = try await self.get(client, uri, auth: auth, method: .head)
                #expect(head.status == get.status, "\(uri)")
                #expect(head.body.readableBytes == 0, "\(uri)")
                #expect(head.headers[.eTag] == get.headers[.eTag], "\(uri)")
                #expect(head.headers[.contentType] == get.headers[.contentType], "\(uri)")
            }
            let refused = try await self.get(client, "/Patient/\(nhs)", method: .head)
            #expect(refused.status == .unauthorized)
        }
    }

    @Test("NHSD-End-User-Organisation-ODS must name the token's organisation: 403 ORGANISATION_MISMATCH otherwise; X-Correlation-ID is echoed")
    func nhsHeaders() async throws {
        try await withLiveClient { client, fixture in
            let nhs = try fixture.nhs(\.hospitalActiveWithConsent)
            let auth = try await fixture.keys.bearer(ods: "RJR")
            let organisation = HTTPField.Name("NHSD-End-User-Organisation-ODS")!
            let matching = try await get(client, "/Patient/\(nhs)", auth: auth, headers: [organisation: "rjr", .xCorrelationID: "corr-123"])
            #expect(matching.status == .ok)
            #expect(matching.headers[.xCorrelationID] == "corr-123")
            let mismatched = try await get(client, "/Patient/\(nhs)", auth: auth, headers: [organisation: "A81001"])
            #expect(mismatched.status == .forbidden)
            #expect(errorCode(mismatched.body) == "ORGANISATION_MISMATCH")
            // Checked before anything about the patient: the same answer for an unknown one.
            let unknown = try await get(client, "/Patient/9999999999", auth: auth, headers: [organisation: "A81001"])
            #expect(unknown.status == .forbidden)
            #expect(errorCode(unknown.body) == "ORGANISATION_MISMATCH")
        }
    }

    @Test("clinical-status, status, _lastUpdated, _sort=-_lastUpdated and _summary=count select from the same entries a plain search returns")
    func searchFilters() async throws {
        try await withLiveClient { client, fixture in
            let nhs = try fixture.nhs(\.hospitalActiveWithConsent)
            let auth = try await fixture.keys.bearer(ods: "RJR")
            let all = try bundle(try await get(client, "/Condition?patient=\(nhs)&_count=200", auth: auth).body)
            let total = try #require(all.total)
            #expect(total > 1)
            let statuses = (all.entry ?? []).compactMap { entry -> String? in
                guard case .condition(let condition)? = entry.resource else { return nil }
                return condition.clinicalStatus?.coding?.first?.code
            }
            let active = statuses.filter { $0 == "active" }.count
            #expect(try bundle(try await get(client, "/Condition?patient=\(nhs)&clinical-status=active", auth: auth).body).total == active)
            #expect(try bundle(try await get(client, "/Condition?patient=\(nhs)&clinical-status=resolved,remission", auth: auth).body).total == total - active)
            let system = "http://terminology.hl7.org/CodeSystem/condition-clinical%7Cactive"
            #expect(try bundle(try await get(client, "/Condition?patient=\(nhs)&clinical-status=\(system)", auth: auth).body).total == active)
            #expect(try await get(client, "/Condition?patient=\(nhs)&clinical-status=bogus", auth: auth).status == .badRequest)
            #expect(try await get(client, "/Condition?patient=\(nhs)&status=active", auth: auth).status == .badRequest)
            #expect(try bundle(try await get(client, "/MedicationStatement?patient=\(nhs)&status=entered-in-error", auth: auth).body).total == 0)

            #expect(try bundle(try await get(client, "/Condition?patient=\(nhs)&_lastUpdated=ge2100-01-01", auth: auth).body).total == 0)
            #expect(try bundle(try await get(client, "/Condition?patient=\(nhs)&_lastUpdated=ge2000-01-01&_lastUpdated=lt2100", auth: auth).body).total == total)
            #expect(try await get(client, "/Condition?patient=\(nhs)&_lastUpdated=yesterday", auth: auth).status == .badRequest)

            let sorted = try bundle(try await get(client, "/Condition?patient=\(nhs)&_sort=-_lastUpdated&_count=200", auth: auth).body)
            let instants = (sorted.entry ?? []).compactMap { entry -> String? in
                guard case .condition(let condition)? = entry.resource else { return nil }
                return condition.meta?.lastUpdated
            }.compactMap(FHIRDateTime.parse)
            #expect(instants.count == total)
            #expect(instants == instants.sorted(by: >))
            #expect(try await get(client, "/Condition?patient=\(nhs)&_sort=onset", auth: auth).status == .badRequest)

            let count = try bundle(try await get(client, "/Condition?patient=\(nhs)&_summary=count", auth: auth).body)
            #expect(count.total == total)
            #expect(count.entry == nil)
            #expect(try await get(client, "/Condition?patient=\(nhs)&_summary=text", auth: auth).status == .badRequest)
        }
    }

    @Test("Prefer: handling=lenient leaves unknown parameters out and says so in an outcome entry; strict stays the default")
    func lenient() async throws {
        try await withLiveClient { client, fixture in
            let nhs = try fixture.nhs(\.hospitalActiveWithConsent)
            let auth = try await fixture.keys.bearer(ods: "RJR")
            let strict = try await get(client, "/Condition?patient=\(nhs)&onset-date=ge2020", auth: auth)
            #expect(strict.status == .badRequest)
            #expect(errorCode(strict.body) == "INVALID_PARAMETER")
            let plain = try bundle(try await get(client, "/Condition?patient=\(nhs)", auth: auth).body)
            let lenient = try await get(client, "/Condition?patient=\(nhs)&onset-date=ge2020", auth: auth, headers: [HTTPField.Name("Prefer")!: "handling=lenient"])
            #expect(lenient.status == .ok)
            let searchset = try bundle(lenient.body)
            #expect(searchset.total == plain.total)
            let outcomes = (searchset.entry ?? []).filter { $0.search?.mode == "outcome" }
            #expect(outcomes.count == 1)
            guard case .operationOutcome(let outcome)? = outcomes.first?.resource else { Issue.record("no OperationOutcome entry"); return }
            #expect(outcome.issue.first?.details?.text?.contains("onset-date") == true)
            // The paging links carry only what was applied.
            #expect(searchset.link?.allSatisfy { !$0.url.contains("onset-date") } == true)
            // A malformed value of a known parameter is refused even when lenient.
            let malformed = try await get(client, "/Condition?patient=\(nhs)&_count=many", auth: auth, headers: [HTTPField.Name("Prefer")!: "handling=lenient"])
            #expect(malformed.status == .badRequest)
        }
    }

    @Test("/health/live is up; /health/ready is ready, 503 once draining, and 503 while the audit log cannot commit")
    func probes() async throws {
        let fixture = try await RegionFixture.shared()
        let api = try await fixture.api()
        let app = Application(router: api.buildRouter(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            #expect(try await get(client, "/health/live").status == .ok)
            let ready = try await get(client, "/health/ready")
            #expect(ready.status == .ok)
            #expect(String(buffer: ready.body).contains("\"ready\""))
            api.readiness.beginDraining()
            let draining = try await get(client, "/health/ready")
            #expect(draining.status == .serviceUnavailable)
            #expect(String(buffer: draining.body).contains("draining"))
            #expect(try await get(client, "/health/live").status == .ok)
        }
        let failing = try await fixture.api(auditStore: FailingAuditStore())
        try await Application(router: failing.buildRouter(), configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            let ready = try await get(client, "/health/ready")
            #expect(ready.status == .serviceUnavailable)
            #expect(String(buffer: ready.body).contains("audit-unavailable"))
        }
    }
}
