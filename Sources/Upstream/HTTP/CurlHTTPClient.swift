import Foundation
import Logging

/// An HTTPS client on libcurl for one source: verified TLS, optional mutual TLS and bearer token, safe redirects, retries.
public struct CurlHTTPClient: Sendable {
    public let settings: HTTPClientSettings
    let logger: Logger
    static let maximumRedirects = 5

    public init(settings: HTTPClientSettings, logger: Logger = Logger(label: "care-record.http")) {
        self.settings = settings
        self.logger = logger
    }

    /// GETs `url` (following only https redirects on the same host), retrying transient failures; any final status is returned.
    /// `bearer` adds the source's token (never sent to another host).
    public func get(_ url: URL, accept: String = "application/fhir+json", headers extra: [String: String] = [:], bearer: Bool = true, to file: URL? = nil)
        async throws -> UpstreamResponse
    {
        var attempt = 1
        var current = url
        var redirects = 0
        while true {
            var headers = extra
            headers["Accept"] = accept
            if bearer, let token = settings.bearerToken, current.host == url.host { headers["Authorization"] = "Bearer \(token)" }
            do {
                let response = try await CurlTransfer(url: current, headers: headers, settings: settings, destination: file).run()
                if [301, 302, 303, 307, 308].contains(response.status) {
                    current = try Self.redirectTarget(from: current, location: response.headers["location"])
                    redirects += 1
                    guard redirects <= Self.maximumRedirects else { throw HTTPTransferError.tooManyRedirects(host: url.host ?? "?") }
                    continue
                }
                let transient = response.status == 429 || (500...599).contains(response.status)
                guard transient, attempt < settings.retry.attempts else { return response }
                try await pause(attempt: attempt, retryAfter: response.retryAfter, cause: "HTTP \(response.status)")
            } catch let error as HTTPTransferError where error.isTransient && attempt < settings.retry.attempts {
                try await pause(attempt: attempt, retryAfter: nil, cause: error.description)
            }
            attempt += 1
        }
    }

    private func pause(attempt: Int, retryAfter: Duration?, cause: String) async throws {
        let delay = settings.retry.delay(afterAttempt: attempt, retryAfter: retryAfter)
        logger.warning("transfer failed, retrying", metadata: ["cause": "\(cause)", "attempt": "\(attempt)", "delay": "\(delay)"])
        try await Task.sleep(for: delay)
    }

    /// A redirect is followed only to https on the same host.
    static func redirectTarget(from current: URL, location: String?) throws -> URL {
        guard let location, let target = URL(string: location, relativeTo: current)?.absoluteURL else {
            throw HTTPTransferError.redirectRefused(from: current.host ?? "?", to: "(no Location)")
        }
        guard target.scheme == "https", target.host == current.host else {
            throw HTTPTransferError.redirectRefused(from: "https://\(current.host ?? "?")", to: "\(target.scheme ?? "?")://\(target.host ?? "?")")
        }
        return target
    }
}
