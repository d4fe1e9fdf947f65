import Dispatch
import Foundation

/// What every harness shares: a fixed clock, so seeds stay valid, and a way to run async code from libFuzzer's synchronous callback.
public enum FuzzSupport {
    /// 2026-11-25T12:00:00Z: the time the seed tokens and consents were written for.
    public static let now = Date(timeIntervalSince1970: 1_795_608_000)

    /// The fuzz input as bytes (libFuzzer may pass a null pointer for an empty input).
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Data {
        guard let data, size > 0 else { return Data() }
        return Data(bytes: data, count: size)
    }

    /// Runs `body` to completion on the concurrency pool and waits for it.
    public static func blocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            box.value = await body()
            done.signal()
        }
        done.wait()
        return box.value!
    }

    /// A broken invariant: crashes, so libFuzzer saves the input as a crash artefact.
    public static func fail(_ message: String, input: Data) -> Never {
        let preview = String(decoding: input.prefix(400), as: UTF8.self)
        fatalError("fuzz invariant broken: \(message)\ninput (\(input.count) bytes): \(preview)")
    }
}

/// Carries a result out of a Task; written once before the semaphore is signalled, read once after.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
