import CoreMetrics
import FHIR
import Foundation
import JWTKit
import Synchronization

/// Verifies bearer tokens against the configured JWKS: RS256 or ES256 only, `iss`, `aud`, `exp`, `nbf`, `iat` with 60 s
/// leeway, a bounded lifetime and a `typ` of `JWT` or `at+jwt` when present (C4, C9). The key set is reloaded on a schedule
/// and when a token names an unknown `kid` (at most once per few seconds); when it changes, every remembered token is
/// forgotten, so a withdrawn key's tokens stop working at once.
public struct TokenVerifier: Sendable {
    /// Clock skew tolerated on time claims.
    public static let leeway: TimeInterval = 60
    /// The longest `exp - iat` accepted by default (12 hours).
    public static let defaultMaximumLifetime: TimeInterval = 43_200
    /// The least time between two reloads caused by unknown `kid`s, so a flood of made-up kids cannot hammer the JWKS.
    public static let unknownKeyReloadInterval: TimeInterval = 5
    static let acceptedAlgorithms: Set<String> = ["RS256", "ES256"]
    static let acceptedTypes: Set<String> = ["jwt", "at+jwt", "application/jwt", "application/at+jwt"]

    let ring: KeyRing
    let issuer: String
    let audience: String
    let maximumLifetime: TimeInterval
    let clock: @Sendable () -> Date
    /// Claims of tokens whose signature has been verified, so a client's repeated token costs no signature check;
    /// time claims are still checked on every request.
    let verified = VerifiedTokens(capacity: 10_000)
    let metrics: TokenMetrics

    /// Loads the public keys of a JWKS document (keys other than RSA and P-256 EC are ignored); `reload`, when given,
    /// fetches the document again for rotation.
    public init(
        jwks: Data, issuer: String, audience: String, maximumLifetime: TimeInterval = TokenVerifier.defaultMaximumLifetime,
        reload: (@Sendable () async throws -> Data)? = nil, clock: @escaping @Sendable () -> Date = { Date() },
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) async throws {
        ring = KeyRing(keys: try await KeyRing.Keys(jwks: jwks), source: reload, loadedAt: clock())
        self.issuer = issuer
        self.audience = audience
        self.maximumLifetime = maximumLifetime
        self.clock = clock
        metrics = TokenMetrics(factory: metricsFactory)
    }

    /// The user a token speaks for, or why it is refused.
    public func verify(_ token: String) async throws(TokenRejection) -> AuthenticatedUser {
        do throws(TokenRejection) {
            let user = try await verifyUncounted(token)
            metrics.accepted()
            return user
        } catch {
            metrics.refused(error)
            throw error
        }
    }

    private func verifyUncounted(_ token: String) async throws(TokenRejection) -> AuthenticatedUser {
        let remembered = verified.claims(for: token)
        metrics.cacheLookup(hit: remembered != nil)
        if let remembered { return try user(from: remembered) }
        let header = try Self.header(of: token)
        if let typ = header["typ"] {
            guard let text = typ as? String, Self.acceptedTypes.contains(text.lowercased()) else { throw .wrongType }
        }
        guard let alg = header["alg"] as? String, Self.acceptedAlgorithms.contains(alg) else { throw .algorithmNotAccepted }
        guard let kid = header["kid"] as? String else { throw .unknownKey }
        var keys = ring.current
        if keys.algorithmByKeyID[kid] == nil, ring.mayReloadForUnknownKey(at: clock()) {
            _ = await reload()
            keys = ring.current
        }
        guard keys.algorithmByKeyID[kid] == alg else { throw .unknownKey }
        let claims: AccessTokenClaims
        do {
            claims = try await keys.collection.verify(token, as: AccessTokenClaims.self)
        } catch {
            throw .badSignatureOrClaims
        }
        let user = try user(from: claims)
        // Remembered only if the key set it was verified with is still the current one.
        if ring.current.fingerprint == keys.fingerprint { verified.remember(claims, for: token) }
        return user
    }

    /// Fetches the JWKS again; a changed key set replaces the old one and forgets every remembered token. A failure keeps
    /// the last good keys. Returns whether the reload worked (true when there is nothing to reload from).
    @discardableResult
    public func reload() async -> Bool {
        guard let source = ring.source else { return true }
        do {
            let keys = try await KeyRing.Keys(jwks: try await source())
            let changed = ring.replace(with: keys, at: clock())
            if changed { verified.forgetAll() }
            return true
        } catch {
            ring.recordFailure(at: clock(), reason: (error as? JWKSError)?.description ?? "the JWKS could not be fetched")
            return false
        }
    }

