import CareRecordStore
import FHIR
import Foundation
import Testing

/// The hash chain on every backend, attacked from outside (sqlite3, psql) by someone who can write the log.
@Suite("The audit log's hash chain")
struct AuditChainTests {
    @Test("an untouched log verifies", arguments: AuditBackend.all)
    func intact(backend: AuditBackend) async throws {
        try await backend.withLog(records: 5) { (log) async throws in
            #expect(try await log.store.verify() == AuditVerification(records: 5, problem: nil))
        }
    }

    @Test("an empty log verifies and has no head", arguments: AuditBackend.all)
    func empty(backend: AuditBackend) async throws {
        try await backend.withLog { (log) async throws in
            #expect(try await log.store.verify() == AuditVerification(records: 0, problem: nil))
            #expect(try await log.store.head() == nil)
            #expect(try await log.store.append([]).isEmpty)
        }
    }

    @Test("the log refuses updates and deletes through SQL", arguments: AuditBackend.all)
    func appendOnly(backend: AuditBackend) async throws {
        try await backend.withLog(records: 2) { log in
            var attempts = ["UPDATE auditRecord SET userSub = 'x' WHERE sequence = 1;", "DELETE FROM auditRecord WHERE sequence = 1;", "DELETE FROM auditRecord;"]
            if backend == .postgres { attempts.append("TRUNCATE auditRecord;") }
            for sql in attempts {
                let result = try log.execute(sql)
                #expect(!result.succeeded, "\(sql)")
                #expect(result.errors.contains("the audit log is append-only"), "\(sql): \(result.errors)")
            }
            #expect(try await log.store.verify() == AuditVerification(records: 2, problem: nil))
        }
    }

    @Test("an edited record is found", arguments: AuditBackend.all)
    func edited(backend: AuditBackend) async throws {
        try await backend.withLog(records: 5) { log in
            try log.attack("UPDATE auditRecord SET userSub = 'someone.else' WHERE sequence = 3;")
            #expect(try await log.store.verify().problem == "record 3 was altered after it was written")
        }
    }

    @Test("a deleted record is found", arguments: AuditBackend.all)
    func deleted(backend: AuditBackend) async throws {
        try await backend.withLog(records: 5) { log in
            try log.attack("DELETE FROM auditRecord WHERE sequence = 2;")
            #expect(try await log.store.verify().problem?.hasPrefix("record 2 is missing") == true)
        }
    }

    @Test("a record replaced by a forgery with a recomputed hash is found at the next link", arguments: AuditBackend.all)
    func inserted(backend: AuditBackend) async throws {
        try await backend.withLog(records: 5) { log in
            let previous = try #require(try await log.store.record(sequence: 3)).previousHash
            var forged = AuditRecord(recorded: "2026-11-25T10:00:03.000Z", requestID: "forged", method: "GET", path: "/", interaction: "read", status: 200, reasonCode: "OK")
            forged.sequence = 3
            let hash = AuditChain.hash(forged, previous: previous)
            try log.attack("""
                DELETE FROM auditRecord WHERE sequence = 3;
                INSERT INTO auditRecord (sequence, recorded, requestID, method, path, interaction, status, reasonCode, previousHash, hash)
                VALUES (3, '2026-11-25T10:00:03.000Z', 'forged', 'GET', '/', 'read', 200, 'OK', '\(previous)', '\(hash)');
                """)
            #expect(try await log.store.verify().problem == "record 4 does not follow record 3: inserted or replaced")
        }
    }

    @Test("records removed from the end are found", arguments: AuditBackend.all)
    func truncated(backend: AuditBackend) async throws {
        try await backend.withLog(records: 5) { log in
            try log.attack("DELETE FROM auditRecord WHERE sequence >= 4;")
            #expect(try await log.store.verify().problem?.contains("removed from the end") == true)
        }
    }

    @Test("every field, the newer ones included, reads back as linked and hashed", arguments: AuditBackend.all)
    func roundTrip(backend: AuditBackend) async throws {
        try await backend.withLog { log in
            var full = AuditRecord(
                recorded: "2026-11-27T10:00:00.123Z", requestID: "request-1", method: "GET", path: "/Patient/9434765919?_format=json",
                interaction: "read", status: 200, reasonCode: "OK")
            full.userSub = "dr.jones"
            full.userName = "Dr Ánne O'Brien"
            full.userRole = "doctor"
            full.userOds = "RJR"
            full.userRegistration = "GMC 1234567"
            full.clientAddress = "2001:db8::1"
            full.resourceType = "Patient"
            full.patientNHS = "9434765919"
            full.returned = "Patient/9434765919"
            full.basis = "emergency-override"
            full.accessReason = "unconscious in A&E; \"no\" next of kin"
            full.purposeOfUse = "BTG"
            full.clientRequestID = "client-1"
            full.correlationID = "correlation-1"
            full.attemptedPatientNHS = "9434765870"
            var summary = AuditRecord(
                recorded: "2026-11-27T10:01:00.000Z", requestID: "request-2", method: "GET", path: "/Patient", interaction: "unknown",
                status: 429, reasonCode: "RATE_LIMITED")
            summary.throttledCount = 12_345_678_901
            let stored = try await log.store.append([full, summary])
            #expect(stored.map(\.sequence) == [1, 2])
            #expect(try await log.store.record(sequence: 1) == stored[0])
            #expect(try await log.store.record(sequence: 2) == stored[1])
            #expect(try await log.store.record(sequence: 3) == nil)
            #expect(try await log.store.allRecords(patient: NHSNumber("9434765919")!) == [stored[0]])
            #expect(try await log.store.allRecords(patient: NHSNumber("9434765870")!) == [stored[0]])
            #expect(try await log.store.head()?.hash == stored[1].hash)
            #expect(try await log.store.verify() == AuditVerification(records: 2, problem: nil))
        }
    }

    @Test("large appends and a log longer than one verify page link and verify", arguments: AuditBackend.all)
    func longLog(backend: AuditBackend) async throws {
        try await backend.withLog { log in
            let batch = (0..<1_250).map { index in
                AuditRecord(recorded: "2026-11-27T10:00:00.000Z", requestID: "r\(index)", method: "GET", path: "/metadata", interaction: "read", status: 200, reasonCode: "OK")
            }
            _ = try await log.store.append(batch)
            let second = try await log.store.append(Array(batch.prefix(1_000)))
            #expect(second.first?.sequence == 1_251)
            #expect(try await log.store.head()?.sequence == 2_250)
            #expect(try await log.store.verify() == AuditVerification(records: 2_250, problem: nil))
            try log.attack("UPDATE auditRecord SET path = '/elsewhere' WHERE sequence = 2001;")
            #expect(try await log.store.verify() == AuditVerification(records: 2_000, problem: "record 2001 was altered after it was written"))
        }
    }
}
