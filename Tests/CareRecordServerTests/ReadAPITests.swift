import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CareRecordServer

@Suite("The read API (C7) through the router")
struct ReadAPITests {
    typealias Check = @Sendable (TestResponse) async throws -> Void

    /// Runs requests as a user against the shared region.
    func withClient(_ body: @Sendable (any TestClientProtocol, RegionFixture) async throws -> Void) async throws {
        let fixture = try await RegionFixture.shared()
        try await fixture.application().test(.router) { client in try await body(client, fixture) }
    }

    func get(_ client: any TestClientProtocol, _ uri: String, auth: String?, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        if let auth { headers[.authorization] = auth }
        return try await client.execute(uri: uri, method: .get, headers: headers) { $0 }
    }

    @Test("/metadata needs no token and names the FHIR version and our profiles")
    func metadata() async throws {
        try await withClient { client, _ in
            let response = try await get(client, "/metadata", auth: nil)
            #expect(response.status == .ok)
            let statement = try FHIRJSON.decode(CapabilityStatement.self, from: Data(buffer: response.body))
            #expect(statement.fhirVersion == "4.0.1")
            #expect(statement.rest?.first?.resource?.map(\.type) == ["Patient", "AllergyIntolerance", "Condition", "MedicationStatement", "Consent", "AuditEvent"])
        }
    }

    @Test("/health needs no token and says how fresh each source's data is")
    func health() async throws {
        try await withClient { client, _ in
            let response = try await get(client, "/health", auth: nil)
            #expect(response.status == .ok)
            let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
            let sources = body?["sources"] as? [[String: Any]] ?? []
            #expect(sources.count == 6)
            #expect(sources.allSatisfy { ($0["lastAttemptSucceeded"] as? Bool) == true && FHIRDateTime.isValidDateTime($0["lastSuccessfulSync"] as? String ?? "") })
            #expect(body?["audit"] != nil)
            let database = body?["database"] as? [String: Any]
            #expect(database?["backend"] as? String == "sqlite")
            #expect(database?["reachable"] as? Bool == true)
        }
    }

    @Test("a GP reads a registered patient: FHIR JSON, ETag, Last-Modified, no-store, a request id")
    func readPatient() async throws {
        try await withClient { client, fixture in
            let nhs = try fixture.nhs(\.registeredAtA81001)
            let response = try await get(client, "/Patient/\(nhs)", auth: try await fixture.keys.bearer(ods: "A81001"))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/fhir+json; charset=utf-8")
            #expect(response.headers[.cacheControl] == "no-store")
            #expect(response.headers[.lastModified]?.hasSuffix("GMT") == true)
            #expect(response.headers[HTTPField.Name("X-Request-ID")!]?.count == 36)
            let patient = try FHIRJSON.decode(Patient.self, from: Data(buffer: response.body))
            #expect(patient.id == nhs)
            #expect(patient.meta?.source == "urn:care-record:source:gp-a81001")
            #expect(response.headers[.eTag] == "W/\"\(patient.meta?.versionId ?? "")\"")
        }
    }

    @Test("X-Request-ID is echoed when plain and replaced when not")
    func requestID() async throws {
        try await withClient { client, _ in
            let name = HTTPField.Name("X-Request-ID")!
            let echoed = try await get(client, "/metadata", auth: nil, headers: [name: "abc-123"])
            #expect(echoed.headers[name] == "abc-123")
            let replaced = try await get(client, "/metadata", auth: nil, headers: [name: "<script>"])
            #expect(replaced.headers[name] != "<script>")
            #expect(replaced.headers[name]?.count == 36)
        }
    }

