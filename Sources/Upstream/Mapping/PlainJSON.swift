import Foundation

/// A JSON document for the import's fast path (issue 12), parsed from bytes without Foundation.
///
/// It accepts only "plain" JSON: strings without escape sequences (valid UTF-8, no DEL, no U+2028/U+2029), integers
/// without sign tricks, fractions or exponents, no duplicate keys, at most `maximumDepth` levels. Anything else gives nil,
/// and the line goes through Foundation's decoder exactly as before, so every rejection and error message stays the same:
/// the fast path only ever handles input whose meaning Foundation and it agree on.
struct PlainJSON {
    /// A parsed value; strings and numbers are byte ranges of `bytes` (a string's without its quotes).
    enum Value {
        case string(Range<Int>)
        case number(Range<Int>)
        case bool(Bool)
        case null
        case array([Value])
        case object([Member])
    }

    struct Member {
        let key: Range<Int>
        let value: Value
    }

    static let maximumDepth = 32
    /// Integers of up to 18 digits fit an `Int` whatever their value.
    static let maximumDigits = 18

    let bytes: [UInt8]
    let root: Value

    /// The document, or nil when it is not plain JSON (then Foundation decides).
    init?(_ bytes: [UInt8]) {
        guard let root = bytes.withUnsafeBufferPointer({ buffer -> Value? in
            var parser = Parser()
            parser.skipWhitespace(buffer)
            guard let value = parser.value(buffer, depth: 0) else { return nil }
            parser.skipWhitespace(buffer)
            return parser.position == buffer.count ? value : nil
        }) else { return nil }
        self.bytes = bytes
        self.root = root
    }

    /// The member named `key` of `object`.
    func member(_ key: StaticString, of object: [Member]) -> Value? {
        object.first { equal($0.key, key) }?.value
    }

    func equal(_ range: Range<Int>, _ key: StaticString) -> Bool {
        range.count == key.utf8CodeUnitCount
            && bytes.withUnsafeBufferPointer { memcmp($0.baseAddress! + range.lowerBound, key.utf8Start, range.count) == 0 }
    }

    func equal(_ range: Range<Int>, _ name: String) -> Bool {
        bytes[range].elementsEqual(name.utf8)
    }

    /// The index in `object` of the member named as `field`, or -1.
    func slot(of field: EntrySchema.Field, in object: [Member]) -> Int {
        bytes.withUnsafeBufferPointer { buffer in
            field.bytes.withUnsafeBufferPointer { name in
                for (position, member) in object.enumerated() where member.key.count == name.count {
                    if memcmp(name.baseAddress!, buffer.baseAddress! + member.key.lowerBound, name.count) == 0 { return position }
                }
                return -1
            }
        }
    }

    /// A string value's text; nil for null, absence, or another kind.
    func string(_ value: Value?) -> String? {
        guard case .string(let range) = value else { return nil }
        return String(decoding: bytes[range], as: UTF8.self)
    }

    private struct Parser {
        var position = 0

