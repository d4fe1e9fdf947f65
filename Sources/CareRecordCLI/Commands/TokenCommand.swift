import ArgumentParser
import CareRecordServer
import Foundation
import JWTKit

/// `care-record token`: signs a development token with a local ES256 key.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Sign an access token with a local key (development and tests).")

    @Option(help: "PEM file of the ES256 (P-256) private key.") var key: String
    @Option(help: "User id (sub).") var sub: String
    @Option(help: "ODS code of the user's organisation.") var ods: String
    @Option(help: "Role: doctor, nurse, social-worker, pharmacist, allied-health-professional, admin, privacy-officer, patient.") var role: String
    @Option(help: "Display name.") var name: String?
    @Option(help: "Professional registration number (clinical roles).") var registration: String?
    @Option(name: .customLong("nhs-number"), help: "The patient's own NHS number (role patient).") var nhsNumber: String?
    @Option(help: "Issuer (iss).") var issuer = ConfigTemplate.issuer
    @Option(help: "Audience (aud).") var audience = ConfigTemplate.audience
    @Option(help: "Lifetime in seconds.") var expiresIn = 3600
    @Option(help: "SMART scopes, space-separated (e.g. \"user/*.rs user/Consent.c\"); none: the role alone decides.") var scope: String?

    func validate() throws {
        guard UserRole(rawValue: role) != nil else { throw ValidationError("unknown role '\(role)'") }
        guard expiresIn > 0 else { throw ValidationError("--expires-in must be positive") }
    }

    func run() async throws {
        print(try await TokenSigner(keyFile: key).sign(claims(now: Date())))
    }

    /// The token's claims; `iat` and `exp` in whole seconds (some JWT libraries refuse fractions, which RFC 7519 allows).
    func claims(now: Date) -> AccessTokenClaims {
        let issued = Date(timeIntervalSince1970: Double(Int(now.timeIntervalSince1970)))
        return AccessTokenClaims(
            iss: issuer, aud: audience, sub: sub, exp: issued.addingTimeInterval(TimeInterval(expiresIn)), iat: issued,
            name: name, ods: ods, role: role, registration: registration, nhsNumber: nhsNumber, scope: scope)
    }
}

/// Signs tokens with an ES256 key file; its `kid` is the key's RFC 7638 thumbprint, as in the generated JWKS.
struct TokenSigner: Sendable {
    let keys: JWTKeyCollection
    let kid: String

    init(keyFile: String) async throws {
        guard let pem = try? String(contentsOfFile: keyFile, encoding: .utf8) else { throw CLIError("cannot read key file \(keyFile)") }
        guard let key = try? ES256PrivateKey(pem: pem), let parameters = key.parameters else {
            throw CLIError("\(keyFile) is not a PEM ES256 (P-256) private key")
        }
        kid = KeyMaterial.thumbprint(x: parameters.x, y: parameters.y)
        keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: JWKIdentifier(string: kid))
    }

    func sign(_ claims: AccessTokenClaims) async throws -> String {
        try await keys.sign(claims, kid: JWKIdentifier(string: kid))
    }
}
