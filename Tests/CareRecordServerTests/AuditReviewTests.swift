import CareRecordStore
import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CareRecordCLI
@testable import CareRecordServer

/// Each organisation reviews its audit (issue 11): flags, the organisation-wide search, reviews, the periodic report.
@Suite("Audit review for organisations (issue 11)")
struct AuditReviewTests {
    /// Monday 1 June 2026 (BST, UTC+1) and Tuesday 2 June.
    static let day = "2026-06-01"

    static func access(
        _ sequenceHint: Int, at time: String, user: String?, name: String? = nil, role: String = "doctor", ods: String, patient: String?,
        registeredAt: String?, status: Int = 200, purpose: String? = nil
    ) -> AuditRecord {
        var record = AuditRecord(
            recorded: time, requestID: "req-\(sequenceHint)", method: "GET", path: "/Patient/\(patient ?? "-")", interaction: "read",
            status: status, reasonCode: status == 200 ? "OK" : status == 404 ? "PATIENT_NOT_FOUND" : "CONSENT_REQUIRED")
        record.userSub = user
        record.userName = name ?? user.map { "Test \($0)" }
        record.userRole = role
        record.userOds = ods
        record.resourceType = "Patient"
        record.patientNHS = patient
        record.patientRegisteredOds = registeredAt
        record.returned = status == 200 ? "Patient/\(patient ?? "")" : nil
        record.purposeOfUse = purpose
        record.accessReason = purpose.map { _ in "Unconscious in ED" }
        record.basis = status == 200 ? (purpose == nil ? "consent" : "emergency-override") : nil
        return record
    }

    @Test("flags: out-of-hours in the configured zone (BST and GMT), many patients, repeated refusals, same family name, overrides; patients never flagged")
    func flagger() {
        var settings = AuditReviewSettings()
        settings.manyPatientsPerDay = 2
        settings.repeatedRefusals = 2
        let flagger = AuditFlagger(settings: settings)
        #expect(flagger.isWorkingTime(FHIRDateTime.parse("2026-06-01T07:30:00Z")!), "08:30 BST on a Monday")
        #expect(!flagger.isWorkingTime(FHIRDateTime.parse("2026-12-01T07:30:00Z")!), "07:30 GMT")
        #expect(!flagger.isWorkingTime(FHIRDateTime.parse("2026-06-06T10:00:00Z")!), "a Saturday")
        #expect(!flagger.isWorkingTime(FHIRDateTime.parse("2026-06-01T17:00:00Z")!), "18:00 BST is the end")

        let records = [
            Self.access(1, at: "2026-06-01T09:00:00.000Z", user: "u.many", ods: "RJR", patient: "9000000009", registeredAt: "A81001"),
            Self.access(2, at: "2026-06-01T09:01:00.000Z", user: "u.many", ods: "RJR", patient: "9000000017", registeredAt: "A81001"),
            Self.access(3, at: "2026-06-01T09:02:00.000Z", user: "u.many", ods: "RJR", patient: "9000000025", registeredAt: "A81002"),
            Self.access(4, at: "2026-06-01T10:00:00.000Z", user: "u.refused", ods: "RJR", patient: "9000000009", registeredAt: "A81001", status: 403),
            Self.access(5, at: "2026-06-01T10:01:00.000Z", user: "u.refused", ods: "RJR", patient: "9000000009", registeredAt: "A81001", status: 403),
            Self.access(6, at: "2026-06-01T10:02:00.000Z", user: "u.once", ods: "RJR", patient: "9000000017", registeredAt: "A81001", status: 403),
            Self.access(7, at: "2026-06-01T22:00:00.000Z", user: "u.night", ods: "RJR", patient: "9000000017", registeredAt: "A81001"),
            Self.access(8, at: "2026-06-01T11:00:00.000Z", user: "u.btg", ods: "RJR", patient: "9000000017", registeredAt: "A81001", purpose: "BTG"),
            Self.access(9, at: "2026-06-01T11:30:00.000Z", user: "u.kin", name: "Dr Sam Ó'Brien", ods: "A81001", patient: "9000000009", registeredAt: "A81001"),
            Self.access(10, at: "2026-06-01T23:00:00.000Z", user: "pt.self", role: "patient", ods: "A81001", patient: "9000000009", registeredAt: "A81001"),
        ].enumerated().map { index, record in
            var record = record
            record.sequence = Int64(index + 1)
            return record
        }
        let flags = flagger.flags(of: records, userRecords: records, familyNames: ["9000000009": ["o'brien"]])
        #expect(flags[1] == [.manyPatients] && flags[2] == [.manyPatients] && flags[3] == [.manyPatients])
        #expect(flags[4] == [.repeatedRefusals] && flags[5] == [.repeatedRefusals])
        #expect(flags[6] == nil, "one refusal is not repeated")
        #expect(flags[7] == [.outOfHours], "23:00 BST")
        #expect(flags[8] == [.emergencyOverride])
        #expect(flags[9] == [.sameFamilyName], "accents and case are ignored")
        #expect(flags[10] == nil, "a patient reading their own record at night is not flagged")
    }

