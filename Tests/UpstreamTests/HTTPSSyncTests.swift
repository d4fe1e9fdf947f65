import CareRecordServer
import CareRecordStore
import FHIR
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Upstream
import UpstreamSimulator
@testable import CareRecordCLI

@Suite("Sync over HTTPS through libcurl (C3)")
struct HTTPSSyncTests {
    @Test("a real HTTPS Bulk Data sync of every source, then the data read back through the API")
    func endToEnd() async throws {
        try await SimulatedRegion.with(requireClientCertificate: true, bearerToken: "upstream-secret") { region in
            let repository = try SQLiteCareRecordRepository(path: try #require(region.configuration.databasePath))
            let reports = await SyncRunner(repository: repository, options: SimulatedRegion.quickOptions).sync(region.configuration.sources)
            for report in reports { #expect(report.succeeded, "\(report.sourceId): \(report.error ?? "")") }
            #expect(reports.map(\.patients).reduce(0, +) > 60)
            #expect(reports.allSatisfy { $0.bytes > 0 })

            let nhs = try #require(region.summary.hospitalActiveWithConsent)
            let api = try await APIFactory.make(region.configuration)
            let token = try await TokenSigner(keyFile: region.folder.appendingPathComponent("keys/signing-key.pem").path).sign(
                AccessTokenClaims(iss: ConfigTemplate.issuer, aud: ConfigTemplate.audience, sub: "dr.t", exp: Date() + 600, iat: Date(), ods: "RJR", role: "doctor", registration: "GMC-1"))
            try await Application(router: api.buildRouter()).test(.router) { client in
                let response = try await client.execute(uri: "/Condition?patient=\(nhs)", method: .get, headers: [.authorization: "Bearer \(token)"]) { $0 }
                #expect(response.status == .ok)
                let bundle = try FHIRJSON.decode(FHIR.Bundle.self, from: Data(response.body.readableBytesView))
                #expect((bundle.total ?? 0) > 0)
                guard case .condition(let condition)? = bundle.entry?.first?.resource else { Issue.record("no Condition"); return }
                #expect(condition.meta?.source?.hasPrefix("urn:care-record:source:") == true)
            }
        }
    }

    @Test("each injected fault fails its source with the cause named, keeps its last good data, and others still refresh", arguments: [
        (SimulatorFault.serverError, "HTTP 500"), (.truncatedFile, "malformed"), (.malformedLine, "malformed"),
        (.redirectToHTTP, "redirect"), (.neverCompletes, "not complete"), (.slow(seconds: 6), "Timeout"),
    ])
    func fault(_ fault: SimulatorFault, _ cause: String) async throws {
        try await SimulatedRegion.with(patients: 30) { region in
            let repository = try SQLiteCareRecordRepository(path: try #require(region.configuration.databasePath))
            let sources = region.configuration.sources.filter { ["gp-a81001", "acute-rjr"].contains($0.id) }
            #expect(await SyncRunner(repository: repository, options: SimulatedRegion.quickOptions).sync(sources).allSatisfy { $0.succeeded })
            // The faulted sync holds exports to 4 seconds, so one that never completes fails in reasonable time.
            var hurried = SimulatedRegion.quickOptions
            hurried.exportTimeout = .seconds(4)
            let runner = SyncRunner(repository: repository, options: hurried)
            let before = try await repository.sourceStatuses().first { $0.source.id == "gp-a81001" }?.lastSuccess
            let patient = try #require(region.summary.registeredAtA81001.flatMap(NHSNumber.init))
            let servedBefore = try await repository.patient(patient)

            region.simulator.setFault(fault, for: "gp-a81001")
            // Only the slow fault's source is held to a short transfer time (shorter than its delay): a 2-second limit on the
            // others made a busy machine's slow transfer fail as a timeout instead of the fault it was meant to show.
            let faulted = sources.map { source in
                var quick = source
                if source.id == "gp-a81001", case .slow = fault { quick.timeoutSeconds = 2 }
                return quick
            }
            let reports = await runner.sync(faulted)
            let failed = try #require(reports.first { $0.sourceId == "gp-a81001" })
            #expect(!failed.succeeded)
            #expect(failed.error?.localizedCaseInsensitiveContains(cause) == true, "\(failed.error ?? "no error")")
            #expect(reports.first { $0.sourceId == "acute-rjr" }?.succeeded == true)
            #expect(try await repository.patient(patient) == servedBefore)
            let after = try await repository.sourceStatuses().first { $0.source.id == "gp-a81001" }
            #expect(after?.lastSuccess == before)
            #expect(after?.lastAttempt?.succeeded == false)
        }
    }

    @Test("every export is kicked off before the first source's import ends; imports run in order and leave no download behind")
    func exportsAhead() async throws {
        try await SimulatedRegion.with(patients: 30) { region in
            let repository = try SQLiteCareRecordRepository(path: try #require(region.configuration.databasePath))
            var options = SimulatedRegion.quickOptions
            options.scratchDirectory = region.folder.appendingPathComponent("scratch")
            let sources = region.configuration.sources
            #expect(sources.count > 2)
            let reports = await SyncRunner(repository: repository, options: options).sync(sources)
            #expect(reports.map(\.sourceId) == sources.map(\.id))
            for report in reports { #expect(report.succeeded, "\(report.sourceId): \(report.error ?? "")") }
            // One after another, a later source's export would be kicked off only after the first source's import ended
            // (each export takes at least the simulator's one-second Retry-After).
            let firstImported = try #require(reports[0].finishedAt)
            for source in sources {
                let kickedOff = try #require(region.simulator.kickOffTimes(for: source.id).first, "\(source.id) never kicked off")
                #expect(kickedOff < firstImported, "\(source.id)")
            }
            // Imports in order: each finishes after the one before it.
            let finished = reports.compactMap(\.finishedAt)
            #expect(finished == finished.sorted())
            #expect(try FileManager.default.contentsOfDirectory(atPath: options.scratchDirectory.path).isEmpty)
        }
    }

    @Test("an implausible drop is refused unless forced")
    func implausibleDrop() async throws {
        try await SimulatedRegion.with(patients: 60) { region in
            let repository = try SQLiteCareRecordRepository(path: try #require(region.configuration.databasePath))
            let source = try #require(region.configuration.sources.first { $0.id == "gp-a81001" })
            #expect(await SyncRunner(repository: repository, options: SimulatedRegion.quickOptions).sync(source).succeeded)
            // The upstream now exports a tenth of its patients.
            let folder = region.folder.appendingPathComponent("sources/gp-a81001")
            try RegionGenerator(patients: 6, seed: 5, outputDirectory: region.folder.appendingPathComponent("small")).run()
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) { try FileManager.default.removeItem(at: folder.appendingPathComponent(file)) }
            for file in try FileManager.default.contentsOfDirectory(atPath: region.folder.appendingPathComponent("small/sources/gp-a81001").path) {
                try FileManager.default.copyItem(at: region.folder.appendingPathComponent("small/sources/gp-a81001/\(file)"), to: folder.appendingPathComponent(file))
            }
            let refused = await SyncRunner(repository: repository, options: SimulatedRegion.quickOptions).sync(source)
            #expect(!refused.succeeded)
            #expect(refused.error?.contains("implausible drop") == true)
            var forced = SimulatedRegion.quickOptions
            forced.force = true
            let applied = await SyncRunner(repository: repository, options: forced).sync(source)
            #expect(applied.succeeded)
            #expect(applied.patients == 2)
        }
    }
}

@Suite("libcurl client security")
struct CurlClientSecurityTests {
    func settings(_ region: SimulatedRegion, clientCertificate: Bool) -> HTTPClientSettings {
        var settings = HTTPClientSettings(caFile: region.files.caFile)
        if clientCertificate {
            settings.clientCertificate = region.files.clientCertificate
            settings.clientKey = region.files.clientKey
        }
        settings.retry = RetryPolicy(attempts: 1)
        return settings
    }

    @Test("mutual TLS required: with the client certificate it works, without it the transfer fails")
    func mutualTLS() async throws {
        try await SimulatedRegion.with(patients: 5, requireClientCertificate: true) { region in
            let url = try #require(region.simulator.kickOffURL(for: "gp-a81001"))
            let ok = try await CurlHTTPClient(settings: settings(region, clientCertificate: true)).get(url, headers: ["Prefer": "respond-async"])
            #expect(ok.status == 202)
            await #expect(throws: HTTPTransferError.self) {
                _ = try await CurlHTTPClient(settings: settings(region, clientCertificate: false)).get(url, headers: ["Prefer": "respond-async"])
            }
        }
    }

    @Test("a server certificate not signed by the configured CA is refused")
    func untrustedCertificate() async throws {
        try await SimulatedRegion.with(patients: 5) { region in
            let url = try #require(region.simulator.kickOffURL(for: "gp-a81001"))
            let otherCA = try SimulatorCertificates.generate(commonName: "Somebody else's CA").writeClientFiles(to: region.folder.appendingPathComponent("other"))
            var untrusting = HTTPClientSettings(caFile: otherCA.caFile)
            untrusting.retry = RetryPolicy(attempts: 1)
            do {
                _ = try await CurlHTTPClient(settings: untrusting).get(url)
                Issue.record("an untrusted certificate was accepted")
            } catch let error as HTTPTransferError {
                #expect(error.description.contains("curl error 60") || error.description.contains("curl error 35"), "\(error)")
            }
        }
    }

    @Test("a redirect to plain http is refused; one to https on the same host is followed")
    func redirects() throws {
        let from = URL(string: "https://gp.example.org/fhir/$export")!
        #expect(throws: HTTPTransferError.self) { try CurlHTTPClient.redirectTarget(from: from, location: "http://gp.example.org/fhir/$export") }
        #expect(throws: HTTPTransferError.self) { try CurlHTTPClient.redirectTarget(from: from, location: "https://evil.example/x") }
        #expect(try CurlHTTPClient.redirectTarget(from: from, location: "/other/$export").absoluteString == "https://gp.example.org/other/$export")
    }

    @Test("a download over the size limit is stopped")
    func oversize() async throws {
        try await SimulatedRegion.with(patients: 20) { region in
            let port = try #require(region.simulator.port)
            var small = settings(region, clientCertificate: false)
            small.maximumBytes = 1000
            let file = region.folder.appendingPathComponent("download.ndjson")
            do {
                _ = try await CurlHTTPClient(settings: small).get(URL(string: "https://127.0.0.1:\(port)/gp-a81001/files/Patient.ndjson")!, to: file)
                Issue.record("an oversize download was not stopped")
            } catch let error as HTTPTransferError {
                #expect(error == .tooLarge(limit: 1000, host: "127.0.0.1"))
            }
        }
    }
}

@Suite("Retries")
struct RetryTests {
    @Test("backoff doubles from the base with jitter, is capped, and Retry-After wins")
    func delays() {
        let policy = RetryPolicy(attempts: 5, baseDelay: .milliseconds(100), maximumDelay: .seconds(1))
        for attempt in 1...3 {
            let delay = policy.delay(afterAttempt: attempt, retryAfter: nil)
            let nominal = Duration.milliseconds(100) * (1 << (attempt - 1))
            #expect(delay >= nominal * 0.5 && delay <= nominal * 1.5)
        }
        #expect(policy.delay(afterAttempt: 12, retryAfter: nil) == .seconds(1))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(7)) == .seconds(1))
        #expect(RetryPolicy().delay(afterAttempt: 1, retryAfter: .seconds(7)) == .seconds(7))
    }

    @Test("5xx is retried up to the attempt limit; a 4xx is not retried")
    func retriedOrNot() async throws {
        try await SimulatedRegion.with(patients: 5, bearerToken: "right") { region in
            var settings = HTTPClientSettings(caFile: region.files.caFile, bearerToken: "right")
            settings.retry = RetryPolicy(attempts: 3, baseDelay: .milliseconds(10))
            region.simulator.setFault(.serverError, for: "gp-a81001")
            let failing = try #require(region.simulator.kickOffURL(for: "gp-a81001"))
            let response = try await CurlHTTPClient(settings: settings).get(failing, headers: ["Prefer": "respond-async"])
            #expect(response.status == 500)
            #expect(region.simulator.requestCount(for: "gp-a81001") == 3)

            settings.bearerToken = "wrong"
            let refused = try #require(region.simulator.kickOffURL(for: "acute-rjr"))
            #expect(try await CurlHTTPClient(settings: settings).get(refused, headers: ["Prefer": "respond-async"]).status == 401)
            #expect(region.simulator.requestCount(for: "acute-rjr") == 1)
        }
    }
}
