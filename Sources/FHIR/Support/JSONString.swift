/// JSON string literals written by hand (search bundles, JSON log lines), without an encoder per string.
public enum JSONString {
    /// `text` as a JSON string literal: RFC 8259 escapes; other control characters, DEL and U+2028/U+2029 as `\u00XX`.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        append(text, to: &out)
        return out + "\""
    }

    /// True when `text` is its own JSON string content: no quote, backslash, control character, DEL, or U+2028/U+2029
    /// (0xE2 starts those two, so it is refused here and left to the slow path).
    public static func needsNoEscape(_ text: String) -> Bool {
        // Over the contiguous UTF-8 of a native string when there is one: the view's own iterator cost ~2% of a
        // 100-entry `$everything` (issue 12).
        text.utf8.withContiguousStorageIfAvailable { $0.allSatisfy(isPlain) } ?? text.utf8.allSatisfy(isPlain)
    }

    @inline(__always) static func isPlain(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte != 0x22 && byte != 0x5C && byte != 0x7F && byte != 0xE2
    }

    /// Appends `text`'s escaped characters (without the quotes) to `out`.
    public static func append(_ text: String, to out: inout String) {
        // Most strings (URLs, ids, codes) need no escape at all: appended whole, not scalar by scalar (issue 12: a
        // 100-entry searchset spent a tenth of its time here).
        if needsNoEscape(text) {
            out += text
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
    }
}
