import Foundation

/// A result set once by one thread (or task) and waited for by another thread.
final class Outcome<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<Value, any Error>?

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return result != nil
    }

    func set(_ result: Result<Value, any Error>) {
        lock.lock()
        self.result = result
        lock.unlock()
        done.signal()
    }

    /// Waits for the result; once only.
    func wait() -> Result<Value, any Error> {
        done.wait()
        lock.lock()
        defer { lock.unlock() }
        guard let result else { preconditionFailure("signalled before it was set") }
        return result
    }
}
