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
}
