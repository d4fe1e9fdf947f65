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
        return try pipe.ask { rows in try rows.registeredPractice(of: nhsNumber) }
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
///
/// Only what changed is written (issue 12): the source's rows from its last import stay in place, a row the import brings
/// is written only when it differs from the stored one, and `removeUnseen()` deletes, at the end, the rows the import no
/// longer brings. The record ends exactly as deleting the source's rows and inserting the import's would leave it, but a
/// nightly refresh, mostly unchanged, rewrites little of the file: less to write, to checkpoint and to sync. Upstream
/// decisions are the exception: deleted first and inserted again, since their insertion order breaks ties between them.
struct SQLiteImportRowWriter {
    let db: Database
    let source: SourceIdentity
    /// `lastUpdated` as GRDB stores a `Date`, formatted once per distinct value (GRDB formats each with a `DateFormatter`,
    /// a few percent of an import: exports repeat a few timestamps across many rows); bounded.
    private var storedDates: [Date: String] = [:]
    /// What this import wrote so far, by key: patients and registrations by NHS number, episodes and entries by id.
    private var patients = ImportedKeys()
    private var registrations = ImportedKeys()
    private var episodes = ImportedKeys()
    private var entries = ImportedKeys()

    init(db: Database, source: SourceIdentity) {
        self.db = db
        self.source = source
    }

    private mutating func stored(_ date: Date) -> String {
        if let value = storedDates[date] { return value }
        // GRDB stores a `Date` as text; the same text, bound as such.
        guard let value = String.fromDatabaseValue(date.databaseValue) else { preconditionFailure("GRDB stores dates as text") }
        if storedDates.count >= 4096 { storedDates.removeAll(keepingCapacity: true) }
        storedDates[date] = value
        return value
    }

    /// Deletes the source's upstream decisions, which the import then inserts again (their order matters; see above).
    func removeDecisions() throws {
        try db.execute(sql: "DELETE FROM sharingDecision WHERE sourceId = ?", arguments: [source.id])
    }

    mutating func write(_ row: ImportRow) throws {
        switch row {
        case .patient(let resource, let upstreamId, let registeredPractice):
            let nhs = resource.nhsNumber.value
            // A patient twice in one export: the later `lastUpdated` wins. The first time, the import's row replaces the last
            // import's whatever its date.
            let firstPatient = patients.insert(nhs)
            // Bound through SQLite's C API (`SQLiteRows`): GRDB's argument arrays boxed each value, about a quarter of the
            // writer thread's samples in a refresh (issue 12).
            try SQLiteRows.execute(db, firstPatient ? Self.patientSQL.first : Self.patientSQL.again, [
                .text(nhs), .text(source.id), .text(upstreamId), .text(stored(resource.lastUpdated)), .text(resource.versionId), .blob(resource.json),
            ])
            if let registeredPractice {
                let firstRegistration = registrations.insert(nhs)
                try SQLiteRows.execute(db, firstRegistration ? Self.registrationSQL.first : Self.registrationSQL.again, [
                    .text(nhs), .text(source.id), .text(source.ods), .text(registeredPractice), .text(stored(resource.lastUpdated)),
                ])
            }
        case .episode(let episode, let patient):
            _ = episodes.insert(episode.id)
            try db.cachedStatement(sql: Self.episodeSQL)
                .execute(arguments: [episode.id, patient.value, source.id, episode.ods, episode.status, episode.start, episode.end])
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
            _ = entries.insert(resource.id)
            try SQLiteRows.execute(db, Self.entrySQL, [
                .text(resource.id), .text(resource.resourceType), .text(resource.nhsNumber.value), .text(source.id),
                .text(stored(resource.lastUpdated)), .text(resource.versionId), .blob(resource.json),
            ])
        }
    }

    /// The patient's registered practice as the record will hold it: the source's own registration of the patient counts
    /// only once this import has written it.
    func registeredPractice(of nhsNumber: NHSNumber) throws -> String? {
        try SQLiteCareRecordRepository.registeredPractice(
            db, nhsNumber, excludingSource: registrations.contains(nhsNumber.value) ? nil : source.id)
    }

    /// Deletes the source's rows that this import did not bring.
    func removeUnseen() throws {
        try remove(from: "patientRecord", key: "nhsNumber", unless: patients)
        try remove(from: "registration", key: "nhsNumber", unless: registrations)
        try remove(from: "careEpisode", key: "id", unless: episodes)
        try remove(from: "clinicalEntry", key: "id", unless: entries)
    }

