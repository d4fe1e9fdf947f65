import CoreMetrics
import Crypto
import CryptoExtras
import Foundation
import JWTKit
@testable import CareRecordServer

/// Real signing keys for tests: an ES256 and an RS256 key, their JWKS, and a token factory.
struct TestKeys: Sendable {
    static let issuer = "https://idp.test.example"
    static let audience = "care-record"

    let keys = JWTKeyCollection()
    let ecKey = ES256PrivateKey()
    let ecKid: String
    let rsaKid: String
    let jwks: Data

    init(kidPrefix: String = "test") async throws {
        ecKid = "\(kidPrefix)-es256"
        rsaKid = "\(kidPrefix)-rs256"
        let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let primitives = try rsa.publicKey.getKeyPrimitives()
        guard let parameters = ecKey.parameters else { throw CancellationError() }
        let document: [String: Any] = ["keys": [
            ["kty": "EC", "crv": "P-256", "x": parameters.x, "y": parameters.y, "kid": ecKid, "use": "sig"],
            ["kty": "RSA", "n": primitives.modulus.base64URL, "e": primitives.publicExponent.base64URL, "kid": rsaKid, "alg": "RS256"],
        ]]
        jwks = try JSONSerialization.data(withJSONObject: document)
        await keys.add(ecdsa: ecKey, kid: JWKIdentifier(string: ecKid))
        await keys.add(rsa: try Insecure.RSA.PrivateKey(backing: rsa), digestAlgorithm: .sha256, kid: JWKIdentifier(string: rsaKid))
    }

    /// Claims for a user, valid now unless changed.
    static func claims(
        sub: String = "dr.test", ods: String, role: String = "doctor", registration: String? = "GMC-1234567", nhsNumber: String? = nil,
        now: Date = Date(), lifetime: TimeInterval = 3600
    ) -> AccessTokenClaims {
        AccessTokenClaims(
            iss: issuer, aud: audience, sub: sub, exp: now.addingTimeInterval(lifetime), iat: now, name: "Test User \(sub)", ods: ods, role: role,
            registration: registration, nhsNumber: nhsNumber)
    }

    func token(_ claims: AccessTokenClaims, rsa: Bool = false) async throws -> String {
        try await keys.sign(claims, kid: JWKIdentifier(string: rsa ? rsaKid : ecKid))
    }

    /// A bearer header for a user of an organisation.
    func bearer(ods: String, role: String = "doctor", sub: String = "dr.test", registration: String? = "GMC-1234567", nhsNumber: String? = nil) async throws -> String {
        "Bearer \(try await token(Self.claims(sub: sub, ods: ods, role: role, registration: registration, nhsNumber: nhsNumber)))"
    }

    func verifier(clock: @escaping @Sendable () -> Date = { Date() }, metricsFactory: any MetricsFactory = MetricsSystem.factory) async throws -> TokenVerifier {
        try await TokenVerifier(jwks: jwks, issuer: Self.issuer, audience: Self.audience, clock: clock, metricsFactory: metricsFactory)
    }
}

extension Data {
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
