import Crypto
import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CareRecordServer

@Suite("No care relationship answers exactly as an unknown patient (C5 step 3)")
struct ExistenceLeakTests {
    /// A valid NHS number the region has never seen.
    static let unknown = "9434765919"

    /// Status, headers (request id, the per-request trace ids of `traceresponse`, and date aside) and body, with the NHS number replaced by a placeholder.
    /// A searchset's ETag digests its body, which names the NHS number searched for; these answers have no entries, so it is checked
    /// to be exactly the digest of the body's bytes, and left out.
    func answer(_ client: any TestClientProtocol, _ uri: String, nhs: String, auth: String) async throws -> String {
        try await client.execute(uri: uri.replacingOccurrences(of: "{nhs}", with: nhs), method: .get, headers: [.authorization: auth]) { response in
            if let etag = response.headers[.eTag] {
                let digest = SHA256.hash(data: Data(buffer: response.body)).prefix(12).map { String(format: "%02x", $0) }.joined()
                #expect(etag == "W/\"\(digest)\"")
            }
            let ignored: Set<String> = ["x-request-id", "traceresponse", "date", "etag"]
            let headers = response.headers.filter { !ignored.contains($0.name.canonicalName) }
                .map { "\($0.name.canonicalName): \($0.value)" }.sorted().joined(separator: "\n")
            let body = String(buffer: response.body).replacingOccurrences(of: nhs, with: "{nhs}")
            return "\(response.status.code)\n\(headers.replacingOccurrences(of: nhs, with: "{nhs}"))\n\(body)"
        }
    }

    @Test("read, search, identifier search and $everything: byte-for-byte the same", arguments: [
        "/Patient/{nhs}", "/Condition?patient={nhs}", "/AllergyIntolerance?patient=Patient/{nhs}", "/MedicationStatement?patient={nhs}&_count=5",
        "/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number%7C{nhs}", "/Patient/{nhs}/$everything",
    ])
    func sameAnswer(_ uri: String) async throws {
        let fixture = try await RegionFixture.shared()
        let ended = try fixture.nhs(\.hospitalEndedEpisode)
        let stranger = try fixture.nhs(\.notKnownToHospital)
        try await fixture.application().test(.router) { client in
            let auth = try await fixture.keys.bearer(ods: "RJR")
            let forUnknown = try await answer(client, uri, nhs: Self.unknown, auth: auth)
            #expect(try await answer(client, uri, nhs: ended, auth: auth) == forUnknown)
            #expect(try await answer(client, uri, nhs: stranger, auth: auth) == forUnknown)
            #expect(!forUnknown.hasPrefix("200") || forUnknown.contains(#""total":0"#))
        }
    }

    @Test("a clinical entry of an unrelated patient reads as an unknown id")
    func clinicalEntry() async throws {
        let fixture = try await RegionFixture.shared()
        let ended = try fixture.nhs(\.hospitalEndedEpisode)
        try await fixture.application().test(.router) { client in
            let entries = try await fixture.repository.clinicalEntries(.condition, patient: NHSNumber(ended)!, page: .init(offset: 0, count: 1))
            let id = try #require(entries.items.first?.id)
            let hospital = try await fixture.keys.bearer(ods: "RJR")
            let unrelated = try await answer(client, "/Condition/\(id)", nhs: "-", auth: hospital)
            let unknown = try await answer(client, "/Condition/ffffffffffffffffffffffffffffffff", nhs: "-", auth: hospital)
            #expect(unrelated == unknown)
            #expect(unknown.hasPrefix("404"))
        }
    }
}
