import Foundation
import Hummingbird

/// The identity provider's endpoints, for SMART on FHIR discovery (C9 `auth.authorizationEndpoint`, `auth.tokenEndpoint`).
public struct SMARTConfiguration: Sendable, Equatable {
    public var issuer: String
    public var authorizationEndpoint: String
    public var tokenEndpoint: String
    /// The JWKS URL when it is one (not a local file).
    public var jwksURI: String?

    public init(issuer: String, authorizationEndpoint: String, tokenEndpoint: String, jwksURI: String? = nil) {
        self.issuer = issuer
        self.authorizationEndpoint = authorizationEndpoint
        self.tokenEndpoint = tokenEndpoint
        self.jwksURI = jwksURI
    }

    /// Every scope this service honours (SMART App Launch v2).
    public static var scopesSupported: [String] {
        let types = ["Patient", "AllergyIntolerance", "Condition", "MedicationStatement", "Consent", "AuditEvent"]
        return ["openid", "fhirUser", "user/*.rs"] + types.map { "user/\($0).rs" } + ["user/Consent.c", "patient/*.rs"]
            + types.map { "patient/\($0).rs" }
    }

    /// SMART App Launch v2 capabilities: standalone launch with a patient or a user context, v2 permissions.
    public static let capabilities = [
        "launch-standalone", "client-public", "client-confidential-symmetric", "client-confidential-asymmetric", "context-standalone-patient",
        "permission-v2", "permission-v1", "permission-patient", "permission-user", "sso-openid-connect",
    ]
}

/// `GET /.well-known/smart-configuration` (SMART App Launch v2): no token, not audited, not rate limited.
struct SMARTController {
    let configuration: SMARTConfiguration

    struct Document: Encodable {
        let issuer: String
        let jwks_uri: String?
        let authorization_endpoint: String
        let token_endpoint: String
        let grant_types_supported: [String]
        let response_types_supported: [String]
        let code_challenge_methods_supported: [String]
        let scopes_supported: [String]
        let capabilities: [String]
    }

    func addRoutes(to router: some RouterMethods<CareRecordRequestContext>) {
        let document = Document(
            issuer: configuration.issuer, jwks_uri: configuration.jwksURI, authorization_endpoint: configuration.authorizationEndpoint,
            token_endpoint: configuration.tokenEndpoint, grant_types_supported: ["authorization_code"], response_types_supported: ["code"],
            code_challenge_methods_supported: ["S256"], scopes_supported: SMARTConfiguration.scopesSupported,
            capabilities: SMARTConfiguration.capabilities)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(document)) ?? Data("{}".utf8)
        router.get(".well-known/smart-configuration") { request, _ in
            _ = try SearchParameters(request, allowed: [])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }
}