    /// The API with review settings that flag nothing by the clock (working hours all day, every day).
    static func api(_ fixture: RegionFixture, store: SQLiteAuditStore, settings: AuditReviewSettings? = nil) async throws -> CareRecordAPI {
        var review = settings ?? AuditReviewSettings()
        if settings == nil {
            review.workingHoursStart = 0
            review.workingHoursEnd = 24 * 60
            review.workingDays = Set(1...7)
        }
        return CareRecordAPI(
            repository: fixture.repository, auditStore: store, verifier: try await fixture.keys.verifier(), participating: fixture.participating,
            baseURL: RegionFixture.baseURL, settings: APISettings(auditReview: review))
    }

    static func search(_ client: some TestClientProtocol, _ query: String, token: String) async throws -> (HTTPResponse.Status, FHIR.Bundle?, ByteBuffer) {
        try await client.execute(uri: "/AuditEvent?\(query)", method: .get, headers: [.authorization: token]) { response in
            (response.status, try? bundle(response.body), response.body)
        }
    }

    static func events(_ bundle: FHIR.Bundle?) throws -> [AuditEvent] {
        (bundle?.entry ?? []).compactMap { entry in
            if case .auditEvent(let event) = entry.resource { return event }
            return nil
        }
    }

    static func detail(_ event: AuditEvent, _ name: String) -> String? {
        event.entity?.flatMap { $0.detail ?? [] }.first { $0.type == name }?.valueString
    }

