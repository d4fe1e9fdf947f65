import CareRecordStore
import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Prometheus
import Testing
import Upstream
@testable import CareRecordCLI
@testable import CareRecordServer

/// Each test has a registry of its own (the factory is handed in; `MetricsSystem` is bootstrapped only by `serve`), and
/// reads the exposition back with Python's `prometheus_client` parser.
@Suite(
    "Metrics: the Prometheus exposition, read by prometheus_client (issue 10)",
    .enabled(if: PrometheusTextParser.isEnabled, PrometheusTextParser.skipMessage))
struct MetricsTests {
    @Test("requests by route template and status, latency histograms, access decisions by outcome, audit commits, token cache hits; no NHS number or token in a label")
    func apiMetrics() async throws {
        let fixture = try await RegionFixture.shared()
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetrics.makeFactory(registry: registry)
        let api = CareRecordAPI(
            repository: fixture.repository, auditStore: try temporaryAuditStore(), verifier: try await fixture.keys.verifier(metricsFactory: factory),
            participating: fixture.participating, baseURL: RegionFixture.baseURL, telemetry: Telemetry(metricsFactory: factory))
        let gpPatient = try fixture.nhs(\.registeredAtA81001)
        let withoutConsent = try fixture.nhs(\.hospitalActiveWithoutConsent)
        let optedOut = try fixture.nhs(\.hospitalOptedOut)
        let gp = try await fixture.keys.bearer(ods: "A81001")
        let hospital = try await fixture.keys.bearer(ods: "RJR")
        let override: HTTPFields = [.authorization: hospital, HTTPField.Name("X-Purpose-Of-Use")!: "BTG", HTTPField.Name("X-Access-Reason")!: "unconscious in ED"]
        try await Application(router: api.buildRouter()).test(.router) { client async throws in
            #expect(try await client.status(uri: "/Patient/\(gpPatient)", method: .get, headers: [.authorization: gp]) == .ok)
            #expect(try await client.status(uri: "/Patient/\(gpPatient)", method: .get, headers: [.authorization: gp]) == .ok)
            #expect(try await client.status(uri: "/Condition?patient=\(gpPatient)", method: .get, headers: [.authorization: gp]) == .ok)
            #expect(try await client.status(uri: "/Patient/\(withoutConsent)", method: .get, headers: [.authorization: hospital]) == .forbidden)
            #expect(try await client.status(uri: "/Patient/\(withoutConsent)", method: .get, headers: override) == .ok)
            #expect(try await client.status(uri: "/Patient/\(optedOut)", method: .get, headers: [.authorization: hospital]) == .forbidden)
            #expect(try await client.status(uri: "/Patient/\(gpPatient)", method: .get) == .unauthorized)
            #expect(try await client.status(uri: "/Patient/\(gpPatient)", method: .get, headers: [.authorization: "Bearer not.a.token"]) == .unauthorized)
            #expect(try await client.status(uri: "/Nowhere/\(gpPatient)", method: .get, headers: [.authorization: gp]) == .notFound)
            // A made-up method cannot mint a label value (this one carries the NHS number).
            #expect(try await client.status(uri: "/Patient/\(gpPatient)", method: try #require(HTTPRequest.Method("X\(gpPatient)")), headers: [.authorization: gp]) == .notFound)
        }
        let text = registry.emitToString()
        let families = try PrometheusTextParser.parse(text)

        let patientRead = ["route": "/Patient/{id}", "method": "GET"]
        #expect(families.value("care_record_http_requests_total", patientRead.merging(["status": "200"]) { $1 }) == 3)
        #expect(families.value("care_record_http_requests_total", patientRead.merging(["status": "403"]) { $1 }) == 2)
        #expect(families.value("care_record_http_requests_total", patientRead.merging(["status": "401"]) { $1 }) == 2)
        #expect(families.value("care_record_http_requests_total", ["route": "/Condition", "status": "200"]) == 1)
        #expect(families.value("care_record_http_requests_total", ["route": "unmatched", "method": "GET", "status": "404"]) == 1)
        #expect(families.value("care_record_http_requests_total", ["route": "unmatched", "method": "other", "status": "404"]) == 1)
        #expect(families.first { $0.name == "care_record_http_request_duration_seconds" }?.type == "histogram")
        #expect(families.value("care_record_http_request_duration_seconds_count", patientRead.merging(["status": "200"]) { $1 }) == 3)
        #expect(families.value("care_record_http_request_duration_seconds_bucket", patientRead.merging(["status": "200", "le": "+Inf"]) { $1 }) == 3)

        #expect(families.value("care_record_access_decisions_total", ["decision": "allowed", "reason": "consent"]) == 3)
        #expect(families.value("care_record_access_decisions_total", ["decision": "allowed", "reason": "emergency-override"]) == 1)
        #expect(families.value("care_record_access_decisions_total", ["decision": "refused", "reason": "CONSENT_REQUIRED"]) == 1)
        #expect(families.value("care_record_access_decisions_total", ["decision": "refused", "reason": "PATIENT_OPTED_OUT"]) == 1)
        #expect(families.value("care_record_access_decisions_total", ["decision": "refused", "reason": "TOKEN_INVALID"]) == 2)

        // Every request reached the API, so every one was audited.
        #expect(families.value("care_record_audit_records_committed_total") == 10)
        #expect(families.value("care_record_audit_records_per_commit_sum") == 10)
        #expect((families.value("care_record_audit_commit_duration_seconds_count") ?? 0) >= 1)
        #expect(families.value("care_record_audit_commit_failures_total") == 0)

        // The GP's and the hospital's tokens were verified once each, then found in the cache.
        #expect(families.value("care_record_token_cache_lookups_total", ["result": "hit"]) == 6)
        #expect(families.value("care_record_token_cache_lookups_total", ["result": "miss"]) == 3)
        #expect(families.value("care_record_token_verifications_total", ["outcome": "accepted"]) == 8)
        #expect(families.value("care_record_token_verifications_total", ["outcome": "malformed"]) == 1)

        for nhs in [gpPatient, withoutConsent, optedOut] { #expect(!text.contains(nhs)) }
        #expect(!text.contains(String(gp.dropFirst("Bearer ".count))))
        #expect(!families.labelValues.contains { $0.contains("dr.test") || $0.contains("Test User") })
    }

    @Test("a failed audit commit is counted with the records it held")
    func auditFailures() async throws {
        let registry = PrometheusCollectorRegistry()
        let log = AuditLog(store: FailingAuditStore(), metricsFactory: PrometheusMetrics.makeFactory(registry: registry))
        await #expect(throws: FailingAuditStore.Failure.self) {
            try await log.append(AuditRecord(recorded: "2026-11-28T10:00:00Z", requestID: "r1", method: "GET", path: "/x", interaction: "read", status: 200, reasonCode: "OK"))
        }
        let families = try PrometheusTextParser.parse(registry.emitToString())
        #expect(families.value("care_record_audit_commit_failures_total") == 1)
        #expect(families.value("care_record_audit_records_failed_total") == 1)
        #expect(families.value("care_record_audit_records_committed_total") == 0)
    }

