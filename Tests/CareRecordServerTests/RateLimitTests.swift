import CareRecordStore
import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CareRecordServer

/// Rate control (issue 8.11): unauthenticated floods are limited per address and audited in summary.
@Suite("Rate limits")
struct RateLimitTests {
    func api(_ fixture: RegionFixture, store: SQLiteAuditStore, settings: RateLimitSettings, clock: TestClock) async throws -> CareRecordAPI {
        CareRecordAPI(
            repository: fixture.repository, auditStore: store, verifier: try await fixture.keys.verifier(clock: { clock.now }),
            participating: fixture.participating, baseURL: RegionFixture.baseURL, settings: APISettings(rateLimit: settings), clock: { clock.now })
    }

    @Test("requests without a valid token beyond the burst get 429 with Retry-After, audited as one summary per minute")
    func unauthenticatedFlood() async throws {
        let fixture = try await RegionFixture.shared()
        let store = try temporaryAuditStore()
        let clock = TestClock()
        let api = try await api(fixture, store: store, settings: RateLimitSettings(unauthenticatedPerSecond: 1, unauthenticatedBurst: 5), clock: clock)
        let nhs = try fixture.nhs(\.hospitalActiveWithConsent)
        let doctor = try await fixture.keys.bearer(ods: "RJR")
        try await Application(router: api.buildRouter()).test(.router) { client async throws in
            var statuses: [HTTPResponse.Status] = []
            for index in 0..<12 {
                let headers: HTTPFields = index % 2 == 0 ? [:] : [.authorization: "Bearer not-a-token"]
                try await client.execute(uri: "/Patient/\(nhs)", method: .get, headers: headers) { response in
                    statuses.append(response.status)
                    if response.status == .tooManyRequests {
                        #expect(response.headers[.retryAfter] == "1")
                        #expect(errorCode(response.body) == "TOO_MANY_REQUESTS")
                    }
                }
            }
            #expect(statuses.filter { $0 == .unauthorized }.count == 5)
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 7)
            // Exempt: the capability statement and health; and a valid token is not limited by default.
            #expect(try await client.status(uri: "/metadata", method: .get) == .ok)
            let health = try await client.execute(uri: "/health", method: .get) { $0 }
            #expect(health.status == .ok)
            #expect(String(buffer: health.body).contains("\"rateLimited\":7"))
            #expect(try await client.status(uri: "/Patient/\(nhs)", method: .get, headers: [.authorization: doctor]) == .ok)
            // The bucket refills.
            clock.advance(61)
            #expect(try await client.status(uri: "/Patient/\(nhs)", method: .get) == .unauthorized)
        }
        // Throttled requests of the first minute are audited as one summary once the minute is over.
        try await api.throttled.flush(before: clock.now, log: api.auditLog)
        let verification = try await store.verify()
        #expect(verification.records == 5 + 1 + 1 + 1)
        var summaries: [AuditRecord] = []
        for sequence in 1...verification.records {
            if let record = try await store.record(sequence: sequence), record.interaction == "throttled" { summaries.append(record) }
        }
        #expect(summaries.count == 1)
        #expect(summaries.first?.throttledCount == 7)
        #expect(summaries.first?.status == 429)
    }

    @Test("per-user limits apply only when configured")
    func perUser() async throws {
        let fixture = try await RegionFixture.shared()
        let clock = TestClock()
        let nhs = try fixture.nhs(\.hospitalActiveWithConsent)
        let doctor = try await fixture.keys.bearer(ods: "RJR")
        let limited = try await api(
            fixture, store: try temporaryAuditStore(), settings: RateLimitSettings(perUserPerSecond: 1, perUserBurst: 3), clock: clock)
        try await Application(router: limited.buildRouter()).test(.router) { client async throws in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<5 { statuses.append(try await client.execute(uri: "/Patient/\(nhs)", method: .get, headers: [.authorization: doctor]) { $0.status }) }
            #expect(statuses == [.ok, .ok, .ok, .tooManyRequests, .tooManyRequests])
        }
        let unlimited = try await api(fixture, store: try temporaryAuditStore(), settings: RateLimitSettings(), clock: clock)
        try await Application(router: unlimited.buildRouter()).test(.router) { client async throws in
            for _ in 0..<60 {
                let status = try await client.execute(uri: "/Patient/\(nhs)", method: .get, headers: [.authorization: doctor]) { $0.status }
                #expect(status == .ok)
            }
        }
    }

    @Test("an unauthenticated request cannot make the audit store hold a long path")
    func pathCapped() async throws {
        let fixture = try await RegionFixture.shared()
        let store = try temporaryAuditStore()
        let clock = TestClock()
        let api = try await api(fixture, store: store, settings: RateLimitSettings(), clock: clock)
        try await Application(router: api.buildRouter()).test(.router) { client async throws in
            let long = "/Patient/" + String(repeating: "x", count: 4000)
            let status = try await client.execute(uri: long, method: .get) { $0.status }
            #expect(status == .unauthorized)
        }
        let record = try #require(try await store.record(sequence: 1))
        #expect(record.path.count <= AuditMiddleware.unauthenticatedPathLimit)
    }

    @Test("only the named probe and discovery paths go unaudited; any other path under them is audited")
    func exemptionsAreExact() async throws {
        let fixture = try await RegionFixture.shared()
        let store = try temporaryAuditStore()
        let api = try await api(fixture, store: store, settings: RateLimitSettings(), clock: TestClock())
        try await Application(router: api.buildRouter()).test(.router) { client async throws in
            #expect(try await client.status(uri: "/.well-known/anything-else", method: .get) == .notFound)
            #expect(try await client.status(uri: "/health/whatever", method: .get) == .notFound)
            #expect(try await client.status(uri: "/metadata", method: .get) == .ok)
        }
        #expect(try await store.verify().records == 2)
    }

    @Test("token buckets refill at their rate and hold at most their burst")
    func buckets() {
        let buckets = TokenBuckets(ratePerSecond: 2, burst: 2)
        let start = Date()
        #expect(buckets.take(key: "a", at: start) == nil)
        #expect(buckets.take(key: "a", at: start) == nil)
        let wait = buckets.take(key: "a", at: start)
        #expect(wait != nil && abs(wait! - 0.5) < 0.01)
        #expect(buckets.take(key: "b", at: start) == nil)
        #expect(buckets.take(key: "a", at: start.addingTimeInterval(0.5)) == nil)
        #expect(buckets.take(key: "a", at: start.addingTimeInterval(100)) == nil)
        #expect(buckets.take(key: "a", at: start.addingTimeInterval(100)) == nil)
        #expect(buckets.take(key: "a", at: start.addingTimeInterval(100)) != nil)
    }
}
