import CSystemShims
import Foundation
import Synchronization

/// The kernel's random numbers (`getrandom`), fetched 4 KiB at a time and handed out 8 bytes at a time under a lock, each
/// byte once. Every request takes three (its id) or five (with a new trace's ids): Foundation's `UUID()` and
/// `SystemRandomNumberGenerator` make a system call for each, a fiftieth of the read path's CPU (issue 12).
final class KernelRandom: Sendable {
    static let shared = KernelRandom()

    private struct Pool: ~Copyable {
        var words = [UInt64](repeating: 0, count: 512)
        var next = 512
    }

    private let pool = Mutex(Pool())

    func next() -> UInt64 {
        let word: UInt64? = pool.withLock { pool in
            if pool.next == pool.words.count {
                guard pool.words.withUnsafeMutableBytes({ care_record_random_bytes($0.baseAddress, $0.count) }) == 0 else { return nil }
                pool.next = 0
            }
            defer { pool.next += 1 }
            return pool.words[pool.next]
        }
        if let word { return word }
        var system = SystemRandomNumberGenerator()
        return system.next()
    }
}

/// A `RandomNumberGenerator` over `KernelRandom.shared`, for the trace and span ids of new spans.
struct PooledRandomNumberGenerator: RandomNumberGenerator {
    mutating func next() -> UInt64 { KernelRandom.shared.next() }
}

/// The server's request ids: random (version 4) UUIDs in lowercase, as `UUID().uuidString.lowercased()` gives.
enum RequestIDs {
    /// A new id: 36 characters, `xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`.
    static func next(from random: KernelRandom = .shared) -> String {
        var words = (random.next(), random.next())
        return withUnsafeBytes(of: &words) { format(Array($0)) }
    }

    /// The UUID text of 16 random bytes with the version (4) and variant (RFC 9562) bits set.
    static func format(_ random: [UInt8]) -> String {
        var bytes = random
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 36) { text in
            var position = 0
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    text[position] = UInt8(ascii: "-")
                    position += 1
                }
                text[position] = digits.utf8Start[Int(byte >> 4)]
                text[position + 1] = digits.utf8Start[Int(byte & 0x0F)]
                position += 2
            }
            return position
        }
    }
}
