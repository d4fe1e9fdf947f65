import CareRecordStore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import Upstream
@testable import CareRecordCLI
@testable import CareRecordServer

/// The built `care-record serve` with `logging: { format: json }` and `server.metrics`, used over real sockets.
@Suite("care-record serve: JSON logs free of clinical data and tokens, /metrics on its own listener (issue 10)")
struct ServeObservabilityTests {
    static let traceID = "0af7651916cd43dd8448eb211c80319c"

    @Test("a patient read is logged as one JSON line with its request id, trace id and route, never the NHS number or the token; /metrics answers only on the metrics listener")
    func serve() async throws {
        let folder = scratchFolder()
        let summary = try RegionGenerator(patients: 60, seed: 3, outputDirectory: folder).run()
        let generated = folder.appendingPathComponent("care-record.yaml")
        let configuration = try CareRecordConfiguration.load(path: generated.path)
        let repository = try SQLiteCareRecordRepository(path: try #require(configuration.databasePath))
        #expect(await SyncRunner(repository: repository, logger: .quiet("test")).sync(configuration.sources).allSatisfy(\.succeeded))

        let (apiPort, metricsPort) = (try PostgresServer.freePort(), try PostgresServer.freePort())
        let text = try String(contentsOf: generated, encoding: .utf8).replacingOccurrences(
            of: "port: 8080, baseURL: \"http://127.0.0.1:8080\"",
            with: "port: \(apiPort), baseURL: \"http://127.0.0.1:\(apiPort)\", metrics: { host: 127.0.0.1, port: \(metricsPort) }")
            + "\nlogging: { format: json, level: info }\n"
        #expect(text.contains("metrics: { host: 127.0.0.1, port: \(metricsPort) }"))
        let config = folder.appendingPathComponent("observed.yaml")
        try Data(text.utf8).write(to: config)
        let logFile = folder.appendingPathComponent("serve.log")
        let node = try ServeNode(config: config, port: apiPort, log: logFile)
        defer { node.stop() }
        try await node.waitUntilHealthy()

        let patient = try #require(summary.registeredAtA81001)
        let refusedPatient = try #require(summary.hospitalActiveWithoutConsent)
        let signer = try await TokenSigner(keyFile: folder.appendingPathComponent("keys/signing-key.pem").path)
        let gpToken = try await Self.token(signer, ods: "A81001")
        let hospitalToken = try await Self.token(signer, ods: "RJR")
        let api = "http://127.0.0.1:\(apiPort)"

        let read = try await Self.get("\(api)/Patient/\(patient)", headers: [
            "Authorization": "Bearer \(gpToken)", "traceparent": "00-\(Self.traceID)-b7ad6b7169203331-01", "X-Correlation-ID": "ward-7-handover",
        ])
        #expect(read.status == 200)
        let requestID = try #require(read.headers["X-Request-ID"])
        #expect(read.headers["traceresponse"]?.hasPrefix("00-\(Self.traceID)-") == true)
        #expect(try await Self.get("\(api)/Patient/\(refusedPatient)", headers: ["Authorization": "Bearer \(hospitalToken)"]).status == 403)

        // Never on the API's listener; only /metrics on its own.
        #expect(try await Self.get("\(api)/metrics", headers: [:]).status == 404)
        #expect(try await Self.get("http://127.0.0.1:\(metricsPort)/Patient/\(patient)", headers: [:]).status == 404)
        let scrape = try await Self.get("http://127.0.0.1:\(metricsPort)/metrics", headers: [:])
        #expect(scrape.status == 200)
        #expect(scrape.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8")
        let exposition = String(decoding: scrape.body, as: UTF8.self)
        #expect(!exposition.contains(patient) && !exposition.contains(refusedPatient) && !exposition.contains(gpToken))
        if PrometheusTextParser.isEnabled {
            let families = try PrometheusTextParser.parse(exposition)
            #expect(families.value("care_record_http_requests_total", ["route": "/Patient/{id}", "method": "GET", "status": "200"]) == 1)
            #expect(families.value("care_record_http_requests_total", ["route": "/Patient/{id}", "method": "GET", "status": "403"]) == 1)
            #expect(families.value("care_record_http_requests_total", ["route": "unmatched", "status": "404"]) == 1)
            #expect(families.value("care_record_access_decisions_total", ["decision": "allowed", "reason": "consent"]) == 1)
            #expect(families.value("care_record_access_decisions_total", ["decision": "refused", "reason": "CONSENT_REQUIRED"]) == 1)
            #expect(families.value("care_record_audit_records_committed_total") == 3)
            #expect(families.value("care_record_token_cache_lookups_total", ["result": "miss"]) == 2)
            for source in configuration.sources {
                let last = try #require(families.value("care_record_sync_last_success_timestamp_seconds", ["source": source.id]), "\(source.id)")
                #expect(abs(last - Date().timeIntervalSince1970) < 600)
            }
        } else {
            #expect(exposition.contains(#"care_record_http_requests_total{route="/Patient/{id}",method="GET",status="200"} 1"#))
        }

        node.stop()
        let log = try String(contentsOf: logFile, encoding: .utf8)
        let lines = log.split(separator: "\n")
        #expect(lines.count >= 3)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object.map { Set($0.keys) } == ["timestamp", "level", "label", "message", "metadata"], "not a JSON log line: \(line)")
        }
        #expect(log.contains(requestID))
        #expect(log.contains(Self.traceID))
        #expect(log.contains("ward-7-handover"))
        #expect(log.contains("/Patient/{id}"))
        #expect(!log.contains(patient), "the NHS number is in the log")
        #expect(!log.contains(refusedPatient), "the NHS number is in the log")
        #expect(!log.contains(gpToken) && !log.contains(hospitalToken), "a token is in the log")
        for part in gpToken.split(separator: ".") { #expect(!log.contains(part), "part of a token is in the log") }
    }

    static func token(_ signer: TokenSigner, ods: String) async throws -> String {
        try await signer.sign(AccessTokenClaims(
            iss: ConfigTemplate.issuer, aud: ConfigTemplate.audience, sub: "dr.\(ods.lowercased())", exp: Date().addingTimeInterval(3600), iat: Date(),
            name: "Dr Observed", ods: ods, role: "doctor", registration: "GMC7654321", nhsNumber: nil))
    }

    struct Answer {
        let status: Int
        let headers: [String: String]
        let body: Data
    }

    static func get(_ url: String, headers: [String: String]) async throws -> Answer {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.timeoutInterval = 30
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var fields: [String: String] = [:]
        for name in ["X-Request-ID", "traceresponse", "Content-Type"] { fields[name] = http.value(forHTTPHeaderField: name) }
        return Answer(status: http.statusCode, headers: fields, body: data)
    }
}
