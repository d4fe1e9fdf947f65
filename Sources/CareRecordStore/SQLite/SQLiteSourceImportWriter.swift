import FHIR
import Foundation
import GRDB

/// Writes one source's rows inside the import transaction, with prepared statements reused across rows. Used from the
/// import's own thread only.
final class SQLiteSourceImportWriter: SourceImportWriter {
    let db: Database
    let source: SourceIdentity
    /// Upstream `Patient/{id}` → NHS number (nil: rejected), for this import only: one entry per patient of the source, in
    /// memory as on PostgreSQL (a temporary table cost a statement per lookup: issue 12's profile).
    private var links: [String: NHSNumber?] = [:]
    /// `lastUpdated` as GRDB stores a `Date`, formatted once per distinct value (GRDB formats each with a `DateFormatter`,
    /// a few percent of an import: exports repeat a few timestamps across many rows); bounded.
    private var storedDates: [Date: DatabaseValue] = [:]

    private func stored(_ date: Date) -> DatabaseValue {
        if let value = storedDates[date] { return value }
        let value = date.databaseValue
        if storedDates.count >= 4096 { storedDates.removeAll(keepingCapacity: true) }
        storedDates[date] = value
        return value
    }

    init(db: Database, source: SourceIdentity) {
        self.db = db
        self.source = source
    }

    func addPatient(_ resource: StoredResource, upstreamId: String, registeredPractice: String?) throws {
        let nhs = resource.nhsNumber.value
        try db.cachedStatement(sql: """
            INSERT INTO patientRecord (nhsNumber, sourceId, upstreamId, lastUpdated, versionId, resource) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (nhsNumber, sourceId) DO UPDATE SET
                upstreamId = excluded.upstreamId, lastUpdated = excluded.lastUpdated,
                versionId = excluded.versionId, resource = excluded.resource
            WHERE excluded.lastUpdated >= patientRecord.lastUpdated
            """
        ).execute(arguments: [nhs, source.id, upstreamId, stored(resource.lastUpdated), resource.versionId, resource.json])
        if let registeredPractice {
            try db.cachedStatement(sql: """
                INSERT INTO registration (nhsNumber, sourceId, sourceOds, practiceOds, lastUpdated) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (nhsNumber, sourceId) DO UPDATE SET practiceOds = excluded.practiceOds, lastUpdated = excluded.lastUpdated
                WHERE excluded.lastUpdated >= registration.lastUpdated
                """
            ).execute(arguments: [nhs, source.id, source.ods, registeredPractice, stored(resource.lastUpdated)])
        }
        links[upstreamId] = .some(resource.nhsNumber)
    }

    func rejectUpstreamPatient(_ upstreamId: String) throws {
        links[upstreamId] = .some(nil)
    }

    func link(forUpstreamPatient upstreamId: String) throws -> UpstreamPatientLink {
        guard let link = links[upstreamId] else { return .unknown }
        guard let nhs = link else { return .rejected }
        return .patient(nhs)
    }

    func registeredPractice(of nhsNumber: NHSNumber) throws -> String? {
        try SQLiteCareRecordRepository.registeredPractice(db, nhsNumber)
    }

    func addEpisode(_ episode: CareEpisode, patient: NHSNumber) throws {
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO careEpisode (id, nhsNumber, sourceId, ods, status, periodStart, periodEnd) VALUES (?, ?, ?, ?, ?, ?, ?)
            """
        ).execute(arguments: [episode.id, patient.value, source.id, episode.ods, episode.status, episode.start, episode.end])
    }

    func addDecision(_ decision: SharingDecision, patient: NHSNumber, resource: StoredResource) throws {
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO sharingDecision
                (id, nhsNumber, kind, recordedAt, recordedByOds, sourceId, recordedBySub, actorSub, periodStart, periodEnd, lastUpdated, versionId, resource)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        ).execute(arguments: [
            decision.id, patient.value, decision.kind.rawValue, decision.recordedAt, decision.recordedByOds, source.id,
            decision.recordedBySub, decision.actorSub, decision.periodStart, decision.periodEnd,
            stored(resource.lastUpdated), resource.versionId, resource.json,
        ])
    }

    func addEntry(_ resource: StoredResource) throws {
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO clinicalEntry (id, resourceType, nhsNumber, sourceId, lastUpdated, versionId, resource) VALUES (?, ?, ?, ?, ?, ?, ?)
            """
        ).execute(arguments: [
            resource.id, resource.resourceType, resource.nhsNumber.value, source.id, stored(resource.lastUpdated), resource.versionId, resource.json,
        ])
    }
}
