import Foundation
import GRDBSQLite

/// The checkpoint after one source's import, on a thread and a connection of its own (issue 12), so that the next source's
/// import starts at once instead of waiting while the log is copied into the file and the file synced.
///
/// An import commits its whole source at once, and SQLite's automatic checkpoint then copied every page it changed, inside
/// the commit: in a 20,000-patient refresh whose exports all changed, about a second after each GP source in which nothing
/// else happened (the perf timeline: the mapper idle between sources). A passive checkpoint takes no lock that a reader or
/// the writer waits for, so this one runs while the next import maps and writes; that import waits for it before its own
/// commit, so at most one runs, and the log holds at most two sources' pages. Closing the record waits for it too.
final class ImportCheckpoint: @unchecked Sendable {
    private let condition = NSCondition()
    private var finished = false
    /// The checkpoint's result code, the frames in the log and the frames copied (for tests).
    private var outcome: (code: CInt, logFrames: CInt, copied: CInt) = (SQLITE_OK, 0, 0)

    /// Starts a passive checkpoint of the record at `path`.
    init(path: String) {
        let thread = Thread { [self] in
            let result = Self.checkpoint(path)
            condition.lock()
            outcome = result
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        thread.name = "care-record import checkpoint"
        thread.start()
    }

    /// Waits until the checkpoint is over; returns its result code, the frames in the log and the frames copied.
    @discardableResult
    func wait() -> (code: CInt, logFrames: CInt, copied: CInt) {
        condition.lock()
        defer { condition.unlock() }
        while !finished { condition.wait() }
        return outcome
    }

    private static func checkpoint(_ path: String) -> (code: CInt, logFrames: CInt, copied: CInt) {
        var handle: OpaquePointer?
        let opened = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil)
        defer { sqlite3_close_v2(handle) }
        guard opened == SQLITE_OK, let handle else { return (opened, 0, 0) }
        // A connection learns that the file is in WAL mode by reading it; until then a checkpoint does nothing.
        sqlite3_exec(handle, "SELECT count(*) FROM sqlite_master", nil, nil, nil)
        var logFrames: CInt = 0
        var copied: CInt = 0
        let code = sqlite3_wal_checkpoint_v2(handle, "main", SQLITE_CHECKPOINT_PASSIVE, &logFrames, &copied)
        return (code, logFrames, copied)
    }
}
