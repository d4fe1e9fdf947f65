import Crypto
import Synchronization
import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import Testing
@testable import CareRecordServer

@Suite("Bearer tokens (C4)")
struct AuthenticationTests {
    /// Sends a request for a patient the GP user may read, with the given Authorization header.
    func status(authorization: String?) async throws -> (HTTPResponse.Status, String?, String?) {
        let fixture = try await RegionFixture.shared()
        let nhs = try fixture.nhs(\.registeredAtA81001)
        return try await fixture.application().test(.router) { client in
            var headers: HTTPFields = [:]
            if let authorization { headers[.authorization] = authorization }
            return try await client.execute(uri: "/Patient/\(nhs)", method: .get, headers: headers) { response in
                (response.status, response.headers[.wwwAuthenticate], errorCode(response.body))
            }
        }
    }

    func expectRefused(_ authorization: String?, _ comment: Comment) async throws {
        let (status, challenge, code) = try await status(authorization: authorization)
        #expect(status == .unauthorized, comment)
        #expect(challenge?.hasPrefix("Bearer") == true, comment)
        #expect(code == "TOKEN_INVALID", comment)
    }

    static func part(_ json: String) -> String { Data(json.utf8).base64URL }

    @Test("valid ES256 and RS256 tokens are accepted")
    func valid() async throws {
        let keys = try await RegionFixture.shared().keys
        let claims = TestKeys.claims(ods: "A81001")
        #expect(try await status(authorization: "Bearer \(keys.token(claims))").0 == .ok)
        #expect(try await status(authorization: "Bearer \(keys.token(claims, rsa: true))").0 == .ok)
    }

    @Test("time claims allow 60 seconds of clock skew and no more")
    func leeway() async throws {
        let keys = try await RegionFixture.shared().keys
        let now = Date()
        #expect(try await status(authorization: "Bearer \(keys.token(TestKeys.claims(ods: "A81001", now: now.addingTimeInterval(-3630), lifetime: 3600)))").0 == .ok)
        try await expectRefused("Bearer \(try await keys.token(TestKeys.claims(ods: "A81001", now: now.addingTimeInterval(-3690), lifetime: 3600)))", "expired 90 s ago")
        var future = TestKeys.claims(ods: "A81001")
        future.nbf = NotBeforeClaim(value: now.addingTimeInterval(120))
        try await expectRefused("Bearer \(try await keys.token(future))", "not valid for two minutes")
        try await expectRefused("Bearer \(try await keys.token(TestKeys.claims(ods: "A81001", now: now.addingTimeInterval(300))))", "issued in the future")
    }

    @Test("wrong audience or issuer is refused")
    func audienceAndIssuer() async throws {
        let keys = try await RegionFixture.shared().keys
        var claims = TestKeys.claims(ods: "A81001")
        claims.aud = AudienceClaim(value: "another-service")
        try await expectRefused("Bearer \(try await keys.token(claims))", "wrong aud")
        claims = TestKeys.claims(ods: "A81001")
        claims.iss = IssuerClaim(value: "https://evil.example")
        try await expectRefused("Bearer \(try await keys.token(claims))", "wrong iss")
    }

    @Test("alg none, HS256 keyed with the public key, an unknown kid and a tampered payload are refused")
    func forgeries() async throws {
        let keys = try await RegionFixture.shared().keys
        let claims = String(decoding: try JSONEncoder().encode(TestKeys.claims(ods: "A81001")), as: UTF8.self)
        let payload = Self.part(claims)

        try await expectRefused("Bearer \(Self.part(#"{"alg":"none","kid":"\#(keys.ecKid)"}"#)).\(payload).", "alg none")

        let hsHeader = Self.part(#"{"alg":"HS256","kid":"\#(keys.ecKid)","typ":"JWT"}"#)
        let publicPEM = Data(keys.ecKey.publicKey.pemRepresentation.utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(hsHeader).\(payload)".utf8), using: SymmetricKey(data: publicPEM))
        try await expectRefused("Bearer \(hsHeader).\(payload).\(Data(mac).base64URL)", "HS256 with the public key")

        let stranger = JWTKeyCollection()
        await stranger.add(ecdsa: ES256PrivateKey(), kid: "stranger")
        try await expectRefused("Bearer \(try await stranger.sign(TestKeys.claims(ods: "A81001"), kid: "stranger"))", "unknown kid")
        await stranger.add(ecdsa: ES256PrivateKey(), kid: JWKIdentifier(string: keys.ecKid))
        try await expectRefused("Bearer \(try await stranger.sign(TestKeys.claims(ods: "A81001"), kid: JWKIdentifier(string: keys.ecKid)))", "known kid, wrong key")

        let valid = try await keys.token(TestKeys.claims(ods: "A81001", role: "admin")).split(separator: ".")
        let tampered = Self.part(claims.replacingOccurrences(of: "dr.test", with: "dr.evil"))
        try await expectRefused("Bearer \(valid[0]).\(tampered).\(valid[2])", "tampered payload")
    }

    @Test("no credentials: a bare Bearer challenge; bad credentials: error=invalid_token")
    func challenges() async throws {
        #expect(try await status(authorization: nil).1 == #"Bearer realm="care-record""#)
        #expect(try await status(authorization: "Bearer x.y.z").1?.contains(#"error="invalid_token""#) == true)
    }

    @Test("missing, non-bearer and garbage credentials are refused", arguments: [nil, "Basic dXNlcjpwYXNz", "Bearer", "Bearer not-a-jwt", "Bearer a.b.c", "bearer ...."])
    func garbage(_ header: String?) async throws {
        try await expectRefused(header, "\(header ?? "none")")
    }

    @Test("a token with an unknown role or a patient token without a valid NHS number is refused")
    func badClaims() async throws {
        let keys = try await RegionFixture.shared().keys
        try await expectRefused("Bearer \(try await keys.token(TestKeys.claims(ods: "A81001", role: "surgeon-general")))", "unknown role")
        try await expectRefused("Bearer \(try await keys.token(TestKeys.claims(ods: "A81001", role: "patient", nhsNumber: "123")))", "bad nhs_number")
    }

    @Test("a JWKS without usable keys is refused at start-up")
    func unusableJWKS() async {
        await #expect(throws: JWKSError.self) {
            _ = try await TokenVerifier(jwks: Data(#"{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"h"}]}"#.utf8), issuer: "i", audience: "a")
        }
        await #expect(throws: JWKSError.self) { _ = try await TokenVerifier(jwks: Data("[]".utf8), issuer: "i", audience: "a") }
    }
}

@Suite("Verified-token cache")
struct VerifiedTokenCacheTests {
    final class MovableClock: Sendable {
        let offset = Synchronization.Mutex<TimeInterval>(0)
        var now: Date { Date().addingTimeInterval(offset.withLock { $0 }) }
    }

    @Test("a remembered token is still refused once it expires")
    func expiryStillChecked() async throws {
        let keys = try await RegionFixture.shared().keys
        let clock = MovableClock()
        let verifier = try await keys.verifier(clock: { clock.now })
        let token = try await keys.token(TestKeys.claims(ods: "A81001", lifetime: 120))
        #expect(try await verifier.verify(token).ods == "A81001")
        #expect(try await verifier.verify(token).sub == "dr.test")
        clock.offset.withLock { $0 = 200 }
        await #expect(throws: TokenRejection.expired) { try await verifier.verify(token) }
    }
}
