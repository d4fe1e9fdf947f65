import FHIR
import Foundation
import Logging
import PostgresNIO

/// Writes one source's rows inside the import transaction, in multi-row `INSERT`s of up to a thousand rows. Rows wait in
/// memory until their table's batch is full; a row for a key already waiting replaces it as the SQLite writer's
/// `INSERT OR REPLACE` (or newer-wins upsert) would. Used from the import's own thread only.
final class PostgresSourceImportWriter: SourceImportWriter {
    let source: SourceIdentity
    private let connection: PostgresConnection
    private let logger: Logger
    /// Upstream `Patient/{id}` → NHS number (nil: rejected), for this import only.
    private var links: [String: String?] = [:]
    private var patients = Batch<PatientRow>()
    private var registrations = Batch<RegistrationRow>()
    private var episodes = Batch<EpisodeRow>()
    private var decisions = Batch<DecisionRow>()
    private var entries = Batch<StoredResource>()

    init(source: SourceIdentity, connection: PostgresConnection, logger: Logger) {
        self.source = source
        self.connection = connection
        self.logger = logger
    }

    func addPatient(_ resource: StoredResource, upstreamId: String, registeredPractice: String?) throws {
        let nhs = resource.nhsNumber.value
        patients.put(nhs, PatientRow(nhsNumber: nhs, upstreamId: upstreamId, resource: resource)) { $1.resource.lastUpdated >= $0.resource.lastUpdated }
        if let registeredPractice {
            registrations.put(nhs, RegistrationRow(nhsNumber: nhs, practiceOds: registeredPractice, lastUpdated: resource.lastUpdated)) {
                $1.lastUpdated >= $0.lastUpdated
            }
        }
        links[upstreamId] = .some(nhs)
        try flushFull()
    }

    func rejectUpstreamPatient(_ upstreamId: String) throws {
        links[upstreamId] = .some(nil)
    }

    func link(forUpstreamPatient upstreamId: String) throws -> UpstreamPatientLink {
        guard let link = links[upstreamId] else { return .unknown }
        guard let value = link, let nhs = NHSNumber(value) else { return .rejected }
        return .patient(nhs)
    }

    func registeredPractice(of nhsNumber: NHSNumber) throws -> String? {
        // As the record holds it with this import's registrations so far: send what is waiting, then ask in the transaction.
        try flush()
        let connection = connection
        let logger = logger
        return try BlockingBridge.wait {
            try await PostgresCareRecordRepository.registeredPractice(nhsNumber, connection, logger)
        }
    }

    func addEpisode(_ episode: CareEpisode, patient: NHSNumber) throws {
        episodes.put(episode.id, EpisodeRow(episode: episode, nhsNumber: patient.value))
        try flushFull()
    }

    func addDecision(_ decision: SharingDecision, patient: NHSNumber, resource: StoredResource) throws {
        decisions.put(decision.id, DecisionRow(decision: decision, nhsNumber: patient.value, resource: resource))
        try flushFull()
    }

    func addEntry(_ resource: StoredResource) throws {
        entries.put(resource.id, resource)
        try flushFull()
    }

    /// Sends every table's waiting rows.
    func flush() throws {
        try send(&patients, Self.insertPatients)
        try send(&registrations, Self.insertRegistrations)
        try send(&episodes, Self.insertEpisodes)
        try send(&decisions, Self.insertDecisions)
        try send(&entries, Self.insertEntries)
    }

    private func flushFull() throws {
        let limit = PostgresCareRecordRepository.rowsPerStatement
        if patients.count >= limit { try send(&patients, Self.insertPatients) }
        if registrations.count >= limit { try send(&registrations, Self.insertRegistrations) }
        if episodes.count >= limit { try send(&episodes, Self.insertEpisodes) }
        if decisions.count >= limit { try send(&decisions, Self.insertDecisions) }
        if entries.count >= limit { try send(&entries, Self.insertEntries) }
    }

    private func send<Row>(_ batch: inout Batch<Row>, _ statements: (SourceIdentity, [Row]) throws -> [PostgresQuery]) throws {
        let rows = batch.take()
        guard !rows.isEmpty else { return }
        let queries = try statements(source, rows)
        let connection = connection
        let logger = logger
        try BlockingBridge.wait {
            for query in queries { try await connection.perform(query, logger: logger) }
        }
    }
}

extension PostgresSourceImportWriter {
    struct PatientRow {
        var nhsNumber: String
        var upstreamId: String
        var resource: StoredResource
    }

    struct RegistrationRow {
        var nhsNumber: String
        var practiceOds: String
        var lastUpdated: Date
    }

    struct EpisodeRow {
        var episode: CareEpisode
        var nhsNumber: String
    }

    struct DecisionRow {
        var decision: SharingDecision
        var nhsNumber: String
        var resource: StoredResource
    }

    static func insertPatients(_ source: SourceIdentity, _ rows: [PatientRow]) throws -> [PostgresQuery] {
        [try values(rows, """
            INSERT INTO patientRecord (nhsNumber, sourceId, upstreamId, lastUpdated, versionId, resource) VALUES %
            ON CONFLICT (nhsNumber, sourceId) DO UPDATE SET
                upstreamId = excluded.upstreamId, lastUpdated = excluded.lastUpdated, versionId = excluded.versionId, resource = excluded.resource
            WHERE excluded.lastUpdated >= patientRecord.lastUpdated
            """) { row, sql in
            [sql.bind(row.nhsNumber), sql.bind(source.id), sql.bind(row.upstreamId), sql.bind(row.resource.lastUpdated),
             sql.bind(row.resource.versionId), try sql.bind(bytes: row.resource.json)]
        }]
    }

