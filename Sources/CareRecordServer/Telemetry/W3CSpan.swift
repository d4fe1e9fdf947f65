import Instrumentation
import Synchronization
import Tracing
import W3CTraceContext

/// A span of `W3CTracer`: its W3C ids live in its context; when it ends, what it recorded goes to the tracer's `onFinish`.
public final class W3CSpan: Span {
    public let context: InstrumentationContext
    public let kind: SpanKind
    /// The span this one continues (the caller's, for a server span); nil for a new trace.
    public let parentSpanID: SpanID?
    private let startNanoseconds: UInt64
    private let onFinish: (@Sendable (FinishedSpan) -> Void)?
    private let state: Mutex<State>

    struct State {
        var operationName: String
        var attributes = SpanAttributes()
        var status: SpanStatus?
        var events: [SpanEvent] = []
        var errorTypes: [String] = []
        var links: [SpanLink] = []
        var isRecording: Bool
    }

    init(
        operationName: String, kind: SpanKind, context: InstrumentationContext, parentSpanID: SpanID?, startNanoseconds: UInt64,
        onFinish: (@Sendable (FinishedSpan) -> Void)?
    ) {
        self.context = context
        self.kind = kind
        self.parentSpanID = parentSpanID
        self.startNanoseconds = startNanoseconds
        self.onFinish = onFinish
        // Without an exporter nothing is recorded: the span carries its ids, and attributes set on it are dropped.
        state = Mutex(State(operationName: operationName, isRecording: onFinish != nil))
    }

    /// This span's W3C trace context.
    public var traceContext: TraceContext { context.traceContext! }

    public var operationName: String {
        get { state.withLock { $0.operationName } }
        set { state.withLock { if $0.isRecording { $0.operationName = newValue } } }
    }

    public var attributes: SpanAttributes {
        get { state.withLock { $0.attributes } }
        set { state.withLock { if $0.isRecording { $0.attributes = newValue } } }
    }

    public var isRecording: Bool { state.withLock { $0.isRecording } }

    public func setStatus(_ status: SpanStatus) {
        state.withLock { if $0.isRecording { $0.status = status } }
    }

    public func addEvent(_ event: SpanEvent) {
        state.withLock { if $0.isRecording { $0.events.append(event) } }
    }

    /// Keeps the error's type only: an error's description may carry data that must not leave the process.
    public func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {
        state.withLock { if $0.isRecording { $0.errorTypes.append(String(describing: type(of: error))) } }
    }

    public func addLink(_ link: SpanLink) {
        state.withLock { if $0.isRecording { $0.links.append(link) } }
    }

    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        let ended: State? = state.withLock { state in
            guard state.isRecording else { return nil }
            state.isRecording = false
            return state
        }
        guard let ended, let onFinish else { return }
        onFinish(
            FinishedSpan(
                operationName: ended.operationName, kind: kind, traceContext: traceContext, parentSpanID: parentSpanID,
                startNanoseconds: startNanoseconds, endNanoseconds: instant().nanosecondsSinceEpoch, attributes: ended.attributes,
                status: ended.status, errorTypes: ended.errorTypes))
    }
}

/// What an ended span recorded, handed to the tracer's `onFinish`.
public struct FinishedSpan: Sendable {
    public var operationName: String
    public var kind: SpanKind
    public var traceContext: TraceContext
    public var parentSpanID: SpanID?
    public var startNanoseconds: UInt64
    public var endNanoseconds: UInt64
    public var attributes: SpanAttributes
    public var status: SpanStatus?
    /// The types of the errors recorded on the span.
    public var errorTypes: [String]
}
