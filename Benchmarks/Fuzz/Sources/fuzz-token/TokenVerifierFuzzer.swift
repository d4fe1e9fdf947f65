import CareRecordServer
import Crypto
import Foundation
import FuzzSupport

/// Fuzzes `TokenVerifier.verify` against a fixed JWKS (one P-256 and one RSA key). The first byte picks how the rest is used:
/// `0` a raw token (seeds: valid ES256/RS256 tokens, `alg: none`, HS256 keyed with the RSA public key, expired, unknown kid);
/// `1` the claims JSON, signed ES256 with the fixed key, so mutated claims get past the signature;
/// `2` the header JSON, over valid claims, signed ES256 with the fixed key.
enum TokenFuzzTarget {
    static let issuer = "https://idp.cheshire-care-record.example"
    static let audience = "care-record"
    /// Fuzzing only: a key derived from a public phrase, never used anywhere else.
    static let signingKey = try! P256.Signing.PrivateKey(
        rawRepresentation: Data(hex: "92593679858264cddd39d335ef16f987267d8d78eb34df971316dbf1b325ff38"))
    /// The RSA key signed the RS256 seeds once; only its public half is kept.
    static let jwks = #"""
        {"keys": [{"kty": "EC", "crv": "P-256", "kid": "fuzz-es256", "use": "sig", "alg": "ES256", "x": "7975_GKGU_1X6Yp9Vp9W_qU2PMpq5hmkmMrPK9JCP_I", "y": "mP-1rBvmF7GQyz0qd3Ik9sb3hRvheNnmIoVMl_gZZJg"}, {"kty": "RSA", "kid": "fuzz-rs256", "use": "sig", "alg": "RS256", "n": "sQVE28kT4o3v-5UEXvmUMbqnwz40TOKM0Iptugo1wPfCoESZtrbzalDR-dl71dYhThWBTeSk6y2X8hP9UPV4yET4WDoLEv-BZWDzGSPDMexpwt5fz1QnUgVx1NL64FDNhAFQS7yPCKnYCfO6vcHDyh8T_ATSslXvTfBba_urXmyOyUFT4McLYXVhC3-6-nBiheN91UdAm6Pv72wr0Jk-lhxnIZGo-DYB5qHVAePAWvdUyA-0Hqcvikier2Z5Xmob3RJPLTgZY8tqD7NOjPkUnJIXtUqE9GwljgKr8yzI-wqbMpZQ00dGRyERdP2VqCyw_7GN0zkw4qqjW82fEsXUsw", "e": "AQAB"}]}
        """#
    /// The users of the valid raw seeds: a raw token (not signed here) may only ever verify as one of them.
    static let seedUsers: Set<String> = ["dr.fuzz", "nurse.fuzz", "patient.fuzz"]
    static let validHeader = #"{"alg":"ES256","kid":"fuzz-es256","typ":"JWT"}"#
    static let validClaims = #"""
        {"iss":"https://idp.cheshire-care-record.example","aud":"care-record","sub":"dr.fuzz","ods":"A81001","role":"doctor","registration":"GMC-7012345","iat":1795607940,"exp":1795611600}
        """#

    static let verifier: TokenVerifier = FuzzSupport.blocking {
        try! await TokenVerifier(jwks: Data(jwks.utf8), issuer: issuer, audience: audience, clock: { FuzzSupport.now })
    }

    static func base64URL(_ data: some DataProtocol) -> String {
        Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A compact JWS over exactly these header and claims bytes, signed with the fixed P-256 key.
    static func signed(header: Data, claims: Data) -> String {
        let input = "\(base64URL(header)).\(base64URL(claims))"
        let signature = try! signingKey.signature(for: Data(input.utf8))
        return "\(input).\(base64URL(signature.rawRepresentation))"
    }

    /// A token the harness signs must verify, or every input would be refused early and the fuzzing would be shallow.
    static let selfCheck: Void = {
        guard case .success = verify(signed(header: Data(validHeader.utf8), claims: Data(validClaims.utf8))) else {
            fatalError("the harness's own valid token is refused: check the JWKS and the fixed clock")
        }
    }()

    static func verify(_ token: String) -> Result<AuthenticatedUser, TokenRejection> {
        let verifier = verifier
        return FuzzSupport.blocking { () async -> Result<AuthenticatedUser, TokenRejection> in
            do throws(TokenRejection) {
                return .success(try await verifier.verify(token))
            } catch {
                return .failure(error)
            }
        }
    }

    static func run(_ input: Data) {
        selfCheck
        guard let mode = input.first else { return }
        let rest = input.dropFirst()
        let token: String
        switch mode % 3 {
        case 0: token = String(decoding: rest, as: UTF8.self)
        case 1: token = signed(header: Data(validHeader.utf8), claims: Data(rest))
        default: token = signed(header: Data(rest), claims: Data(validClaims.utf8))
        }
        guard case .success(let user) = verify(token) else { return }
        // Whatever got in must satisfy C4.
        guard !user.sub.isEmpty, !user.ods.isEmpty, (user.role == .patient) == (user.nhsNumber != nil) else {
            FuzzSupport.fail("accepted a token with incomplete claims: \(user)", input: input)
        }
        if mode % 3 == 0, !seedUsers.contains(user.sub) {
            FuzzSupport.fail("a token not signed by the harness verified as \(user.sub)", input: input)
        }
        if mode % 3 == 2 {
            let header = try? JSONSerialization.jsonObject(with: Data(rest)) as? [String: Any]
            guard header?["alg"] as? String == "ES256" else { FuzzSupport.fail("accepted a header whose alg is not ES256", input: input) }
        }
    }
}

extension Data {
    init(hex: String) {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        self.init(bytes)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenVerifier(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    TokenFuzzTarget.run(FuzzSupport.bytes(data, size))
    return 0
}
