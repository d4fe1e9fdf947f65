import Foundation
import Logging
import Testing
@testable import CareRecordCLI
@testable import CareRecordServer

@Suite("Logs: the JSON-lines and text log handler (issue 10)")
struct LogHandlerTests {
    func logger(_ settings: LoggingSettings, into lines: LogLinesTestDouble) -> Logger {
        Logger(label: "care-record.test") { label in CareRecordLogHandler(label: label, settings: { settings }, write: { lines.write($0) }) }
    }

    @Test("JSON: one object per line with timestamp, level, label, message and metadata; numbers stay numbers; control characters escaped")
    func jsonLines() throws {
        let lines = LogLinesTestDouble()
        var logger = logger(LoggingSettings(format: .json, level: .info), into: lines)
        logger[metadataKey: "request_id"] = "abc"
        logger.info("request \"quoted\"\nsecond line", metadata: ["status": .stringConvertible(200), "duration_ms": .stringConvertible(1.5), "nested": ["a": ["x", "y"]]])
        let line = try #require(lines.all.first)
        #expect(line.hasSuffix("}\n"))
        #expect(line.dropLast().contains("\n") == false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["timestamp", "level", "label", "message", "metadata"])
        #expect(object["level"] as? String == "info")
        #expect(object["label"] as? String == "care-record.test")
        #expect(object["message"] as? String == "request \"quoted\"\nsecond line")
        let timestamp = try #require(object["timestamp"] as? String)
        #expect(timestamp.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(timestamp)")
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["request_id"] as? String == "abc")
        #expect(metadata["status"] as? Int == 200)
        #expect(metadata["duration_ms"] as? Double == 1.5)
        #expect((metadata["nested"] as? [String: Any])?["a"] as? [String] == ["x", "y"])
    }

    @Test("timestamps are UTC with milliseconds")
    func timestamps() {
        #expect(JSONLogLine.utcTimestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(JSONLogLine.utcTimestamp(Date(timeIntervalSince1970: 1_795_829_007.0429)) == "2026-11-28T01:23:27.042Z")
    }

    @Test("the level filters; a logger's own level (Logger.quiet) wins over the configured one")
    func levels() {
        let lines = LogLinesTestDouble()
        let logger = logger(LoggingSettings(format: .json, level: .warning), into: lines)
        logger.info("dropped")
        logger.warning("kept")
        #expect(lines.all.count == 1)
        var verbose = logger
        verbose.logLevel = .debug
        verbose.debug("kept too")
        #expect(lines.all.count == 2)
    }

    @Test("text: swift-log's plain lines")
    func text() throws {
        let lines = LogLinesTestDouble()
        logger(LoggingSettings(format: .text, level: .info), into: lines).notice("serving", metadata: ["base_url": "http://x"])
        let line = try #require(lines.all.first)
        #expect(line.contains("notice care-record.test"))
        #expect(line.contains("base_url=http://x"))
        #expect(line.hasSuffix("serving\n"))
        #expect(!line.hasPrefix("{"))
    }

    @Test("text: the hand-written line equals swift-log's StreamLogHandler line after the timestamp, error metadata included")
    func textSameAsStreamLogHandler() throws {
        struct Failure: Error {}
        let cases: [(Logger.Metadata, (any Error)?, String)] = [
            ([:], nil, ""), (["b": "2", "a": .stringConvertible(1), "nested": ["k": ["x", "y"]], "list": [.string("p"), "q"]], nil, "care-record.x"),
            (["route": "/Patient/{id}", "status": .stringConvertible(200), "duration_ms": .stringConvertible(1.25)], Failure(), "care-record"),
        ]
        for (metadata, error, label) in cases {
            let expected = LogLinesTestDouble()
            var stream = StreamLogHandler(label: label, stream: LogLinesTestDouble.Stream(lines: expected))
            stream.logLevel = .trace
            stream.log(event: LogEvent(level: .warning, message: "a message", error: error, metadata: metadata, source: "CareRecordServer", file: "f", function: "g", line: 1))
            let ours = LogLinesTestDouble()
            let handler = CareRecordLogHandler(label: label, settings: { LoggingSettings(format: .text, level: .trace) }, write: { ours.write($0) })
            handler.log(event: LogEvent(level: .warning, message: "a message", error: error, metadata: metadata, source: "CareRecordServer", file: "f", function: "g", line: 1))
            let (theirs, mine) = (try #require(expected.all.first), try #require(ours.all.first))
            #expect(mine.drop { $0 != " " } == theirs.drop { $0 != " " })
            #expect(mine.prefix { $0 != " " }.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}/) != nil, "\(mine)")
        }
    }

    @Test("the logger's metadata, then the event's, merged by key (the event's value wins) and written in key order, as swift-log's StreamLogHandler writes them")
    func mergedMetadata() throws {
        let base: Logger.Metadata = ["request_id": "r-1", "trace_id": "t-1", "zeta": "z", "status": "before"]
        let event: Logger.Metadata = ["status": .stringConvertible(200), "alpha": "a", "route": "/Patient/{id}"]
        let expected = LogLinesTestDouble()
        var stream = StreamLogHandler(label: "care-record", stream: LogLinesTestDouble.Stream(lines: expected))
        stream.logLevel = .trace
        stream.metadata = base
        stream.log(event: LogEvent(level: .info, message: "request", metadata: event, source: "CareRecordServer", file: "f", function: "g", line: 1))
        let text = LogLinesTestDouble()
        var handler = CareRecordLogHandler(label: "care-record", settings: { LoggingSettings(format: .text, level: .trace) }, write: { text.write($0) })
        handler.metadata = base
        handler.log(event: LogEvent(level: .info, message: "request", metadata: event, source: "CareRecordServer", file: "f", function: "g", line: 1))
        let (theirs, mine) = (try #require(expected.all.first), try #require(text.all.first))
        #expect(mine.drop { $0 != " " } == theirs.drop { $0 != " " })
        #expect(mine.contains("alpha=a request_id=r-1 route=/Patient/{id} status=200 trace_id=t-1 zeta=z [CareRecordServer] request"), "\(mine)")

        let json = LogLinesTestDouble()
        var jsonHandler = CareRecordLogHandler(label: "care-record", settings: { LoggingSettings(format: .json, level: .trace) }, write: { json.write($0) })
        jsonHandler.metadata = base
        jsonHandler.log(event: LogEvent(level: .info, message: "request", metadata: event, source: "CareRecordServer", file: "f", function: "g", line: 1))
        let line = try #require(json.all.first)
        // Slashes are not escaped (`JSONString`).
        #expect(line.contains(#""metadata":{"alpha":"a","request_id":"r-1","route":"/Patient/{id}","status":200,"trace_id":"t-1","zeta":"z"}}"#), "\(line)")
    }

    @Test("a client's correlation id is logged only when plain and free of ten-digit runs (an NHS number has ten)")
    func loggableCorrelationIDs() {
        #expect(RequestLogMiddleware.loggable("ward-7-handover") == "ward-7-handover")
        #expect(RequestLogMiddleware.loggable("order-943476591") == "order-943476591")
        #expect(RequestLogMiddleware.loggable("9434765919") == nil)
        #expect(RequestLogMiddleware.loggable("case-9434765919-x") == nil)
        #expect(RequestLogMiddleware.loggable("has space") == nil)
        #expect(RequestLogMiddleware.loggable(String(repeating: "a", count: 129)) == nil)
    }
}
