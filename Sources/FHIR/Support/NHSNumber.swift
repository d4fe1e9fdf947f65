/// A 10-digit NHS number that passes the Modulus 11 check.
public struct NHSNumber: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// The identifier system for NHS numbers.
    public static let system = "https://fhir.nhs.uk/Id/nhs-number"

    /// The ten digits, without spaces.
    public let value: String

    /// Accepts ten digits (spaces allowed, as printed on NHS letters) whose check digit is right.
    public init?(_ text: String) {
        // By bytes (every patient-scoped request parses one or more; Character-by-Character it was a hundredth of the read
        // path's CPU, issue 12). Any byte that is neither an ASCII digit nor a space refuses the text, as a non-ASCII
        // Character, a digit with a combining mark or a space with one did.
        var digits: [Int] = []
        digits.reserveCapacity(10)
        for byte in text.utf8 where byte != UInt8(ascii: " ") {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte), digits.count < 10 else { return nil }
            digits.append(Int(byte - UInt8(ascii: "0")))
        }
        guard digits.count == 10, let check = NHSNumber.checkDigit(forFirstNine: digits.prefix(9)), check == digits[9] else { return nil }
        value = digits.count == text.utf8.count ? text : String(decoding: digits.map { UInt8($0) + UInt8(ascii: "0") }, as: UTF8.self)
    }

    /// The Modulus 11 check digit for nine digits, or nil when the remainder makes the number unusable.
    public static func checkDigit<C: Collection<Int>>(forFirstNine digits: C) -> Int? {
        guard digits.count == 9 else { return nil }
        let sum = zip(digits, (2...10).reversed()).reduce(0) { $0 + $1.0 * $1.1 }
        let check = 11 - sum % 11
        switch check {
        case 11: return 0
        case 10: return nil
        default: return check
        }
    }

    /// The NHS number as an identifier.
    public var identifier: Identifier { Identifier(system: NHSNumber.system, value: value) }

    /// The last four digits, for logs that must not carry a full NHS number.
    public var redacted: String { "******" + value.suffix(4) }

    public var description: String { value }

    public static func < (lhs: NHSNumber, rhs: NHSNumber) -> Bool { lhs.value < rhs.value }
}
