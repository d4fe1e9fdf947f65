import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import Tracing
import W3CTraceContext
@testable import CareRecordCLI
@testable import CareRecordServer

@Suite("Traces: W3C traceparent continued, child spans, trace ids in the log (issue 10)")
struct TracingTests {
    static let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let callerSpanID = "00f067aa0ba902b7"

    /// The shared region's API with a tracer double and JSON log lines kept in memory.
    func withClient(_ body: @Sendable (any TestClientProtocol, RegionFixture, TracerTestDouble, LogLinesTestDouble) async throws -> Void) async throws {
        let fixture = try await RegionFixture.shared()
        let traces = TracerTestDouble()
        let lines = LogLinesTestDouble()
        let api = CareRecordAPI(
            repository: fixture.repository, auditStore: try temporaryAuditStore(), verifier: try await fixture.keys.verifier(),
            participating: fixture.participating, baseURL: RegionFixture.baseURL, telemetry: Telemetry(tracer: traces.tracer))
        let logger = Logger(label: "care-record") { label in
            CareRecordLogHandler(label: label, settings: { LoggingSettings(format: .json, level: .info) }, write: { lines.write($0) })
        }
        try await Application(router: api.buildRouter(), logger: logger).test(.router) { client in try await body(client, fixture, traces, lines) }
    }

    @Test("a read with a traceparent: a server span continuing it, child spans for the decision, the store reads and the audit commit")
    func continuesTheCallersTrace() async throws {
        try await withClient { client, fixture, traces, lines in
            let nhs = try fixture.nhs(\.registeredAtA81001)
            let token = try await fixture.keys.bearer(ods: "A81001")
            var headers: HTTPFields = [.authorization: token]
            headers[HTTPField.Name("traceparent")!] = "00-\(Self.traceID)-\(Self.callerSpanID)-01"
            headers[HTTPField.Name("tracestate")!] = "congo=t61rcWkgMzE"
            let response = try await client.execute(uri: "/Patient/\(nhs)", method: .get, headers: headers) { $0 }
            #expect(response.status == .ok)

            // The response names the server span in the caller's trace.
            let traceresponse = try #require(response.headers[HTTPField.Name("traceresponse")!])
            let answered = try TraceContext(traceParentHeaderValue: traceresponse)
            #expect(answered.traceID.description == Self.traceID)
            #expect(answered.spanID.description != Self.callerSpanID)

            let spans = traces.spans(inTrace: answered.traceID)
            let server = try #require(spans.first { $0.kind == .server })
            #expect(server.operationName == "GET /Patient/{id}")
            #expect(server.parentSpanID?.description == Self.callerSpanID)
            #expect(server.traceContext.spanID == answered.spanID)
            #expect(server.traceContext.traceStateHeaderValue == "congo=t61rcWkgMzE")
            #expect(server.attributes["http.route"]?.toSpanAttribute() == .string("/Patient/{id}"))

            let decision = try #require(spans.first { $0.operationName == "access decision" })
            #expect(decision.parentSpanID == server.traceContext.spanID)
            #expect(decision.attributes["care_record.access.decision"]?.toSpanAttribute() == .string("allowed"))
            #expect(decision.attributes["care_record.access.reason"]?.toSpanAttribute() == .string("consent"))
            // The state and the Patient are read in one snapshot, inside the decision's span (issue 12); no second read.
            let stateRead = try #require(spans.first { $0.operationName == "store patientStateAndRecord" })
            #expect(stateRead.parentSpanID == decision.traceContext.spanID)
            #expect(!spans.contains { $0.operationName == "store patient" || $0.operationName == "store patientState" })
            let audit = try #require(spans.first { $0.operationName == "audit commit" })
            #expect(audit.parentSpanID == server.traceContext.spanID)
            #expect(spans.allSatisfy { $0.traceContext.traceID.description == Self.traceID })

            // Nothing about the patient in any span.
            let recorded = spans.map { "\($0.operationName) \($0.attributes)" }.joined(separator: "\n")
            #expect(!recorded.contains(nhs))

            // The request's log line carries the trace id and the request id, never the NHS number or the token.
            let line = try #require(lines.objects.first { ($0["message"] as? String) == "request" })
            let metadata = try #require(line["metadata"] as? [String: Any])
            #expect(metadata["trace_id"] as? String == Self.traceID)
            #expect(metadata["span_id"] as? String == server.traceContext.spanID.description)
            #expect((metadata["request_id"] as? String)?.isEmpty == false)
            #expect(metadata["route"] as? String == "/Patient/{id}")
            #expect(metadata["status"] as? Int == 200)
            let text = lines.all.joined()
            #expect(!text.contains(nhs))
            #expect(!text.contains(String(token.dropFirst("Bearer ".count))))
        }
    }

    @Test("no traceparent, or a malformed one: a new trace of its own, with the ids in the response and the log")
    func startsNewTraces() async throws {
        try await withClient { client, fixture, traces, lines in
            let nhs = try fixture.nhs(\.hospitalActiveWithoutConsent)
            let token = try await fixture.keys.bearer(ods: "RJR")
            for traceparent in [nil, "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "garbage", "00-\(Self.traceID)-\(Self.callerSpanID)-01, 00-x"] {
                var headers: HTTPFields = [.authorization: token]
                if let traceparent { headers[HTTPField.Name("traceparent")!] = traceparent }
                let response = try await client.execute(uri: "/Patient/\(nhs)", method: .get, headers: headers) { $0 }
                #expect(response.status == .forbidden)
                let answered = try TraceContext(traceParentHeaderValue: try #require(response.headers[HTTPField.Name("traceresponse")!]))
                #expect(answered.traceID.description != Self.traceID, "\(traceparent ?? "none")")
                let server = try #require(traces.spans(inTrace: answered.traceID).first { $0.kind == .server })
                #expect(server.parentSpanID == nil)
                let decision = try #require(traces.spans(inTrace: answered.traceID).first { $0.operationName == "access decision" })
                #expect(decision.attributes["care_record.access.reason"]?.toSpanAttribute() == .string("CONSENT_REQUIRED"))
                let logged = lines.objects.last { ($0["message"] as? String) == "request" }?["metadata"] as? [String: Any]
                #expect(logged?["trace_id"] as? String == answered.traceID.description)
            }
        }
    }
}
