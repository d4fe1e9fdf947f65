import CareRecordStore
import FHIR
import Testing

/// `GET /AuditEvent`'s store query on every backend: which records a patient's, a privacy officer's and an
/// emergency-override search find, newest first, with the total.
@Suite("Audit record queries")
struct AuditQueryTests {
    static let patient = NHSNumber("9434765919")!
    static let other = NHSNumber("9434765870")!

    func record(_ hour: Int, ods: String?, interaction: String = "read", patient: NHSNumber = patient) -> AuditRecord {
        var record = AuditRecord(
            recorded: "2026-11-27T\(hour):00:00.000Z", requestID: "r\(hour)", method: "GET", path: "/Patient/\(patient.value)",
            interaction: interaction, status: 200, reasonCode: "OK")
        record.patientNHS = patient.value
        record.userOds = ods
        return record
    }

    /// Six records: 1-4 about `patient` (2 a search by another organisation, 3 an allowed override, 4 a refused one),
    /// 5 a patient-role user asking for `patient` (filed under their own number), 6 about `other`.
    func log(on backend: AuditBackend, _ body: (any AuditStore) async throws -> Void) async throws {
        try await backend.withLog { log in
            var allowedOverride = record(12, ods: "RJR")
            allowedOverride.basis = "emergency-override"
            var refusedOverride = record(13, ods: "RJR")
            refusedOverride.purposeOfUse = "BTG"
            refusedOverride.status = 403
            var attempt = record(14, ods: nil, patient: Self.other)
            attempt.attemptedPatientNHS = Self.patient.value
            _ = try await log.store.append([record(10, ods: "RJR"), record(11, ods: "A81001", interaction: "search-type"), allowedOverride])
            _ = try await log.store.append([refusedOverride, attempt, record(15, ods: "RJR", patient: Self.other)])
            try await body(log.store)
        }
    }

    func sequences(
        _ store: any AuditStore, _ filter: AuditFilter = AuditFilter(), patient: NHSNumber = patient, page: PageRequest = PageRequest(offset: 0, count: 50)
    ) async throws -> (Int, [Int64]) {
        let found = try await store.records(patient: patient, filter: filter, page: page)
        return (found.total, found.items.map(\.sequence))
    }

    @Test("filters by patient, attempts, organisation, time and subtype, newest first", arguments: AuditBackend.all)
    func filters(backend: AuditBackend) async throws {
        try await log(on: backend) { (store) async throws in
            #expect(try await sequences(store) == (4, [4, 3, 2, 1]))
            #expect(try await sequences(store, patient: Self.other) == (2, [6, 5]))
            #expect(try await sequences(store, AuditFilter(includeAttempts: true)) == (5, [5, 4, 3, 2, 1]))
            #expect(try await sequences(store, AuditFilter(userOds: "RJR")) == (3, [4, 3, 1]))
            let bounds = [RecordedBound(.atOrAfter, "2026-11-27T11:00:00.000Z"), RecordedBound(.before, "2026-11-27T13:00:00.000Z")]
            #expect(try await sequences(store, AuditFilter(recordedBounds: bounds)) == (2, [3, 2]))
            #expect(try await sequences(store, AuditFilter(recordedBounds: [RecordedBound(.atOrAfter, "2026-11-27T12")])) == (2, [4, 3]))
            #expect(try await sequences(store, AuditFilter(subtypes: ["emergency-override"])) == (2, [4, 3]))
            #expect(try await sequences(store, AuditFilter(subtypes: ["search-type"])) == (1, [2]))
            #expect(try await sequences(store, AuditFilter(subtypes: ["search-type", "emergency-override"])) == (3, [4, 3, 2]))
            #expect(try await sequences(store, AuditFilter(userOds: "RJR", subtypes: ["read"], includeAttempts: true)) == (3, [4, 3, 1]))
        }
    }

    @Test("pages through the matches with the total of all of them", arguments: AuditBackend.all)
    func paging(backend: AuditBackend) async throws {
        try await log(on: backend) { (store) async throws in
            #expect(try await sequences(store, page: PageRequest(offset: 1, count: 2)) == (4, [3, 2]))
            #expect(try await sequences(store, page: PageRequest(offset: 4, count: 2)) == (4, []))
        }
    }
}
