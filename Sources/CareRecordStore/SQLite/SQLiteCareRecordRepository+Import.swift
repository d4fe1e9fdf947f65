import FHIR
import Foundation
import GRDB

extension SQLiteCareRecordRepository {
    /// The page cache of the import's transaction, in KiB (the refresh's peak RSS stays well under 256 MiB with it).
    static let importCacheKiB = 65536

    public func replaceSource(
        _ source: SourceIdentity, startedAt: Date, load: @escaping @Sendable (any SourceImportWriter) throws -> ImportReport
    ) async throws -> ImportReport {
        // DEFERRED: the import writes only the record, so it never takes the attached decisions file's write lock.
        try await writeRecord { db in
            // The import is one long transaction over indexes keyed by digests (random order): with SQLite's default 2 MB page
            // cache it spills pages to the WAL and reads them back (issue 12's profile: a fifth of the time in pread/pwrite).
            // A larger cache for this transaction only, given back when it ends.
            let cacheSize = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
            try db.execute(sql: "PRAGMA cache_size = \(-Self.importCacheKiB)")
            defer { try? db.execute(sql: "PRAGMA cache_size = \(cacheSize)") }
            try Self.register(source, db)
            // The mapper runs on a thread of its own and hands its rows over; this thread writes what changed meanwhile, then
            // deletes what the export no longer holds.
            var rows = SQLiteImportRowWriter(db: db, source: source)
            try rows.removeDecisions()
            var report = try ImportPipe<ImportRow, SQLiteImportRowWriter>.run(context: &rows, write: { try $0.write($1) }) { pipe in
                let writer = SQLiteSourceImportWriter(source: source, pipe: pipe)
                let report = try load(writer)
                try writer.flush()
                return report
            }
            try rows.removeUnseen()
            try Self.purgeOptedOutPatients(db)
            report.succeeded = true
            report.finishedAt = Date()
            try Self.insertRun(report, source: source, db)
            return report
        }
    }

    public func recordDecision(_ decision: SharingDecision, patient: NHSNumber, resource: StoredResource) async throws {
        do {
            try await decisions.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO apiDecision
                            (id, nhsNumber, kind, recordedAt, recordedByOds, recordedBySub, actorSub, periodStart, periodEnd, lastUpdated, versionId, resource)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        decision.id, patient.value, decision.kind.rawValue, decision.recordedAt, decision.recordedByOds, decision.recordedBySub,
                        decision.actorSub, decision.periodStart, decision.periodEnd, resource.lastUpdated, resource.versionId, resource.json,
                    ])
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            throw StoreError.busy
        }
        if decision.kind == .optedOut {
            // The decision is in force from the next request whatever happens here (reads re-check it). The record's data is
            // purged now when its writer is free; behind a running import, as soon as that ends (whose own end purges it too),
            // without holding up the answer.
            let purge = Task.detached { [self] in
                try await writeRecord { db in
                    if try Self.patientState(db, patient)?.restriction == .optedOut { try Self.purgeRecord(of: patient, db) }
                }
            }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { _ = try? await purge.value }
                group.addTask { try? await Task.sleep(for: .seconds(Self.decisionWriteTimeout / 2)) }
                await group.next()
                group.cancelAll()
            }
        }
    }

    public func updateSources(_ sources: [SourceIdentity]) async throws {
        try await writeRecord { db in
            for source in sources { try Self.register(source, db) }
        }
    }

    /// A write transaction on the record only: DEFERRED, so that the decisions file attached to the same connection is
    /// read, never locked for writing (an IMMEDIATE transaction would lock every attached file).
    func writeRecord<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.deferred) {
                result = try updates(db)
                return .commit
            }
            guard let result else { preconditionFailure("a committed transaction ran its body") }
            return result
        }
    }

    public func recordFailedImport(_ source: SourceIdentity, report: ImportReport) async throws {
        try await writeRecord { db in
            try Self.register(source, db)
            var failed = report
            failed.succeeded = false
            try Self.insertRun(failed, source: source, db)
        }
    }

    static func register(_ source: SourceIdentity, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO source (id, ods, isGPPractice) VALUES (?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET ods = excluded.ods, isGPPractice = excluded.isGPPractice
                """,
            arguments: [source.id, source.ods, source.isGPPractice])
    }

    static func insertRun(_ report: ImportReport, source: SourceIdentity, _ db: Database) throws {
        let json = String(decoding: try JSONEncoder.importReports.encode(report), as: UTF8.self)
        try db.execute(
            sql: "INSERT INTO importRun (sourceId, succeeded, report) VALUES (?, ?, ?)",
            arguments: [source.id, report.succeeded, json])
    }

    /// Opted out: no demographics or clinical data from any source, only the NHS number, decisions and relationships (C3).
    static func purgeOptedOutPatients(_ db: Database) throws {
        // Only patients with something left to purge: after each source's import the others' rows are already gone, so the
        // state read and deletes for every opted-out patient of the region, after each source, were mostly for nothing
        // (issue 12: 4% of a refresh's CPU).
        let candidates = try String.fetchAll(
            db, sql: """
                SELECT nhsNumber FROM (
                    SELECT nhsNumber FROM sharingDecision WHERE kind = ? UNION SELECT nhsNumber FROM decisions.apiDecision WHERE kind = ?
                ) AS optedOut
                WHERE EXISTS (SELECT 1 FROM patientRecord p WHERE p.nhsNumber = optedOut.nhsNumber)
                    OR EXISTS (SELECT 1 FROM clinicalEntry e WHERE e.nhsNumber = optedOut.nhsNumber)
                """,
            arguments: [SharingDecision.Kind.optedOut.rawValue, SharingDecision.Kind.optedOut.rawValue])
        for candidate in candidates {
            guard let nhs = NHSNumber(candidate), try patientState(db, nhs)?.restriction == .optedOut else { continue }
            try purgeRecord(of: nhs, db)
        }
    }

    static func purgeRecord(of nhsNumber: NHSNumber, _ db: Database) throws {
        try db.cachedStatement(sql: "DELETE FROM patientRecord WHERE nhsNumber = ?").execute(arguments: [nhsNumber.value])
        try db.cachedStatement(sql: "DELETE FROM clinicalEntry WHERE nhsNumber = ?").execute(arguments: [nhsNumber.value])
    }
}
