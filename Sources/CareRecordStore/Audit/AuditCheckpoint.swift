import Foundation

/// A signed statement that the audit chain reached `sequence` with `headHash`: kept outside the audit file,
/// it lets `verify` find records edited or removed by someone who could rewrite the whole file.
public struct AuditCheckpoint: Codable, Sendable, Hashable {
    /// The chain head's sequence number when the checkpoint was made.
    public var sequence: Int64
    /// The chain head record's hash (lower-case hex).
    public var headHash: String
    /// FHIR instant (UTC, milliseconds) when it was signed.
    public var time: String
    /// The serve node that wrote it, when several share one log.
    public var node: String?
    /// Base64 of the Ed25519 signature over `signedMessage`.
    public var signature: String

    /// Creates a checkpoint from its parts; `AuditSigningKey.checkpoint` makes signed ones.
    public init(sequence: Int64, headHash: String, time: String, node: String?, signature: String) {
        self.sequence = sequence
        self.headHash = headHash
        self.time = time
        self.node = node
        self.signature = signature
    }

    /// The exact bytes that are signed: fixed labels and one field a line, so any other tool can check a signature.
    public var signedMessage: Data {
        Data("care-record-audit-checkpoint\nv1\n\(sequence)\n\(headHash)\n\(time)\n\(node ?? "")".utf8)
    }

    /// Whether the fields can appear in a signed message unambiguously: a line break inside `time` or `node`
    /// would let one signature stand for two different checkpoints.
    var isWellFormed: Bool {
        sequence >= 1
            && headHash.utf8.count == 64 && headHash.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
            && !time.contains("\n") && !(node ?? "").contains("\n")
    }

    /// One line of JSON with sorted keys: the checkpoint file's format and the `checkpoint` log metadata value.
    public var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings and integers cannot fail.
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}
