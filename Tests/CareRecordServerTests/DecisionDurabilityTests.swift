import CareRecordStore
import FHIR
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CareRecordCLI
@testable import CareRecordServer
@testable import CareRecordStore

/// Another process holding a SQLite file's write lock: the `sqlite3` command line in an open `BEGIN IMMEDIATE`.
/// (Unchecked: a test helper used from one task at a time.)
final class LockingProcess: @unchecked Sendable {
    let process = Process()
    let input = Pipe()

    init(_ path: String) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [path]
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data("PRAGMA busy_timeout = 5000;\nBEGIN IMMEDIATE;\nSELECT 1;\n".utf8))
    }

    func release() {
        input.fileHandleForWriting.write(Data("COMMIT;\n.quit\n".utf8))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

/// A sharing decision is durable before `201`, never waits long behind a refresh, and the audit says when one failed
/// (issue 8.3, 8.4, 8.9).
@Suite("Sharing decisions under load and locks", .serialized)
struct DecisionDurabilityTests {
    func region() async throws -> (RegionFixture, CareRecordAPI, SQLiteAuditStore, String) {
        let fixture = try await RegionFixture.make()
        let store = try temporaryAuditStore()
        let nhs = try fixture.nhs(\.registeredAtA81001)
        return (fixture, try await fixture.api(auditStore: store), store, nhs)
    }

    func block(_ client: some TestClientProtocol, nhs: String, auth: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/Consent", method: .post, headers: [.authorization: auth, .contentType: "application/fhir+json"],
            body: ByteBuffer(string: ConsentBody.make(nhs: nhs, type: "deny", action: "access"))) { $0 }
    }

    @Test("decisions are committed with synchronous = FULL, like the audit")
    func durable() async throws {
        let (fixture, _, _, _) = try await region()
        #expect(try await fixture.sqliteRepository.decisions.read { try Int.fetchOne($0, sql: "PRAGMA synchronous") } == 2)
    }

    @Test("a block posted while an import holds the record's writer in this process is recorded at once")
    func blockDuringImportInProcess() async throws {
        let (fixture, api, _, nhs) = try await region()
        let gp = try await fixture.keys.bearer(ods: "A81001", sub: "dr.gp")
        let importing = Task {
            try await fixture.repository.replaceSource(SourceIdentity(id: "slow", ods: "A81001"), startedAt: Date()) { _ in
                Thread.sleep(forTimeInterval: 4)
                return ImportReport(sourceId: "slow", startedAt: Date())
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        try await Application(router: api.buildRouter()).test(.router) { client async throws in
            let started = ContinuousClock.now
            #expect(try await block(client, nhs: nhs, auth: gp).status == .created)
            // Had it waited for the import (which holds the writer 4 s from 0.3 s before), this would be 3.7 s or more.
            #expect(ContinuousClock.now - started < .seconds(3))
            let read = try await client.execute(uri: "/Patient/\(nhs)", method: .get, headers: [.authorization: gp]) { $0 }
            #expect(errorCode(read.body) == "RECORD_BLOCKED")
        }
        _ = try await importing.value
    }

    @Test("a block posted while another process holds the record's writer is recorded at once")
    func blockDuringImportInAnotherProcess() async throws {
        let (fixture, api, _, nhs) = try await region()
        let gp = try await fixture.keys.bearer(ods: "A81001", sub: "dr.gp")
        let lock = try LockingProcess(fixture.folder.appendingPathComponent("data/care-record.sqlite").path)
        defer { lock.release() }
        try await Task.sleep(for: .milliseconds(300))
        try await Application(router: api.buildRouter()).test(.router) { client async throws in
            #expect(try await block(client, nhs: nhs, auth: gp).status == .created)
            let read = try await client.execute(uri: "/Patient/\(nhs)", method: .get, headers: [.authorization: gp]) { $0 }
            #expect(errorCode(read.body) == "RECORD_BLOCKED")
        }
    }

    @Test("past the bounded wait a decision answers 503 with Retry-After, and the audit says it failed after saying 201")
    func decisionStoreBusy() async throws {
        let (fixture, api, store, nhs) = try await region()
        let gp = try await fixture.keys.bearer(ods: "A81001", sub: "dr.gp")
        let lock = try LockingProcess(SQLiteCareRecordRepository.decisionsPath(forRecordAt: fixture.folder.appendingPathComponent("data/care-record.sqlite").path))
        try await Task.sleep(for: .milliseconds(300))
        try await Application(router: api.buildRouter()).test(.router) { client async throws in
            let started = ContinuousClock.now
            let response = try await block(client, nhs: nhs, auth: gp)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] != nil)
            #expect(errorCode(response.body) == "SERVICE_BUSY")
            #expect(ContinuousClock.now - started < .seconds(4))
            lock.release()
            let read = try await client.execute(uri: "/Patient/\(nhs)", method: .get, headers: [.authorization: gp]) { $0 }
            #expect(read.status == .ok)
        }
        let records = try await store.allRecords(patient: NHSNumber(nhs)!).filter { $0.method == "POST" }
        #expect(records.map(\.status) == [201, 503])
        #expect(records.map(\.reasonCode) == ["OK", "SERVICE_BUSY"])
        #expect(Set(records.map(\.requestID)).count == 1)
        let report = AuditReportFormatter.table(records, patient: NHSNumber(nhs)!)
        #expect(report.contains("503 SERVICE_BUSY"))
    }

    @Test("another process holding the audit file answers 503 AUDIT_UNAVAILABLE within the bound, releasing nothing")
    func auditStoreBusy() async throws {
        let fixture = try await RegionFixture.make()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("care-record-tests/\(UUID().uuidString)/audit.sqlite").path
        let store = try SQLiteAuditStore(path: path)
        let api = try await fixture.api(auditStore: store)
        let nhs = try fixture.nhs(\.hospitalActiveWithConsent)
        let doctor = try await fixture.keys.bearer(ods: "RJR")
        let lock = try LockingProcess(path)
        defer { lock.release() }
        try await Task.sleep(for: .milliseconds(300))
        try await Application(router: api.buildRouter()).test(.router) { client async throws in
            let started = ContinuousClock.now
            let response = try await client.execute(uri: "/Patient/\(nhs)", method: .get, headers: [.authorization: doctor]) { $0 }
            #expect(response.status == .serviceUnavailable)
            #expect(errorCode(response.body) == "AUDIT_UNAVAILABLE")
            #expect(!String(buffer: response.body).contains("\"name\""))
            #expect(ContinuousClock.now - started < .seconds(4))
        }
    }

    @Test("API decisions kept in the record by earlier versions move to the decisions file, none lost")
    func migration() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("care-record-tests/\(UUID().uuidString)")
        let path = folder.appendingPathComponent("record.sqlite").path
        let nhs = NHSNumber("9434765919")!
        do {
            let repository = try SQLiteCareRecordRepository(path: path)
            try await repository.pool.write { db in
                try db.execute(sql: """
                    INSERT INTO sharingDecision (id, nhsNumber, kind, recordedAt, recordedByOds, sourceId, recordedBySub, lastUpdated, versionId, resource)
                    VALUES ('old-api-decision', ?, 'blocked', '2026-11-01 10:00:00.000', 'A81001', NULL, 'dr.gp', '2026-11-01 10:00:00.000', 'v', x'7B7D')
                    """, arguments: [nhs.value])
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier IN ('v3-copy-api-decisions', 'v4-drop-copied-api-decisions')")
            }
        }
        let reopened = try SQLiteCareRecordRepository(path: path)
        #expect(try await reopened.consent(id: "old-api-decision", consistentWith: nil)?.nhsNumber == nhs)
        #expect(try await reopened.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM main.sharingDecision") } == 0)
        #expect(try await reopened.decisions.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM apiDecision") } == 1)
    }

    @Test("audit cannot be switched off: serve has no such flag")
    func noAuditSwitch() {
        #expect(throws: (any Error).self) { try ServeCommand.parse(["--config", "x.yaml", "--benchmark-without-audit"]) }
        #expect(!ServeCommand.helpMessage(includeHidden: true).contains("audit"))
    }
}
