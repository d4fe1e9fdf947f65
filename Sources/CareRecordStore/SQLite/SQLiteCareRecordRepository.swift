import FHIR
import Foundation
import GRDB

/// The combined record in SQLite (WAL mode): the only type that opens its files.
///
/// Two files: the record itself, replaced source by source by the importer, and the sharing decisions recorded through the
/// API, in a file of their own so that a decision never waits behind an import's long write transaction (issue 8.4). The
/// decisions file is attached to every connection of the record, so one read transaction sees both.
public final class SQLiteCareRecordRepository: CareRecordRepository {
    let pool: DatabasePool
    /// API sharing decisions: `synchronous = FULL`, so a decision acknowledged with `201` survives power loss.
    let decisions: DatabasePool
    /// The serving path's read connections (issue 12); `pool`'s readers serve the rest.
    let snapshots: SnapshotReaders
    /// How long a sharing decision waits for another writer of its file before the API answers 503.
    public static let decisionWriteTimeout: TimeInterval = 2

    /// Opens (creating if needed) the database at `path`, and its decisions file beside it, and applies pending migrations.
    public init(path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let decisionsPath = Self.decisionsPath(forRecordAt: path)
        var decisionsConfiguration = Configuration()
        decisionsConfiguration.busyMode = .timeout(Self.decisionWriteTimeout)
        decisionsConfiguration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        decisions = try DatabasePool(path: decisionsPath, configuration: decisionsConfiguration)
        try Self.decisionsMigrator.migrate(decisions)

        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.decisionWriteTimeout)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Reads map the record instead of copying each page through pread(2): a 100-entry $everything spent a fifth of
            // its time in pread (issue 12). 256 MiB of address space per reader connection, shared pages. Not the writer:
            // an import touches every page of the record, and mapped pages count in its resident size (a 100,000-patient
            // refresh peaked at 384 MiB with the writer mapped).
            if db.configuration.readonly {
                try db.execute(sql: Self.readerMapSizeSQL)
            }
            try db.execute(sql: "ATTACH DATABASE ? AS decisions", arguments: [decisionsPath])
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
        snapshots = SnapshotReaders(path: path, decisionsPath: decisionsPath, busyTimeout: Self.decisionWriteTimeout)
    }

    /// Each reader connection maps up to 256 MiB of the record (see `prepareDatabase` above).
    static let readerMapSizeSQL = "PRAGMA mmap_size = 268435456"

    /// The decisions file of the record at `path`: `care-record.sqlite` → `care-record-decisions.sqlite`.
    public static func decisionsPath(forRecordAt path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let name = url.deletingPathExtension().lastPathComponent + "-decisions." + (url.pathExtension.isEmpty ? "sqlite" : url.pathExtension)
        return url.deletingLastPathComponent().appendingPathComponent(name).path
    }
}
