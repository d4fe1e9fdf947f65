import CoreMetrics
import HTTPTypes
import Hummingbird
import Instrumentation
import Tracing

/// Where the API's traces and metrics go: a tracer (by default `W3CTracer`, which continues callers' traces but exports
/// nothing) and a metrics factory (by default the process's `MetricsSystem`, a no-op until `serve` bootstraps Prometheus).
public struct Telemetry: Sendable {
    public var tracer: any Tracer
    public var metricsFactory: any MetricsFactory

    public init(tracer: any Tracer = W3CTracer(), metricsFactory: any MetricsFactory = MetricsSystem.factory) {
        self.tracer = tracer
        self.metricsFactory = metricsFactory
    }

    /// Runs `body` in a child span of the current one (the request's server span, inside the API); when spans go nowhere
    /// (`W3CTracer.records`), in none: `body` gets a span that drops what is set on it.
    func span<Result>(_ name: String, _ body: (any Span) async throws -> Result) async throws -> Result {
        guard W3CTracer.records(tracer) else { return try await body(NoOpTracer.NoOpSpan(context: .topLevel)) }
        let span = tracer.startSpan(name, context: InstrumentationContext.current ?? .topLevel, ofKind: .internal)
        defer { span.end() }
        do {
            return try await InstrumentationContext.$current.withValue(span.context) { try await body(span) }
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }
}

/// The route template a request matched (`/Patient/{id}`), never its path, so no NHS number reaches a label or a log.
enum RouteTemplate {
    static let unmatched = "unmatched"

    static func of(_ context: some RequestContext) -> String {
        guard let path = context.endpointPath, path != "NotFound" else { return unmatched }
        return path
    }
}

/// A request's method as a label: the standard methods by name, anything else `other`, so a client cannot mint label
/// values (or log lines) with made-up methods.
enum MethodLabel {
    static let known: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .patch, .delete, .options]

    static func of(_ method: HTTPRequest.Method) -> String {
        known.contains(method) ? method.rawValue : "other"
    }
}
