import CoreMetrics

/// The API's metrics, through swift-metrics (Prometheus when `server.metrics` is set). Labels are route templates, status
/// codes, methods and outcome codes only: never a path, an NHS number, a user or a token.
final class APIMetrics: Sendable {
    let factory: any MetricsFactory

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    static let requests = "care_record_http_requests_total"
    static let requestDuration = "care_record_http_request_duration_seconds"
    static let decisions = "care_record_access_decisions_total"

    /// One answered request.
    func request(route: String, method: String, status: Int, duration: Duration) {
        let dimensions = [("route", route), ("method", method), ("status", String(status))]
        Counter(label: Self.requests, dimensions: dimensions, factory: factory).increment()
        Timer(label: Self.requestDuration, dimensions: dimensions, factory: factory).recordNanoseconds(duration.nanoseconds)
    }

    /// An access allowed, by its basis (`consent`, `emergency-override`, ...).
    func allowed(_ basis: AccessBasis) {
        Counter(label: Self.decisions, dimensions: [("decision", "allowed"), ("reason", basis.code)], factory: factory).increment()
    }

    /// An access refused, by its C5 code (`CONSENT_REQUIRED`, `TOKEN_INVALID`, ...).
    func refused(_ code: ErrorCode) {
        Counter(label: Self.decisions, dimensions: [("decision", "refused"), ("reason", code.rawValue)], factory: factory).increment()
    }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : scaled + attoseconds / 1_000_000_000
    }

    /// The duration in seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
