import Crypto
import Foundation
import SwiftASN1
import X509

/// A freshly generated CA with a server certificate for localhost/127.0.0.1 and a client certificate, as PEM.
public struct SimulatorCertificates: Sendable {
    public let caCertificate: String
    public let serverCertificate: String
    public let serverKey: String
    public let clientCertificate: String
    public let clientKey: String

    /// Generates the CA and both leaf certificates (P-256, valid for 30 days).
    public static func generate(commonName: String = "Care Record Upstream Simulator CA") throws -> SimulatorCertificates {
        let now = Date()
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName { CommonName(commonName) }
        let ca = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(caKey.publicKey), notValidBefore: now - 3600, notValidAfter: now + 30 * 86_400,
            issuer: caName, subject: caName,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(caKey))
        func leaf(_ name: String, usage: ExtendedKeyUsage.Usage, names: [GeneralName]) throws -> (String, String) {
            let key = P256.Signing.PrivateKey()
            let certificate = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey), notValidBefore: now - 3600, notValidAfter: now + 30 * 86_400,
                issuer: caName, subject: try DistinguishedName { CommonName(name) },
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                    try ExtendedKeyUsage([usage])
                    if !names.isEmpty { SubjectAlternativeNames(names) }
                },
                issuerPrivateKey: .init(caKey))
            return (try certificate.serializeAsPEM().pemString, key.pemRepresentation)
        }
        let server = try leaf("localhost", usage: .serverAuth, names: [.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))])
        let client = try leaf("care-record sync client", usage: .clientAuth, names: [])
        return SimulatorCertificates(
            caCertificate: try ca.serializeAsPEM().pemString, serverCertificate: server.0, serverKey: server.1,
            clientCertificate: client.0, clientKey: client.1)
    }

    /// The PEM files a client needs, written into `folder`.
    public struct Files: Sendable {
        public let caFile: String
        public let clientCertificate: String
        public let clientKey: String
    }

    /// Writes `upstream-ca.pem`, `client.pem` and `client-key.pem` (owner-only) into `folder`.
    @discardableResult
    public func writeClientFiles(to folder: URL) throws -> Files {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let files = Files(
            caFile: folder.appendingPathComponent("upstream-ca.pem").path, clientCertificate: folder.appendingPathComponent("client.pem").path,
            clientKey: folder.appendingPathComponent("client-key.pem").path)
        try Data(caCertificate.utf8).write(to: URL(fileURLWithPath: files.caFile))
        try Data(clientCertificate.utf8).write(to: URL(fileURLWithPath: files.clientCertificate))
        try Data(clientKey.utf8).write(to: URL(fileURLWithPath: files.clientKey))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: files.clientKey)
        return files
    }
}
