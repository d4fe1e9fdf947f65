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
/// past 8,000 pages in `WALCheckpointerTests`). So once the log passes `restartFrames`, this thread checkpoints twice in a
/// row (the second copies only what was committed during the first) and asks the owner's writer to copy the few frames
/// left between two commits (`takeRestartRequest`); the next commit then restarts the log. The owner keeps SQLite's
/// automatic checkpoint as a backstop at a larger size (`SQLiteAuditStore.walBackstopPages`), should the writer not get to
/// it: the commit that passes it copies the tail this thread has not, so every waiting request waits for that copy (p99
/// of `GET /Patient` 36 ms with the backstop alone, 17 ms with an unbounded log). The owner calls `committed` after each
/// commit, `takeRestartRequest` between commits, and `stop` when it closes.
final class WALCheckpointer: @unchecked Sendable {
    /// Commits after which a checkpoint is asked for: an audit commit writes about five to eight pages of log (the table,
    /// three indexes and the head), so every 500 to 800 pages, well inside the backstop.
    static let commitsPerCheckpoint = 100
    /// Frames in the log after one of this thread's checkpoints from which the writer is asked to finish the copy, so that
    /// the log restarts: well below the backstop, so that the backstop is left for when the writer cannot.
    static let restartFrames: CInt = 2_000

    private let path: String
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var pending = false
    private var stopped = false
    private var unsynced = 0
    private var completed = 0
    /// Asked of the writer and not yet taken, or taken and under way: this thread checkpoints neither meanwhile, so the two
    /// never meet (a passive checkpoint that finds another running does nothing at all).
    private var restartRequested = false
    private var writerCheckpointing = false
    private var requestedRestarts = 0
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

    /// True once after this thread has asked for the log to be restarted: the caller, the file's writer between two
    /// commits, then checkpoints what is left (a few commits' pages), and its next commit starts the log again.
    /// The caller must call `restartDone` after its checkpoint.
    func takeRestartRequest() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard restartRequested else { return false }
        restartRequested = false
        writerCheckpointing = true
        return true
    }

    /// The writer's checkpoint is over: this thread may checkpoint again.
    func restartDone() {
        condition.lock()
        writerCheckpointing = false
        condition.signal()
        condition.unlock()
    }

    /// Restarts asked of the writer so far (for tests).
    var restartsRequested: Int {
        condition.lock()
        defer { condition.unlock() }
        return requestedRestarts
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
            while (!pending || restartRequested || writerCheckpointing) && !stopped { condition.wait() }
            let stop = stopped
            pending = false
            condition.unlock()
            if stop { return }
            // PASSIVE: copies what no reader still needs, syncs the file, and returns; busy or partial is fine, the next
            // request carries on from there.
            var logFrames: CInt = 0
            var copied: CInt = 0
            var code = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &copied)
            let restart = code == SQLITE_OK && logFrames >= Self.restartFrames
            if restart {
                // Again at once: this copies only what was committed while the first ran, and leaves the writer less.
                code = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &copied)
            }
            condition.lock()
            completed += restart ? 2 : 1
            outcome = (code, logFrames, copied)
            if restart {
                restartRequested = true
                requestedRestarts += 1
            }
            condition.unlock()
        }
    }
}
