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
