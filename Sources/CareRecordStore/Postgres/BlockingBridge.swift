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
        let outcome = Outcome<Result>()
        Task { outcome.set(await Swift.Result { try await body() }) }
        return try outcome.wait().get()
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