    /// Reads the source's keys through the table's `bySource` index, which holds them in key order, a chunk at a time (so
    /// that a source dropping most of its rows does not hold them all in memory), and deletes those not in `kept`. Keys are
    /// read as their bytes: compared exactly, and whole (text read back through a C string would end at a NUL).
    private func remove(from table: String, key: String, unless kept: ImportedKeys) throws {
        let select = "SELECT CAST(\(key) AS BLOB) FROM \(table) INDEXED BY \(table)_bySource WHERE sourceId = ?"
        let first = try db.makeStatement(sql: "\(select) ORDER BY \(key) LIMIT ?")
        let next = try db.makeStatement(sql: "\(select) AND \(key) > ? ORDER BY \(key) LIMIT ?")
        let delete = try db.makeStatement(sql: "DELETE FROM \(table) WHERE \(key) = ? AND sourceId = ?")
        var keys = try Data.fetchAll(first, arguments: [source.id, Self.removalChunk])
        while true {
            // Every key was written from a Swift `String`, so its bytes are valid UTF-8 and decode to the same text.
            for bytes in keys where !kept.contains(bytes) {
                try delete.execute(arguments: [String(decoding: bytes, as: UTF8.self), source.id])
            }
            guard keys.count == Self.removalChunk, let last = keys.last else { return }
            keys = try Data.fetchAll(next, arguments: [source.id, String(decoding: last, as: UTF8.self), Self.removalChunk])
        }
    }

    /// Keys read at a time by `remove`.
    static let removalChunk = 4096

    /// An upsert that writes only when something differs: `first` replaces a row left by an earlier import (and one of
    /// another source with the same key); `again` applies the rule between two rows of one export.
    private static func upsert(_ table: String, key: [String], columns: [String], again: String? = nil) -> (first: String, again: String) {
        let all = key + columns
        let insert = """
            INSERT INTO \(table) (\(all.joined(separator: ", "))) VALUES (\(all.map { _ in "?" }.joined(separator: ", ")))
            ON CONFLICT (\(key.joined(separator: ", "))) DO UPDATE SET \(columns.map { "\($0) = excluded.\($0)" }.joined(separator: ", "))
            """
        let differs = columns.map { "\(table).\($0) IS NOT excluded.\($0)" }.joined(separator: " OR ")
        return (first: insert + " WHERE " + differs, again: insert + " WHERE " + (again ?? differs))
    }

    static let patientSQL = upsert(
        "patientRecord", key: ["nhsNumber", "sourceId"], columns: ["upstreamId", "lastUpdated", "versionId", "resource"],
        again: "excluded.lastUpdated >= patientRecord.lastUpdated")
    static let registrationSQL = upsert(
        "registration", key: ["nhsNumber", "sourceId"], columns: ["sourceOds", "practiceOds", "lastUpdated"],
        again: "excluded.lastUpdated >= registration.lastUpdated")
    static let episodeSQL = upsert(
        "careEpisode", key: ["id"], columns: ["nhsNumber", "sourceId", "ods", "status", "periodStart", "periodEnd"]).first
    static let entrySQL = upsert(
        "clinicalEntry", key: ["id"], columns: ["resourceType", "nhsNumber", "sourceId", "lastUpdated", "versionId", "resource"]).first
}

/// The keys an import wrote, held compactly and compared byte for byte (as SQLite compares them, not as `String`s, which
/// equate canonically equivalent text): the 32-hex-digit ids the mapper derives (`StableID`) as two integers, NHS numbers
/// and any other key as its UTF-8 bytes. A 1,000,000-patient region's largest source brings about 1.7 million entries:
/// a set of 2^22 16-byte slots, 64 MiB (96 MiB while it grows into them).
struct ImportedKeys {
    private struct Digest: Hashable {
        let high: UInt64
        let low: UInt64
    }

    private var digests: Set<Digest> = []
    private var others: Set<[UInt8]> = []

    /// Adds `key`; true when it was not there yet.
    mutating func insert(_ key: String) -> Bool {
        let bytes = Self.stored(key)
        if let digest = Self.digest(bytes) { return digests.insert(digest).inserted }
        return others.insert(Array(bytes)).inserted
    }

    func contains(_ key: String) -> Bool {
        contains(Self.stored(key))
    }

    /// The key's bytes as the record holds it: text is bound as a C string (by `SQLiteRows` and GRDB's arguments alike),
    /// so SQLite stores it up to a NUL.
    private static func stored(_ key: String) -> Substring.UTF8View {
        Substring(key).utf8.prefix { $0 != 0 }
    }

    /// Whether the key whose UTF-8 bytes are `bytes` was added.
    func contains(_ bytes: some Collection<UInt8>) -> Bool {
        if let digest = Self.digest(bytes) { return digests.contains(digest) }
        return others.contains(Array(bytes))
    }

    /// 32 lowercase hexadecimal digits as two integers; nil for anything else.
    private static func digest(_ bytes: some Collection<UInt8>) -> Digest? {
        guard bytes.count == 32 else { return nil }
        var halves: (UInt64, UInt64) = (0, 0)
        for (index, byte) in bytes.enumerated() {
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte &- UInt8(ascii: "a") &+ 10
            default: return nil
            }
            if index < 16 { halves.0 = halves.0 << 4 | UInt64(nibble) } else { halves.1 = halves.1 << 4 | UInt64(nibble) }
        }
        return Digest(high: halves.0, low: halves.1)
    }
}
