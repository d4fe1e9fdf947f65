@testable import CareRecordStore
import Foundation
import Testing

/// The audit chain's hand-written canonical JSON (issue 12) against the `JSONEncoder` bytes every chain before it was
/// hashed with: if they ever differ, logs written by earlier releases would fail `audit verify`.
@Suite("The audit record's canonical JSON")
struct AuditCanonicalJSONTests {
    /// A seeded SplitMix64, so a failure names the seed that reproduces it.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Every control character, JSON's specials, `/`, DEL, non-ASCII (2-, 3- and 4-byte UTF-8, U+2028, a BOM).
    static let alphabet: [Unicode.Scalar] =
        (0..<0x80).compactMap(Unicode.Scalar.init) + ["é", "\u{2028}", "\u{2029}", "\u{FEFF}", "😀", "ß", "\u{7FF}", "\u{800}"]

    static func text(_ random: inout SeededGenerator) -> String {
        var text = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...24, using: &random) { text.append(alphabet.randomElement(using: &random)!) }
        return String(text)
    }

    static func optionalText(_ random: inout SeededGenerator) -> String? {
        Bool.random(using: &random) ? text(&random) : nil
    }

    static func record(_ random: inout SeededGenerator) -> AuditRecord {
        var record = AuditRecord(
            recorded: text(&random), requestID: text(&random), method: text(&random), path: text(&random), interaction: text(&random),
            status: Int.random(in: -1000...1000, using: &random), reasonCode: text(&random))
        record.sequence = Int64.random(in: Int64.min...Int64.max, using: &random)
        record.userSub = optionalText(&random)
        record.userName = optionalText(&random)
        record.userRole = optionalText(&random)
        record.userOds = optionalText(&random)
        record.userRegistration = optionalText(&random)
        record.clientAddress = optionalText(&random)
        record.resourceType = optionalText(&random)
        record.patientNHS = optionalText(&random)
        record.returned = optionalText(&random)
        record.basis = optionalText(&random)
        record.accessReason = optionalText(&random)
        record.purposeOfUse = optionalText(&random)
        record.clientRequestID = optionalText(&random)
        record.correlationID = optionalText(&random)
        record.attemptedPatientNHS = optionalText(&random)
        record.throttledCount = Bool.random(using: &random) ? Int.random(in: Int.min...Int.max, using: &random) : nil
        record.patientRegisteredOds = optionalText(&random)
        record.reviewOf = Bool.random(using: &random) ? Int64.random(in: 0...Int64.max, using: &random) : nil
        record.reviewOutcome = optionalText(&random)
        record.reviewNote = optionalText(&random)
        record.previousHash = text(&random)
        record.hash = text(&random)
        return record
    }

    @Test("hashes equal JSONEncoder's over 5,000 generated records", arguments: [UInt64(1), 2, 3, 4, 5])
    func sameAsJSONEncoder(seed: UInt64) {
        var random = SeededGenerator(state: seed)
        for index in 0..<1000 {
            let record = Self.record(&random)
            let previous = Self.text(&random)
            #expect(
                AuditChain.hash(record, previous: previous) == AuditChain.hashThroughJSONEncoder(record, previous: previous),
                "seed \(seed), record \(index)")
        }
    }

    @Test("bytes equal JSONEncoder's for a record with every field set and one with none")
    func bytes() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var full = AuditRecord(recorded: "2026-11-28T06:00:00.000Z", requestID: "r/1", method: "GET", path: "/Patient/9434765919?x=\"a\\b\"\n",
                               interaction: "read", status: 200, reasonCode: "OK")
        full.userSub = "gp"; full.userName = "Dr Ä"; full.userRole = "doctor"; full.userOds = "A81001"; full.userRegistration = "GMC"
        full.clientAddress = "127.0.0.1"; full.resourceType = "Patient"; full.patientNHS = "9434765919"; full.returned = "Patient/9434765919"
        full.basis = "consent"; full.accessReason = "\u{1}\u{1f}\u{7f}"; full.purposeOfUse = "BTG"; full.clientRequestID = "c"
        full.correlationID = "k"; full.attemptedPatientNHS = "9000000009"; full.throttledCount = 3; full.patientRegisteredOds = "A81001"
        full.reviewOf = 7; full.reviewOutcome = "appropriate"; full.reviewNote = "ok"; full.sequence = 42
        let minimal = AuditRecord(recorded: "", requestID: "", method: "", path: "", interaction: "", status: 0, reasonCode: "")
        for record in [full, minimal] {
            var content = record
            content.previousHash = ""
            content.hash = ""
            #expect(String(decoding: record.canonicalJSON(), as: UTF8.self) == String(decoding: try encoder.encode(content), as: UTF8.self))
        }
    }
}
