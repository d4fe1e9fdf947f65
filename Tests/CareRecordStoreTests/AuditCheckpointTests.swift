import CareRecordStore
import Foundation
import Testing

/// Attacks by someone who can write the audit file, made with the sqlite3 tool as they would be, against a log whose
/// checkpoints were signed with a key they do not have.
@Suite("Signed checkpoints of the audit chain")
struct AuditCheckpointTests {
    let key = AuditSigningKey()

    func log(records: Int) async throws -> (SQLiteAuditStore, String) {
        let path = scratchFolder().appendingPathComponent("audit.sqlite").path
        let store = try SQLiteAuditStore(path: path)
        try await append(records, to: store)
        return (store, path)
    }

    func append(_ count: Int, to store: SQLiteAuditStore) async throws {
        for _ in 0..<count {
            var record = AuditRecord(
                recorded: "2026-11-27T10:00:00.000Z", requestID: UUID().uuidString, method: "GET", path: "/Patient/9434765919",
                interaction: "read", status: 200, reasonCode: "OK")
            record.patientNHS = "9434765919"
            record.userSub = "dr.jones"
            _ = try await store.append([record])
        }
    }

    /// What the serve node does after appends: sign the current head.
    func checkpoint(_ store: SQLiteAuditStore) async throws -> AuditCheckpoint {
        let head = try #require(try await store.head())
        return try key.checkpoint(sequence: head.sequence, headHash: head.hash, node: "serve-1")
    }

    /// Runs SQL on the file with the sqlite3 tool, first dropping the append-only triggers as an attacker would.
    func attack(_ path: String, _ sql: String) throws {
        try CommandLineTool.sqlite3.succeed(["-bail", path], input: """
            .timeout 5000
            DROP TRIGGER IF EXISTS auditRecord_appendOnlyUpdate;
            DROP TRIGGER IF EXISTS auditRecord_appendOnlyDelete;
            \(sql)
            """)
    }

    @Test("an untouched log verifies against its checkpoints, records after the latest one included")
    func intact() async throws {
        let (store, _) = try await log(records: 3)
        let first = try await checkpoint(store)
        try await append(2, to: store)
        let second = try await checkpoint(store)
        try await append(2, to: store)
        #expect(try await store.verify(checkpoints: [second, first], key: key.verifyKey) == AuditVerification(records: 7, problem: nil))
        #expect(try await store.verify(checkpoints: [], key: key.verifyKey) == AuditVerification(records: 7, problem: nil))
    }

    @Test("an edit with every later hash and the head recomputed passes the chain alone but not the checkpoints")
    func recomputed() async throws {
        let (store, path) = try await log(records: 4)
        let atFour = try await checkpoint(store)
        try await append(2, to: store)
        let atSix = try await checkpoint(store)

        var records: [AuditRecord] = []
        for sequence in Int64(1)...6 { records.append(try #require(try await store.record(sequence: sequence))) }
        records[2].userSub = "someone.else"
        let relinked = AuditChain.link(Array(records[2...]), after: (2, records[1].hash))
        try attack(path, relinked.map {
            "UPDATE auditRecord SET userSub = '\($0.userSub!)', previousHash = '\($0.previousHash)', hash = '\($0.hash)' WHERE sequence = \($0.sequence);"
        }.joined(separator: "\n") + "\nUPDATE auditHead SET sequence = 6, hash = '\(relinked.last!.hash)';")

        // The weakness checkpoints answer: the chain alone cannot see a consistent rewrite.
        #expect(try await store.verify() == AuditVerification(records: 6, problem: nil))
        #expect(try await store.record(sequence: 3)?.userSub == "someone.else")
        #expect(try await store.verify(checkpoints: [atFour, atSix], key: key.verifyKey) == AuditVerification(
            records: 3, problem: "record 4 differs from the signed checkpoint of \(atFour.time): records were edited and the chain recomputed"))
    }