    @Test("a privacy officer finds accesses to their patients (as registered then) and by their staff, reviews one; others get nothing")
    func liveSearchAndReview() async throws {
        let fixture = try await RegionFixture.shared()
        let store = try temporaryAuditStore()
        let consented = try fixture.nhs(\.hospitalActiveWithConsent)
        let practice = try #require(try await fixture.repository.patientState(NHSNumber(consented)!)?.registeredPractice)
        let elsewhere = practice == "A81001" ? "A81002" : "A81001"
        let doctor = try await fixture.keys.bearer(ods: "RJR", sub: "dr.reader")
        let officer = try await fixture.keys.bearer(ods: practice, role: "privacy-officer", sub: "po.practice", registration: nil)
        let hospitalOfficer = try await fixture.keys.bearer(ods: "RJR", role: "privacy-officer", sub: "po.hospital", registration: nil)
        let otherOfficer = try await fixture.keys.bearer(ods: elsewhere, role: "privacy-officer", sub: "po.other", registration: nil)
        let today = FHIRDateTime.instant(Date()).prefix(10)
        let window = "date=ge\(today)T00:00:00Z&date=lt\(FHIRDateTime.instant(Date().addingTimeInterval(86_400)).prefix(10))T00:00:00Z"

        try await Application(router: try await Self.api(fixture, store: store).buildRouter()).test(.live) { client async throws in
            #expect(try await client.status(uri: "/Patient/\(consented)", method: .get, headers: [.authorization: doctor]) == .ok)
            let written = try #require(try await store.records(organisation: practice, from: "2000-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z").last)
            #expect(written.patientRegisteredOds == practice && written.userSub == "dr.reader")

            // The patient's practice and the reader's organisation find it; a third organisation does not.
            for token in [officer, hospitalOfficer] {
                let (status, found, _) = try await Self.search(client, window, token: token)
                #expect(status == .ok)
                #expect(try Self.events(found).contains { $0.id == String(written.sequence) })
            }
            let (otherStatus, otherFound, _) = try await Self.search(client, window, token: otherOfficer)
            #expect(otherStatus == .ok)
            #expect(try !Self.events(otherFound).contains { $0.id == String(written.sequence) })

            // Refused to other roles and without a bounded period of at most 31 days.
            #expect(try await Self.search(client, window, token: doctor).0 == .forbidden)
            #expect(try await Self.search(client, "date=ge2026-01-01", token: officer).0 == .badRequest)
            #expect(try await Self.search(client, "date=ge2026-01-01&date=lt2026-03-01", token: officer).0 == .badRequest)
            #expect(try await Self.search(client, "\(window)&flag=nosy", token: officer).0 == .badRequest)
            #expect(try await Self.search(client, "\(window)&outcome=2", token: officer).0 == .badRequest)

            // A review: recorded as its own chained record, the access unchanged; out of scope reads as unknown.
            let review = #"{"resourceType":"Parameters","parameter":[{"name":"outcome","valueCode":"appropriate"},{"name":"note","valueString":"Seen in clinic"}]}"#
            let uri = "/AuditEvent/\(written.sequence)/$review"
            let post: (String, String, String) async throws -> (HTTPResponse.Status, ByteBuffer) = { uri, token, body in
                try await client.execute(
                    uri: uri, method: .post, headers: [.authorization: token, .contentType: "application/fhir+json"], body: ByteBuffer(string: body)
                ) { ($0.status, $0.body) }
            }
            let unknown = try await post("/AuditEvent/99999999/$review", otherOfficer, review)
            let outOfScope = try await post(uri, otherOfficer, review)
            #expect(outOfScope.0 == .notFound && unknown.0 == .notFound)
            #expect(errorCode(outOfScope.1) == errorCode(unknown.1))
            #expect(try await post(uri, doctor, review).0 == .forbidden)
            #expect(try await post(uri, officer, #"{"resourceType":"Parameters","parameter":[{"name":"outcome","valueCode":"fine"}]}"#).0 == .unprocessableContent)
            let (status, body) = try await post(uri, officer, review)
            #expect(status == .ok)
            let reviewed = try FHIRJSON.decode(AuditEvent.self, from: Data(buffer: body))
            #expect(Self.detail(reviewed, "review-state") == "appropriate")
            #expect(Self.detail(reviewed, "reviewed-by") == "po.practice")
            #expect(Self.detail(reviewed, "review-note") == "Seen in clinic")

            let read = try await client.execute(uri: "/AuditEvent/\(written.sequence)", method: .get, headers: [.authorization: officer]) { $0 }
            #expect(read.status == .ok)
            #expect(Self.detail(try FHIRJSON.decode(AuditEvent.self, from: Data(buffer: read.body)), "review-state") == "appropriate")
        }
        let original = try #require(try await store.records(organisation: practice, from: "2000-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z").first { $0.userSub == "dr.reader" })
        let reviews = try await store.reviews(of: [original.sequence])
        #expect(reviews.count == 1)
        #expect(reviews.first?.reviewOutcome == "appropriate" && reviews.first?.userSub == "po.practice" && reviews.first?.interaction == "operation")
        #expect(try await store.verify().problem == nil)
        #expect(AuditChain.hash(original, previous: original.previousHash) == original.hash, "the access record is unchanged")
    }

