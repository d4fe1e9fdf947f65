import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CareRecordServer

@Suite("The API over a real socket")
struct LiveServerTests {
    @Test("read and page through a live HTTP server")
    func live() async throws {
        let fixture = try await RegionFixture.shared()
        let nhs = try fixture.nhs(\.hospitalActiveWithConsent)
        let auth = try await fixture.keys.bearer(ods: "RJR")
        let app = Application(router: try await fixture.api().buildRouter(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let patient = try await client.execute(uri: "/Patient/\(nhs)", method: .get, headers: [.authorization: auth]) { $0 }
            #expect(patient.status == .ok)
            #expect(patient.headers[.cacheControl] == "no-store")
            #expect(patient.headers[.eTag] != nil)
            let etag = try #require(patient.headers[.eTag])
            let again = try await client.execute(uri: "/Patient/\(nhs)", method: .get, headers: [.authorization: auth, .ifNoneMatch: etag]) { $0 }
            #expect(again.status == .notModified)

            let first = try bundle(try await client.execute(uri: "/Condition?patient=\(nhs)&_count=1", method: .get, headers: [.authorization: auth]) { $0.body })
            #expect((first.total ?? 0) >= 1)
            if let next = first.link?.first(where: { $0.relation == "next" })?.url {
                let second = try bundle(try await client.execute(uri: String(next.dropFirst(RegionFixture.baseURL.count)), method: .get, headers: [.authorization: auth]) { $0.body })
                #expect(second.entry?.first?.fullUrl != first.entry?.first?.fullUrl)
            }
            let refused = try await client.execute(uri: "/Patient/\(nhs)", method: .get) { $0 }
            #expect(refused.status == .unauthorized)
            #expect(refused.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
        }
    }
}
