extension Sequence where Element == UInt8 {
    /// Lower-case hexadecimal, two digits a byte (for digests in ids, version ids and ETags). Inlinable, so that it is
    /// specialised where it is used: the generic version, a protocol-witness call per byte, was 4% of a refresh's CPU
    /// (issue 12: two digests per imported line, `StableID`).
    @inlinable
    public var hexadecimal: String {
        let bytes = ContiguousArray(self)
        return String(unsafeUninitializedCapacity: bytes.count * 2) { characters in
            for (index, byte) in bytes.enumerated() {
                characters[2 * index] = Hexadecimal.digit(byte >> 4)
                characters[2 * index + 1] = Hexadecimal.digit(byte & 0x0F)
            }
            return bytes.count * 2
        }
    }
}

/// The digits of `hexadecimal`.
public enum Hexadecimal {
    /// The lower-case digit of a value from 0 to 15.
    @inlinable
    public static func digit(_ value: UInt8) -> UInt8 { value < 10 ? 0x30 + value : 0x57 + value }
}
