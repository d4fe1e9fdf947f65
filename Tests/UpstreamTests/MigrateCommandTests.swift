import CareRecordStore
import FHIR
import Foundation
import Testing
@testable import CareRecordCLI
import Upstream

@Suite("care-record migrate: a SQLite site moves onto PostgreSQL (issue 9)", .enabled(if: PostgresServer.isEnabled, PostgresServer.skipMessage))
struct MigrateCommandTests {
    @Test("the record, the API's decisions and the audit log arrive whole: same reads, same chain, verified")
    func copies() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("care-record-tests/migrate-\(UUID().uuidString)")
        let summary = try RegionGenerator(patients: 60, seed: 3, outputDirectory: folder).run()
        let configuration = try CareRecordConfiguration.load(path: folder.appendingPathComponent("care-record.yaml").path)
        let recordPath = try #require(configuration.databasePath)
        let sqlite = try SQLiteCareRecordRepository(path: recordPath)
        #expect(await SyncRunner(repository: sqlite).sync(configuration.sources).allSatisfy(\.succeeded))
        // A decision made through the API (the decisions file) and some audit records.
        let registered = try #require(summary.registeredAtA81001)
        let nhs = try #require(NHSNumber(registered))
        let decision = SharingDecision(id: "api-block", kind: .blocked, recordedAt: Date(timeIntervalSince1970: 1_795_000_000), recordedByOds: "A81001", sourceId: nil, recordedBySub: "dr.gp")
        let resource = StoredResource(id: "api-block", resourceType: "Consent", nhsNumber: nhs, sourceId: nil, versionId: "1", lastUpdated: decision.recordedAt, json: Data(#"{"resourceType":"Consent"}"#.utf8))
        try await sqlite.recordDecision(decision, patient: nhs, resource: resource)
        let audit = try SQLiteAuditStore(path: try #require(configuration.auditPath))
        for index in 0..<25 {
            var record = AuditRecord(recorded: "2026-11-27T10:00:\(String(format: "%02d", index)).000Z", requestID: UUID().uuidString, method: "GET", path: "/Patient/\(nhs.value)", interaction: "read", status: 200, reasonCode: "OK")
            record.patientNHS = nhs.value
            _ = try await audit.append([record])
        }

        let server = try await PostgresServer.shared()
        let database = try server.createDatabase()
        let passwordFile = folder.appendingPathComponent("database-password").path
        try Data("\(server.password)\n".utf8).write(to: URL(fileURLWithPath: passwordFile))
        let url = "postgresql://\(PostgresServer.superuser)@127.0.0.1:\(server.port)/\(database)"
        try await MigrateCommand.parse(["--from", "sqlite:\(recordPath)", "--to", url, "--password-file", passwordFile]).run()

        let pool = try PostgresConnectionPool(settings: server.settings(database: database), maximumConnections: 2)
        let postgres = try await PostgresCareRecordRepository(pool: pool)
        let postgresAudit = try await PostgresAuditStore(pool: pool)
        #expect(try await postgresAudit.verify() == AuditVerification(records: 25, problem: nil))
        #expect(try await postgresAudit.head()?.hash == (try await audit.head()?.hash))
        let state = try #require(try await postgres.patientState(nhs))
        #expect(Self.ordered(state) == Self.ordered(try await sqlite.patientState(nhs)))
        #expect(state.restriction == .blocked)
        for patient in [summary.registeredAtA81001, summary.hospitalActiveWithConsent, summary.hospitalOptedOut, summary.hospitalBlocked].compactMap({ $0.flatMap(NHSNumber.init) }) {
            #expect(try await postgres.everything(patient: patient) == (try await sqlite.everything(patient: patient)))
            #expect(Self.ordered(try await postgres.patientState(patient)) == Self.ordered(try await sqlite.patientState(patient)))
        }
        #expect(try await postgres.sourceStatuses() == (try await sqlite.sourceStatuses()))

        // A second copy into the now non-empty database is refused, and changes nothing.
        await #expect(throws: CLIError.self) {
            try await MigrateCommand.parse(["--from", "sqlite:\(recordPath)", "--to", url, "--password-file", passwordFile]).run()
        }
        #expect(try await postgresAudit.verify().records == 25)
        await pool.shutdown()
    }

    /// A state with its decisions' sequence numbers replaced by their rank: the backends number them differently (API
    /// decisions follow the upstream ones in PostgreSQL), and only their order matters.
    static func ordered(_ state: PatientState?) -> PatientState? {
        guard var state else { return nil }
        let ranked = state.decisions.sorted(by: SharingDecision.chronological)
        state.decisions = state.decisions.map { decision in
            var decision = decision
            decision.sequence = Int64(ranked.firstIndex { $0.id == decision.id } ?? -1)
            return decision
        }
        return state
    }
}