    @Test("the organisation search filters by flag, outcome, altid and subtype, newest first and paged; registration at the time decides")
    func filters() async throws {
        let fixture = try await RegionFixture.shared()
        let store = try temporaryAuditStore()
        let patient = try fixture.nhs(\.registeredAtA81001)
        let stored = try #require(try await fixture.repository.patient(NHSNumber(patient)!))
        let family = try #require(try FHIRJSON.decode(Patient.self, from: stored.json).name?.first?.family)
        var settings = AuditReviewSettings()
        settings.manyPatientsPerDay = 1
        settings.repeatedRefusals = 2
        _ = try await store.append([
            Self.access(1, at: "2026-06-01T09:00:00.000Z", user: "u.many", ods: "RJR", patient: patient, registeredAt: "A81001"),
            Self.access(2, at: "2026-06-01T09:05:00.000Z", user: "u.many", ods: "RJR", patient: "9000000017", registeredAt: "A81002"),
            Self.access(3, at: "2026-06-01T10:00:00.000Z", user: "u.refused", ods: "RJR", patient: patient, registeredAt: "A81001", status: 403),
            Self.access(4, at: "2026-06-01T10:01:00.000Z", user: "u.refused", ods: "RJR", patient: patient, registeredAt: "A81001", status: 403),
            Self.access(5, at: "2026-06-01T11:00:00.000Z", user: "u.btg", ods: "RJR", patient: patient, registeredAt: "A81001", purpose: "BTG"),
            Self.access(6, at: "2026-06-01T12:00:00.000Z", user: "u.kin", name: "Dr Sam \(family.uppercased())", ods: "A81001", patient: patient, registeredAt: "A81001"),
            Self.access(7, at: "2026-06-01T21:00:00.000Z", user: "u.night", ods: "RJR", patient: patient, registeredAt: "A81001"),
            // Registered elsewhere at the time (the patient is at A81001 now): not A81001's to review.
            Self.access(8, at: "2026-06-01T13:00:00.000Z", user: "u.before", ods: "RJR", patient: patient, registeredAt: "A81002"),
            // Outside the period.
            Self.access(9, at: "2026-06-03T09:00:00.000Z", user: "u.later", ods: "RJR", patient: patient, registeredAt: "A81001"),
        ])
        let officer = try await fixture.keys.bearer(ods: "A81001", role: "privacy-officer", sub: "po.a81001", registration: nil)
        let period = "date=ge2026-06-01&date=lt2026-06-03"
        try await Application(router: try await Self.api(fixture, store: store, settings: settings).buildRouter()).test(.live) { client async throws in
            let (status, all, _) = try await Self.search(client, period, token: officer)
            #expect(status == .ok)
            let events = try Self.events(all)
            #expect(events.compactMap(\.id) == ["7", "6", "5", "4", "3", "1"], "newest first; 2, 8 and 9 are not A81001's in the period")
            let tags = Dictionary(uniqueKeysWithValues: events.map { ($0.id ?? "", Set(($0.meta?.tag ?? []).compactMap(\.code))) })
            #expect(tags["1"] == ["many-patients"])
            #expect(tags["3"] == ["repeated-refusals"] && tags["4"] == ["repeated-refusals"])
            #expect(tags["5"] == ["emergency-override"])
            #expect(tags["6"] == ["same-family-name"])
            #expect(tags["7"] == ["out-of-hours"], "22:00 BST")
            #expect(events.first { $0.id == "5" }.map { Self.detail($0, "review-state") } == "pending")

            for (query, expected) in [
                ("flag=emergency-override", ["5"]), ("flag=many-patients,out-of-hours", ["7", "1"]), ("outcome=4", ["4", "3"]),
                ("altid=u.kin", ["6"]), ("subtype=emergency-override", ["5"]), ("outcome=0&flag=repeated-refusals", []),
            ] {
                let (status, found, _) = try await Self.search(client, "\(period)&\(query)", token: officer)
                #expect(status == .ok)
                #expect(try Self.events(found).compactMap(\.id) == expected, "\(query)")
            }
            // The practice the patient was registered with at the time reads that record by id (its search entry's fullUrl),
            // though the patient is registered elsewhere now; a third practice cannot.
            let then = try await fixture.keys.bearer(ods: "A81002", role: "privacy-officer", sub: "po.a81002", registration: nil)
            let (thenStatus, thenFound, _) = try await Self.search(client, period, token: then)
            #expect(thenStatus == .ok)
            #expect(try Self.events(thenFound).contains { $0.id == "8" })
            #expect(try await client.status(uri: "/AuditEvent/8", method: .get, headers: [.authorization: then]) == .ok)
            let third = try await fixture.keys.bearer(ods: "A81003", role: "privacy-officer", sub: "po.a81003", registration: nil)
            #expect(try await client.status(uri: "/AuditEvent/8", method: .get, headers: [.authorization: third]) == .notFound)

            let (_, page, _) = try await Self.search(client, "\(period)&_count=2", token: officer)
            #expect(page?.total == 6)
            #expect(try Self.events(page).compactMap(\.id) == ["7", "6"])
            #expect(page?.link?.contains { $0.relation == "next" } == true)
        }
    }

