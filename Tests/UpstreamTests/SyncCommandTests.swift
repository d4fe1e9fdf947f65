import CSystemShims
import Foundation
import Testing
@testable import CareRecordCLI

@Suite("care-record sync: its CPU and disk priority (issue 12)")
struct SyncCommandTests {
    @Test("a sync runs at niceness 10 unless told otherwise, and only a niceness from 0 to 19 is accepted")
    func niceness() throws {
        #expect(try SyncCommand.parse(["--config", "x.yaml"]).nice == 10)
        #expect(try SyncCommand.parse(["--config", "x.yaml", "--nice", "0"]).nice == 0)
        #expect(try SyncCommand.parse(["--config", "x.yaml", "--nice", "19"]).nice == 19)
        #expect(throws: (any Error).self) { try SyncCommand.parse(["--config", "x.yaml", "--nice", "20"]) }
        #expect(throws: (any Error).self) { try SyncCommand.parse(["--config", "x.yaml", "--nice", "-5"]) }
    }

    @Test("a sync's disk writes are in the idle I/O class unless --no-io-idle")
    func ioIdleFlag() throws {
        #expect(try SyncCommand.parse(["--config", "x.yaml"]).ioIdle)
        #expect(try !SyncCommand.parse(["--config", "x.yaml", "--no-io-idle"]).ioIdle)
    }

    #if os(Linux)
    @Test("a thread put in the idle I/O class is in it, and so is every thread it starts afterwards")
    func idleClassInherited() async throws {
        // On a thread of its own: the test process's other threads keep their class.
        let classes = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(after: Int32, child: Int32), any Error>) in
            let thread = Thread {
                guard care_record_set_io_idle(0) == 0 else {
                    continuation.resume(throwing: POSIXError(POSIXErrorCode(rawValue: errno) ?? .EPERM))
                    return
                }
                let after = care_record_io_class(0)
                let child = ChildClass()
                let started = Thread { child.set(care_record_io_class(0)) }
                started.start()
                continuation.resume(returning: (after, child.wait()))
            }
            thread.start()
        }
        #expect(classes.after == 3)
        #expect(classes.child == 3)
    }
    #endif
}

/// The I/O class a child thread saw, handed to its parent (test double state).
private final class ChildClass: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var value: Int32 = -1

    func set(_ value: Int32) {
        self.value = value
        done.signal()
    }

    func wait() -> Int32 {
        done.wait()
        return value
    }
}
