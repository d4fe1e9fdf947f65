import HTTPTypes
import Hummingbird
import Instrumentation
import Logging
import Tracing

/// A server span per request, continuing the caller's W3C trace (`traceparent`, `tracestate`) when it sent one. The span
/// is named and labelled by route template, method and status only (Hummingbird's own `TracingMiddleware` records the
/// path and query, which carry NHS numbers). The trace and span ids go into the request's log metadata, and the span's
/// `traceparent` comes back as `traceresponse` (W3C Trace Context Level 2, a draft). Both are read through the tracer's
/// own `inject`, so they work with any W3C tracer: `W3CTracer`, or swift-otel's when spans are exported.
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
        let traceParent = Self.traceParent(of: span, tracer: tracer)
        if let traceParent {
            context.logger[metadataKey: "trace_id"] = .string(traceParent.traceID)
            context.logger[metadataKey: "span_id"] = .string(traceParent.spanID)
        }
        // A span that goes nowhere (W3CTracer without an exporter) records nothing: its ids are all it is for.
        let recording = span.isRecording
        if recording {
            span.attributes["http.request.method"] = method
            span.attributes["care_record.request_id"] = context.requestID
        }
        do {
            var response = try await InstrumentationContext.$current.withValue(span.context) { try await next(request, context) }
            if recording {
                let route = RouteTemplate.of(context)
                span.operationName = "\(method) \(route)"
                span.attributes["http.route"] = route
                span.attributes["http.response.status_code"] = Int(response.status.code)
            }
            if response.status.code >= 500 { span.setStatus(SpanStatus(code: .error)) }
            if let traceParent { response.headers[.traceresponse] = traceParent.value }
            return response
        } catch {
            span.operationName = "\(method) \(RouteTemplate.of(context))"
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }
}

extension RequestTracingMiddleware {
    /// The span's `traceparent` as the tracer writes it (`00-{trace id}-{span id}-{flags}`), with its two ids.
    struct TraceParent {
        let value: String
        let traceID: String
        let spanID: String
    }

    static func traceParent(of span: any Span, tracer: any Tracer) -> TraceParent? {
        // W3CTracer's own spans carry their context: no need to write and parse a header (the read path's common case).
        if tracer is W3CTracer, let trace = span.context.traceContext {
            return TraceParent(value: trace.traceParentHeaderValue, traceID: trace.traceID.description, spanID: trace.spanID.description)
        }
        var headers = HTTPFields()
        tracer.inject(span.context, into: &headers, using: HTTPFieldsInjector())
        guard let value = HTTPField.Name(W3CHeader.traceparent).flatMap({ headers[$0] }) else { return nil }
        let parts = value.split(separator: "-")
        guard parts.count == 4, parts[1].count == 32, parts[2].count == 16 else { return nil }
        return TraceParent(value: value, traceID: String(parts[1]), spanID: String(parts[2]))
    }
}

/// Reads a header for an instrument's `extract` (the two W3C names made once, not validated and lowercased per request).
struct HTTPFieldsExtractor: Extractor {
    static let traceparent = HTTPField.Name(W3CHeader.traceparent)!
    static let tracestate = HTTPField.Name(W3CHeader.tracestate)!

    func extract(key: String, from carrier: HTTPFields) -> String? {
        switch key {
        case W3CHeader.traceparent: carrier[Self.traceparent]
        case W3CHeader.tracestate: carrier[Self.tracestate]
        default: HTTPField.Name(key).flatMap { carrier[$0] }
        }
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
