import Foundation

/// Lets synchronous code (the import's mapper, written once for both backends) wait for asynchronous PostgreSQL calls
/// without blocking the concurrency pool: the synchronous code runs on a thread of its own, and only that thread waits.
enum BlockingBridge {
    /// Runs `body` on a new thread (named `name`) and resumes with its result. The tests start and stop their
    /// PostgreSQL servers this way too, so that seconds of initdb never hold one of the concurrency pool's threads.
    static func onOwnThread<Result: Sendable>(
        name: String = "care-record.import", _ body: @escaping @Sendable () throws -> Result
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Swift.Result { try body() })
            }
            thread.name = name
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// From a thread started by `onOwnThread` (never from the concurrency pool): waits for `body` to finish.
    static func wait<Result: Sendable>(_ body: @escaping @Sendable () async throws -> Result) throws -> Result {
        let box = ResultBox<Result>()
        let done = DispatchSemaphore(value: 0)
        Task {
            box.set(await Swift.Result { try await body() })
            done.signal()
        }
        done.wait()
        return try box.get()
    }
}

/// A result handed from the task to the waiting thread (the semaphore orders the two).
private final class ResultBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<Value, any Error>?

    func set(_ result: Result<Value, any Error>) {
        lock.lock()
        self.result = result
        lock.unlock()
    }

    func get() throws -> Value {
        lock.lock()
        defer { lock.unlock() }
        guard let result else { preconditionFailure("read before the task finished") }
        return try result.get()
    }
}

extension Result where Failure == any Error {
    /// The value or the error of an async throwing call.
    init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
