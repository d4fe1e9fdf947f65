@testable import CareRecordStore
import FHIR
import Foundation
import GRDB
import Testing

/// A SQLite refresh writes only what changed (issue 12): rows the export brings unchanged are left where they are, changed
/// ones are updated in place, and rows it no longer brings are deleted. (That the record ends as a fresh import of the same
/// export would leave it is `ImportRulesTests`' case, on both backends.)
@Suite("SQLite refresh writes")
struct RefreshWritesTests {
    let gp = SourceIdentity(id: "gp-a81001", ods: "A81001", isGPPractice: true)
    let hospital = SourceIdentity(id: "acute-rjr", ods: "RJR")
    let nhs = NHSNumber("9434765919")!

    func entry(_ id: String, source: SourceIdentity, body: String) -> StoredResource {
        StoredResource(
            id: id, resourceType: "Condition", nhsNumber: nhs, sourceId: source.id, versionId: "v-\(body)",
            lastUpdated: Date(timeIntervalSince1970: 1_790_000_000), json: Data(#"{"resourceType":"Condition","id":"\#(id)","note":"\#(body)"}"#.utf8))
    }

    /// Replaces `source` with `entries`.
    func load(_ repository: SQLiteCareRecordRepository, _ source: SourceIdentity, _ entries: [StoredResource]) async throws {
        let report = try await repository.replaceSource(source, startedAt: Date()) { writer in
            for entry in entries { try writer.addEntry(entry) }
            return ImportReport(sourceId: source.id, startedAt: Date())
        }
        #expect(report.succeeded)
    }

    @Test("unchanged entries keep their place, changed ones are updated where they are, gone ones are deleted")
    func onlyChangesWritten() async throws {
        let (repository, done) = try scratchSQLiteRepository()
        defer { done() }
        let ids = (0..<3).map { String(format: "%032x", $0 + 0xabc) }
        try await load(repository, gp, ids.map { entry($0, source: gp, body: "first") })
        // Another source's row after them, so that rows deleted and inserted again would get new rowids.
        try await load(repository, hospital, [entry("hospital-1", source: hospital, body: "first")])
        func places() throws -> [String: Int64] {
            try repository.readNow { db in
                Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, rowid FROM clinicalEntry").map { ($0["id"] as String, $0["rowid"] as Int64) })
            }
        }
        let before = try places()

        // The same rows again, but the second changed, the third gone and a new one.
        let added = String(format: "%032x", 0xdef)
        try await load(repository, gp, [entry(ids[0], source: gp, body: "first"), entry(ids[1], source: gp, body: "second"), entry(added, source: gp, body: "new")])
        let after = try places()
        #expect(after[ids[0]] == before[ids[0]])
        #expect(after[ids[1]] == before[ids[1]])
        #expect(after[ids[2]] == nil)
        #expect(after["hospital-1"] == before["hospital-1"])
        #expect(try #require(after[added]) > before.values.max()!)
        let changed = try await repository.clinicalEntry(.condition, id: ids[1], consistentWith: nil)
        #expect(changed?.versionId == "v-second")
        #expect(changed.map { String(decoding: $0.json, as: UTF8.self).contains("second") } == true)
        let count = try repository.readNow { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM clinicalEntry WHERE sourceId = ?", arguments: [gp.id]) }
        #expect(count == 3)
    }

    @Test("rows the export no longer holds are deleted in chunks, their keys compared byte for byte as SQLite holds them")
    func unseenKeysExactly() async throws {
        let (repository, done) = try scratchSQLiteRepository()
        defer { done() }
        // More than one chunk of keys, and keys that are not digests: canonically equivalent text (equal as `String`s, not
        // as bytes), and a NUL (stored up to it).
        let many = (0..<(SQLiteImportRowWriter.removalChunk + 904)).map { String(format: "%032x", $0) }
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}", withNUL = "nul\u{0}key"
        try await load(repository, gp, (many + [composed, decomposed, withNUL]).map { entry($0, source: gp, body: "first") })
        let kept = many.enumerated().filter { $0.offset % 2 == 0 }.map(\.element) + [composed, withNUL]
        try await load(repository, gp, kept.map { entry($0, source: gp, body: "first") })
        let ids = try repository.readNow { db in
            try Data.fetchAll(db, sql: "SELECT CAST(id AS BLOB) FROM clinicalEntry WHERE sourceId = ?", arguments: [gp.id])
        }
        let stored = Set(ids.map { String(decoding: $0, as: UTF8.self) })
        #expect(ids.count == kept.count)
        #expect(stored.contains(many[0]) && !stored.contains(many[1]) && stored.contains(many[many.count - 2]))
        #expect(ids.contains(Data(composed.utf8)))
        #expect(!ids.contains(Data(decomposed.utf8)))
        #expect(ids.contains(Data("nul".utf8)))
    }

    @Test("the keys an import wrote: digest ids held as integers, anything else as text, none confused")
    func importedKeys() {
        var keys = ImportedKeys()
        let digest = "0123456789abcdef0123456789abcdef"
        let first = keys.insert(digest), second = keys.insert(digest)
        #expect(first && !second)
        #expect(keys.contains(digest))
        // One digit apart, in either half.
        #expect(!keys.contains("0123456789abcdef0123456789abcdee"))
        #expect(!keys.contains("1123456789abcdef0123456789abcdef"))
        // Not lowercase hexadecimal, or not 32 digits: held as text, never taken for a digest.
        for other in ["0123456789ABCDEF0123456789ABCDEF", "0123456789abcdef0123456789abcdeg", "9434765919", "0123456789abcdef0123456789abcde", ""] {
            #expect(!keys.contains(other), "\(other)")
            let inserted = keys.insert(other)
            #expect(inserted, "\(other)")
            #expect(keys.contains(other), "\(other)")
        }
        #expect(keys.contains(digest))
        // Byte for byte: canonically equivalent text is another key; text is held up to a NUL, as SQLite stores it.
        let composed = keys.insert("caf\u{E9}")
        #expect(composed && !keys.contains("cafe\u{301}"))
        let withNUL = keys.insert("nul\u{0}key")
        #expect(withNUL && keys.contains("nul") && keys.contains(Array("nul".utf8)))
    }
}