    @Test("care-record audit review appends a chained review; audit report --organisation prints text, CSV and an HTML page Chromium renders")
    func commandLine() async throws {
        let folder = scratchFolder()
        _ = try RegionGenerator(patients: 20, seed: 11, outputDirectory: folder).run()
        let config = folder.appendingPathComponent("care-record.yaml").path
        let configuration = try CareRecordConfiguration.load(path: config)
        guard case .sqlite(_, let auditPath) = configuration.database else { Issue.record("the generated region is on SQLite"); return }
        let store = try SQLiteAuditStore(path: auditPath)
        _ = try await store.append([
            Self.access(1, at: "2026-06-01T11:00:00.000Z", user: "dr.outside", ods: "RJR", patient: "9000000009", registeredAt: "A81001", purpose: "BTG"),
            Self.access(2, at: "2026-06-01T12:00:00.000Z", user: "dr.own<script>", ods: "A81001", patient: "9000000017", registeredAt: "A81002"),
            Self.access(3, at: "2026-06-01T12:30:00.000Z", user: "dr.unrelated", ods: "RJR", patient: "9000000017", registeredAt: "A81002"),
        ])
        let tool = CommandLineTool(path: ServeNode.executable.path)
        let reviewed = try tool.succeed(["audit", "review", "--config", config, "--record", "1", "--outcome", "needs-follow-up", "--reviewer", "po.a81001", "--note", "Ask ED"])
        #expect(reviewed.contains("AuditEvent/4"))
        #expect(try tool.run(["audit", "review", "--config", config, "--record", "1", "--outcome", "fine", "--reviewer", "po.a81001"]).status != 0)
        #expect(try tool.run(["audit", "review", "--config", config, "--record", "77", "--outcome", "appropriate", "--reviewer", "po.a81001"]).status != 0)
        let review = try #require(try await store.record(sequence: 4))
        #expect(review.reviewOf == 1 && review.reviewOutcome == "needs-follow-up" && review.reviewNote == "Ask ED" && review.userSub == "po.a81001")
        #expect(try tool.succeed(["audit", "verify", "--config", config]).hasPrefix("ok: 4 records"))

        let arguments = ["audit", "report", "--config", config, "--organisation", "A81001", "--from", "2026-06-01", "--to", "2026-06-01"]
        let text = try tool.succeed(arguments)
        #expect(text.contains("Audit review for Hoole Road Surgery (A81001), 2026-06-01 to 2026-06-01"))
        #expect(text.contains("Accesses to our patients by other organisations (1)"))
        #expect(text.contains("Our staff's accesses, by user (1)"))
        #expect(text.contains("Flagged accesses and their review (1)"))
        #expect(text.contains("needs-follow-up by po.a81001"))
        #expect(!text.contains("dr.unrelated"))

        let csv = try tool.succeed(arguments + ["--format", "csv"])
        let lines = csv.split(separator: "\r\n").map(String.init)
        #expect(lines.first?.hasPrefix("section,id,when,user") == true)
        #expect(lines.contains { $0.hasPrefix("outside-access,1,") && $0.contains("emergency-override") })
        #expect(lines.contains { $0.hasPrefix("staff,dr.own<script>,") })

        let html = try tool.succeed(arguments + ["--format", "html"])
        #expect(html.contains("dr.own&lt;script&gt;") && !html.contains("dr.own<script>"))
        let page = folder.appendingPathComponent("report.html")
        try Data(html.utf8).write(to: page)
        if Chromium.isEnabled {
            let dom = try await Chromium.require().dumpDOM(page.absoluteString)
            #expect(dom.contains("<h1>Audit review for Hoole Road Surgery (A81001), 2026-06-01 to 2026-06-01</h1>"))
            #expect(dom.contains("<th scope=\"col\">flags</th>"))
            #expect(dom.contains("<tr class=\"pending\">") == false, "the one flagged access is reviewed")
            #expect(dom.contains("needs-follow-up by po.a81001"))
        }
        #expect(try tool.run(arguments.dropLast(4) + ["--to", "2026-06-01"]).status != 0, "--from is required")
    }

    @Test("audit.review: defaults when absent; each setting read; bad values are one-line errors")
    func configuration() throws {
        #expect(try CareRecordConfiguration.auditReview(nil) == AuditReviewSettings())
        let read = try CareRecordConfiguration.auditReview(try ConfigNode([
            "manyPatientsPerDay": 20, "repeatedRefusals": 2, "workingHours": "07:30-19:00", "workingDays": ["mon", "sat"], "timeZone": "Europe/Dublin",
        ], path: "audit.review"))
        #expect(read.manyPatientsPerDay == 20 && read.repeatedRefusals == 2)
        #expect(read.workingHoursStart == 450 && read.workingHoursEnd == 1140 && read.workingDays == [2, 7])
        #expect(read.timeZone.identifier == "Europe/Dublin")
        for (node, message) in [
            (["manyPatientsPerDay": 0], "audit.review.manyPatientsPerDay must be 1 or more"),
            (["repeatedRefusals": 1], "audit.review.repeatedRefusals must be 2 or more"),
            (["workingHours": "18:00-08:00"], "audit.review.workingHours must be HH:MM-HH:MM"),
            (["workingDays": ["funday"]], "audit.review.workingDays must list days"),
            (["timeZone": "Mars/Olympus"], "audit.review.timeZone must be an IANA time zone"),
            (["threshold": 3], "unknown key 'audit.review.threshold'"),
        ] as [([String: Any], String)] {
            do {
                _ = try CareRecordConfiguration.auditReview(try ConfigNode(node, path: "audit.review"))
                Issue.record("accepted \(node)")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
    }
}
