import Foundation
import JWTKit
import Synchronization
import Testing
@testable import CareRecordServer

/// Keys rotate and tokens are bounded (issue 8.12).
@Suite("Key rotation and token bounds")
struct KeyRotationTests {
    /// Test double for the JWKS location: what a reload reads, changed by the test; or failing, like an unreachable URL.
    final class JWKSFile: Sendable {
        struct Unreachable: Error {}
        private let document: Mutex<Data?>
        private let reads = Mutex(0)
        init(_ data: Data) { document = Mutex(data) }
        func replace(_ data: Data?) { document.withLock { $0 = data } }
        var readCount: Int { reads.withLock { $0 } }
        func read() throws -> Data {
            reads.withLock { $0 += 1 }
            guard let data = document.withLock({ $0 }) else { throw Unreachable() }
            return data
        }
    }

    func verifier(_ keys: TestKeys, file: JWKSFile, clock: TestClock, maximumLifetime: TimeInterval = TokenVerifier.defaultMaximumLifetime) async throws -> TokenVerifier {
        try await TokenVerifier(
            jwks: try file.read(), issuer: TestKeys.issuer, audience: TestKeys.audience, maximumLifetime: maximumLifetime,
            reload: { try file.read() }, clock: { clock.now })
    }

    @Test("a rotated-in key works at once (unknown kid reloads, rate limited); a withdrawn key's tokens stop at the next reload")
    func rotation() async throws {
        let old = try await TestKeys()
        let new = try await TestKeys(kidPrefix: "rotated")
        let clock = TestClock()
        let file = JWKSFile(old.jwks)
        let verifier = try await verifier(old, file: file, clock: clock)
        let oldToken = try await old.token(TestKeys.claims(ods: "RJR", now: clock.now))
        let newToken = try await new.token(TestKeys.claims(ods: "RJR", now: clock.now))
        _ = try await verifier.verify(oldToken)
        #expect(await rejection(verifier, newToken) == .unknownKey)

        file.replace(new.jwks)
        // Reloads for unknown kids are rate limited: the first unknown kid above reloaded; within the interval none does.
        #expect(await rejection(verifier, newToken) == .unknownKey)
        clock.advance(TokenVerifier.unknownKeyReloadInterval + 1)
        #expect(try await verifier.verify(newToken).sub == "dr.test")
        // The old key is gone and the remembered old token is forgotten with it.
        #expect(await rejection(verifier, oldToken) == .unknownKey)
    }

    @Test("a scheduled reload withdraws a key even for a token verified moments before")
    func withdrawnKeyForgetsRememberedTokens() async throws {
        let old = try await TestKeys()
        let new = try await TestKeys(kidPrefix: "rotated")
        let clock = TestClock()
        let file = JWKSFile(old.jwks)
        let verifier = try await verifier(old, file: file, clock: clock)
        let oldToken = try await old.token(TestKeys.claims(ods: "RJR", now: clock.now))
        _ = try await verifier.verify(oldToken)
        _ = try await verifier.verify(oldToken)
        file.replace(new.jwks)
        #expect(await verifier.reload())
        #expect(await rejection(verifier, oldToken) == .unknownKey)
    }

    @Test("a failed reload keeps the last good keys and says so")
    func failedReloadKeepsKeys() async throws {
        let keys = try await TestKeys()
        let clock = TestClock()
        let file = JWKSFile(keys.jwks)
        let verifier = try await verifier(keys, file: file, clock: clock)
        let token = try await keys.token(TestKeys.claims(ods: "RJR", now: clock.now))
        file.replace(nil)
        #expect(await verifier.reload() == false)
        #expect(verifier.keyStatus.lastAttemptSucceeded == false)
        #expect(verifier.keyStatus.keys == 2)
        #expect(try await verifier.verify(token).sub == "dr.test")
        file.replace(Data(#"{"keys": "nonsense"}"#.utf8))
        #expect(await verifier.reload() == false)
        #expect(try await verifier.verify(token).sub == "dr.test")
        file.replace(keys.jwks)
        #expect(await verifier.reload())
        #expect(verifier.keyStatus.lastAttemptSucceeded)
    }

    @Test("a token living longer than the maximum is refused")
    func lifetime() async throws {
        let keys = try await TestKeys()
        let clock = TestClock()
        let verifier = try await verifier(keys, file: JWKSFile(keys.jwks), clock: clock, maximumLifetime: 3600)
        let long = try await keys.token(TestKeys.claims(ods: "RJR", now: clock.now, lifetime: 3601))
        let fine = try await keys.token(TestKeys.claims(ods: "RJR", now: clock.now, lifetime: 3600))
        #expect(await rejection(verifier, long) == .lifetimeTooLong)
        #expect(try await verifier.verify(fine).sub == "dr.test")
        let defaultVerifier = try await keys.verifier()
        let day = try await keys.token(TestKeys.claims(ods: "RJR", lifetime: 24 * 3600))
        #expect(await rejection(defaultVerifier, day) == .lifetimeTooLong)
    }

    @Test("typ must be JWT or at+jwt when present", arguments: [("JWT", true), ("at+jwt", true), ("application/at+jwt", true), ("JOSE", false), ("dpop+jwt", false)])
    func type(_ typ: String, accepted: Bool) async throws {
        let keys = try await TestKeys()
        let verifier = try await keys.verifier()
        var header = JWTHeader()
        header.typ = typ
        header.kid = keys.ecKid
        let token = try await keys.keys.sign(TestKeys.claims(ods: "RJR"), kid: JWKIdentifier(string: keys.ecKid), header: header)
        if accepted {
            #expect(try await verifier.verify(token).ods == "RJR")
        } else {
            #expect(await rejection(verifier, token) == .wrongType)
        }
    }

    func rejection(_ verifier: TokenVerifier, _ token: String) async -> TokenRejection? {
        do {
            _ = try await verifier.verify(token)
            return nil
        } catch {
            return error
        }
    }
}
