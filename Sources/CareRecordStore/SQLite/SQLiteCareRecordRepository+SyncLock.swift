import Foundation
import GRDB

extension SQLiteCareRecordRepository {
    public var backend: String { "sqlite" }

    public func isReachable() async -> Bool {
        (try? readNow { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
    }

    /// An exclusive `flock` on `<record>.sync-lock` beside the record: `serve`'s scheduled sync and `care-record sync` by
    /// hand exclude each other as the PostgreSQL advisory lock makes nodes do; the lock goes with the process.
    public func withSyncLock<Result: Sendable>(_ body: @escaping @Sendable () async throws -> Result) async throws -> Result? {
        let descriptor = open(pool.path + ".sync-lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            if errno == EWOULDBLOCK { return nil }
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        return try await body()
    }
}
