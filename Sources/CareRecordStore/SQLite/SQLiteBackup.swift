import Foundation
import GRDB

extension SQLiteCareRecordRepository {
    /// A consistent online copy of the record and its decisions file into `folder` (SQLite's backup API, from a read
    /// snapshot, so `serve` and imports go on meanwhile), named as `path` names them; the files written.
    public func backup(into folder: URL, recordName: String = "care-record.sqlite") throws -> [String] {
        let record = folder.appendingPathComponent(recordName).path
        let decisionsCopy = Self.decisionsPath(forRecordAt: record)
        // The record first: decisions copied after it are at least as new as it (a decision never refers to later data).
        try SQLiteBackup.copy(pool, to: record)
        try SQLiteBackup.copy(decisions, to: decisionsCopy)
        return [record, decisionsCopy]
    }
}

extension SQLiteAuditStore {
    /// A consistent online copy of the audit log to `path`, as of one snapshot.
    public func backup(to path: String) throws {
        try SQLiteBackup.copy(pool, to: path)
    }
}

enum SQLiteBackup {
    /// Copies `source` page by page into a new file at `path` (refusing to overwrite one).
    static func copy(_ source: DatabasePool, to path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else { throw CocoaError(.fileWriteFileExists, userInfo: [NSFilePathErrorKey: path]) }
        let destination = try DatabaseQueue(path: path)
        try source.backup(to: destination)
        try destination.close()
    }
}
