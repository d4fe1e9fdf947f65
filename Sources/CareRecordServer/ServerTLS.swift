import Foundation
import NIOSSL

/// `server.tls`: the API's own HTTPS (TLS 1.2 at least); with `clientCA`, mutual TLS: every client must present a
/// certificate issued by that CA, or the handshake fails before any request is read.
public struct ServerTLS: Sendable {
    /// The PEM files as configured (absolute paths).
    public struct Files: Sendable, Equatable {
        /// The server's certificate, followed by any intermediates (PEM).
        public var certificate: String
        /// Its private key (PEM, unencrypted).
        public var key: String
        /// CA certificates (PEM) that client certificates must chain to; nil: no client certificates asked for.
        public var clientCA: String?

        public init(certificate: String, key: String, clientCA: String? = nil) {
            self.certificate = certificate
            self.key = key
            self.clientCA = clientCA
        }
    }

    public let files: Files
    /// The server configuration, checked: the files parse and the key belongs to the certificate.
    public let configuration: TLSConfiguration

    /// Reads and checks the files; a problem is one line naming the key and the file, without library internals.
    public init(files: Files) throws(ServerTLSError) {
        self.files = files
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(files.certificate)
        } catch {
            throw ServerTLSError(Self.problem(files.certificate, key: "certificate", what: "a PEM certificate"))
        }
        guard !chain.isEmpty else { throw ServerTLSError("server.tls.certificate: \(files.certificate) holds no PEM certificate") }
        let privateKey: NIOSSLPrivateKey
        do {
            privateKey = try NIOSSLPrivateKey(file: files.key, format: .pem)
        } catch {
            throw ServerTLSError(Self.problem(files.key, key: "key", what: "an unencrypted PEM private key"))
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        configuration.minimumTLSVersion = .tlsv12
        if let clientCA = files.clientCA {
            let authorities: [NIOSSLCertificate]
            do {
                authorities = try NIOSSLCertificate.fromPEMFile(clientCA)
            } catch {
                throw ServerTLSError(Self.problem(clientCA, key: "clientCA", what: "PEM CA certificates"))
            }
            guard !authorities.isEmpty else { throw ServerTLSError("server.tls.clientCA: \(clientCA) holds no PEM certificate") }
            // Client certificates name no host to check; the chain to these CAs (and only these) is required.
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = .certificates(authorities)
            // Named in the handshake, so a client holding several certificates can pick one these CAs issued.
            configuration.sendCANameList = true
        }
        do {
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw ServerTLSError("server.tls: the key \(files.key) does not belong to the certificate \(files.certificate)")
        }
        self.configuration = configuration
    }

    private static func problem(_ path: String, key: String, what: String) -> String {
        FileManager.default.isReadableFile(atPath: path)
            ? "server.tls.\(key): \(path) does not hold \(what)" : "server.tls.\(key): cannot read \(path)"
    }
}

/// Why `server.tls` cannot be used, in one line.
public struct ServerTLSError: Error, CustomStringConvertible, Equatable {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
