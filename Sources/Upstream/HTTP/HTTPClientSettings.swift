import Foundation

/// How one source is reached: trust anchors, optional client certificate, optional bearer token, limits and retries.
public struct HTTPClientSettings: Sendable {
    /// PEM trust anchors for the source (`caFile`); nil uses the system store. Verification is never turned off.
    public var caFile: String?
    public var clientCertificate: String?
    public var clientKey: String?
    public var bearerToken: String?
    public var connectTimeoutSeconds = 15
    /// Whole-transfer timeout.
    public var timeoutSeconds = 60
    /// Largest response accepted; a download beyond it is stopped.
    public var maximumBytes: Int64 = 4 * 1024 * 1024 * 1024
    public var retry = RetryPolicy()

    public init(caFile: String? = nil, clientCertificate: String? = nil, clientKey: String? = nil, bearerToken: String? = nil) {
        self.caFile = caFile
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.bearerToken = bearerToken
    }
}

/// Retries with exponential backoff and jitter on network errors, 5xx and 429 (honouring `Retry-After`); none on other 4xx.
public struct RetryPolicy: Sendable {
    public var attempts = 4
    public var baseDelay: Duration = .milliseconds(500)
    public var maximumDelay: Duration = .seconds(60)

    public init(attempts: Int = 4, baseDelay: Duration = .milliseconds(500), maximumDelay: Duration = .seconds(60)) {
        self.attempts = attempts
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 1): `Retry-After` when given, else base × 2^(attempt-1) with ±50% jitter.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration?) -> Duration {
        if let retryAfter { return min(retryAfter, maximumDelay) }
        let exponential = baseDelay * (1 << min(attempt - 1, 16))
        let jitter = Double.random(in: 0.5...1.5)
        return min(exponential * jitter, maximumDelay)
    }
}
