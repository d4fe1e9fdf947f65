import CareRecordStore
import FHIR
import Testing

/// The store queries behind a privacy officer's organisation review (issue 11), on every backend: by organisation (the
/// patient's registered practice at the time, or the user's organisation) and period, by users, and reviews of records.
@Suite("Audit review queries")
struct AuditReviewQueryTests {
    func record(_ time: String, user: String, ods: String, registeredAt: String?, reviewOf: Int64? = nil) -> AuditRecord {
        var record = AuditRecord(
            recorded: time, requestID: "r-\(time)", method: "GET", path: "/Patient/9434765919", interaction: reviewOf == nil ? "read" : "operation",
            status: 200, reasonCode: "OK")
        record.patientNHS = "9434765919"
        record.userSub = user
        record.userOds = ods
        record.patientRegisteredOds = registeredAt
        record.reviewOf = reviewOf
        record.reviewOutcome = reviewOf.map { _ in "appropriate" }
        record.reviewNote = reviewOf.map { _ in "checked" }
        return record
    }

    @Test("by organisation and period, by users, and the reviews of records; stored fields read back as written", arguments: AuditBackend.all)
    func queries(_ backend: AuditBackend) async throws {
        try await backend.withLog { log in
            _ = try await log.store.append([
                record("2026-06-01T09:00:00.000Z", user: "u.outside", ods: "RJR", registeredAt: "A81001"),  // 1: A81001's patient
                record("2026-06-01T10:00:00.000Z", user: "u.own", ods: "A81001", registeredAt: "A81002"),  // 2: A81001's staff
                record("2026-06-01T11:00:00.000Z", user: "u.outside", ods: "RJR", registeredAt: "A81002"),  // 3: neither
                record("2026-06-02T09:00:00.000Z", user: "u.outside", ods: "RJR", registeredAt: "A81001"),  // 4: the next day
            ])
            _ = try await log.store.append([record("2026-06-03T09:00:00.000Z", user: "po.a81001", ods: "A81001", registeredAt: "A81001", reviewOf: 1)])
            let day = try await log.store.records(organisation: "A81001", from: "2026-06-01T00:00:00.000Z", to: "2026-06-02T00:00:00.000Z")
            #expect(day.map(\.sequence) == [1, 2])
            #expect(day.first?.patientRegisteredOds == "A81001")
            let two = try await log.store.records(organisation: "A81001", from: "2026-06-01T00:00:00.000Z", to: "2026-06-04T00:00:00.000Z")
            #expect(two.map(\.sequence) == [1, 2, 4, 5])
            let users = try await log.store.records(users: ["u.outside"], from: "2026-06-01T00:00:00.000Z", to: "2026-06-02T00:00:00.000Z")
            #expect(users.map(\.sequence) == [1, 3])
            #expect(try await log.store.records(users: [], from: "2026-06-01T00:00:00.000Z", to: "2026-06-02T00:00:00.000Z").isEmpty)
            let reviews = try await log.store.reviews(of: [1, 2, 3])
            #expect(reviews.map(\.sequence) == [5])
            #expect(reviews.first?.reviewOf == 1 && reviews.first?.reviewOutcome == "appropriate" && reviews.first?.reviewNote == "checked")
            #expect(try await log.store.verify().problem == nil)
        }
    }
}
