import CSystemShims
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The CPU and disk priority of `care-record sync` (issue 12: reads win during a refresh). A sync on a node's machine gives
/// way to the server's reads; it only takes longer, it never holds a lock readers wait for (they read their own WAL snapshot).
enum SyncPriority {
    /// The niceness a sync runs at unless told otherwise.
    static let defaultNiceness: Int32 = 10

    /// Sets the niceness of every thread of this process, and with `ioIdle` puts each in the idle I/O class (Linux), so that
    /// the kernel's I/O scheduler can put a serving node's audit commits first. On the benchmark's virtual disk an A/B showed
    /// no measurable effect (README, issue 12); kept as a batch job's courtesy. Threads started later inherit both from the
    /// thread that starts them.
    static func lower(to niceness: Int32, ioIdle: Bool) {
        #if os(Linux)
        // On Linux both are per thread: each thread already running is set by its id.
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        for thread in threads {
            guard let id = id_t(thread) else { continue }
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id, niceness)
            if ioIdle { _ = care_record_set_io_idle(Int32(bitPattern: id)) }
        }
        #else
        _ = setpriority(PRIO_PROCESS, 0, niceness)
        #endif
    }
}
