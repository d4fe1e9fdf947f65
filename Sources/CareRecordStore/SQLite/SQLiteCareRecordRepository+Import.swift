import FHIR
import Foundation
import GRDB

extension SQLiteCareRecordRepository {
    public func replaceSource(
        _ source: SourceIdentity, startedAt: Date, load: @escaping @Sendable (any SourceImportWriter) throws -> ImportReport
    ) async throws -> ImportReport {
        try await pool.write { db in
            try Self.register(source, db)
            for table in ["patientRecord", "registration", "careEpisode", "sharingDecision", "clinicalEntry"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE sourceId = ?", arguments: [source.id])
            }
            try db.execute(sql: """
                CREATE TEMP TABLE IF NOT EXISTS importPatientLink (upstreamId TEXT PRIMARY KEY NOT NULL, nhsNumber TEXT) WITHOUT ROWID;
                DELETE FROM importPatientLink;
                """)
            var report = try load(SQLiteSourceImportWriter(db: db, source: source))
            try Self.purgeOptedOutPatients(db)
            report.succeeded = true
            report.finishedAt = Date()
            try Self.insertRun(report, source: source, db)
            return report
        }
    }

    public func recordDecision(_ decision: SharingDecision, patient: NHSNumber, resource: StoredResource) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO sharingDecision
                        (id, nhsNumber, kind, recordedAt, recordedByOds, sourceId, recordedBySub, actorSub, periodStart, periodEnd, lastUpdated, versionId, resource)
                    VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    decision.id, patient.value, decision.kind.rawValue, decision.recordedAt, decision.recordedByOds, decision.recordedBySub,
                    decision.actorSub, decision.periodStart, decision.periodEnd, resource.lastUpdated, resource.versionId, resource.json,
                ])
            if decision.kind == .optedOut, try Self.patientState(db, patient)?.restriction == .optedOut {
                try Self.purgeRecord(of: patient, db)
            }
        }
    }

    public func recordFailedImport(_ source: SourceIdentity, report: ImportReport) async throws {
        try await pool.write { db in
            try Self.register(source, db)
            var failed = report
            failed.succeeded = false
            try Self.insertRun(failed, source: source, db)
        }
    }

    static func register(_ source: SourceIdentity, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO source (id, ods) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET ods = excluded.ods",
            arguments: [source.id, source.ods])
    }

    static func insertRun(_ report: ImportReport, source: SourceIdentity, _ db: Database) throws {
        let json = String(decoding: try JSONEncoder.importReports.encode(report), as: UTF8.self)
        try db.execute(
            sql: "INSERT INTO importRun (sourceId, succeeded, report) VALUES (?, ?, ?)",
            arguments: [source.id, report.succeeded, json])
    }

    /// Opted out: no demographics or clinical data from any source, only the NHS number, decisions and relationships (C3).
    static func purgeOptedOutPatients(_ db: Database) throws {
        let candidates = try String.fetchAll(db, sql: "SELECT DISTINCT nhsNumber FROM sharingDecision WHERE kind = ?", arguments: [SharingDecision.Kind.optedOut.rawValue])
        for candidate in candidates {
            guard let nhs = NHSNumber(candidate), try patientState(db, nhs)?.restriction == .optedOut else { continue }
            try purgeRecord(of: nhs, db)
        }
    }

    static func purgeRecord(of nhsNumber: NHSNumber, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM patientRecord WHERE nhsNumber = ?", arguments: [nhsNumber.value])
        try db.execute(sql: "DELETE FROM clinicalEntry WHERE nhsNumber = ?", arguments: [nhsNumber.value])
    }
}
