import Foundation
import Hummingbird
import Synchronization

/// `server.rateLimit`: requests without a valid token per client address (on by default), and optionally per user.
public struct RateLimitSettings: Sendable, Equatable {
    /// Requests per second without a valid token, per client address; nil switches the limit off.
    public var unauthenticatedPerSecond: Double?
    public var unauthenticatedBurst: Int
    /// Requests per second per authenticated user (token `sub`); nil (the default) means no limit.
    public var perUserPerSecond: Double?
    public var perUserBurst: Int?

    public init(unauthenticatedPerSecond: Double? = 10, unauthenticatedBurst: Int = 50, perUserPerSecond: Double? = nil, perUserBurst: Int? = nil) {
        self.unauthenticatedPerSecond = unauthenticatedPerSecond
        self.unauthenticatedBurst = unauthenticatedBurst
        self.perUserPerSecond = perUserPerSecond
        self.perUserBurst = perUserBurst
    }
}

/// Refuses requests beyond the rate limit with 429, `Retry-After` and an `OperationOutcome` (issue 8.11). Each request forces
/// a durable audit insert, so without a limit an unauthenticated client could grow the audit log without bound and bury a
/// patient's trail. The capability statement, health probes and discovery documents are exempt; a listed origin's CORS
/// preflight never gets here (`CrossOriginMiddleware` answers it, unaudited), and any other `OPTIONS`, being audited, is
/// limited like every request.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = CareRecordRequestContext

    let verifier: TokenVerifier
    let unauthenticated: TokenBuckets?
    let perUser: TokenBuckets?
    let clock: @Sendable () -> Date

    init(settings: RateLimitSettings, verifier: TokenVerifier, clock: @escaping @Sendable () -> Date) {
        self.verifier = verifier
        self.clock = clock
        unauthenticated = settings.unauthenticatedPerSecond.map { TokenBuckets(ratePerSecond: $0, burst: settings.unauthenticatedBurst) }
        perUser = settings.perUserPerSecond.map { TokenBuckets(ratePerSecond: $0, burst: settings.perUserBurst ?? max(1, Int($0 * 5))) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !Self.isExempt(request.uri.path) else { return try await next(request, context) }
        var context = context
        var user: AuthenticatedUser?
        if let token = AuthenticationMiddleware.bearerToken(request.headers[.authorization]) {
            do {
                let verified = try await verifier.verify(token)
                user = verified
                context.tokenCheck = .verified(verified)
            } catch {
                context.tokenCheck = .refused(error)
            }
        }
        let now = clock()
        let wait: TimeInterval?
        if let user {
            wait = perUser?.take(key: user.sub, at: now)
        } else {
            wait = unauthenticated?.take(key: context.clientAddress ?? "unknown", at: now)
        }
        if let wait {
            context.audit.update { $0.throttled = true }
            throw FHIRError.tooManyRequests(retryAfter: max(1, Int(wait.rounded(.up))))
        }
        return try await next(request, context)
    }
}

extension RateLimitMiddleware {
    /// The capability statement, the health probes and the discovery document are never limited: exactly the paths that
    /// are not audited, so no unaudited path is unlimited and no unlimited path is unaudited (issue 8.11).
    static func isExempt(_ path: String) -> Bool {
        AuditMiddleware.isUnaudited(path)
    }
}

/// Token buckets by key: each holds up to `burst` tokens and refills at `ratePerSecond`.
final class TokenBuckets: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    let ratePerSecond: Double
    let burst: Double
    /// Full buckets are forgotten when there are more than this many keys, so memory stays bounded.
    static let maximumKeys = 100_000
    private let buckets = Mutex<[String: Bucket]>([:])

    init(ratePerSecond: Double, burst: Int) {
        self.ratePerSecond = max(ratePerSecond, 0.001)
        self.burst = Double(max(burst, 1))
    }

    /// Takes one token for `key`: nil when there was one, else the seconds until there will be.
    func take(key: String, at now: Date) -> TimeInterval? {
        buckets.withLock { buckets in
            if buckets.count >= Self.maximumKeys { forgetFull(&buckets, at: now) }
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + max(0, now.timeIntervalSince(bucket.updated)) * ratePerSecond)
            bucket.updated = now
            defer { buckets[key] = bucket }
            guard bucket.tokens >= 1 else { return (1 - bucket.tokens) / ratePerSecond }
            bucket.tokens -= 1
            return nil
        }
    }

    private func forgetFull(_ buckets: inout [String: Bucket], at now: Date) {
        buckets = buckets.filter { $0.value.tokens + now.timeIntervalSince($0.value.updated) * ratePerSecond < burst }
    }
}
