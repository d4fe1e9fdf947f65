import FHIR
import Foundation
import GRDB

/// The import's mapper side of a SQLite import: it runs on a thread of its own and hands the rows it maps, in batches,
/// through an `ImportPipe` to the record's writer thread, which inserts them in the import transaction meanwhile (issue 12:
/// mapping and inserting each took about half of a refresh; now they share the two cores). Used from the mapper's thread only.
final class SQLiteSourceImportWriter: SourceImportWriter {
    let source: SourceIdentity
    private let pipe: ImportPipe<ImportRow, SQLiteImportRowWriter>
    /// Rows mapped and not yet handed over.
    private var pending: [ImportRow] = []
    /// Upstream `Patient/{id}` → NHS number (nil: rejected), for this import only: one entry per patient of the source, in
    /// memory as on PostgreSQL (a temporary table cost a statement per lookup: issue 12's profile).
    private var links: [String: NHSNumber?] = [:]
    /// Rows handed over at a time: few enough to keep both threads busy, enough to make the hand-over cheap.
    static let batchSize = 256

    init(source: SourceIdentity, pipe: ImportPipe<ImportRow, SQLiteImportRowWriter>) {
        self.source = source
        self.pipe = pipe
    }

    func addPatient(_ resource: StoredResource, upstreamId: String, registeredPractice: String?) throws {
        links[upstreamId] = .some(resource.nhsNumber)
        try add(.patient(resource, upstreamId: upstreamId, registeredPractice: registeredPractice))
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
        // As the record holds it with this import's registrations so far: hand over what is waiting, then ask in the transaction.
        try flush()
        return try pipe.ask { rows in try SQLiteCareRecordRepository.registeredPractice(rows.db, nhsNumber) }
    }

    func addEpisode(_ episode: CareEpisode, patient: NHSNumber) throws {
        try add(.episode(episode, patient: patient))
    }

    func addDecision(_ decision: SharingDecision, patient: NHSNumber, resource: StoredResource) throws {
        try add(.decision(decision, patient: patient, resource: resource))
    }

    func addEntry(_ resource: StoredResource) throws {
        try add(.entry(resource))
    }

    /// Hands over every row still waiting.
    func flush() throws {
        guard !pending.isEmpty else { return }
        try pipe.send(pending)
        pending.removeAll(keepingCapacity: true)
    }

    private func add(_ row: ImportRow) throws {
        pending.append(row)
        if pending.count >= Self.batchSize { try flush() }
    }
}

/// One row of a source, mapped and waiting to be written.
enum ImportRow: Sendable {
    case patient(StoredResource, upstreamId: String, registeredPractice: String?)
    case episode(CareEpisode, patient: NHSNumber)
    case decision(SharingDecision, patient: NHSNumber, resource: StoredResource)
    case entry(StoredResource)
}

/// Writes one source's rows inside the import transaction, with prepared statements reused across rows. Used from the
/// record's writer thread only.
struct SQLiteImportRowWriter {
    let db: Database
    let source: SourceIdentity
    /// `lastUpdated` as GRDB stores a `Date`, formatted once per distinct value (GRDB formats each with a `DateFormatter`,
    /// a few percent of an import: exports repeat a few timestamps across many rows); bounded.
    private var storedDates: [Date: DatabaseValue] = [:]

    init(db: Database, source: SourceIdentity) {
        self.db = db
        self.source = source
    }

    private mutating func stored(_ date: Date) -> DatabaseValue {
        if let value = storedDates[date] { return value }
        let value = date.databaseValue
        if storedDates.count >= 4096 { storedDates.removeAll(keepingCapacity: true) }
        storedDates[date] = value
        return value
    }

    mutating func write(_ row: ImportRow) throws {
        switch row {
        case .patient(let resource, let upstreamId, let registeredPractice):
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
        case .episode(let episode, let patient):
            try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO careEpisode (id, nhsNumber, sourceId, ods, status, periodStart, periodEnd) VALUES (?, ?, ?, ?, ?, ?, ?)
                """
            ).execute(arguments: [episode.id, patient.value, source.id, episode.ods, episode.status, episode.start, episode.end])
        case .decision(let decision, let patient, let resource):
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
        case .entry(let resource):
            try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO clinicalEntry (id, resourceType, nhsNumber, sourceId, lastUpdated, versionId, resource) VALUES (?, ?, ?, ?, ?, ?, ?)
                """
            ).execute(arguments: [
                resource.id, resource.resourceType, resource.nhsNumber.value, source.id, stored(resource.lastUpdated), resource.versionId,
                resource.json,
            ])
        }
    }
}
