/// Why a signing key, verify key or checkpoint could not be loaded, made or written.
public enum AuditCheckpointError: Error, CustomStringConvertible, Equatable {
    /// The file is missing or cannot be read.
    case unreadable(path: String, reason: String)
    /// No PEM block, or one whose body is not base64.
    case notPEM(source: String)
    /// A PEM block of another kind, e.g. `RSA PRIVATE KEY`, or a public key where the private one belongs.
    case wrongKind(source: String, found: String, expected: String)
    /// The right kind of block, but for another algorithm (an RSA or EC key in PKCS#8, say).
    case notEd25519(source: String)
    /// Fields that cannot be signed unambiguously.
    case invalidCheckpoint(String)
    /// A checkpoint or key file (or its folder) could not be written.
    case writeFailed(path: String, reason: String)

    /// A sentence for the operator.
    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "cannot read \(path): \(reason)"
        case .notPEM(let source):
            "\(source) is not a PEM file (expected -----BEGIN PRIVATE KEY----- or -----BEGIN PUBLIC KEY-----)"
        case .wrongKind(let source, let found, let expected):
            "\(source) holds \(found), not an Ed25519 \(expected)"
        case .notEd25519(let source):
            "\(source) is not an Ed25519 key (make one with: openssl genpkey -algorithm ed25519)"
        case .invalidCheckpoint(let reason):
            "cannot sign this checkpoint: \(reason)"
        case .writeFailed(let path, let reason):
            "cannot write \(path): \(reason)"
        }
    }
}
