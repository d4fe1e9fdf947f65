import CareRecordStore
import Foundation
import Hummingbird
import Logging
import Synchronization
import Testing
import Upstream
@testable import CareRecordCLI
@testable import CareRecordServer

/// `tracing.otlp`: the real `care-record serve` exports its spans with swift-otel's OTLP/HTTP exporter to a collector on a
/// real socket (a Hummingbird route in the test that keeps what it is sent, standing in for an OpenTelemetry Collector).
@Suite("care-record serve: spans exported over OTLP/HTTP when tracing.otlp is set (issue 10)")
struct SpanExportTests {
    static let traceID = "5b8efff798038103d269b633813fc60c"
    static let callerSpanID = "eee19b7ec3c1b174"

    /// The request bodies a collector was sent on `POST /v1/traces`.
    final class Collector: Sendable {
        let bodies = Mutex<[Data]>([])

        func application(port: Int, onRunning: @escaping @Sendable () async -> Void) -> some ApplicationProtocol {
            let router = Router()
            router.post("/v1/traces") { request, _ -> Response in
                let body = try await request.body.collect(upTo: 16 * 1024 * 1024)
                self.bodies.withLock { $0.append(Data(buffer: body)) }
                // An empty ExportTraceServiceResponse.
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
            }
            var logger = Logger(label: "care-record.test.collector")
            logger.logLevel = .critical
            return Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), onServerRunning: { _ in await onRunning() },
                logger: logger)
        }

        /// Every span received, read from OTLP's `ExportTraceServiceRequest` protobuf.
        func spans() throws -> [ReceivedSpan] {
            try bodies.withLock { $0 }.flatMap { try ReceivedSpan.all(in: $0) }
        }
    }

    /// The fields of an OTLP `Span` the test checks, read by `ProtobufFields` (a reader for this test, not the code under
    /// test: swift-otel wrote the bytes).
    struct ReceivedSpan {
        var traceID = ""
        var spanID = ""
        var parentSpanID = ""
        var name = ""

        /// `ExportTraceServiceRequest.resource_spans` (1) → `ResourceSpans.scope_spans` (2) → `ScopeSpans.spans` (2).
        static func all(in request: Data) throws -> [ReceivedSpan] {
            try ProtobufFields.read(request).filter { $0.number == 1 }.flatMap { resourceSpans in
                try ProtobufFields.read(resourceSpans.bytes).filter { $0.number == 2 }.flatMap { scopeSpans in
                    try ProtobufFields.read(scopeSpans.bytes).filter { $0.number == 2 }.map { span in
                        var received = ReceivedSpan()
                        // Span: trace_id 1, span_id 2, parent_span_id 4, name 5.
                        for field in try ProtobufFields.read(span.bytes) {
                            switch field.number {
                            case 1: received.traceID = field.bytes.map { String(format: "%02x", $0) }.joined()
                            case 2: received.spanID = field.bytes.map { String(format: "%02x", $0) }.joined()
                            case 4: received.parentSpanID = field.bytes.map { String(format: "%02x", $0) }.joined()
                            case 5: received.name = String(decoding: field.bytes, as: UTF8.self)
                            default: break
                            }
                        }
                        return received
                    }
                }
            }
        }
    }

    /// Protobuf wire format, enough to walk messages: each field's number and, for length-delimited fields, its bytes.
    enum ProtobufFields {
        struct Field {
            let number: Int
            let bytes: Data
        }

        struct Malformed: Error {}

        static func read(_ data: Data) throws -> [Field] {
            let bytes = [UInt8](data)
            var index = 0
            func varint() throws -> UInt64 {
                var value: UInt64 = 0
                var shift: UInt64 = 0
                while true {
                    guard index < bytes.count, shift < 64 else { throw Malformed() }
                    let byte = bytes[index]
                    index += 1
                    value |= UInt64(byte & 0x7F) << shift
                    if byte & 0x80 == 0 { return value }
                    shift += 7
                }
            }
            var fields: [Field] = []
            while index < bytes.count {
                let key = try varint()
                let number = Int(key >> 3)
                switch key & 7 {
                case 0: _ = try varint(); fields.append(Field(number: number, bytes: Data()))
                case 1: index += 8; fields.append(Field(number: number, bytes: Data()))
                case 5: index += 4; fields.append(Field(number: number, bytes: Data()))
                case 2:
                    let length = Int(try varint())
                    guard length >= 0, index + length <= bytes.count else { throw Malformed() }
                    fields.append(Field(number: number, bytes: Data(bytes[index..<index + length])))
                    index += length
                default: throw Malformed()
                }
                guard index <= bytes.count else { throw Malformed() }
            }
            return fields
        }
    }

    @Test("a read's server span (child of the caller's span) and its decision, store and audit spans reach the collector on SIGTERM, without NHS number or token")
    func export() async throws {
        let folder = scratchFolder()
        let summary = try RegionGenerator(patients: 40, seed: 5, outputDirectory: folder).run()
        let generated = folder.appendingPathComponent("care-record.yaml")
        let configuration = try CareRecordConfiguration.load(path: generated.path)
        let repository = try SQLiteCareRecordRepository(path: try #require(configuration.databasePath))
        #expect(await SyncRunner(repository: repository, logger: .quiet("test")).sync(configuration.sources).allSatisfy(\.succeeded))
        let patient = try #require(summary.registeredAtA81001)
        let signer = try await TokenSigner(keyFile: folder.appendingPathComponent("keys/signing-key.pem").path)
        let token = try await ServeObservabilityTests.token(signer, ods: "A81001")

        let collector = Collector()
        try await whileServing({ port, onRunning in collector.application(port: port, onRunning: onRunning) }) { collectorPort in
            let apiPort = try PostgresServer.freePort()
            let text = try String(contentsOf: generated, encoding: .utf8).replacingOccurrences(
                of: "port: 8080, baseURL: \"http://127.0.0.1:8080\"",
                with: "port: \(apiPort), baseURL: \"http://127.0.0.1:\(apiPort)\", shutdownDrainSeconds: 0")
                + "\ntracing: { otlp: { endpoint: \"http://127.0.0.1:\(collectorPort)/v1/traces\" } }\n"
            #expect(text.contains("shutdownDrainSeconds: 0"))
            let config = folder.appendingPathComponent("traced.yaml")
            try Data(text.utf8).write(to: config)
            let node = try ServeNode(config: config, port: apiPort, log: folder.appendingPathComponent("serve.log"))
            defer { node.stop() }
            try await node.waitUntilHealthy()

            let read = try await ServeObservabilityTests.get("http://127.0.0.1:\(apiPort)/Patient/\(patient)", headers: [
                "Authorization": "Bearer \(token)", "traceparent": "00-\(Self.traceID)-\(Self.callerSpanID)-01",
            ])
            #expect(read.status == 200)
            let traceResponse = try #require(read.headers["traceresponse"])
            #expect(traceResponse.hasPrefix("00-\(Self.traceID)-") && traceResponse.hasSuffix("-01"))
            let serverSpanID = String(traceResponse.split(separator: "-")[2])
            #expect(serverSpanID != Self.callerSpanID)

            // The batch processor exports on its schedule or, at the latest, when the node stops.
            node.terminate()
            #expect(await node.waitForExit() == 0)
            let spans = try collector.spans().filter { $0.traceID == Self.traceID }
            let byName = Dictionary(spans.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            let server = try #require(byName["GET /Patient/{id}"], "spans: \(byName.keys.sorted())")
            #expect(server.spanID == serverSpanID)
            #expect(server.parentSpanID == Self.callerSpanID)
            let ids = Set(spans.map(\.spanID))
            for child in ["access decision", "audit commit", "store patientStateAndRecord"] {
                let span = try #require(byName[child], "no '\(child)' span in \(byName.keys.sorted())")
                #expect(ids.contains(span.parentSpanID), "\(child)'s parent is not a span of this trace")
            }
            let everything = collector.bodies.withLock { $0 }.map { String(decoding: $0, as: UTF8.self) }.joined()
            #expect(!spans.isEmpty)
            #expect(everything.contains("care-record"), "service.name")
            #expect(!everything.contains(patient), "the NHS number went to the collector")
            for part in token.split(separator: ".") { #expect(!everything.contains(part), "part of the token went to the collector") }
        }
    }

    @Test("tracing.otlp: an endpoint that is not an http(s) URL, credentials in it, or an unknown key are one-line errors")
    func configuration() throws {
        #expect(try CareRecordConfiguration.tracing(nil) == TracingSettings())
        let good = try CareRecordConfiguration.tracing(try ConfigNode(["otlp": ["endpoint": "https://collector.example:4318/v1/traces"]], path: "tracing"))
        #expect(good.otlp == .init(endpoint: "https://collector.example:4318/v1/traces"))
        for (node, message) in [
            (["otlp": ["endpoint": "collector:4318"]], "tracing.otlp.endpoint must be an http or https URL"),
            (["otlp": ["endpoint": "grpc://collector:4317"]], "tracing.otlp.endpoint must be an http or https URL"),
            (["otlp": ["endpoint": "https://user:secret@collector:4318/v1/traces"]], "tracing.otlp.endpoint must not carry credentials"),
            (["otlp": ["endpoint": "http://collector:4318/v1/traces", "protocol": "grpc"]], "unknown key 'tracing.otlp.protocol'"),
            (["otlp": ["endpoint": "http://collector:4318/v1/traces", "insecure": true]], "insecure"),
        ] as [([String: Any], String)] {
            #expect(throws: ConfigurationError.self) { try CareRecordConfiguration.tracing(try ConfigNode(node, path: "tracing")) }
            do {
                _ = try CareRecordConfiguration.tracing(try ConfigNode(node, path: "tracing"))
            } catch {
                #expect("\(error)".contains(message), "\(error)")
                #expect(!"\(error)".contains("secret"))
            }
        }
    }
}
