import Crypto
import Foundation
import Testing
@testable import Upstream

/// Served ids, version ids and patient references, computed without building their inputs (issue 12), give what they
/// gave before: every stored id and ETag stays the same across the change.
@Suite("Stable ids and patient references")
struct StableIDTests {
    /// The digest as the ids were first defined: SHA-256 of the joined text, in lowercase hexadecimal.
    static func reference(_ text: String, _ tail: Data = Data(), length: Int) -> String {
        var hasher = SHA256()
        hasher.update(data: Data(text.utf8))
        hasher.update(data: tail)
        return hasher.finalize().map { String(format: "%02x", $0) }.joined().prefix(length).description
    }

    @Test("resource and version ids are the digests of the same bytes as before", arguments: [
        ("gp-a81001", "Condition", "gp-cond-0-0"), ("acute-rjr", "Consent", "k|1"), ("s", "AllergyIntolerance", "Siân 薬 😀"), ("", "", ""),
    ])
    func sameDigests(source: String, type: String, upstream: String) {
        #expect(StableID.resourceID(source: source, type: type, upstreamID: upstream) == Self.reference("\(source)|\(type)|\(upstream)", length: 32))
        let line = Data(#"{"resourceType":"\#(type)","id":"\#(upstream)"}"#.utf8)
        #expect(StableID.versionID(line, source: source, revision: 1) == Self.reference("\(source)|1|", line, length: 16))
        #expect(StableID.versionID(line, source: source, revision: 12) == Self.reference("\(source)|12|", line, length: 16))
    }

    @Test("a literal reference's upstream id is read as split and contains read it", arguments: [
        "Patient/p1", "Patient/", "Patient//", "Patient/p1/", "Patient/a/b", "http://example.org/fhir/Patient/p9", "patient/p1", "Practitioner/x",
        "Patient", "", "/Patient/p1", "Patient/Siân", "xPatient/y",
    ])
    func patientReferences(literal: String) {
        let before: String? = literal.split(separator: "/").last.flatMap { literal.contains("Patient/") ? String($0) : nil }
        #expect(ResourceMapper.lastPathComponent(ofPatientReference: literal) == before, "\(literal)")
    }
}
