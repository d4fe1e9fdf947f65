import Foundation

/// GRDB's stored date text, `yyyy-MM-dd HH:mm:ss.SSS` in UTC, read without `Calendar` (issue 12: GRDB's conversion, through
/// `DateComponents` and a Gregorian calendar, was 4% of a 100-entry `$everything`'s CPU). Only plain, valid values from
/// 1970 to 9999 are read here, giving the same `Date` as GRDB bit for bit (`StoredDateTests` compares them); anything
/// else is nil, and the caller falls back to GRDB's own conversion.
enum StoredDate {
    static let length = 23

    static func parse(_ text: UnsafeRawBufferPointer) -> Date? {
        guard text.count == length, text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-"), text[10] == UInt8(ascii: " "),
              text[13] == UInt8(ascii: ":"), text[16] == UInt8(ascii: ":"), text[19] == UInt8(ascii: ".")
        else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            var value = 0
            for index in from..<(from + count) {
                let digit = Int(text[index]) &- 0x30
                guard digit >= 0 && digit <= 9 else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
              let minute = number(14, 2), let second = number(17, 2), let millisecond = number(20, 3),
              year >= 1970, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 59
        else { return nil }
        // Foundation's Gregorian calendar (`date(from:inTimeZone:)`), step by step in the same floating-point operations, so
        // that the last bit agrees: the Julian day's noon, back to midnight, plus the seconds of the day summed in order.
        let julianDay = daysSinceEpoch(year: year, month: month, day: day) + 2_440_588
        var secondsInDay = Double(hour) * 3600.0
        secondsInDay += Double(minute) * 60.0
        secondsInDay += Double(second)
        secondsInDay += Double(millisecond * 1_000_000) / Double(1_000_000_000)
        let midnight = (Double(julianDay) - 2_451_910.5) * 86400 - 43200
        return Date(timeIntervalSinceReferenceDate: midnight + secondsInDay)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's `days_from_civil`).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
