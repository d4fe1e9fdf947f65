import Foundation

/// Checks and produces the FHIR R4 `date`, `dateTime` and `instant` formats.
public enum FHIRDateTime {
    /// True for a valid FHIR `date` (YYYY, YYYY-MM or YYYY-MM-DD).
    public static func isValidDate(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        return [4, 7, 10].contains(bytes.count) && datePrefixLength(bytes) == bytes.count
    }

    /// True for a valid FHIR `dateTime` (a date, or a full time with a zone).
    public static func isValidDateTime(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard let dateLength = datePrefixLength(bytes) else { return false }
        if dateLength == bytes.count { return [4, 7, 10].contains(dateLength) }
        guard dateLength == 10, bytes[10] == UInt8(ascii: "T"), bytes.count >= 20 else { return false }
        guard let hour = number(bytes, 11, 2), hour < 24, bytes[13] == UInt8(ascii: ":"),
              let minute = number(bytes, 14, 2), minute < 60, bytes[16] == UInt8(ascii: ":"),
              let second = number(bytes, 17, 2), second <= 60 else { return false }
        var index = 19
        if bytes[index] == UInt8(ascii: ".") {
            let digitsStart = index + 1
            index = digitsStart
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            guard (1...9).contains(index - digitsStart), index < bytes.count else { return false }
        }
        let zone = Array(bytes[index...])
        if zone == [UInt8(ascii: "Z")] { return true }
        guard zone.count == 6, zone[0] == UInt8(ascii: "+") || zone[0] == UInt8(ascii: "-"), zone[3] == UInt8(ascii: ":"),
              let zoneHour = number(zone, 1, 2), let zoneMinute = number(zone, 4, 2) else { return false }
        return zoneHour < 14 && zoneMinute < 60 || zoneHour == 14 && zoneMinute == 0
    }

    /// How many leading bytes form a valid YYYY[-MM[-DD]], or nil when the start is not a date.
    private static func datePrefixLength(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4, number(bytes, 0, 4) != nil else { return nil }
        guard bytes.count >= 7, bytes[4] == UInt8(ascii: "-") else { return bytes.count == 4 ? 4 : nil }
        guard let month = number(bytes, 5, 2), (1...12).contains(month) else { return nil }
        guard bytes.count >= 10, bytes[7] == UInt8(ascii: "-") else { return bytes.count == 7 ? 7 : nil }
        guard let day = number(bytes, 8, 2), (1...31).contains(day) else { return nil }
        return 10
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func number(_ bytes: [UInt8], _ start: Int, _ length: Int) -> Int? {
        guard start + length <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[start..<start + length] {
            guard isDigit(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// A FHIR `instant` in UTC with millisecond precision (`2026-11-28T06:21:47.746Z`), as
    /// `Date.ISO8601FormatStyle(includingFractionalSeconds: true)` writes it; formatted by hand from `gmtime_r` for the
    /// Gregorian years 1583 to 9999 (every audit record and log line needs one; issue 12), through the format style outside them.
    public static func instant(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        // 1582-10-15 (the Gregorian reform; Foundation's calendar is Julian before it) up to the end of 9999.
        guard interval >= -12_219_292_800, interval < 253_402_300_800 else {
            return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        }
        let whole = interval.rounded(.down)
        var seconds = time_t(whole)
        // The fraction truncated to milliseconds, as the format style does.
        let milliseconds = min(999, Int((interval - whole) * 1000))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var bytes = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int, at start: Int, width: Int) {
            var value = value
            for index in stride(from: start + width - 1, through: start, by: -1) {
                bytes[index] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
        }
        put(Int(parts.tm_year) + 1900, at: 0, width: 4)
        put(Int(parts.tm_mon) + 1, at: 5, width: 2)
        put(Int(parts.tm_mday), at: 8, width: 2)
        put(Int(parts.tm_hour), at: 11, width: 2)
        put(Int(parts.tm_min), at: 14, width: 2)
        put(Int(parts.tm_sec), at: 17, width: 2)
        put(milliseconds, at: 20, width: 3)
        for (index, separator) in [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "."), (23, "Z")] as [(Int, Unicode.Scalar)] {
            bytes[index] = UInt8(ascii: separator)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses a FHIR `dateTime` or `instant` to a point in time; a partial date means its first moment in UTC.
    public static func parse(_ value: String) -> Date? {
        guard isValidDateTime(value) else { return nil }
        if value.count > 10 {
            let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
            return (try? withFraction.parse(value)) ?? (try? Date.ISO8601FormatStyle().parse(value))
        }
        let parts = value.split(separator: "-").compactMap { Int($0) }
        var components = DateComponents()
        components.timeZone = TimeZone(identifier: "UTC")
        components.year = parts[0]
        components.month = parts.count > 1 ? parts[1] : 1
        components.day = parts.count > 2 ? parts[2] : 1
        return Calendar(identifier: .gregorian).date(from: components)
    }
}
