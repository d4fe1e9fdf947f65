import FHIR
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Testing
import Upstream
import UpstreamSimulator
@testable import CareRecordServer

/// `server.tls` through a real socket, with libcurl (`CurlHTTPClient`, peer and host always verified) as the client.
@Suite("The API over HTTPS and mutual TLS (issue 10)")
struct TLSTests {
    /// Our CA with the API's certificate (127.0.0.1, localhost) and a client certificate; another CA with its own.
    struct Certificates {
        let serverCertificate: String
        let serverKey: String
        let ours: SimulatorCertificates.Files
        let theirs: SimulatorCertificates.Files

        init() throws {
            let folder = scratchFolder()
            let ours = try SimulatorCertificates.generate(commonName: "Care Record API test CA")
            self.ours = try ours.writeClientFiles(to: folder.appendingPathComponent("ours"))
            theirs = try SimulatorCertificates.generate(commonName: "Someone else's CA").writeClientFiles(to: folder.appendingPathComponent("theirs"))
            serverCertificate = folder.appendingPathComponent("server.pem").path
            serverKey = folder.appendingPathComponent("server-key.pem").path
            try Data(ours.serverCertificate.utf8).write(to: URL(fileURLWithPath: serverCertificate))
            try Data(ours.serverKey.utf8).write(to: URL(fileURLWithPath: serverKey))
        }
    }

    /// One GET through libcurl, never retried.
    static func curl(
        _ port: Int, _ path: String, ca: String, client: SimulatorCertificates.Files? = nil, bearer: String? = nil, headers: [String: String] = [:]
    ) async throws -> UpstreamResponse {
        var settings = HTTPClientSettings(
            caFile: ca, clientCertificate: client?.clientCertificate, clientKey: client?.clientKey, bearerToken: bearer.map { String($0.dropFirst("Bearer ".count)) })
        settings.retry = RetryPolicy(attempts: 1)
        var logger = Logger(label: "care-record.test")
        logger.logLevel = .critical
        return try await CurlHTTPClient(settings: settings, logger: logger).get(URL(string: "https://127.0.0.1:\(port)\(path)")!, headers: headers)
    }

    @Test("HTTPS: served with our CA (gzip decoded by libcurl); refused with another CA; plain HTTP to the port gets no answer; TLS 1.1 refused, 1.2 accepted")
    func https() async throws {
        let fixture = try await RegionFixture.shared()
        let nhs = try fixture.nhs(\.hospitalActiveWithConsent)
        let bearer = try await fixture.keys.bearer(ods: "RJR")
        let certificates = try Certificates()
        let tls = try ServerTLS(files: .init(certificate: certificates.serverCertificate, key: certificates.serverKey))
        try await whileServing(try await fixture.api(), tls: tls) { port in
            let metadata = try await Self.curl(port, "/metadata", ca: certificates.ours.caFile)
            #expect(metadata.status == 200)
            // libcurl offers every coding it decodes; the body arrives compressed and is read back as the searchset.
            let everything = try await Self.curl(port, "/Patient/\(nhs)/$everything", ca: certificates.ours.caFile, bearer: bearer)
            #expect(everything.status == 200)
            #expect(everything.headers["content-encoding"] == "gzip")
            let entries = try FHIRJSON.decode(FHIR.Bundle.self, from: everything.body).entry ?? []
            #expect(entries.contains { $0.fullUrl?.hasSuffix("/Patient/\(nhs)") == true })

            await #expect(throws: HTTPTransferError.self) { try await Self.curl(port, "/metadata", ca: certificates.theirs.caFile) }

            var plain = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/metadata")!)
            plain.timeoutInterval = 30
            if let (_, response) = try? await URLSession.shared.data(for: plain) {
                Issue.record("plain HTTP on the TLS port was answered: \((response as? HTTPURLResponse)?.statusCode ?? -1)")
            }

            let openssl = CommandLineTool.openssl
            let modern = try openssl.run(["s_client", "-connect", "127.0.0.1:\(port)", "-tls1_2", "-CAfile", certificates.ours.caFile, "-verify_return_error"])
            #expect(modern.status == 0, "\(modern.errors)")
            #expect(modern.output.contains("TLSv1.2"), "\(modern.output)")
            // The client side allows TLS 1.1 (security level 0), so only the server can refuse it.
            let old = try openssl.run(["s_client", "-connect", "127.0.0.1:\(port)", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", "-CAfile", certificates.ours.caFile])
            #expect(old.status != 0, "a TLS 1.1 handshake succeeded: \(old.output)")
        }
    }

    @Test("mutual TLS: a client without a certificate, or with one from another CA, is refused; one from the CA is served (and still needs its token)")
    func mutualTLS() async throws {
        let fixture = try await RegionFixture.shared()
        let nhs = try fixture.nhs(\.hospitalActiveWithConsent)
        let bearer = try await fixture.keys.bearer(ods: "RJR")
        let certificates = try Certificates()
        let tls = try ServerTLS(
            files: .init(certificate: certificates.serverCertificate, key: certificates.serverKey, clientCA: certificates.ours.caFile))
        try await whileServing(try await fixture.api(), tls: tls) { port in
            let ca = certificates.ours.caFile
            await #expect(throws: HTTPTransferError.self) { try await Self.curl(port, "/Patient/\(nhs)", ca: ca, bearer: bearer) }
            await #expect(throws: HTTPTransferError.self) {
                try await Self.curl(port, "/Patient/\(nhs)", ca: ca, client: certificates.theirs, bearer: bearer)
            }
            let served = try await Self.curl(port, "/Patient/\(nhs)", ca: ca, client: certificates.ours, bearer: bearer)
            #expect(served.status == 200)
            #expect(try FHIRJSON.decode(Patient.self, from: served.body).id == nhs)
            let anonymous = try await Self.curl(port, "/Patient/\(nhs)", ca: ca, client: certificates.ours)
            #expect(anonymous.status == 401)
        }
    }
}
