import CareRecordStore
import Foundation
import Testing

/// Attacks by someone who can write the audit log, made with the sqlite3 or psql tool as they would be, against a log
/// whose checkpoints were signed with a key they do not have; each case on every backend.
@Suite("Signed checkpoints of the audit chain")
struct AuditCheckpointTests {
    let key = AuditSigningKey()

    /// What the serve node does after appends: sign the current head.
    func checkpoint(_ log: TestAuditLog) async throws -> AuditCheckpoint {
        let head = try #require(try await log.store.head())
        return try key.checkpoint(sequence: head.sequence, headHash: head.hash, node: "serve-1")
    }

    @Test("an untouched log verifies against its checkpoints, records after the latest one included", arguments: AuditBackend.all)
    func intact(backend: AuditBackend) async throws {
        try await backend.withLog(records: 3) { log in
            let first = try await checkpoint(log)
            try await log.appendReads(2)
            let second = try await checkpoint(log)
            try await log.appendReads(2)
            #expect(try await log.store.verify(checkpoints: [second, first], key: key.verifyKey) == AuditVerification(records: 7, problem: nil))
            #expect(try await log.store.verify(checkpoints: [], key: key.verifyKey) == AuditVerification(records: 7, problem: nil))
        }
    }

    @Test("an edit with every later hash and the head recomputed passes the chain alone but not the checkpoints", arguments: AuditBackend.all)
    func recomputed(backend: AuditBackend) async throws {
        try await backend.withLog(records: 4) { log in
            let atFour = try await checkpoint(log)
            try await log.appendReads(2)
            let atSix = try await checkpoint(log)

            var records: [AuditRecord] = []
            for sequence in Int64(1)...6 { records.append(try #require(try await log.store.record(sequence: sequence))) }
            records[2].userSub = "someone.else"
            let relinked = AuditChain.link(Array(records[2...]), after: (2, records[1].hash))
            try log.attack(relinked.map {
                "UPDATE auditRecord SET userSub = '\($0.userSub!)', previousHash = '\($0.previousHash)', hash = '\($0.hash)' WHERE sequence = \($0.sequence);"
            }.joined(separator: "\n") + "\nUPDATE auditHead SET sequence = 6, hash = '\(relinked.last!.hash)';")

            // The weakness checkpoints answer: the chain alone cannot see a consistent rewrite.
            #expect(try await log.store.verify() == AuditVerification(records: 6, problem: nil))
            #expect(try await log.store.record(sequence: 3)?.userSub == "someone.else")
            #expect(try await log.store.verify(checkpoints: [atFour, atSix], key: key.verifyKey) == AuditVerification(
                records: 3, problem: "record 4 differs from the signed checkpoint of \(atFour.time): records were edited and the chain recomputed"))
        }
    }

    @Test("records cut from the end below a checkpoint, with the head rewritten to match, are behind the latest checkpoint", arguments: AuditBackend.all)
    func truncatedBelowCheckpoint(backend: AuditBackend) async throws {
        try await backend.withLog(records: 5) { log in
            let atFive = try await checkpoint(log)
            try await log.appendReads(1)
            try log.attack("""
                DELETE FROM auditRecord WHERE sequence >= 4;
                UPDATE auditHead SET sequence = 3, hash = (SELECT hash FROM auditRecord WHERE sequence = 3);
                """)

            #expect(try await log.store.verify() == AuditVerification(records: 3, problem: nil))
            #expect(try await log.store.verify(checkpoints: [atFive], key: key.verifyKey) == AuditVerification(
                records: 3,
                problem: "the log ends at record 3 but a signed checkpoint of \(atFive.time) covers record 5: "
                    + "records removed from the end and the head rewritten, or an older copy restored (behind the latest checkpoint)"))
        }
    }

    @Test("a head rewritten to an earlier record, with nothing removed, is named as a rewritten head", arguments: AuditBackend.all)
    func headRewritten(backend: AuditBackend) async throws {
        try await backend.withLog(records: 4) { log in
            let atFour = try await checkpoint(log)
            try log.attack("UPDATE auditHead SET sequence = 3, hash = (SELECT hash FROM auditRecord WHERE sequence = 3);")

            let expected = AuditVerification(records: 4, problem: "the head (record 3) does not match the end of the log (record 4): the head was rewritten")
            #expect(try await log.store.verify() == expected)
            #expect(try await log.store.verify(checkpoints: [atFour], key: key.verifyKey) == expected)
        }
    }

    @Test("a deleted head row is found once there are records", arguments: AuditBackend.all)
    func headRemoved(backend: AuditBackend) async throws {
        try await backend.withLog(records: 2) { log in
            try log.attack("DELETE FROM auditHead;")
            #expect(try await log.store.verify().problem == "the log ends at record 2 but has no head: the head was removed")
        }
    }

    @Test("an older copy of the log put back in place reads as behind the latest checkpoint", arguments: AuditBackend.all)
    func olderCopyRestored(backend: AuditBackend) async throws {
        try await backend.withLog(records: 3) { log in
            let checkpointFile = scratchFolder().appendingPathComponent("audit-checkpoints.log").path
            try AuditCheckpointFile.append(try await checkpoint(log), to: checkpointFile)
            try await log.withCopy { restored in
                try await log.appendReads(3)
                let latest = try await checkpoint(log)
                try AuditCheckpointFile.append(latest, to: checkpointFile)

                let checkpoints = try AuditCheckpointFile.read(path: checkpointFile)
                #expect(checkpoints.count == 2)
                #expect(try await restored.store.verify() == AuditVerification(records: 3, problem: nil))
                #expect(try await restored.store.verify(checkpoints: checkpoints, key: key.verifyKey).problem
                    == "the log ends at record 3 but a signed checkpoint of \(latest.time) covers record 6: "
                    + "records removed from the end and the head rewritten, or an older copy restored (behind the latest checkpoint)")
                #expect(try await log.store.verify(checkpoints: checkpoints, key: key.verifyKey) == AuditVerification(records: 6, problem: nil))
            }
        }
    }

    @Test("a checkpoint signed with another key, or with any field changed, is refused", arguments: AuditBackend.all)
    func forgedCheckpoints(backend: AuditBackend) async throws {
        try await backend.withLog(records: 3) { log in
            let genuine = try await checkpoint(log)
            let head = try #require(try await log.store.head())
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
            #expect(try await log.store.verify(checkpoints: [genuine, sequenceEdited], key: key.verifyKey) == AuditVerification(
                records: 0, problem: "checkpoint at record 2 has an invalid signature: forged or signed with another key"))
            #expect(try await log.store.verify(checkpoints: [otherKey], key: key.verifyKey).problem
                == "checkpoint at record 3 has an invalid signature: forged or signed with another key")
        }
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
