import CareRecordServer
import Foundation
import Testing
import UpstreamSimulator
@testable import CareRecordCLI

@Suite("server.tls and server.cors (issue 10)")
struct ServerSectionConfigurationTests {
    /// The valid configuration with `server` replaced, in a folder holding a generated CA, server certificate and key
    /// (`certs/`), another CA's certificate and key (`other/`) and a file that is not PEM.
    func load(server: String) throws -> CareRecordConfiguration {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("care-record-tests/server-\(UUID().uuidString)")
        for (name, certificates) in [("certs", try SimulatorCertificates.generate()), ("other", try SimulatorCertificates.generate())] {
            let certs = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: certs, withIntermediateDirectories: true)
            try Data(certificates.caCertificate.utf8).write(to: certs.appendingPathComponent("ca.pem"))
            try Data(certificates.serverCertificate.utf8).write(to: certs.appendingPathComponent("server.pem"))
            try Data(certificates.serverKey.utf8).write(to: certs.appendingPathComponent("server-key.pem"))
        }
        try Data("not a certificate\n".utf8).write(to: folder.appendingPathComponent("junk.pem"))
        let text = validConfiguration.replacingOccurrences(
            of: #"server: { host: 127.0.0.1, port: 8181, baseURL: "https://care.example.org" }"#, with: server)
        #expect(text != validConfiguration)
        let file = folder.appendingPathComponent("care-record.yaml")
        try Data(text.utf8).write(to: file)
        return try CareRecordConfiguration.load(path: file.path)
    }

    func problem(server: String) -> String {
        do {
            _ = try load(server: server)
            return "loaded"
        } catch {
            return "\(error)"
        }
    }

    @Test("tls: files resolved against the folder and checked; the default baseURL becomes https")
    func tls() throws {
        let configuration = try load(server: "server: { port: 8443, tls: { certificate: certs/server.pem, key: certs/server-key.pem, clientCA: certs/ca.pem } }")
        let files = try #require(configuration.server.tls)
        #expect(files.certificate.hasPrefix("/") && files.certificate.hasSuffix("/certs/server.pem"))
        #expect(files.key.hasSuffix("/certs/server-key.pem"))
        #expect(files.clientCA?.hasSuffix("/certs/ca.pem") == true)
        #expect(configuration.server.baseURL == "https://127.0.0.1:8443")
        #expect(try APIFactory.tls(configuration)?.configuration.minimumTLSVersion == .tlsv12)

        let plain = try load(server: "server: { port: 8080 }")
        #expect(plain.server.tls == nil)
        #expect(plain.server.baseURL == "http://127.0.0.1:8080")
        #expect(try APIFactory.tls(plain) == nil)
    }

    @Test("cors: origins kept as browsers send them; none by default")
    func cors() throws {
        let configuration = try load(server: #"server: { cors: { allowedOrigins: ["HTTPS://Portal.Example.org:443", "http://127.0.0.1:3000"] } }"#)
        #expect(configuration.server.cors.allowedOrigins == ["https://portal.example.org", "http://127.0.0.1:3000"])
        #expect(try load(server: "server: { port: 8080 }").server.cors.allowedOrigins.isEmpty)
    }

    @Test("each problem is one line naming the key", arguments: problemCases)
    func problems(_ server: String, _ expected: String) {
        let message = problem(server: server)
        #expect(message.contains(expected), "\(message)")
        #expect(!message.contains("\n"))
    }

    static let problemCases: [(String, String)] = [
        ("server: { tls: { certificate: certs/server.pem, key: certs/server-key.pem, ca: certs/ca.pem } }", "unknown key 'server.tls.ca'"),
        ("server: { tls: { certificate: certs/server.pem } }", "missing 'server.tls.key'"),
        ("server: { tls: { certificate: certs/absent.pem, key: certs/server-key.pem } }", "server.tls.certificate: cannot read"),
        ("server: { tls: { certificate: junk.pem, key: certs/server-key.pem } }", "server.tls.certificate:"),
        ("server: { tls: { certificate: certs/server.pem, key: junk.pem } }", "does not hold an unencrypted PEM private key"),
        ("server: { tls: { certificate: certs/server.pem, key: other/server-key.pem } }", "does not belong to the certificate"),
        ("server: { tls: { certificate: certs/server.pem, key: certs/server-key.pem, clientCA: certs/absent.pem } }", "server.tls.clientCA: cannot read"),
        ("server: { tls: { certificate: certs/server.pem, key: certs/server-key.pem, clientCA: junk.pem } }", "server.tls.clientCA:"),
        (#"server: { cors: { origins: ["https://portal.example.org"] } }"#, "unknown key 'server.cors.origins'"),
        (#"server: { cors: { allowedOrigins: ["*"] } }"#, "'*' is not an origin"),
        (#"server: { cors: { allowedOrigins: ["https://portal.example.org/"] } }"#, "'https://portal.example.org/' is not an origin"),
        (#"server: { cors: { allowedOrigins: ["portal.example.org"] } }"#, "'portal.example.org' is not an origin"),
        (#"server: { cors: { allowedOrigins: "https://portal.example.org" } }"#, "server.cors.allowedOrigins must be a list"),
    ]
}
