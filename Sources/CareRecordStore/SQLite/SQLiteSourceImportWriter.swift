import FHIR
import Foundation
import GRDB

/// Writes one source's rows inside the import transaction, with prepared statements reused across rows.
struct SQLiteSourceImportWriter: SourceImportWriter {
    let db: Database
    let source: SourceIdentity

    func addPatient(_ resource: StoredResource, upstreamId: String, registeredPractice: String?) throws {
        let nhs = resource.nhsNumber.value
        try db.cachedStatement(sql: """
            INSERT INTO patientRecord (nhsNumber, sourceId, upstreamId, lastUpdated, versionId, resource) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (nhsNumber, sourceId) DO UPDATE SET
                upstreamId = excluded.upstreamId, lastUpdated = excluded.lastUpdated,
                versionId = excluded.versionId, resource = excluded.resource
            WHERE excluded.lastUpdated >= patientRecord.lastUpdated
            """
        ).execute(arguments: [nhs, source.id, upstreamId, resource.lastUpdated, resource.versionId, resource.json])
        if let registeredPractice {
            try db.cachedStatement(sql: """
                INSERT INTO registration (nhsNumber, sourceId, sourceOds, practiceOds, lastUpdated) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (nhsNumber, sourceId) DO UPDATE SET practiceOds = excluded.practiceOds, lastUpdated = excluded.lastUpdated
                WHERE excluded.lastUpdated >= registration.lastUpdated
                """
            ).execute(arguments: [nhs, source.id, source.ods, registeredPractice, resource.lastUpdated])
        }
        try link(upstreamId, to: nhs)
    }

    func rejectUpstreamPatient(_ upstreamId: String) throws {
        try link(upstreamId, to: nil)
    }

    private func link(_ upstreamId: String, to nhsNumber: String?) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO importPatientLink (upstreamId, nhsNumber) VALUES (?, ?)")
            .execute(arguments: [upstreamId, nhsNumber])
    }

    func link(forUpstreamPatient upstreamId: String) throws -> UpstreamPatientLink {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT nhsNumber FROM importPatientLink WHERE upstreamId = ?"), arguments: [upstreamId]) else {
            return .unknown
        }
        guard let value: String = row["nhsNumber"], let nhs = NHSNumber(value) else { return .rejected }
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
            resource.lastUpdated, resource.versionId, resource.json,
        ])
    }

    func addEntry(_ resource: StoredResource) throws {
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO clinicalEntry (id, resourceType, nhsNumber, sourceId, lastUpdated, versionId, resource) VALUES (?, ?, ?, ?, ?, ?, ?)
            """
        ).execute(arguments: [resource.id, resource.resourceType, resource.nhsNumber.value, source.id, resource.lastUpdated, resource.versionId, resource.json])
    }
}
