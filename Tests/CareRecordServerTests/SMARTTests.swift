import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CareRecordServer

@Suite("SMART on FHIR discovery and scopes (issue 10)")
struct SMARTTests {
    static let smart = SMARTConfiguration(
        issuer: TestKeys.issuer, authorizationEndpoint: "https://idp.example.org/authorize", tokenEndpoint: "https://idp.example.org/token")

    /// The API over the shared region on a live socket, with these settings.
    func withLiveClient(_ settings: APISettings, _ body: @Sendable (any TestClientProtocol, RegionFixture) async throws -> Void) async throws {
        let fixture = try await RegionFixture.shared()
        let api = CareRecordAPI(
            repository: fixture.repository, auditStore: try temporaryAuditStore(), verifier: try await fixture.keys.verifier(),
            participating: fixture.participating, baseURL: RegionFixture.baseURL, settings: settings)
        let app = Application(router: api.buildRouter(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in try await body(client, fixture) }
    }

    func bearer(_ fixture: RegionFixture, ods: String, role: String = "doctor", nhsNumber: String? = nil, scope: String?) async throws -> String {
        var claims = TestKeys.claims(ods: ods, role: role, registration: role == "patient" ? nil : "GMC-1234567", nhsNumber: nhsNumber)
        claims.scope = scope
        return "Bearer \(try await fixture.keys.token(claims))"
    }

    func get(_ client: any TestClientProtocol, _ uri: String, _ auth: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let auth { headers[.authorization] = auth }
        return try await client.execute(uri: uri, method: .get, headers: headers) { $0 }
    }

    @Test("/.well-known/smart-configuration is served, with no token, when the identity provider's endpoints are configured")
    func discovery() async throws {
        try await withLiveClient(APISettings(smart: Self.smart)) { client, _ in
            let response = try await get(client, "/.well-known/smart-configuration")
            #expect(response.status == .ok)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            #expect(document["authorization_endpoint"] as? String == "https://idp.example.org/authorize")
            #expect(document["token_endpoint"] as? String == "https://idp.example.org/token")
            #expect(document["code_challenge_methods_supported"] as? [String] == ["S256"])
            #expect((document["capabilities"] as? [String])?.contains("permission-v2") == true)
            let scopes = document["scopes_supported"] as? [String] ?? []
            #expect(scopes.contains("user/Condition.rs") && scopes.contains("patient/*.rs") && scopes.contains("user/Consent.c"))
            #expect(!scopes.contains { $0.hasPrefix("system/") })
            let statement = try FHIRJSON.decode(CapabilityStatement.self, from: Data(buffer: try await get(client, "/metadata").body))
            #expect(statement.rest?.first?.security?.service?.contains { $0.coding?.first?.code == "SMART-on-FHIR" } == true)
        }
        try await withLiveClient(APISettings()) { client, _ in
            let status = try await get(client, "/.well-known/smart-configuration").status
            #expect(status == .notFound)
        }
    }

    @Test("scopes narrow what the role allows: per type, read and search, create on Consent; system scopes never honoured")
    func scopes() async throws {
        try await withLiveClient(APISettings()) { client, fixture in
            let nhs = try fixture.nhs(\.hospitalActiveWithConsent)
            let patientOnly = try await bearer(fixture, ods: "RJR", scope: "openid fhirUser user/Patient.rs")
            #expect(try await get(client, "/Patient/\(nhs)", patientOnly).status == .ok)
            let refused = try await get(client, "/Condition?patient=\(nhs)", patientOnly)
            #expect(refused.status == .forbidden)
            #expect(errorCode(refused.body) == "SCOPE_NOT_GRANTED")
            // Refused before anything about the patient: the same for one who does not exist.
            #expect(errorCode(try await get(client, "/Condition?patient=9999999999", patientOnly).body) == "SCOPE_NOT_GRANTED")
            // $everything reads every type it returns.
            #expect(try await get(client, "/Patient/\(nhs)/$everything", patientOnly).status == .forbidden)

            let readOnly = try await bearer(fixture, ods: "RJR", scope: "user/Condition.r")
            #expect(try await get(client, "/Condition?patient=\(nhs)", readOnly).status == .forbidden)

            let everything = try await bearer(fixture, ods: "RJR", scope: "user/*.rs")
            #expect(try await get(client, "/Condition?patient=\(nhs)", everything).status == .ok)
            #expect(try await get(client, "/Patient/\(nhs)/$everything", everything).status == .ok)
            let v1 = try await bearer(fixture, ods: "RJR", scope: "user/*.read")
            #expect(try await get(client, "/Patient/\(nhs)/$everything", v1).status == .ok)
            // Patient-context scopes do not serve a member of staff.
            #expect(try await get(client, "/Patient/\(nhs)", try await bearer(fixture, ods: "RJR", scope: "patient/*.rs")).status == .forbidden)

            let consent = Data(ConsentBody.make(nhs: nhs, type: "permit", action: "access").utf8)
            for (scope, expected) in [("user/*.rs", HTTPResponse.Status.forbidden), ("user/Consent.c", .created)] {
                let auth = try await bearer(fixture, ods: "RJR", scope: scope)
                let status = try await client.execute(
                    uri: "/Consent", method: .post, headers: [.authorization: auth, .contentType: "application/fhir+json"], body: ByteBuffer(data: consent)
                ) { $0.status }
                #expect(status == expected, "\(scope)")
            }

            let system = try await get(client, "/Patient/\(nhs)", try await bearer(fixture, ods: "RJR", scope: "user/*.rs system/*.rs"))
            #expect(system.status == .forbidden)
            #expect(errorCode(system.body) == "SCOPE_NOT_GRANTED")
            // Without a scope claim the role alone decides, as before.
            #expect(try await get(client, "/Patient/\(nhs)", try await bearer(fixture, ods: "RJR", scope: nil)).status == .ok)
        }
    }

    @Test("a patient's token needs patient scopes, and still reaches only their own record")
    func patientScopes() async throws {
        try await withLiveClient(APISettings()) { client, fixture in
            let own = try fixture.nhs(\.registeredAtA81001)
            let other = try fixture.nhs(\.hospitalActiveWithoutConsent)
            let mine = try await bearer(fixture, ods: "A81001", role: "patient", nhsNumber: own, scope: "patient/*.rs")
            #expect(try await get(client, "/Patient/\(own)", mine).status == .ok)
            #expect(try await get(client, "/Patient/\(other)", mine).status != .ok)
            let staffScopes = try await bearer(fixture, ods: "A81001", role: "patient", nhsNumber: own, scope: "user/*.rs")
            #expect(errorCode(try await get(client, "/Patient/\(own)", staffScopes).body) == "SCOPE_NOT_GRANTED")
        }
    }

    @Test("auth.requireScopes: a token without scopes is refused")
    func required() async throws {
        try await withLiveClient(APISettings(requireScopes: true)) { client, fixture in
            let nhs = try fixture.nhs(\.hospitalActiveWithConsent)
            let none = try await get(client, "/Patient/\(nhs)", try await bearer(fixture, ods: "RJR", scope: nil))
            #expect(none.status == .forbidden)
            #expect(errorCode(none.body) == "SCOPE_NOT_GRANTED")
            #expect(try await get(client, "/Patient/\(nhs)", try await bearer(fixture, ods: "RJR", scope: "user/Patient.rs")).status == .ok)
        }
    }

    @Test("scope syntax: v2 letters in cruds order, v1 suffixes, granular and unknown forms grant nothing")
    func parsing() {
        let scopes = SMARTScopes("openid user/Condition.rs user/Patient.read patient/AuditEvent.r user/Consent.sr user/Observation.rs?category=x launch")
        #expect(scopes.permits("s", on: "Condition", context: "user"))
        #expect(scopes.permits("r", on: "Patient", context: "user") && scopes.permits("s", on: "Patient", context: "user"))
        #expect(scopes.permits("r", on: "AuditEvent", context: "patient") && !scopes.permits("s", on: "AuditEvent", context: "patient"))
        #expect(!scopes.permits("r", on: "Consent", context: "user"))
        #expect(!scopes.permits("r", on: "Observation", context: "user"))
        #expect(!scopes.hasSystemScope)
        #expect(SMARTScopes("system/Patient.rs").hasSystemScope)
    }
}
