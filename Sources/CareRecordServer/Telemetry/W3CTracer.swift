import Instrumentation
import Tracing
import W3CTraceContext

/// A tracer that speaks W3C Trace Context (swift-distributed-tracing has no propagator of its own): it continues the trace
/// of an incoming `traceparent`/`tracestate`, or starts a new one with random ids, and writes both headers when a context
/// is injected. Finished spans go to `onFinish` (an exporter, or a test double); without one they are dropped, and the ids
/// still reach the logs and the `traceresponse` header.
public struct W3CTracer: Tracer {
    public typealias Span = W3CSpan

    let onFinish: (@Sendable (FinishedSpan) -> Void)?

    public init(onFinish: (@Sendable (FinishedSpan) -> Void)? = nil) {
        self.onFinish = onFinish
    }

    public func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> InstrumentationContext, ofKind kind: SpanKind, at instant: @autoclosure () -> Instant,
        function: String, file fileID: String, line: UInt
    ) -> W3CSpan {
        let parentContext = context()
        let parent = parentContext.traceContext
        // A new trace is marked sampled only when its spans are recorded somewhere; a continued one keeps the caller's flags.
        // Ids from the pooled kernel generator: `.random()` made a system call per 8 bytes (issue 12).
        var generator = PooledRandomNumberGenerator()
        let trace = TraceContext(
            traceID: parent?.traceID ?? .random(using: &generator), spanID: .random(using: &generator), flags: parent?.flags ?? (onFinish == nil ? [] : .sampled),
            state: parent?.state ?? TraceState())
        var spanContext = parentContext
        spanContext.traceContext = trace
        return W3CSpan(
            operationName: operationName, kind: kind, context: spanContext, parentSpanID: parent?.spanID,
            startNanoseconds: instant().nanosecondsSinceEpoch, onFinish: onFinish)
    }

    public func forceFlush() {}

    /// Reads `traceparent` and `tracestate`; an invalid `traceparent` is ignored (a new trace starts), and so is an invalid
    /// `tracestate` on its own (W3C Trace Context 3.3 and 3.5).
    public func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout InstrumentationContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        guard let parent = extractor.extract(key: W3CHeader.traceparent, from: carrier) else { return }
        let state = extractor.extract(key: W3CHeader.tracestate, from: carrier)
        if let trace = try? TraceContext(traceParentHeaderValue: parent, traceStateHeaderValue: state) {
            context.traceContext = trace
        } else if let trace = try? TraceContext(traceParentHeaderValue: parent) {
            context.traceContext = trace
        }
    }

    /// Writes `traceparent` (and `tracestate` when there is one) for the context's span.
    public func inject<Carrier, Inject: Injector>(_ context: InstrumentationContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        guard let trace = context.traceContext else { return }
        injector.inject(trace.traceParentHeaderValue, forKey: W3CHeader.traceparent, into: &carrier)
        if let state = trace.traceStateHeaderValue, !state.isEmpty {
            injector.inject(state, forKey: W3CHeader.tracestate, into: &carrier)
        }
    }
}

extension W3CTracer {
    /// Whether `tracer`'s spans can go anywhere: false only for a `W3CTracer` without an exporter, whose spans record nothing
    /// and serve only for their ids. Child spans are skipped under such a tracer: four spans a request, each allocated,
    /// locked, given random ids and a task-local context, were a twentieth of the read path's CPU (issue 12).
    static func records(_ tracer: any Tracer) -> Bool {
        guard let tracer = tracer as? W3CTracer else { return true }
        return tracer.onFinish != nil
    }
}

/// The W3C Trace Context header names.
public enum W3CHeader {
    public static let traceparent = "traceparent"
    public static let tracestate = "tracestate"
    /// The response header of Trace Context Level 2 (a W3C draft): the server span's `traceparent`.
    public static let traceresponse = "traceresponse"
}

extension InstrumentationContext {
    /// The W3C trace context of the current span (or of the caller, once extracted).
    public var traceContext: TraceContext? {
        get { self[W3CTraceContextKey.self] }
        set { self[W3CTraceContextKey.self] = newValue }
    }
}

private enum W3CTraceContextKey: InstrumentationContextKey {
    typealias Value = TraceContext
    static var nameOverride: String? { "w3c-trace-context" }
}
