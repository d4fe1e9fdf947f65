@testable import CareRecordStore
import Foundation
import GRDB
import Testing

/// GRDB's stored date text read without `Calendar` gives GRDB's own `Date`, bit for bit (issue 12).
@Suite("Stored dates read by hand")
struct StoredDateTests {
    func parse(_ text: String) -> Date? {
        Array(text.utf8).withUnsafeBytes { StoredDate.parse($0) }
    }

    /// What GRDB makes of the text.
    func grdb(_ text: String) -> Date? { Date.fromDatabaseValue(text.databaseValue) }

    @Test("200,000 random stored dates from 1970 to 9999, and every day of 1970 to 2100 at a random time, as GRDB reads them")
    func sameAsGRDB() throws {
        var generator = SystemRandomNumberGenerator()
        var texts: [String] = []
        for _ in 0..<200_000 {
            let seconds = Double(Int.random(in: 0..<253_402_300_800, using: &generator)) + Double(Int.random(in: 0..<1_000, using: &generator)) / 1_000
            texts.append(try #require(String.fromDatabaseValue(Date(timeIntervalSince1970: seconds).databaseValue)))
        }
        for day in 0..<47_847 {
            let seconds = Double(day * 86_400 + Int.random(in: 0..<86_400, using: &generator)) + Double(Int.random(in: 0..<1_000, using: &generator)) / 1_000
            texts.append(try #require(String.fromDatabaseValue(Date(timeIntervalSince1970: seconds).databaseValue)))
        }
        var mismatches: [String] = []
        for text in texts {
            let fast = try #require(parse(text), "\(text) not read")
            let expected = try #require(grdb(text))
            if fast.timeIntervalSinceReferenceDate.bitPattern != expected.timeIntervalSinceReferenceDate.bitPattern {
                mismatches.append("\(text): \(fast.timeIntervalSinceReferenceDate) against \(expected.timeIntervalSinceReferenceDate)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first \(mismatches.prefix(3))")
    }

    @Test("anything but a plain valid date from 1970 on is left to GRDB", arguments: [
        "2026-02-29 10:00:00.000", "2100-02-29 00:00:00.000", "2026-13-01 00:00:00.000", "2026-00-10 00:00:00.000",
        "2026-04-31 00:00:00.000", "2026-01-01 24:00:00.000", "2026-01-01 23:60:00.000", "2026-01-01 23:59:60.000",
        "1969-12-31 23:59:59.999", "2026-01-01T10:00:00.000", "2026-01-01 10:00:00", "2026-01-01 10:00:00.0000",
        "2026-01-01 10:00:00.00Z", "2026-01-01 10:0a:00.000", "２026-01-01 10:00:00.000", "+026-01-01 10:00:00.000",
    ])
    func leftToGRDB(_ text: String) {
        #expect(parse(text) == nil)
    }

    @Test("leap days and the turn of centuries are read")
    func leapDays() throws {
        for text in ["2024-02-29 12:34:56.789", "2000-02-29 00:00:00.000", "1970-01-01 00:00:00.000", "9999-12-31 23:59:59.999", "2100-03-01 00:00:00.001"] {
            #expect(parse(text) == grdb(text), "\(text)")
            #expect(parse(text) != nil)
        }
    }
}
