import FHIR
import Foundation
import Logging
import PostgresNIO

extension PostgresCareRecordRepository {
    public func replaceSource(
        _ source: SourceIdentity, startedAt: Date, load: @escaping @Sendable (any SourceImportWriter) throws -> ImportReport
    ) async throws -> ImportReport {
        try await pool.transaction { connection, logger in
            // An import is long: no statement bound here; it waits for no other writer but an opt-out's purge.
            try await connection.perform("SET LOCAL statement_timeout = 0", logger: logger)
            try await Self.register(source, connection, logger)
            for table in ["patientRecord", "registration", "careEpisode", "sharingDecision", "clinicalEntry"] {
                try await connection.perform("DELETE FROM \(unescaped: table) WHERE sourceId = \(source.id)", logger: logger)
            }
            // The mapper is synchronous: it runs on a thread of its own, and the writer waits there for each batch it sends.
            var report = try await BlockingBridge.onOwnThread {
                let writer = PostgresSourceImportWriter(source: source, connection: connection, logger: logger)
                let report = try load(writer)
                try writer.flush()
                return report
            }
            try await Self.purgeOptedOutPatients(connection, logger)
            report.succeeded = true
            report.finishedAt = Date()
            try await Self.insertRun(report, source: source, connection, logger)
            return report
        }
    }

    public func recordDecision(_ decision: SharingDecision, patient: NHSNumber, resource: StoredResource) async throws {
        // One row, committed on its own: no import holds it up (an import locks only its own source's rows).
        _ = try await pool.withConnection { connection in
            try await connection.perform(
                """
                INSERT INTO sharingDecision
                    (id, nhsNumber, kind, recordedAt, recordedByOds, recordedBySub, actorSub, periodStart, periodEnd, lastUpdated, versionId, resource)
                VALUES (\(decision.id), \(patient.value), \(decision.kind.rawValue), \(decision.recordedAt), \(decision.recordedByOds),
                        \(decision.recordedBySub), \(decision.actorSub), \(decision.periodStart), \(decision.periodEnd), \(resource.lastUpdated),
                        \(resource.versionId), \(resource.json))
                """, logger: self.pool.logger)
        }
        guard decision.kind == .optedOut else { return }
        // In force from the next request on every node whatever happens here (reads re-check it). The data is purged now,
        // or, behind an import deleting the same rows, as soon as it ends (whose own end purges it too).
        let purge = Task.detached { [pool] in
            try await pool.transaction { connection, logger in
                try await connection.perform("SET LOCAL lock_timeout = 0", logger: logger)
                if try await Self.patientState(patient, connection, logger)?.restriction == .optedOut {
                    try await Self.purgeRecord(of: patient, connection, logger)
                }
            }
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = try? await purge.value }
            group.addTask { try? await Task.sleep(for: Self.purgeWait) }
            await group.next()
            group.cancelAll()
        }
    }

    public func updateSources(_ sources: [SourceIdentity]) async throws {
        try await pool.transaction { connection, logger in
            for source in sources { try await Self.register(source, connection, logger) }
        }
    }

    public func recordFailedImport(_ source: SourceIdentity, report: ImportReport) async throws {
        try await pool.transaction { connection, logger in
            try await Self.register(source, connection, logger)
            var failed = report
            failed.succeeded = false
            try await Self.insertRun(failed, source: source, connection, logger)
        }
    }

    static func register(_ source: SourceIdentity, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.perform(
            """
            INSERT INTO source (id, ods, isGPPractice) VALUES (\(source.id), \(source.ods), \(source.isGPPractice))
            ON CONFLICT (id) DO UPDATE SET ods = excluded.ods, isGPPractice = excluded.isGPPractice
            """, logger: logger)
    }

    static func insertRun(_ report: ImportReport, source: SourceIdentity, _ connection: PostgresConnection, _ logger: Logger) async throws {
        let json = String(decoding: try JSONEncoder.importReports.encode(report), as: UTF8.self)
        try await connection.perform(
            "INSERT INTO importRun (sourceId, succeeded, report) VALUES (\(source.id), \(report.succeeded), \(json))", logger: logger)
    }

    /// Opted out: no demographics or clinical data from any source, only the NHS number, decisions and relationships (C3).
    static func purgeOptedOutPatients(_ connection: PostgresConnection, _ logger: Logger) async throws {
        var candidates: [String] = []
        // Only patients with something left to purge (as on SQLite): a state read and two deletes, each a round trip, for
        // every opted-out patient of the region after each source were mostly for nothing.
        for try await nhs in try await connection.query(
            """
            SELECT DISTINCT d.nhsNumber FROM sharingDecision d WHERE d.kind = \(SharingDecision.Kind.optedOut.rawValue)
                AND (EXISTS (SELECT 1 FROM patientRecord p WHERE p.nhsNumber = d.nhsNumber)
                    OR EXISTS (SELECT 1 FROM clinicalEntry e WHERE e.nhsNumber = d.nhsNumber))
            """, logger: logger
        ).decode(String.self) {
            candidates.append(nhs)
        }
        for candidate in candidates {
            guard let nhs = NHSNumber(candidate), try await patientState(nhs, connection, logger)?.restriction == .optedOut else { continue }
            try await purgeRecord(of: nhs, connection, logger)
        }
    }

    static func purgeRecord(of nhsNumber: NHSNumber, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.perform("DELETE FROM patientRecord WHERE nhsNumber = \(nhsNumber.value)", logger: logger)
        try await connection.perform("DELETE FROM clinicalEntry WHERE nhsNumber = \(nhsNumber.value)", logger: logger)
    }
}
