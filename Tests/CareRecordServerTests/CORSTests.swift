import CareRecordStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CareRecordServer

/// `server.cors` through the router; `BrowserCORSTests` does the same from a real browser.
@Suite("CORS for browser clients (issue 10)")
struct CORSTests {
    static let portal = "https://portal.example.org"

    func api(_ fixture: RegionFixture, store: SQLiteAuditStore, origins: Set<String>) async throws -> CareRecordAPI {
        CareRecordAPI(
            repository: fixture.repository, auditStore: store, verifier: try await fixture.keys.verifier(), participating: fixture.participating,
            baseURL: RegionFixture.baseURL,
            settings: APISettings(rateLimit: RateLimitSettings(unauthenticatedPerSecond: 0.001, unauthenticatedBurst: 2), cors: CORSSettings(allowedOrigins: origins)))
    }

    static func preflight(_ origin: String, method: String = "GET") -> HTTPFields {
        [.origin: origin, .accessControlRequestMethod: method, .accessControlRequestHeaders: "authorization, x-request-id, x-purpose-of-use"]
    }

    /// Every `Access-Control-*` header of a response.
    static func corsHeaders(_ response: TestResponse) -> [String] {
        response.headers.map(\.name.canonicalName).filter { $0.lowercased().hasPrefix("access-control-") }
    }

    @Test("a listed origin's preflight: 204 with the API's methods and headers, never credentials; neither audited nor rate limited")
    func preflight() async throws {
        let fixture = try await RegionFixture.shared()
        let store = try temporaryAuditStore()
        let api = try await api(fixture, store: store, origins: [Self.portal])
        let nhs = try fixture.nhs(\.hospitalActiveWithConsent)
        try await Application(router: api.buildRouter()).test(.router) { client in
            // More preflights than the unauthenticated burst allows requests.
            for _ in 0..<5 {
                let response = try await client.execute(uri: "/Patient/\(nhs)", method: .options, headers: Self.preflight(Self.portal)) { $0 }
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == Self.portal)
                #expect(response.headers[.accessControlAllowMethods] == "GET, HEAD, POST")
                let allowed = Set((response.headers[.accessControlAllowHeaders] ?? "").lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                for header in ["authorization", "content-type", "accept", "x-purpose-of-use", "x-access-reason", "x-request-id", "x-correlation-id", "prefer", "if-none-match"] {
                    #expect(allowed.contains(header), "\(header) not allowed")
                }
                #expect(response.headers[.accessControlMaxAge] == "600")
                #expect(response.headers[.accessControlAllowCredentials] == nil)
                #expect(response.headers[.vary]?.contains("Origin") == true)
                #expect(response.body.readableBytes == 0)
            }
        }
        #expect(try await store.verify().records == 0)
    }

    @Test("a listed origin's requests: Access-Control-Allow-Origin (that origin, never *), exposed headers and Vary: Origin, on answers and errors alike")
    func listedOrigin() async throws {
        let fixture = try await RegionFixture.shared()
        let store = try temporaryAuditStore()
        let api = try await api(fixture, store: store, origins: [Self.portal, "http://127.0.0.1:3000"])
        let nhs = try fixture.nhs(\.hospitalActiveWithConsent)
        let auth = try await fixture.keys.bearer(ods: "RJR")
        try await Application(router: api.buildRouter()).test(.router) { client in
            let read = try await client.execute(uri: "/Patient/\(nhs)", method: .get, headers: [.origin: Self.portal, .authorization: auth]) { $0 }
            #expect(read.status == .ok)
            #expect(read.headers[.accessControlAllowOrigin] == Self.portal)
            let exposed = (read.headers[.accessControlExposeHeaders] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            for header in ["ETag", "Location", "X-Request-ID", "X-Correlation-ID", "Last-Modified"] { #expect(exposed.contains(header), "\(header) not exposed") }
            #expect(read.headers[.vary]?.contains("Origin") == true)
            #expect(read.headers[.accessControlAllowCredentials] == nil)
            let refused = try await client.execute(uri: "/Patient/\(nhs)", method: .get, headers: [.origin: "http://127.0.0.1:3000"]) { $0 }
            #expect(refused.status == .unauthorized)
            #expect(refused.headers[.accessControlAllowOrigin] == "http://127.0.0.1:3000")
            #expect(errorCode(refused.body) == "TOKEN_INVALID")
        }
        // The read and the refusal are audited as ever.
        #expect(try await store.verify().records == 2)
    }

    @Test("other origins get no CORS headers at all; their OPTIONS is an ordinary request: audited, 404 NOT_SUPPORTED, rate limited")
    func otherOrigins() async throws {
        let fixture = try await RegionFixture.shared()
        let store = try temporaryAuditStore()
        let api = try await api(fixture, store: store, origins: [Self.portal])
        let nhs = try fixture.nhs(\.hospitalActiveWithConsent)
        let auth = try await fixture.keys.bearer(ods: "RJR")
        try await Application(router: api.buildRouter()).test(.router) { client in
            for origin in ["https://evil.example", "https://portal.example.org.evil.example", "http://portal.example.org", "null"] {
                let read = try await client.execute(uri: "/Patient/\(nhs)", method: .get, headers: [.origin: origin, .authorization: auth]) { $0 }
                #expect(read.status == .ok)
                #expect(Self.corsHeaders(read).isEmpty, "\(origin): \(Self.corsHeaders(read))")
            }
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<3 {
                let response = try await client.execute(uri: "/Patient/\(nhs)", method: .options, headers: Self.preflight("https://evil.example")) { $0 }
                #expect(Self.corsHeaders(response).isEmpty)
                statuses.append(response.status)
                if response.status == .notFound { #expect(errorCode(response.body) == "NOT_SUPPORTED") }
            }
            #expect(statuses == [.notFound, .notFound, .tooManyRequests])
        }
        // Four reads and two OPTIONS; the limited one is counted into a summary at the end of its minute.
        #expect(try await store.verify().records == 6)
    }

    @Test("with no origins configured (the default) no request gets CORS headers, and a preflight is an ordinary OPTIONS")
    func offByDefault() async throws {
        let fixture = try await RegionFixture.shared()
        let nhs = try fixture.nhs(\.hospitalActiveWithConsent)
        let auth = try await fixture.keys.bearer(ods: "RJR")
        try await fixture.application().test(.router) { client in
            let read = try await client.execute(uri: "/Patient/\(nhs)", method: .get, headers: [.origin: Self.portal, .authorization: auth]) { $0 }
            #expect(read.status == .ok)
            #expect(Self.corsHeaders(read).isEmpty)
            #expect(read.headers[.vary]?.contains("Origin") != true)
            let preflight = try await client.execute(uri: "/Patient/\(nhs)", method: .options, headers: Self.preflight(Self.portal)) { $0 }
            #expect(preflight.status == .notFound)
            #expect(Self.corsHeaders(preflight).isEmpty)
        }
    }
}