    static func insertRegistrations(_ source: SourceIdentity, _ rows: [RegistrationRow]) throws -> [PostgresQuery] {
        [try values(rows, """
            INSERT INTO registration (nhsNumber, sourceId, sourceOds, practiceOds, lastUpdated) VALUES %
            ON CONFLICT (nhsNumber, sourceId) DO UPDATE SET practiceOds = excluded.practiceOds, lastUpdated = excluded.lastUpdated
            WHERE excluded.lastUpdated >= registration.lastUpdated
            """) { row, sql in
            [sql.bind(row.nhsNumber), sql.bind(source.id), sql.bind(source.ods), sql.bind(row.practiceOds), sql.bind(row.lastUpdated)]
        }]
    }

    static func insertEpisodes(_ source: SourceIdentity, _ rows: [EpisodeRow]) throws -> [PostgresQuery] {
        [try values(rows, """
            INSERT INTO careEpisode (id, nhsNumber, sourceId, ods, status, periodStart, periodEnd) VALUES %
            ON CONFLICT (id) DO UPDATE SET nhsNumber = excluded.nhsNumber, sourceId = excluded.sourceId, ods = excluded.ods,
                status = excluded.status, periodStart = excluded.periodStart, periodEnd = excluded.periodEnd
            """) { row, sql in
            [sql.bind(row.episode.id), sql.bind(row.nhsNumber), sql.bind(source.id), sql.bind(row.episode.ods), sql.bind(row.episode.status),
             sql.bind(row.episode.start), sql.bind(row.episode.end)]
        }]
    }

    static func insertDecisions(_ source: SourceIdentity, _ rows: [DecisionRow]) throws -> [PostgresQuery] {
        // A decision id seen again replaces the old row as a new one (a later sequence), as SQLite's INSERT OR REPLACE does.
        var ids = PostgresBindings()
        ids.append(rows.map(\.decision.id))
        let delete = PostgresQuery(unsafeSQL: "DELETE FROM sharingDecision WHERE id = ANY($1)", binds: ids)
        let insert = try values(rows, """
            INSERT INTO sharingDecision
                (id, nhsNumber, kind, recordedAt, recordedByOds, sourceId, recordedBySub, actorSub, periodStart, periodEnd, lastUpdated, versionId, resource)
            VALUES %
            """) { row, sql in
            let decision = row.decision
            return [
                sql.bind(decision.id), sql.bind(row.nhsNumber), sql.bind(decision.kind.rawValue), sql.bind(decision.recordedAt),
                sql.bind(decision.recordedByOds), sql.bind(source.id), sql.bind(decision.recordedBySub), sql.bind(decision.actorSub),
                sql.bind(decision.periodStart), sql.bind(decision.periodEnd), sql.bind(row.resource.lastUpdated), sql.bind(row.resource.versionId),
                try sql.bind(bytes: row.resource.json),
            ]
        }
        return [delete, insert]
    }

    static func insertEntries(_ source: SourceIdentity, _ rows: [StoredResource]) throws -> [PostgresQuery] {
        [try values(rows, """
            INSERT INTO clinicalEntry (id, resourceType, nhsNumber, sourceId, lastUpdated, versionId, resource) VALUES %
            ON CONFLICT (id) DO UPDATE SET resourceType = excluded.resourceType, nhsNumber = excluded.nhsNumber, sourceId = excluded.sourceId,
                lastUpdated = excluded.lastUpdated, versionId = excluded.versionId, resource = excluded.resource
            """) { row, sql in
            [sql.bind(row.id), sql.bind(row.resourceType), sql.bind(row.nhsNumber.value), sql.bind(source.id), sql.bind(row.lastUpdated),
             sql.bind(row.versionId), try sql.bind(bytes: row.json)]
        }]
    }

    /// `template` with `%` replaced by one parenthesised tuple of placeholders per row.
    static func values<Row>(_ rows: [Row], _ template: String, _ bind: (Row, inout SQLFragment) throws -> [String]) throws -> PostgresQuery {
        var fragment = SQLFragment()
        var tuples: [String] = []
        tuples.reserveCapacity(rows.count)
        for row in rows {
            tuples.append("(" + (try bind(row, &fragment)).joined(separator: ",") + ")")
        }
        return PostgresQuery(unsafeSQL: template.replacingOccurrences(of: "%", with: tuples.joined(separator: ",")), binds: fragment.binds)
    }
}

/// Rows waiting for one table, in arrival order, at most one per key.
struct Batch<Row> {
    private var rows: [Row?] = []
    private var positions: [String: Int] = [:]
    private(set) var count = 0

    /// Adds `row`; a row already waiting for `key` is replaced when `replaces(old, new)` (always, by default), and the
    /// replacement moves to the end.
    mutating func put(_ key: String, _ row: Row, replaces: (Row, Row) -> Bool = { _, _ in true }) {
        if let position = positions[key], let old = rows[position] {
            guard replaces(old, row) else { return }
            rows[position] = nil
            count -= 1
        }
        positions[key] = rows.count
        rows.append(row)
        count += 1
    }

    /// The waiting rows, leaving none.
    mutating func take() -> [Row] {
        defer {
            rows = []
            positions = [:]
            count = 0
        }
        return rows.compactMap { $0 }
    }
}
