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
/// past 8,000 pages in `WALCheckpointerTests`). So once the log passes `restartFrames`, this thread checkpoints again until
/// a pass finds little left (what was committed during the pass before), and asks the owner's writer to copy those few
/// frames between two commits (`takeRestartRequest`); the next commit then restarts the log. The owner keeps SQLite's
/// automatic checkpoint as a backstop at a larger size (`SQLiteAuditStore.walBackstopPages`), should the writer not get to
/// it: the commit that passes it copies the tail this thread has not, so every waiting request waits for that copy and its
/// sync (with the backstop alone, 17 to 30 of 5,700 audit commits took over 25 ms in 15 s of `GET /Patient`; none now).
/// The owner calls `committed` after each commit, `takeRestartRequest` between commits, and `stop` when it closes.
final class WALCheckpointer: @unchecked Sendable {
    /// Commits after which a checkpoint is asked for: an audit commit writes about five to twelve pages of log (the table,
    /// three indexes and the head), so every 125 to 300 pages. Syncing the file after copying them takes about 0.05 ms per
    /// page on this machine's disk (measured: 600 random pages 23 ms, 200 11 ms, 50 3 ms), and a commit that syncs the log
    /// meanwhile waits behind it: small passes keep that wait short.
    static let commitsPerCheckpoint = 25
    /// Frames few enough for the writer to copy and sync while commits wait (a few milliseconds).
    static let smallTail: CInt = 64
    /// Passes at most before a restart is asked for all the same.
    static let passesBeforeRestart = 8
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
        locked {
            unsynced += 1
            guard unsynced >= Self.commitsPerCheckpoint else { return }
            unsynced = 0
            pending = true
            condition.signal()
        }
    }

    /// True once after this thread has asked for the log to be restarted: the caller, the file's writer between two
    /// commits, then checkpoints what is left (a few commits' pages), and its next commit starts the log again.
    /// The caller must call `restartDone` after its checkpoint.
    func takeRestartRequest() -> Bool {
        locked {
            guard restartRequested else { return false }
            restartRequested = false
            writerCheckpointing = true
            return true
        }
    }

    /// The writer's checkpoint is over: this thread may checkpoint again.
    func restartDone() {
        locked {
            writerCheckpointing = false
            condition.signal()
        }
    }

    /// Restarts asked of the writer so far (for tests).
    var restartsRequested: Int { locked { requestedRestarts } }

    /// Checkpoints run so far (for tests).
    var checkpoints: Int { locked { completed } }

    /// The last checkpoint's result code, the frames in the log and the frames copied into the file (for tests).
    var lastOutcome: (code: CInt, logFrames: CInt, copied: CInt) { locked { outcome } }

    /// Ends the thread after any checkpoint under way.
    func stop() {
        locked {
            stopped = true
            condition.signal()
        }
    }

    private func locked<Result>(_ body: () -> Result) -> Result {
        condition.lock()
        defer { condition.unlock() }
        return body()
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
            var passes = 1
            let restart = code == SQLITE_OK && logFrames >= Self.restartFrames
            if restart {
                // Again, until a pass finds little to copy (what was committed during the pass before): the writer's share
                // is then about that little, and commits wait for its sync, which takes about 0.05 ms per page here.
                var newlyCopied = Self.smallTail + 1
                while code == SQLITE_OK && newlyCopied > Self.smallTail && passes < Self.passesBeforeRestart {
                    let before = copied
                    code = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &copied)
                    newlyCopied = copied - before
                    passes += 1
                }
            }
            locked {
                completed += passes
                outcome = (code, logFrames, copied)
                if restart {
                    restartRequested = true
                    requestedRestarts += 1
                }
            }
        }
    }
}