    @Test("If-None-Match with the current ETag answers 304 without a body")
    func conditionalRead() async throws {
        try await withClient { client, fixture in
            let nhs = try fixture.nhs(\.registeredAtA81001)
            let auth = try await fixture.keys.bearer(ods: "A81001")
            let first = try await get(client, "/Patient/\(nhs)", auth: auth)
            let etag = try #require(first.headers[.eTag])
            let second = try await get(client, "/Patient/\(nhs)", auth: auth, headers: [.ifNoneMatch: etag])
            #expect(second.status == .notModified)
            #expect(second.body.readableBytes == 0)
            let stale = try await get(client, "/Patient/\(nhs)", auth: auth, headers: [.ifNoneMatch: "W/\"0000\""])
            #expect(stale.status == .ok)
            let search = try await get(client, "/Condition?patient=\(nhs)", auth: auth)
            let searchAgain = try await get(client, "/Condition?patient=\(nhs)", auth: auth, headers: [.ifNoneMatch: try #require(search.headers[.eTag])])
            #expect(searchAgain.status == .notModified)
        }
    }

    @Test("identifier search finds the patient in a searchset with fullUrl and a self link")
    func identifierSearch() async throws {
        try await withClient { client, fixture in
            let nhs = try fixture.nhs(\.registeredAtA81001)
            let response = try await get(client, "/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number%7C\(nhs)", auth: try await fixture.keys.bearer(ods: "A81001"))
            #expect(response.status == .ok)
            let result = try bundle(response.body)
            #expect(result.type == "searchset")
            #expect(result.total == 1)
            #expect(result.entry?.first?.fullUrl == "\(RegionFixture.baseURL)/Patient/\(nhs)")
            #expect(result.link?.first { $0.relation == "self" }?.url.hasPrefix("\(RegionFixture.baseURL)/Patient?") == true)
        }
    }

    @Test("paging: next links are absolute, work, and visit every entry once")
    func paging() async throws {
        try await withClient { client, fixture in
            let nhs = try fixture.nhs(\.registeredAtA81001)
            let auth = try await fixture.keys.bearer(ods: "A81001")
            var uri: String? = "/MedicationStatement?patient=\(nhs)&_count=1"
            var seen: [String] = []
            var total: Int?
            while let next = uri {
                let response = try await get(client, next, auth: auth)
                #expect(response.status == .ok)
                let page = try bundle(response.body)
                total = page.total
                for entry in page.entry ?? [] {
                    guard case .medicationStatement(let statement) = entry.resource else { Issue.record("wrong type"); continue }
                    #expect(statement.subject.reference == "Patient/\(nhs)")
                    seen.append(statement.id ?? "")
                }
                let link = page.link?.first { $0.relation == "next" }?.url
                #expect(link == nil || link!.hasPrefix(RegionFixture.baseURL))
                uri = link.map { String($0.dropFirst(RegionFixture.baseURL.count)) }
                #expect(seen.count <= 50)
            }
            #expect(seen.count == total)
            #expect(Set(seen).count == seen.count)
        }
    }

    @Test("bad parameters answer 400 INVALID_PARAMETER", arguments: [
        "/Condition?patient=9000000009&_count=201", "/Condition?patient=9000000009&_count=-1", "/Condition?patient=9000000009&_count=ten",
        "/Condition?patient=9000000009&_offset=-5", "/Condition?patient=9000000009&colour=blue", "/Condition?patient=9000000009&patient=9000000017",
        "/Condition", "/Patient", "/Patient?identifier=urn:other|9000000009", "/Patient/9000000009?_elements=id",
    ])
    func badParameters(_ uri: String) async throws {
        try await withClient { client, fixture in
            let response = try await get(client, uri, auth: try await fixture.keys.bearer(ods: "A81001"))
            #expect(response.status == .badRequest)
            #expect(errorCode(response.body) == "INVALID_PARAMETER")
        }
    }

    @Test("a malformed NHS number answers 400 INVALID_NHS_NUMBER", arguments: ["/Patient/9000000008", "/Patient/12345", "/Condition?patient=Patient/90000000", "/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number%7C123", "/Patient/9000000008/$everything"])
    func badNHSNumber(_ uri: String) async throws {
        try await withClient { client, fixture in
            let response = try await get(client, uri, auth: try await fixture.keys.bearer(ods: "A81001"))
            #expect(response.status == .badRequest)
            #expect(errorCode(response.body) == "INVALID_NHS_NUMBER")
        }
    }

    @Test("only FHIR JSON is served: XML by Accept or _format answers 406")
    func negotiation() async throws {
        try await withClient { client, fixture in
            let nhs = try fixture.nhs(\.registeredAtA81001)
            let auth = try await fixture.keys.bearer(ods: "A81001")
            for (uri, accept) in [("/Patient/\(nhs)", "application/fhir+xml"), ("/Patient/\(nhs)?_format=xml", "*/*"), ("/metadata", "text/xml")] {
                let response = try await get(client, uri, auth: auth, headers: [.accept: accept])
                #expect(response.status == .notAcceptable, "\(uri) \(accept)")
                #expect(errorCode(response.body) == "NOT_SUPPORTED")
            }
            for (uri, accept) in [("/Patient/\(nhs)", "application/fhir+json"), ("/Patient/\(nhs)?_format=json", "text/html, */*;q=0.8"), ("/Patient/\(nhs)", "application/json")] {
                #expect(try await get(client, uri, auth: auth, headers: [.accept: accept]).status == .ok, "\(uri) \(accept)")
            }
        }
    }

    @Test("writes to clinical resources answer 405 READ_ONLY with Allow: GET, HEAD")
    func readOnly() async throws {
        try await withClient { client, fixture in
            let auth = try await fixture.keys.bearer(ods: "A81001")
            for (method, uri) in [(HTTPRequest.Method.post, "/Patient"), (.put, "/Patient/9000000009"), (.delete, "/Condition/abc"), (.patch, "/MedicationStatement/x"), (.post, "/AllergyIntolerance"), (.delete, "/Consent/x")] {
                let response = try await client.execute(uri: uri, method: method, headers: [.authorization: auth, .contentType: "application/fhir+json"], body: ByteBuffer(string: "{}")) { $0 }
                #expect(response.status == .methodNotAllowed, "\(method) \(uri)")
                #expect(response.headers[.allow] == "GET, HEAD")
                #expect(errorCode(response.body) == "READ_ONLY")
            }
        }
    }

    @Test("an organisation that does not participate gets 403; an unknown endpoint gets 404 NOT_SUPPORTED")
    func organisationAndUnknownEndpoint() async throws {
        try await withClient { client, fixture in
            let outsider = try await get(client, "/Patient/\(try fixture.nhs(\.registeredAtA81001))", auth: try await fixture.keys.bearer(ods: "X99999"))
            #expect(outsider.status == .forbidden)
            #expect(errorCode(outsider.body) == "ORGANISATION_NOT_PARTICIPATING")
            let unknown = try await get(client, "/Observation?patient=9000000009", auth: try await fixture.keys.bearer(ods: "A81001"))
            #expect(unknown.status == .notFound)
            #expect(errorCode(unknown.body) == "NOT_SUPPORTED")
        }
    }

    @Test("a clinical entry reads by id with its versionId as ETag; an unknown id is 404 RESOURCE_NOT_FOUND")
    func clinicalRead() async throws {
        try await withClient { client, fixture in
            let nhs = try fixture.nhs(\.registeredAtA81001)
            let auth = try await fixture.keys.bearer(ods: "A81001")
            let found = try bundle(try await get(client, "/Condition?patient=\(nhs)", auth: auth).body)
            guard case .condition(let condition) = try #require(found.entry?.first?.resource) else { Issue.record("not a Condition"); return }
            let response = try await get(client, "/Condition/\(condition.id ?? "")", auth: auth)
            #expect(response.status == .ok)
            #expect(response.headers[.eTag] == "W/\"\(condition.meta?.versionId ?? "")\"")
            #expect(try FHIRJSON.decode(Condition.self, from: Data(buffer: response.body)) == condition)
            let missing = try await get(client, "/Condition/0123456789abcdef", auth: auth)
            #expect(missing.status == .notFound)
            #expect(errorCode(missing.body) == "RESOURCE_NOT_FOUND")
        }
    }

    @Test("$everything returns the patient and every entry, counted in total")
    func everything() async throws {
        try await withClient { client, fixture in
            let nhs = try fixture.nhs(\.registeredAtA81001)
            let auth = try await fixture.keys.bearer(ods: "A81001")
            let result = try bundle(try await get(client, "/Patient/\(nhs)/$everything", auth: auth).body)
            #expect(result.total == result.entry?.count)
            #expect(result.entry?.first?.resource?.resourceType == "Patient")
            var expected = 1
            for type in ["AllergyIntolerance", "Condition", "MedicationStatement"] {
                expected += try bundle(try await get(client, "/\(type)?patient=\(nhs)&_count=200", auth: auth).body).total ?? 0
            }
            let consents = result.entry?.filter { $0.resource?.resourceType == "Consent" }.count ?? 0
            #expect(result.total == expected + consents)
        }
    }
}
