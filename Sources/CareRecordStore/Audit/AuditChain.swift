import Crypto
import FHIR
import Foundation

/// The hash chain that makes the audit log tamper-evident: each record's hash covers its content and the previous hash.
public enum AuditChain {
    /// The hash before the first record.
    public static let genesis = String(repeating: "0", count: 64)

    /// SHA-256 over the previous hash and the record's canonical JSON (sorted keys, without its own hash fields).
    public static func hash(_ record: AuditRecord, previous: String) -> String {
        var hasher = SHA256()
        var previous = previous
        previous.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        record.canonicalJSON().withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return hasher.finalize().hexadecimal
    }

    /// The same hash through `JSONEncoder`, as every chain before issue 12 was written: the reference the canonical writer
    /// is tested against.
    static func hashThroughJSONEncoder(_ record: AuditRecord, previous: String) -> String {
        var content = record
        content.previousHash = ""
        content.hash = ""
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(content)) ?? Data()
        var hasher = SHA256()
        hasher.update(data: Data(previous.utf8))
        hasher.update(data: json)
        return hasher.finalize().hexadecimal
    }

    /// Links records after `previous`: sets each one's sequence, previous hash and hash.
    public static func link(_ records: [AuditRecord], after previous: (sequence: Int64, hash: String)) -> [AuditRecord] {
        var last = previous
        return records.map { record in
            var linked = record
            linked.sequence = last.sequence + 1
            linked.previousHash = last.hash
            linked.hash = hash(linked, previous: last.hash)
            last = (linked.sequence, linked.hash)
            return linked
        }
    }

    /// The first break in a log read in sequence order, or nil when the chain is intact.
    public static func firstBreak(in records: some Sequence<AuditRecord>, head: (sequence: Int64, hash: String)?) -> String? {
        var verifier = AuditChainVerifier()
        for record in records {
            if let problem = verifier.check(record) { return problem }
        }
        return verifier.finish(head: head)
    }
}

/// Walks the log in sequence order, one record at a time, so a log of any length is checked in constant memory.
public struct AuditChainVerifier {
    public private(set) var checked: Int64 = 0
    private var expected: (sequence: Int64, hash: String) = (0, AuditChain.genesis)

    public init() {}

    /// The problem with this record, or nil when it follows the previous one.
    public mutating func check(_ record: AuditRecord) -> String? {
        if record.sequence != expected.sequence + 1 {
            return "record \(expected.sequence + 1) is missing (the next present is \(record.sequence)): deleted"
        }
        if record.previousHash != expected.hash {
            return "record \(record.sequence) does not follow record \(expected.sequence): inserted or replaced"
        }
        if AuditChain.hash(record, previous: record.previousHash) != record.hash {
            return "record \(record.sequence) was altered after it was written"
        }
        expected = (record.sequence, record.hash)
        checked += 1
        return nil
    }

    /// After the last record: the log must end where the recorded head says.
    public func finish(head: (sequence: Int64, hash: String)?) -> String? {
        guard let head else {
            // Every append writes the head, so records without one mean it was deleted.
            return expected.sequence == 0 ? nil : "the log ends at record \(expected.sequence) but has no head: the head was removed"
        }
        if head.sequence == expected.sequence, head.hash == expected.hash { return nil }
        if head.sequence > expected.sequence {
            return "the log ends at record \(expected.sequence) but its head says \(head.sequence): records removed from the end"
        }
        return "the head (record \(head.sequence)) does not match the end of the log (record \(expected.sequence)): the head was rewritten"
    }
}
