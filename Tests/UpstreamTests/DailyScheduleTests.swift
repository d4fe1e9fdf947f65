import Foundation
import Testing
import Upstream

@Suite("sync.schedule")
struct DailyScheduleTests {
    @Test("HH:MM times parse; anything else does not", arguments: [("02:00", true), ("23:59", true), ("24:00", false), ("2:00", false), ("02:60", false), ("0200", false), ("", false)])
    func parse(_ text: String, _ valid: Bool) {
        #expect((DailySchedule(text) != nil) == valid)
    }

    @Test("the next run is later today, or tomorrow once the time has passed")
    func nextRun() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/London")!
        let schedule = try #require(DailySchedule("02:00"))
        let evening = calendar.date(from: DateComponents(year: 2026, month: 11, day: 25, hour: 21, minute: 30))!
        let early = calendar.date(from: DateComponents(year: 2026, month: 11, day: 26, hour: 1, minute: 0))!
        #expect(schedule.nextRun(after: evening, calendar: calendar) == calendar.date(from: DateComponents(year: 2026, month: 11, day: 26, hour: 2)))
        #expect(schedule.nextRun(after: early, calendar: calendar) == calendar.date(from: DateComponents(year: 2026, month: 11, day: 26, hour: 2)))
    }
}
