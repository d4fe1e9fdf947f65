import CSystemShims
import Foundation
import Synchronization

/// The server's request ids: random (version 4) UUIDs in lowercase, as `UUID().uuidString.lowercased()` gives, from the
/// kernel's random numbers fetched 4 KiB (256 ids) at a time. Foundation's `UUID()` makes a system call per id, and with
/// its string and lowercased copy it was a fiftieth of the read path's CPU (issue 12).
final class RequestIDs: Sendable {
    static let shared = RequestIDs()

    private struct Pool: ~Copyable {
        var bytes = [UInt8](repeating: 0, count: 4096)
        var next = 4096
    }

    private let pool = Mutex(Pool())

    /// A new id: 36 characters, `xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`.
    func next() -> String {
        var random: (UInt64, UInt64) = (0, 0)
        let filled = withUnsafeMutableBytes(of: &random) { destination in
            pool.withLock { pool -> Bool in
                if pool.next + 16 > pool.bytes.count {
                    guard pool.bytes.withUnsafeMutableBytes({ care_record_random_bytes($0.baseAddress, $0.count) }) == 0 else { return false }
                    pool.next = 0
                }
                pool.bytes.withUnsafeBytes { destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[pool.next..<pool.next + 16])) }
                pool.next += 16  // each id's bytes are used once
                return true
            }
        }
        guard filled else { return UUID().uuidString.lowercased() }
        return withUnsafeBytes(of: &random) { Self.format(Array($0)) }
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
