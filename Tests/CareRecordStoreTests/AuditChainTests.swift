import CareRecordStore
import Foundation
import GRDB
import Testing

@Suite("The audit log's hash chain")
struct AuditChainTests {
    func log(records: Int) async throws -> (SQLiteAuditStore, String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("care-record-tests/\(UUID().uuidString)/audit.sqlite").path
        let store = try SQLiteAuditStore(path: path)
        for index in 1...records {
            var record = AuditRecord(
                recorded: "2026-11-25T10:00:0\(index % 10).000Z", requestID: "request-\(index)", method: "GET", path: "/Patient/9434765919",
                interaction: "read", status: 200, reasonCode: "OK")
            record.patientNHS = "9434765919"
            record.userSub = "dr.\(index)"
            _ = try await store.append([record])
        }
        return (store, path)
    }

    /// Tampers the way someone with the file would: bypassing the append-only triggers.
    func tamper(_ path: String, _ sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS auditRecord_appendOnlyUpdate; DROP TRIGGER IF EXISTS auditRecord_appendOnlyDelete;")
            try db.execute(sql: sql)
        }
    }

    @Test("an untouched log verifies")
    func intact() async throws {
        let (store, _) = try await log(records: 5)
        #expect(try await store.verify() == AuditVerification(records: 5, problem: nil))
    }

    @Test("the log refuses updates and deletes through SQL")
    func appendOnly() async throws {
        let (_, path) = try await log(records: 2)
        let queue = try DatabaseQueue(path: path)
        #expect(throws: DatabaseError.self) { try queue.write { try $0.execute(sql: "UPDATE auditRecord SET userSub = 'x' WHERE sequence = 1") } }
        #expect(throws: DatabaseError.self) { try queue.write { try $0.execute(sql: "DELETE FROM auditRecord WHERE sequence = 1") } }
    }

    @Test("an edited record is found")
    func edited() async throws {
        let (store, path) = try await log(records: 5)
        try tamper(path, "UPDATE auditRecord SET userSub = 'someone.else' WHERE sequence = 3")
        #expect(try await store.verify().problem == "record 3 was altered after it was written")
    }

    @Test("a deleted record is found")
    func deleted() async throws {
        let (store, path) = try await log(records: 5)
        try tamper(path, "DELETE FROM auditRecord WHERE sequence = 2")
        #expect(try await store.verify().problem?.hasPrefix("record 2 is missing") == true)
    }

    @Test("a record replaced by a forgery with a recomputed hash is found at the next link")
    func inserted() async throws {
        let (store, path) = try await log(records: 5)
        let queue = try DatabaseQueue(path: path)
        let previous = try await queue.read { try String.fetchOne($0, sql: "SELECT previousHash FROM auditRecord WHERE sequence = 3")! }
        var forged = AuditRecord(recorded: "2026-11-25T10:00:03.000Z", requestID: "forged", method: "GET", path: "/", interaction: "read", status: 200, reasonCode: "OK")
        forged.sequence = 3
        let hash = AuditChain.hash(forged, previous: previous)
        try tamper(path, "DELETE FROM auditRecord WHERE sequence = 3; INSERT INTO auditRecord (sequence, recorded, requestID, method, path, interaction, status, reasonCode, previousHash, hash) VALUES (3, '2026-11-25T10:00:03.000Z', 'forged', 'GET', '/', 'read', 200, 'OK', '\(previous)', '\(hash)')")
        #expect(try await store.verify().problem == "record 4 does not follow record 3: inserted or replaced")
    }

    @Test("records removed from the end are found")
    func truncated() async throws {
        let (store, path) = try await log(records: 5)
        try tamper(path, "DELETE FROM auditRecord WHERE sequence >= 4")
        #expect(try await store.verify().problem?.contains("removed from the end") == true)
    }
}
