import Crypto
import FHIR
import Foundation
import JWTKit
import Synchronization

/// How the token verifier's key set is doing: when it was last loaded, and whether the latest reload worked.
public struct JWKSStatus: Sendable, Codable, Equatable {
    public var keys: Int
    public var lastLoaded: String
    public var lastAttempt: String
    public var lastAttemptSucceeded: Bool
    public var lastError: String?
}

/// The verifier's current key set, replaced whole when the JWKS changes.
final class KeyRing: Sendable {
    /// One loaded JWKS: the keys, each pinned to its one algorithm, and a fingerprint of the document as used.
    struct Keys: Sendable {
        let collection: JWTKeyCollection
        let algorithmByKeyID: [String: String]
        let fingerprint: String

        init(jwks: Data) async throws {
            let (normalised, algorithms) = try TokenVerifier.restrictedJWKS(jwks)
            collection = JWTKeyCollection()
            try await collection.add(jwksJSON: normalised)
            algorithmByKeyID = algorithms
            fingerprint = SHA256.hash(data: Data(normalised.utf8)).hexadecimal
        }
    }

    let source: (@Sendable () async throws -> Data)?
    private let keys: Mutex<Keys>
    private let state: Mutex<JWKSStatus>
    private let lastUnknownKeyReload = Mutex<Date?>(nil)

    init(keys: Keys, source: (@Sendable () async throws -> Data)?, loadedAt: Date) {
        self.keys = Mutex(keys)
        self.source = source
        let instant = FHIRDateTime.instant(loadedAt)
        state = Mutex(JWKSStatus(keys: keys.algorithmByKeyID.count, lastLoaded: instant, lastAttempt: instant, lastAttemptSucceeded: true))
    }

    var current: Keys { keys.withLock { $0 } }
    var status: JWKSStatus { state.withLock { $0 } }

    /// Installs a freshly loaded key set; true when it differs from the one in use.
    func replace(with new: Keys, at now: Date) -> Bool {
        let changed = keys.withLock { keys in
            guard keys.fingerprint != new.fingerprint else { return false }
            keys = new
            return true
        }
        state.withLock {
            $0.lastAttempt = FHIRDateTime.instant(now)
            $0.lastAttemptSucceeded = true
            $0.lastError = nil
            if changed {
                $0.keys = new.algorithmByKeyID.count
                $0.lastLoaded = FHIRDateTime.instant(now)
            }
        }
        return changed
    }

    func recordFailure(at now: Date, reason: String) {
        state.withLock {
            $0.lastAttempt = FHIRDateTime.instant(now)
            $0.lastAttemptSucceeded = false
            $0.lastError = reason
        }
    }

    /// Whether an unknown `kid` may trigger a reload now (at most once per `unknownKeyReloadInterval`).
    func mayReloadForUnknownKey(at now: Date) -> Bool {
        guard source != nil else { return false }
        return lastUnknownKeyReload.withLock { last in
            if let last, now.timeIntervalSince(last) < TokenVerifier.unknownKeyReloadInterval { return false }
            last = now
            return true
        }
    }
}
