import Crypto
import FHIR
import Foundation

/// The Ed25519 key that signs audit checkpoints; kept apart from the audit database so that whoever can write the
/// database still cannot produce a checkpoint for a rewritten chain.
public struct AuditSigningKey: Sendable {
    let privateKey: Curve25519.Signing.PrivateKey

    /// A new random key.
    public init() {
        privateKey = Curve25519.Signing.PrivateKey()
    }

    /// Reads a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`, as `openssl genpkey -algorithm ed25519` writes).
    public init(pemFile path: String) throws {
        try self.init(pem: AuditKeyPEM.read(path: path), source: path)
    }

    /// Parses PKCS#8 PEM private key text.
    public init(pem: String) throws {
        try self.init(pem: pem, source: "the signing key")
    }

    private init(pem: String, source: String) throws {
        let raw = try AuditKeyPEM.rawKey(pem: pem, label: AuditKeyPEM.privateLabel, prefix: AuditKeyPEM.privatePrefix, source: source)
        privateKey = try Curve25519.Signing.PrivateKey(rawRepresentation: raw)
    }

    /// Loads the key at `path`, or makes one there (folder included, file mode 0600) when there is none;
    /// an existing file is never replaced, since checkpoints already signed with it would stop verifying.
    public static func loadOrCreate(path: String) throws -> (key: AuditSigningKey, created: Bool) {
        if FileManager.default.fileExists(atPath: path) {
            return (try AuditSigningKey(pemFile: path), false)
        }
        try AuditFileIO.createDirectory(for: path)
        let key = AuditSigningKey()
        guard try AuditFileIO.createExclusively(Data(key.privateKeyPEM.utf8), at: path, mode: 0o600) else {
            // Another process made it between the check and the write: use theirs.
            return (try AuditSigningKey(pemFile: path), false)
        }
        return (key, true)
    }

    /// The public half, for verifying checkpoints.
    public var verifyKey: AuditVerifyKey {
        AuditVerifyKey(publicKey: privateKey.publicKey)
    }

    /// The public key as SubjectPublicKeyInfo PEM (what `openssl pkey -pubout` prints).
    public var publicKeyPEM: String {
        verifyKey.publicKeyPEM
    }

    /// The private key as PKCS#8 PEM.
    public var privateKeyPEM: String {
        AuditKeyPEM.encode(label: AuditKeyPEM.privateLabel, prefix: AuditKeyPEM.privatePrefix, raw: privateKey.rawRepresentation)
    }

    /// Signs a checkpoint of the chain head `sequence`/`headHash`.
    public func checkpoint(sequence: Int64, headHash: String, time: String = FHIRDateTime.instant(Date()), node: String? = nil) throws -> AuditCheckpoint {
        var checkpoint = AuditCheckpoint(sequence: sequence, headHash: headHash, time: time, node: node, signature: "")
        guard checkpoint.isWellFormed else {
            throw AuditCheckpointError.invalidCheckpoint(
                "sequence must be at least 1, headHash 64 lower-case hex digits, time and node without line breaks")
        }
        checkpoint.signature = try privateKey.signature(for: checkpoint.signedMessage).base64EncodedString()
        return checkpoint
    }
}
