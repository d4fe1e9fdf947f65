/// Why a signing key, verify key or checkpoint could not be loaded, made or written.
public enum AuditCheckpointError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case notPEM(source: String)
    case wrongKind(source: String, found: String, expected: String)
    case notEd25519(source: String)
    case invalidCheckpoint(String)
    case writeFailed(path: String, reason: String)

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