    @Test("sync runs per source: accepted by type, rejected by reason, bytes, duration, runs by result, last success from the record")
    func syncMetrics() async throws {
        let folder = scratchFolder()
        _ = try RegionGenerator(patients: 60, seed: 7, outputDirectory: folder).run()
        let configuration = try CareRecordConfiguration.load(path: folder.appendingPathComponent("care-record.yaml").path)
        let repository = try SQLiteCareRecordRepository(path: try #require(configuration.databasePath))
        let registry = PrometheusCollectorRegistry()
        let metrics = SyncMetrics(factory: PrometheusMetrics.makeFactory(registry: registry))
        var sources = configuration.sources
        let gp = try #require(sources.first)
        sources.append(SourceConfiguration(
            id: "missing", ods: gp.ods, url: folder.appendingPathComponent("no-such-export", isDirectory: true), caFile: nil, clientCertificate: nil,
            clientKey: nil, bearerToken: nil, timeoutSeconds: 5, isGPPractice: false))
        try await repository.updateSources(sources.map(\.identity))
        let reports = await SyncRunner(repository: repository, logger: .quiet("test"), metrics: metrics).sync(sources)
        let families = try PrometheusTextParser.parse(registry.emitToString())

        let report = try #require(reports.first { $0.sourceId == gp.id })
        #expect(report.succeeded)
        let source = ["source": gp.id]
        #expect(families.value("care_record_sync_runs_total", source.merging(["result": "success"]) { $1 }) == 1)
        #expect(families.value("care_record_sync_runs_total", ["source": "missing", "result": "failure"]) == 1)
        #expect(families.value("care_record_sync_resources_accepted_total", source.merging(["resource_type": "Patient"]) { $1 }) == Double(report.accepted["Patient"] ?? -1))
        for (reason, count) in report.rejected {
            #expect(families.value("care_record_sync_resources_rejected_total", source.merging(["reason": reason]) { $1 }) == Double(count))
        }
        #expect(families.value("care_record_sync_bytes_total", source) == Double(report.bytes))
        #expect(families.value("care_record_sync_duration_seconds_count", source) == 1)
        let lastSuccess = try #require(families.value("care_record_sync_last_success_timestamp_seconds", source))
        #expect(abs(lastSuccess - (report.finishedAt ?? .distantPast).timeIntervalSince1970) < 1)
        #expect(families.value("care_record_sync_last_success_timestamp_seconds", ["source": "missing"]) == nil)

        // Another node's view: the gauge comes from the record, which every node shares.
        let otherRegistry = PrometheusCollectorRegistry()
        await SyncMetrics(factory: PrometheusMetrics.makeFactory(registry: otherRegistry)).refreshLastSuccess(from: repository)
        let other = try PrometheusTextParser.parse(otherRegistry.emitToString())
        #expect(abs((other.value("care_record_sync_last_success_timestamp_seconds", source) ?? 0) - lastSuccess) < 1)
    }
}
