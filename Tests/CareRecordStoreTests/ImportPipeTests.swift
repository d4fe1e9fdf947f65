@testable import CareRecordStore
import Foundation
import Testing

/// The hand-over between an import's mapper thread and the record's writer thread (issue 12): every row written once, in
/// order; questions answered after everything sent before them; either side's failure stops both and is the one reported.
@Suite("Import pipe")
struct ImportPipeTests {
    /// The consumer's state in these tests: the rows written so far (a stand-in for the import transaction).
    struct Written {
        var rows: [Int] = []
        var failAt: Int?
    }

    struct WriteRefused: Error, Equatable { let row: Int }
    struct MappingRefused: Error, Equatable {}

    @Test("every row is written once and in order, and a question sees every row sent before it")
    func orderAndQuestions() throws {
        var written = Written()
        let seen = try ImportPipe<Int, Written>.run(capacity: 2, context: &written, write: { $0.rows.append($1) }) { pipe in
            var seen: [Int] = []
            for batch in 0..<50 {
                try pipe.send(Array(batch * 10..<(batch + 1) * 10))
                if batch % 7 == 0 { seen.append(try pipe.ask { $0.rows.count }) }
            }
            return seen
        }
        #expect(written.rows == Array(0..<500))
        #expect(seen == stride(from: 0, to: 50, by: 7).map { ($0 + 1) * 10 })
    }

    @Test("a write that fails stops the producer and is the error reported; the producer's later sends throw")
    func consumerFailure() throws {
        var written = Written(failAt: 95)
        let failedSend = Locked<Int>()
        #expect(throws: WriteRefused(row: 95)) {
            try ImportPipe<Int, Written>.run(capacity: 1, context: &written, write: { state, row in
                if row == state.failAt { throw WriteRefused(row: row) }
                state.rows.append(row)
            }) { pipe in
                for batch in 0..<1000 {
                    do {
                        try pipe.send(Array(batch * 10..<(batch + 1) * 10))
                    } catch {
                        failedSend.set(batch)
                        throw error
                    }
                }
                return 0
            }
        }
        #expect(written.rows == Array(0..<95))
        // The producer stopped soon after the failure, not at the end of its input: at most the waiting batches later.
        #expect((failedSend.value ?? 1000) <= 12)
    }

    @Test("a question asked after a write failed throws instead of waiting for an answer")
    func questionAfterFailure() throws {
        var written = Written(failAt: 3)
        let asked = Locked<String>()
        #expect(throws: WriteRefused(row: 3)) {
            try ImportPipe<Int, Written>.run(context: &written, write: { state, row in
                if row == state.failAt { throw WriteRefused(row: row) }
                state.rows.append(row)
            }) { pipe in
                try pipe.send([1, 2, 3, 4])
                do {
                    _ = try pipe.ask { $0.rows.count }
                    asked.set("answered")
                } catch {
                    asked.set(String(describing: type(of: error)))
                    throw error
                }
                return 0
            }
        }
        // Checked here, not on the producer's thread (which has no test to report to).
        #expect(asked.value == String(describing: ImportPipe<Int, Written>.ConsumerFailed.self))
    }

    @Test("a mapping that fails stops the writer, and its error is the one reported")
    func producerFailure() throws {
        var written = Written()
        #expect(throws: MappingRefused()) {
            try ImportPipe<Int, Written>.run(context: &written, write: { $0.rows.append($1) }) { pipe in
                try pipe.send([1, 2])
                _ = try pipe.ask { $0.rows.count }
                throw MappingRefused()
            }
        }
        #expect(written.rows == [1, 2])
    }

    @Test("the producer waits when capacity batches wait for the writer, so a slow writer bounds what is held")
    func backPressure() throws {
        var written = Written()
        let mostWaiting = try ImportPipe<Int, Written>.run(capacity: 3, context: &written, write: { state, row in
            Thread.sleep(forTimeInterval: 0.002)
            state.rows.append(row)
        }) { pipe in
            var most = 0
            for batch in 0..<40 {
                try pipe.send([batch])
                most = max(most, pipe.waiting)
            }
            return most
        }
        #expect(written.rows == Array(0..<40))
        // The writer takes 2 ms a row and the producer none: it runs ahead until the bound holds it, and no further.
        #expect(mostWaiting == 3)
    }

    @Test("rows are released once written, also while the queue never empties (memory stays bounded by the capacity)")
    func rowsReleased() throws {
        let count = LiveCount()
        var written = 0
        _ = try ImportPipe<TrackedRow, Int>.run(capacity: 2, context: &written, write: { written, _ in
            Thread.sleep(forTimeInterval: 0.0005)
            written += 1
        }) { pipe in
            for _ in 0..<60 { try pipe.send((0..<10).map { _ in TrackedRow(count) }) }
            return 0
        }
        #expect(written == 600)
        #expect(count.now == 0)
        // The two batches waiting, the one being written, the one being sent, and at most one taken and not yet released:
        // 50 rows, never the 600 sent.
        #expect(count.peak <= 50, "\(count.peak) rows alive at once")
    }
}

/// How many `TrackedRow`s are alive, and the most at once (test double state shared by both threads).
private final class LiveCount: @unchecked Sendable {
    private let lock = NSLock()
    private var live = 0
    private var most = 0

    func add(_ delta: Int) {
        lock.lock()
        live += delta
        most = max(most, live)
        lock.unlock()
    }

    var now: Int { lock.lock(); defer { lock.unlock() }; return live }
    var peak: Int { lock.lock(); defer { lock.unlock() }; return most }
}

/// A row that counts itself alive (test double).
private final class TrackedRow: Sendable {
    let count: LiveCount

    init(_ count: LiveCount) {
        self.count = count
        count.add(1)
    }

    deinit { count.add(-1) }
}

/// A value set on the producer's thread and read on the test's, the first one set kept (test double state).
private final class Locked<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value?

    func set(_ value: Value) {
        lock.lock()
        if stored == nil { stored = value }
        lock.unlock()
    }

    var value: Value? {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
