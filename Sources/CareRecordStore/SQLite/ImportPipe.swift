import Foundation

/// Hands an import's rows from the thread that maps them (the producer) to the thread that writes them (the consumer), in
/// batches, so the two run at once (issue 12). At most `capacity` batches wait, so a fast producer waits for the writer
/// instead of holding the export in memory. The producer can also ask the consumer a question about what it has written
/// (`ask`): the consumer answers after every batch sent before it.
///
/// Either side failing stops both: the consumer's error reaches the producer's next `send` or `ask`; the producer's error
/// stops the consumer. `run` returns the producer's result only when both succeeded; else it throws the consumer's error
/// if the consumer failed, the producer's otherwise.
final class ImportPipe<Row: Sendable, Context>: @unchecked Sendable {
    private enum Item {
        case rows([Row])
        case question((Context) -> Void)
    }

    /// The error a producer's `send` or `ask` throws once the consumer has failed (`run` throws the consumer's own error).
    struct ConsumerFailed: Error {}

    let capacity: Int
    // Everything below is guarded by `condition`.
    private let condition = NSCondition()
    /// What the producer sent and the consumer has not taken yet (at most `capacity` batches, and a question), so the
    /// rows taken are released as soon as they are written.
    private var items: [Item] = []
    private var finished = false
    private var abandoned = false
    private var failed = false

    init(capacity: Int = 8) {
        self.capacity = capacity
    }

    /// Runs `produce` on a thread of its own (named `name`) while this thread writes each row it sends with `write`, then
    /// returns what `produce` returned.
    static func run<Result: Sendable>(
        name: String = "care-record.import", capacity: Int = 8, context: inout Context,
        write: (inout Context, Row) throws -> Void, produce: @escaping @Sendable (ImportPipe) throws -> Result
    ) throws -> Result {
        let pipe = ImportPipe(capacity: capacity)
        let outcome = Outcome<Result>()
        let thread = Thread {
            do {
                let result = try produce(pipe)
                pipe.finish()
                outcome.set(.success(result))
            } catch {
                pipe.abandon()
                outcome.set(.failure(error))
            }
        }
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
        var consumerError: (any Error)?
        do {
            try pipe.consume(&context, write)
        } catch {
            consumerError = error
        }
        let produced = outcome.wait()
        if let consumerError { throw consumerError }
        return try produced.get()
    }

    /// Batches and questions sent and not yet taken by the consumer.
    var waiting: Int {
        condition.lock()
        defer { condition.unlock() }
        return items.count
    }

    // MARK: producer

    /// Hands `rows` to the consumer; waits while `capacity` batches are already waiting.
    func send(_ rows: [Row]) throws {
        condition.lock()
        defer { condition.unlock() }
        while !failed && items.count >= capacity { condition.wait() }
        guard !failed else { throw ConsumerFailed() }
        items.append(.rows(rows))
        condition.broadcast()
    }

    /// The consumer's answer to `question`, asked after every batch sent so far has been written.
    func ask<Answer: Sendable>(_ question: @escaping @Sendable (Context) throws -> Answer) throws -> Answer {
        let answer = Outcome<Answer>()
        condition.lock()
        guard !failed else {
            condition.unlock()
            throw ConsumerFailed()
        }
        items.append(.question { context in answer.set(Swift.Result { try question(context) }) })
        condition.broadcast()
        while !failed && !answer.isSet { condition.wait() }
        condition.unlock()
        // Answered or not, a failed consumer stops the producer.
        guard answer.isSet else { throw ConsumerFailed() }
        return try answer.wait().get()
    }

    private func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    private func abandon() {
        condition.lock()
        abandoned = true
        condition.broadcast()
        condition.unlock()
    }

    // MARK: consumer

    private func consume(_ context: inout Context, _ write: (inout Context, Row) throws -> Void) throws {
        while let item = next() {
            switch item {
            case .rows(let rows):
                do {
                    for row in rows { try write(&context, row) }
                } catch {
                    fail()
                    throw error
                }
            case .question(let question):
                question(context)
                condition.lock()
                condition.broadcast()
                condition.unlock()
            }
        }
    }

    /// The next item, or nil when the producer finished and everything was taken, or abandoned.
    private func next() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while !abandoned && items.isEmpty && !finished { condition.wait() }
        guard !abandoned, !items.isEmpty else { return nil }
        // A few items at most: removing the first moves the others, and releases the taken rows once written (an index
        // into a growing array kept every batch of a source alive while the queue never emptied: 1 GB at 1,000,000 patients).
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    private func fail() {
        condition.lock()
        failed = true
        condition.broadcast()
        condition.unlock()
    }
}
