/// Walks the log like `AuditChainVerifier` and holds it to signed checkpoints: a chain that is internally
/// consistent but was recomputed after an edit, cut short, or restored from an older copy no longer matches them.
/// Records after the latest checkpoint are protected by the chain alone until the next checkpoint.
public struct AuditCheckpointVerifier {
    private var chain = AuditChainVerifier()
    /// Authentic checkpoints in sequence order; `next` is the first not yet reached.
    private let checkpoints: [AuditCheckpoint]
    private var next = 0
    /// The first checkpoint that is not authentic, as a problem; nil when all are.
    public let signatureProblem: String?

    /// Records that followed the chain and matched any checkpoint at their sequence, so far.
    public private(set) var checked: Int64 = 0

    /// Prepares to check a log against `checkpoints`, each of which must be signed by `key`.
    public init(checkpoints: [AuditCheckpoint], key: AuditVerifyKey) {
        var authentic: [AuditCheckpoint] = []
        var forged: AuditCheckpoint?
        for checkpoint in checkpoints {
            if key.isAuthentic(checkpoint) { authentic.append(checkpoint) } else if forged == nil { forged = checkpoint }
        }
        signatureProblem = forged.map { "checkpoint at record \($0.sequence) has an invalid signature: forged or signed with another key" }
        // Only authentic checkpoints vouch for records; sorted, so one pass over the log meets them in order.
        self.checkpoints = authentic.sorted { $0.sequence < $1.sequence }
    }

    /// The problem with this record (chain first, then any checkpoint at its sequence), or nil.
    public mutating func check(_ record: AuditRecord) -> String? {
        if let problem = chain.check(record) { return problem }
        while next < checkpoints.count, checkpoints[next].sequence <= record.sequence {
            let checkpoint = checkpoints[next]
            next += 1
            if checkpoint.headHash != record.hash {
                return "record \(record.sequence) differs from the signed checkpoint of \(checkpoint.time): records were edited and the chain recomputed"
            }
        }
        checked += 1
        return nil
    }

    /// After the last record: the recorded head must match the chain end, and the log must reach the latest checkpoint.
    public func finish(head: (sequence: Int64, hash: String)?) -> String? {
        if let problem = chain.finish(head: head) { return problem }
        guard let latest = checkpoints.last, latest.sequence > checked else { return nil }
        return "the log ends at record \(checked) but a signed checkpoint of \(latest.time) covers record \(latest.sequence): "
            + "records removed from the end and the head rewritten, or an older copy restored (behind the latest checkpoint)"
    }
}
