import Foundation
import JWTKit

/// The claims of an access token (C4); time claims are checked by ``TokenVerifier`` against its clock.
public struct AccessTokenClaims: JWTPayload, Equatable {
    public var iss: IssuerClaim
    public var aud: AudienceClaim
    public var sub: SubjectClaim
    public var exp: ExpirationClaim
    public var iat: IssuedAtClaim
    public var nbf: NotBeforeClaim?
    public var name: String?
    public var ods: String
    public var role: String
    public var registration: String?
    public var nhsNumber: String?
    /// SMART scopes, space-separated (RFC 8693 / SMART App Launch `scope`).
    public var scope: String?

    enum CodingKeys: String, CodingKey {
        case iss, aud, sub, exp, iat, nbf, name, ods, role, registration, scope
        case nhsNumber = "nhs_number"
    }

    public init(
        iss: String, aud: String, sub: String, exp: Date, iat: Date, nbf: Date? = nil,
        name: String? = nil, ods: String, role: String, registration: String? = nil, nhsNumber: String? = nil, scope: String? = nil
    ) {
        self.iss = IssuerClaim(value: iss)
        self.aud = AudienceClaim(value: aud)
        self.sub = SubjectClaim(value: sub)
        self.exp = ExpirationClaim(value: exp)
        self.iat = IssuedAtClaim(value: iat)
        self.nbf = nbf.map { NotBeforeClaim(value: $0) }
        self.name = name
        self.ods = ods
        self.role = role
        self.registration = registration
        self.nhsNumber = nhsNumber
        self.scope = scope
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}
