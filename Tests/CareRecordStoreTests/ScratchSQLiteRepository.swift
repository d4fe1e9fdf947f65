@testable import CareRecordStore
import Foundation

/// A fresh SQLite record in a folder of its own, for the tests of its SQLite internals; `done` removes the folder.
func scratchSQLiteRepository() throws -> (SQLiteCareRecordRepository, done: () -> Void) {
    let folder = scratchFolder()
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let repository = try SQLiteCareRecordRepository(path: folder.appendingPathComponent("care-record.sqlite").path)
    return (repository, { try? FileManager.default.removeItem(at: folder) })
}
