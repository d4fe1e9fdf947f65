import Foundation
import Synchronization
import W3CTraceContext
@testable import CareRecordServer

/// An in-memory tracer for tests: the production `W3CTracer` (so W3C extraction and ids are the real ones) whose finished
/// spans are kept here instead of being exported.
final class TracerTestDouble: Sendable {
    private let spans = Mutex<[FinishedSpan]>([])

    var tracer: W3CTracer {
        W3CTracer { [weak self] span in self?.spans.withLock { $0.append(span) } }
    }

    var finished: [FinishedSpan] { spans.withLock { $0 } }

    /// The finished spans of one trace.
    func spans(inTrace traceID: TraceID) -> [FinishedSpan] {
        finished.filter { $0.traceContext.traceID == traceID }
    }
}

/// Log lines kept in memory, in the JSON format of `logging: { format: json }`.
final class LogLinesTestDouble: Sendable {
    private let lines = Mutex<[String]>([])

    func write(_ line: String) {
        lines.withLock { $0.append(line) }
    }

    var all: [String] { lines.withLock { $0 } }

    /// The lines as a `TextOutputStream`, for swift-log's own `StreamLogHandler`.
    struct Stream: TextOutputStream, Sendable {
        let lines: LogLinesTestDouble
        mutating func write(_ string: String) { lines.write(string) }
    }

    /// The lines parsed as JSON objects.
    var objects: [[String: Any]] {
        all.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}
