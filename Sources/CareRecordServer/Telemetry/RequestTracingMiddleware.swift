import HTTPTypes
import Hummingbird
import Instrumentation
import Logging
import Tracing

/// A server span per request, continuing the caller's W3C trace (`traceparent`, `tracestate`) when it sent one. The span
/// is named and labelled by route template, method and status only (Hummingbird's own `TracingMiddleware` records the
/// path and query, which carry NHS numbers). The trace and span ids go into the request's log metadata, and the span's
/// `traceparent` comes back as `traceresponse` (W3C Trace Context Level 2, a draft).
struct RequestTracingMiddleware: RouterMiddleware {
    typealias Context = CareRecordRequestContext

    let tracer: any Tracer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var parent = InstrumentationContext.current ?? .topLevel
        tracer.extract(request.headers, into: &parent, using: HTTPFieldsExtractor())
        let method = MethodLabel.of(request.method)
        let span = tracer.startSpan("HTTP \(method)", context: parent, ofKind: .server)
        defer { span.end() }
        var context = context
        if let trace = span.context.traceContext {
            context.logger[metadataKey: "trace_id"] = .string(trace.traceID.description)
            context.logger[metadataKey: "span_id"] = .string(trace.spanID.description)
        }
        span.attributes["http.request.method"] = method
        span.attributes["care_record.request_id"] = context.requestID
        do {
            var response = try await InstrumentationContext.$current.withValue(span.context) { try await next(request, context) }
            let route = RouteTemplate.of(context)
            span.operationName = "\(method) \(route)"
            span.attributes["http.route"] = route
            span.attributes["http.response.status_code"] = Int(response.status.code)
            if response.status.code >= 500 { span.setStatus(SpanStatus(code: .error)) }
            if let trace = span.context.traceContext { response.headers[.traceresponse] = trace.traceParentHeaderValue }
            return response
        } catch {
            span.operationName = "\(method) \(RouteTemplate.of(context))"
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }
}

/// Reads a header for an instrument's `extract`.
struct HTTPFieldsExtractor: Extractor {
    func extract(key: String, from carrier: HTTPFields) -> String? {
        HTTPField.Name(key).flatMap { carrier[$0] }
    }
}

/// Writes a header for an instrument's `inject`.
struct HTTPFieldsInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout HTTPFields) {
        if let name = HTTPField.Name(key) { carrier[name] = value }
    }
}

extension HTTPField.Name {
    static let traceresponse = HTTPField.Name(W3CHeader.traceresponse)!
}
