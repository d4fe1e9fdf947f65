import Crypto
import Foundation

/// The Ed25519 public key that checks audit checkpoints; it can be given to auditors, who cannot sign with it.
public struct AuditVerifyKey: Sendable {
    let publicKey: Curve25519.Signing.PublicKey

    init(publicKey: Curve25519.Signing.PublicKey) {
        self.publicKey = publicKey
    }

    /// Reads a SubjectPublicKeyInfo PEM public key (`-----BEGIN PUBLIC KEY-----`, as `openssl pkey -pubout` writes).
    public init(pemFile path: String) throws {
        try self.init(pem: AuditKeyPEM.read(path: path), source: path)
    }

    /// Parses SubjectPublicKeyInfo PEM public key text.
    public init(pem: String) throws {
        try self.init(pem: pem, source: "the verify key")
    }

    private init(pem: String, source: String) throws {
        let raw = try AuditKeyPEM.rawKey(pem: pem, label: AuditKeyPEM.publicLabel, prefix: AuditKeyPEM.publicPrefix, source: source)
        publicKey = try Curve25519.Signing.PublicKey(rawRepresentation: raw)
    }

    /// The key as SubjectPublicKeyInfo PEM.
    public var publicKeyPEM: String {
        AuditKeyPEM.encode(label: AuditKeyPEM.publicLabel, prefix: AuditKeyPEM.publicPrefix, raw: publicKey.rawRepresentation)
    }

    /// Whether the checkpoint's signature was made by this key's private half over exactly these fields.
    public func isAuthentic(_ checkpoint: AuditCheckpoint) -> Bool {
        guard checkpoint.isWellFormed, let signature = Data(base64Encoded: checkpoint.signature) else { return false }
        return publicKey.isValidSignature(signature, for: checkpoint.signedMessage)
    }
}