    /// How the key set is doing, for `/health` and the log.
    public var keyStatus: JWKSStatus { ring.status }

    func user(from claims: AccessTokenClaims) throws(TokenRejection) -> AuthenticatedUser {
        let now = clock()
        guard claims.iss.value == issuer else { throw .wrongIssuer }
        guard claims.aud.value.contains(audience) else { throw .wrongAudience }
        guard claims.exp.value.addingTimeInterval(Self.leeway) > now else { throw .expired }
        guard claims.iat.value.addingTimeInterval(-Self.leeway) <= now else { throw .notYetValid }
        guard claims.exp.value.timeIntervalSince(claims.iat.value) <= maximumLifetime else { throw .lifetimeTooLong }
        if let nbf = claims.nbf, nbf.value.addingTimeInterval(-Self.leeway) > now { throw .notYetValid }
        guard let role = UserRole(rawValue: claims.role) else { throw .badClaims }
        guard !claims.sub.value.isEmpty, !claims.ods.isEmpty else { throw .badClaims }
        var nhsNumber: NHSNumber?
        if role == .patient {
            guard let value = claims.nhsNumber, let valid = NHSNumber(value) else { throw .badClaims }
            nhsNumber = valid
        }
        let registration = claims.registration.flatMap { $0.isEmpty ? nil : $0 }
        return AuthenticatedUser(
            sub: claims.sub.value, name: claims.name, ods: claims.ods, role: role, registration: registration, nhsNumber: nhsNumber,
            scopes: claims.scope.map(SMARTScopes.init))
    }

    static func header(of token: String) throws(TokenRejection) -> [String: Any] {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Data(base64URL: String(parts[0])),
              let header = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .malformed
        }
        return header
    }

    /// Keeps the JWKS's RSA and P-256 keys, each pinned to its one algorithm, so a token cannot choose another.
    static func restrictedJWKS(_ data: Data) throws -> (String, [String: String]) {
        guard let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let keys = document["keys"] as? [[String: Any]] else {
            throw JWKSError.notAJWKS
        }
        var kept: [[String: Any]] = []
        var algorithms: [String: String] = [:]
        for var key in keys {
            guard let kid = key["kid"] as? String, (key["use"] as? String ?? "sig") == "sig" else { continue }
            let alg: String
            switch (key["kty"] as? String, key["crv"] as? String) {
            case ("RSA", _): alg = "RS256"
            case ("EC", "P-256"): alg = "ES256"
            default: continue
            }
            guard (key["alg"] as? String ?? alg) == alg else { continue }
            key["alg"] = alg
            key.removeValue(forKey: "d")
            kept.append(key)
            algorithms[kid] = alg
        }
        guard !kept.isEmpty else { throw JWKSError.noUsableKeys }
        let json = try JSONSerialization.data(withJSONObject: ["keys": kept])
        return (String(decoding: json, as: UTF8.self), algorithms)
    }
}

/// Why a JWKS document cannot be used.
public enum JWKSError: Error, CustomStringConvertible {
    case notAJWKS
    case noUsableKeys

    public var description: String {
        switch self {
        case .notAJWKS: "not a JWKS document (expected {\"keys\": [...]})"
        case .noUsableKeys: "no RSA or P-256 signing key with a kid"
        }
    }
}

/// Why a token was refused; logged, never sent to the client.
public enum TokenRejection: Error, Hashable {
    case missing, malformed, algorithmNotAccepted, unknownKey, badSignatureOrClaims
    case wrongIssuer, wrongAudience, expired, notYetValid, badClaims, lifetimeTooLong, wrongType
}

extension Data {
    /// Decodes unpadded base64url.
    init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }
}

/// A bounded map from token to its verified claims; emptied when full (tokens are short-lived, so it refills at once).
final class VerifiedTokens: Sendable {
    private let capacity: Int
    private let entries = Mutex<[String: AccessTokenClaims]>([:])

    init(capacity: Int) {
        self.capacity = capacity
    }

    func claims(for token: String) -> AccessTokenClaims? {
        entries.withLock { $0[token] }
    }

    func forgetAll() {
        entries.withLock { $0.removeAll() }
    }

    func remember(_ claims: AccessTokenClaims, for token: String) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = claims
        }
    }
}
