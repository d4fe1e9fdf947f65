extension StringProtocol {
    /// Without leading and trailing spaces and horizontal tabs (HTTP's optional whitespace), found by bytes: header values
    /// on the hot path are ASCII, and Foundation's `trimmingCharacters(in:)` bridges through NSString.
    var trimmingASCIISpaces: Substring {
        let whole = Substring(self)
        let utf8 = whole.utf8
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = utf8.firstIndex(where: { !isSpace($0) }), let last = utf8.lastIndex(where: { !isSpace($0) }) else {
            return whole[whole.endIndex...]
        }
        return Substring(utf8[first...last])
    }
}

extension String.UTF8View {
    /// Whether `needle` (lowercase ASCII) occurs, ASCII letters compared without case. By bytes: on every response, and
    /// the generic `firstRange(of:)` over a lowercased copy was a fortieth of the read path's CPU (issue 12).
    func containsASCIICaseInsensitive(_ needle: StaticString) -> Bool {
        let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        return withBytes { bytes in
            guard bytes.count >= pattern.count else { return false }
            return (0...(bytes.count - pattern.count)).contains { Self.matches(bytes, from: $0, pattern) }
        }
    }

    /// Whether the text starts with `prefix` (lowercase ASCII), ASCII letters compared without case.
    func hasASCIIPrefixCaseInsensitive(_ prefix: StaticString) -> Bool {
        let pattern = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        return withBytes { bytes in bytes.count >= pattern.count && Self.matches(bytes, from: 0, pattern) }
    }

    private func withBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        if let result = withContiguousStorageIfAvailable(body) { return result }
        return Array(self).withUnsafeBufferPointer(body)
    }

    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, _ pattern: UnsafeBufferPointer<UInt8>) -> Bool {
        for offset in 0..<pattern.count {
            let byte = bytes[start + offset]
            let lowered = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
            guard lowered == pattern[offset] else { return false }
        }
        return true
    }
}
