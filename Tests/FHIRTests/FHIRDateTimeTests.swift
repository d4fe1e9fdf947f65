import FHIR
import Foundation
import Testing

@Suite("FHIR date and dateTime formats")
struct FHIRDateTimeTests {
    @Test("valid dateTimes", arguments: ["2024", "2024-02", "2024-02-29", "2024-02-29T10:15:00Z", "2024-02-29T10:15:00.123+01:00", "2024-12-31T23:59:60-05:30"])
    func validDateTime(_ value: String) {
        #expect(FHIRDateTime.isValidDateTime(value))
    }

    @Test("invalid dateTimes", arguments: ["", "24", "2024-13", "2024-02-30T", "2024-02-29T10:15Z", "2024-02-29T10:15:00", "2024-02-29 10:15:00Z", "2024-02-29T24:00:00Z", "2024-02-29T10:15:00+15:00", "2024-1-1"])
    func invalidDateTime(_ value: String) {
        #expect(!FHIRDateTime.isValidDateTime(value))
    }

    @Test("a date has no time part")
    func date() {
        #expect(FHIRDateTime.isValidDate("1970-10-25"))
        #expect(!FHIRDateTime.isValidDate("1970-10-25T00:00:00Z"))
    }

    @Test("instants are UTC with milliseconds and parse back")
    func instant() throws {
        let date = Date(timeIntervalSince1970: 1_700_000_000.25)
        let text = FHIRDateTime.instant(date)
        #expect(text == "2023-11-14T22:13:20.250Z")
        let parsed = try #require(FHIRDateTime.parse(text))
        #expect(abs(parsed.timeIntervalSince(date)) < 0.001)
        #expect(FHIRDateTime.parse("2024-03") == FHIRDateTime.parse("2024-03-01T00:00:00Z"))
    }

    @Test("the hand-made instant equals Foundation's ISO 8601 format style, whatever the date")
    func instantSameAsFormatStyle() {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        var random = SystemRandomNumberGenerator()
        var intervals: [TimeInterval] = [0, -0.0005, -1, 1_795_829_007.0429, 511_288_531.816, -12_219_292_800, -12_219_292_800.5, 253_402_300_799.999, 253_402_300_800, -62_000_000_000]
        for _ in 0..<20_000 { intervals.append(.random(in: -13_000_000_000...254_000_000_000, using: &random)) }
        for _ in 0..<20_000 { intervals.append(Double(Int64.random(in: -2_000_000_000_000...4_000_000_000_000, using: &random)) / 1000) }
        for interval in intervals {
            let date = Date(timeIntervalSince1970: interval)
            #expect(FHIRDateTime.instant(date) == date.formatted(style), "\(interval)")
        }
    }
}
