import Foundation
import GRDBSQLite

/// Checkpoints a SQLite file's write-ahead log on a thread of its own, on its own connection, so that commits rarely wait
/// for one (issue 12). SQLite's automatic checkpoint runs inside the commit that fills the log past 1,000 pages: copying
/// those pages into the file and syncing it stalled every audit commit behind it, and with them every request waiting for
/// its audit record (p99 of `GET /Patient` 95 to 112 ms with audit, 13 to 15 ms without). A passive checkpoint here takes
/// no write lock and never waits for readers or the writer.
///
/// It cannot restart the log, though: only a writer does, as its transaction begins, when every frame has been copied, and
/// under commits that never pause the frames appended while this thread copies are never all copied at once (the log grew
/// past 8,000 pages in `WALCheckpointerTests`). So the owner keeps SQLite's automatic checkpoint as a backstop at a larger
/// size (`SQLiteAuditStore.walBackstopPages`): the commit that passes it copies only the tail this thread has not, and the
/// next commit restarts the log. The owner calls `committed` after each commit and `stop` when it closes.
final class WALCheckpointer: @unchecked Sendable {
    /// Commits after which a checkpoint is asked for: an audit commit writes about five to eight pages of log (the table,
    /// three indexes and the head), so every 500 to 800 pages, well inside the backstop.
    static let commitsPerCheckpoint = 100

    private let path: String
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var pending = false
    private var stopped = false
    private var unsynced = 0
    private var completed = 0
    private var outcome: (code: CInt, logFrames: CInt, copied: CInt) = (SQLITE_OK, 0, 0)

    init(path: String) {
        self.path = path
        let thread = Thread { [self] in run() }
        thread.name = "care-record WAL checkpoints"
        thread.start()
    }

    /// Counts a commit and asks for a checkpoint every `commitsPerCheckpoint`.
    func committed() {
        condition.lock()
        unsynced += 1
        if unsynced >= Self.commitsPerCheckpoint {
            unsynced = 0
            pending = true
            condition.signal()
        }
        condition.unlock()
    }

    /// Checkpoints run so far (for tests).
    var checkpoints: Int {
        condition.lock()
        defer { condition.unlock() }
        return completed
    }

    /// The last checkpoint's result code, the frames in the log and the frames copied into the file (for tests).
    var lastOutcome: (code: CInt, logFrames: CInt, copied: CInt) {
        condition.lock()
        defer { condition.unlock() }
        return outcome
    }

    /// Ends the thread after any checkpoint under way.
    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func run() {
        var handle: OpaquePointer?
        guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let handle else {
            sqlite3_close_v2(handle)
            return
        }
        defer { sqlite3_close_v2(handle) }
        sqlite3_busy_timeout(handle, 2_000)
        // A connection learns that the file is in WAL mode by reading it; until then a checkpoint does nothing.
        sqlite3_exec(handle, "SELECT count(*) FROM sqlite_master", nil, nil, nil)
        while true {
            condition.lock()
            while !pending && !stopped { condition.wait() }
            let stop = stopped
            pending = false
            condition.unlock()
            if stop { return }
            // PASSIVE: copies what no reader still needs, syncs the file, and returns; busy or partial is fine, the next
            // request carries on from there.
            var logFrames: CInt = 0
            var copied: CInt = 0
            let code = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &copied)
            condition.lock()
            completed += 1
            outcome = (code, logFrames, copied)
            condition.unlock()
        }
    }
}