    @Test("records cut from the end below a checkpoint, with the head rewritten to match, are behind the latest checkpoint")
    func truncatedBelowCheckpoint() async throws {
        let (store, path) = try await log(records: 5)
        let atFive = try await checkpoint(store)
        try await append(1, to: store)
        try attack(path, """
            DELETE FROM auditRecord WHERE sequence >= 4;
            UPDATE auditHead SET sequence = 3, hash = (SELECT hash FROM auditRecord WHERE sequence = 3);
            """)

        #expect(try await store.verify() == AuditVerification(records: 3, problem: nil))
        #expect(try await store.verify(checkpoints: [atFive], key: key.verifyKey) == AuditVerification(
            records: 3,
            problem: "the log ends at record 3 but a signed checkpoint of \(atFive.time) covers record 5: "
                + "records removed from the end and the head rewritten, or an older copy restored (behind the latest checkpoint)"))
    }

    @Test("a head rewritten to an earlier record, with nothing removed, is named as a rewritten head")
    func headRewritten() async throws {
        let (store, path) = try await log(records: 4)
        let atFour = try await checkpoint(store)
        try attack(path, "UPDATE auditHead SET sequence = 3, hash = (SELECT hash FROM auditRecord WHERE sequence = 3);")

        let expected = AuditVerification(records: 4, problem: "the head (record 3) does not match the end of the log (record 4): the head was rewritten")
        #expect(try await store.verify() == expected)
        #expect(try await store.verify(checkpoints: [atFour], key: key.verifyKey) == expected)
    }

    @Test("a deleted head row is found once there are records")
    func headRemoved() async throws {
        let (store, path) = try await log(records: 2)
        try attack(path, "DELETE FROM auditHead;")
        #expect(try await store.verify().problem == "the log ends at record 2 but has no head: the head was removed")
    }

    @Test("an older copy of the file put back in place reads as behind the latest checkpoint")
    func olderCopyRestored() async throws {
        let (store, path) = try await log(records: 3)
        let checkpointFile = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("audit-checkpoints.log").path
        try AuditCheckpointFile.append(try await checkpoint(store), to: checkpointFile)
        // Move everything from the WAL into the main file, so copying that file alone is a consistent backup.
        let walCheckpoint = try CommandLineTool.sqlite3.succeed([path], input: ".timeout 5000\nPRAGMA wal_checkpoint(TRUNCATE);\n")
        #expect(walCheckpoint.hasPrefix("0|"))
        let copy = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("older/audit.sqlite")
        try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: path, toPath: copy.path)

        try await append(3, to: store)
        let latest = try await checkpoint(store)
        try AuditCheckpointFile.append(latest, to: checkpointFile)

        let restored = try SQLiteAuditStore(path: copy.path)
        let checkpoints = try AuditCheckpointFile.read(path: checkpointFile)
        #expect(checkpoints.count == 2)
        #expect(try await restored.verify() == AuditVerification(records: 3, problem: nil))
        #expect(try await restored.verify(checkpoints: checkpoints, key: key.verifyKey).problem
            == "the log ends at record 3 but a signed checkpoint of \(latest.time) covers record 6: "
            + "records removed from the end and the head rewritten, or an older copy restored (behind the latest checkpoint)")
        #expect(try await store.verify(checkpoints: checkpoints, key: key.verifyKey) == AuditVerification(records: 6, problem: nil))
    }

    @Test("a checkpoint signed with another key, or with any field changed, is refused")
    func forgedCheckpoints() async throws {
        let (store, _) = try await log(records: 3)
        let genuine = try await checkpoint(store)
        let head = try #require(try await store.head())
        let otherKey = try AuditSigningKey().checkpoint(sequence: head.sequence, headHash: head.hash, time: genuine.time, node: "serve-1")
        var sequenceEdited = genuine
        sequenceEdited.sequence = 2
        var hashEdited = genuine
        hashEdited.headHash = String(repeating: "a", count: 64)
        var timeEdited = genuine
        timeEdited.time = "2030-01-01T00:00:00.000Z"
        var nodeEdited = genuine
        nodeEdited.node = nil
        var notBase64 = genuine
        notBase64.signature = "not base64"

        #expect(key.verifyKey.isAuthentic(genuine))
        for forged in [otherKey, sequenceEdited, hashEdited, timeEdited, nodeEdited, notBase64] {
            #expect(!key.verifyKey.isAuthentic(forged), "\(forged)")
        }
        #expect(try await store.verify(checkpoints: [genuine, sequenceEdited], key: key.verifyKey) == AuditVerification(
            records: 0, problem: "checkpoint at record 2 has an invalid signature: forged or signed with another key"))
        #expect(try await store.verify(checkpoints: [otherKey], key: key.verifyKey).problem
            == "checkpoint at record 3 has an invalid signature: forged or signed with another key")
    }

    @Test("a checkpoint that could not be signed unambiguously is refused when signing")
    func malformedCheckpoint() throws {
        let hash = String(repeating: "0", count: 63) + "1"
        #expect(throws: AuditCheckpointError.self) { try key.checkpoint(sequence: 0, headHash: hash) }
        #expect(throws: AuditCheckpointError.self) { try key.checkpoint(sequence: 1, headHash: "ABC") }
        #expect(throws: AuditCheckpointError.self) { try key.checkpoint(sequence: 1, headHash: hash, node: "a\nb") }
        #expect(try key.checkpoint(sequence: 1, headHash: hash, node: "a").sequence == 1)
    }
}