        mutating func skipWhitespace(_ buffer: UnsafeBufferPointer<UInt8>) {
            while position < buffer.count {
                switch buffer[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }

        mutating func value(_ buffer: UnsafeBufferPointer<UInt8>, depth: Int) -> Value? {
            guard position < buffer.count, depth <= PlainJSON.maximumDepth else { return nil }
            switch buffer[position] {
            case UInt8(ascii: "{"): return object(buffer, depth: depth + 1)
            case UInt8(ascii: "["): return array(buffer, depth: depth + 1)
            case UInt8(ascii: "\""): return string(buffer).map(Value.string)
            case UInt8(ascii: "t"): return literal("true", buffer) ? .bool(true) : nil
            case UInt8(ascii: "f"): return literal("false", buffer) ? .bool(false) : nil
            case UInt8(ascii: "n"): return literal("null", buffer) ? .null : nil
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number(buffer).map(Value.number)
            default: return nil
            }
        }

        mutating func object(_ buffer: UnsafeBufferPointer<UInt8>, depth: Int) -> Value? {
            position += 1
            var members: [Member] = []
            skipWhitespace(buffer)
            if position < buffer.count, buffer[position] == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            }
            while true {
                guard position < buffer.count, buffer[position] == UInt8(ascii: "\""), let key = string(buffer) else { return nil }
                // Foundation and this parser might disagree on which of two equal keys counts: leave those to Foundation.
                if members.contains(where: { $0.key.count == key.count && buffer[$0.key].elementsEqual(buffer[key]) }) { return nil }
                skipWhitespace(buffer)
                guard position < buffer.count, buffer[position] == UInt8(ascii: ":") else { return nil }
                position += 1
                skipWhitespace(buffer)
                guard let value = value(buffer, depth: depth) else { return nil }
                members.append(Member(key: key, value: value))
                skipWhitespace(buffer)
                guard position < buffer.count else { return nil }
                switch buffer[position] {
                case UInt8(ascii: ","):
                    position += 1
                    skipWhitespace(buffer)
                case UInt8(ascii: "}"):
                    position += 1
                    return .object(members)
                default: return nil
                }
            }
        }

        mutating func array(_ buffer: UnsafeBufferPointer<UInt8>, depth: Int) -> Value? {
            position += 1
            var items: [Value] = []
            skipWhitespace(buffer)
            if position < buffer.count, buffer[position] == UInt8(ascii: "]") {
                position += 1
                return .array(items)
            }
            while true {
                guard let item = value(buffer, depth: depth) else { return nil }
                items.append(item)
                skipWhitespace(buffer)
                guard position < buffer.count else { return nil }
                switch buffer[position] {
                case UInt8(ascii: ","):
                    position += 1
                    skipWhitespace(buffer)
                case UInt8(ascii: "]"):
                    position += 1
                    return .array(items)
                default: return nil
                }
            }
        }

        /// A string without escapes: its bytes between the quotes, validated as UTF-8.
        mutating func string(_ buffer: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
            position += 1
            let start = position
            while position < buffer.count {
                let byte = buffer[position]
                switch byte {
                case UInt8(ascii: "\""):
                    position += 1
                    return start..<(position - 1)
                case UInt8(ascii: "\\"), 0x00..<0x20, 0x7F: return nil
                case 0x80...:
                    guard let length = Self.scalarLength(buffer, at: position) else { return nil }
                    position += length
                default: position += 1
                }
            }
            return nil
        }

        /// The length of the well-formed UTF-8 sequence at `index` (not U+2028/U+2029), or nil.
        static func scalarLength(_ buffer: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
            let lead = buffer[index]
            let length: Int
            var scalar: UInt32
            switch lead {
            case 0xC2...0xDF: length = 2; scalar = UInt32(lead & 0x1F)
            case 0xE0...0xEF: length = 3; scalar = UInt32(lead & 0x0F)
            case 0xF0...0xF4: length = 4; scalar = UInt32(lead & 0x07)
            default: return nil
            }
            guard index + length <= buffer.count else { return nil }
            for offset in 1..<length {
                let byte = buffer[index + offset]
                guard byte & 0xC0 == 0x80 else { return nil }
                scalar = scalar << 6 | UInt32(byte & 0x3F)
            }
            let smallest: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
            guard scalar >= smallest, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar),
                  scalar != 0x2028, scalar != 0x2029 else { return nil }
            return length
        }

        mutating func number(_ buffer: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
            let start = position
            if buffer[position] == UInt8(ascii: "-") { position += 1 }
            let digits = position
            while position < buffer.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(buffer[position]) { position += 1 }
            let count = position - digits
            guard count > 0, count <= PlainJSON.maximumDigits else { return nil }
            // Leading zeros and -0 (Foundation reads it as 0 and writes "0") are left to Foundation.
            if buffer[digits] == UInt8(ascii: "0"), count > 1 || digits > start { return nil }
            if position < buffer.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(buffer[position]) { return nil }
            return start..<position
        }

        mutating func literal(_ word: StaticString, _ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
            let count = word.utf8CodeUnitCount
            guard position + count <= buffer.count else { return false }
            for offset in 0..<count where buffer[position + offset] != word.utf8Start[offset] { return false }
            position += count
            return true
        }
    }
}
