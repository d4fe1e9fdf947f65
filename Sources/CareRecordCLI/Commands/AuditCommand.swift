import ArgumentParser
import CareRecordServer
import CareRecordStore
import FHIR
import Foundation

/// `care-record audit`: who looked at a record, and whether the log is intact (C8).
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Read and check the audit log.", subcommands: [Report.self, Review.self, Verify.self])

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Who accessed a patient's record (--patient), or an organisation's periodic review (--organisation, --from, --to).",
            discussion: """
                With --organisation: accesses to the organisation's patients (as registered when each access was made) by other \
                organisations, its own staff's accesses by user, and flagged accesses with their review state, for the days \
                from --from to --to inclusive (YYYY-MM-DD, in audit.review.timeZone), as text, csv or html.
                """)

        @Option(help: "Configuration file.") var config: String
        @Option(help: "The patient's NHS number.") var patient: String?
        @Option(help: "The organisation's ODS code (a periodic review).") var organisation: String?
        @Option(help: "First day of the period, YYYY-MM-DD.") var from: String?
        @Option(help: "Last day of the period, YYYY-MM-DD (inclusive).") var to: String?
        @Option(help: "text, csv or html (with --organisation).") var format: OrganisationReport.Format = .text

        func validate() throws {
            guard (patient == nil) != (organisation == nil) else { throw ValidationError("Give either --patient or --organisation.") }
            if organisation != nil, from == nil || to == nil { throw ValidationError("--organisation needs --from and --to.") }
            if patient != nil, from != nil || to != nil { throw ValidationError("--from and --to go with --organisation.") }
        }

        func run() async throws {
            let configuration = try CareRecordConfiguration.load(path: config)
            if let patient {
                guard let nhs = NHSNumber(patient) else { throw CLIError("--patient: not a valid NHS number") }
                let records = try await Stores.with(configuration) { try await $0.audit.allRecords(patient: nhs) }
                Console.say(AuditReportFormatter.table(records, patient: nhs))
                return
            }
            guard let organisation, let from, let to else { throw CLIError("--organisation needs --from and --to") }
            let period = try OrganisationReport.period(from: from, to: to, timeZone: configuration.audit.review.timeZone)
            let name = configuration.organisations.first { $0.ods == organisation }?.name
            let records = try await Stores.with(configuration) { stores in
                let review = OrganisationAuditReview(auditStore: stores.audit, repository: stores.repository, settings: configuration.audit.review)
                return try await review.records(organisation: organisation, from: period.start, to: period.end)
            }
            let report = OrganisationReport(
                organisation: organisation, name: name, from: from, to: to, records: records, organisations: Dictionary(
                    configuration.organisations.map { ($0.ods, $0.name) }, uniquingKeysWith: { first, _ in first }))
            Console.say(report.rendered(format))
        }
    }

    struct Review: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "review",
            abstract: "Record a privacy officer's review of an access: an appended, chained record linked to it (the access is never changed).")

        @Option(help: "Configuration file.") var config: String
        @Option(help: "The access record's id (as in the AuditEvent id).") var record: Int64
        @Option(help: "appropriate, inappropriate or needs-follow-up.") var outcome: String
        @Option(help: "The reviewer's user id (their token's sub).") var reviewer: String
        @Option(help: "A note (at most 2000 characters).") var note: String?

        func validate() throws {
            guard ReviewOutcome(rawValue: outcome) != nil else {
                throw ValidationError("--outcome must be one of \(ReviewOutcome.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            guard !reviewer.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reviewer must name the reviewer.") }
            guard (note?.count ?? 0) <= 2000 else { throw ValidationError("--note must be at most 2000 characters.") }
        }

        func run() async throws {
            let configuration = try CareRecordConfiguration.load(path: config)
            let stored = try await Stores.with(configuration) { stores -> AuditRecord in
                guard let access = try await stores.audit.record(sequence: record), !access.isReview,
                      AuditFlagger.patient(of: access) != nil else {
                    throw CLIError("--record \(record): no such access record (reviews and records not about a patient cannot be reviewed)")
                }
                let review = Self.review(of: access, outcome: outcome, reviewer: reviewer, note: note, now: Date())
                guard let stored = try await stores.audit.append([review]).first else { throw CLIError("the review was not recorded") }
                return stored
            }
            Console.say("review recorded as AuditEvent/\(stored.sequence): AuditEvent/\(record) \(outcome) by \(reviewer)")
        }

        /// The review as its own record: filed under the access's patient, linked by `reviewOf`.
        static func review(of access: AuditRecord, outcome: String, reviewer: String, note: String?, now: Date) -> AuditRecord {
            var review = AuditRecord(
                recorded: FHIRDateTime.instant(now), requestID: UUID().uuidString.lowercased(), method: "CLI", path: "care-record audit review",
                interaction: "operation", status: 200, reasonCode: "OK")
            review.resourceType = "AuditEvent"
            review.userSub = reviewer
            review.userRole = "privacy-officer"
            review.patientNHS = access.patientNHS
            review.attemptedPatientNHS = access.attemptedPatientNHS
            review.patientRegisteredOds = access.patientRegisteredOds
            review.reviewOf = access.sequence
            review.reviewOutcome = outcome
            review.reviewNote = note.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
            review.returned = "AuditEvent/\(access.sequence)"
            return review
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check the audit log's hash chain against every signed checkpoint; non-zero exit on any break.",
            discussion: """
                Checkpoints come from audit.checkpointFile and from each --checkpoints file (a checkpoint file, or log lines \
                shipped off the host). They are checked with the public key only: audit.verifyKey, or the one derived from \
                audit.signingKey.
                """)

        @Option(help: "Configuration file.") var config: String
        @Option(help: "More checkpoints: a checkpoint file or shipped log lines (repeatable).") var checkpoints: [String] = []

        func run() async throws {
            let configuration = try CareRecordConfiguration.load(path: config)
            var found: [AuditCheckpoint] = []
            if FileManager.default.fileExists(atPath: configuration.audit.checkpointFile) {
                found += try Self.read(configuration.audit.checkpointFile)
            }
            for path in checkpoints { found += try Self.read(path) }
            let key = found.isEmpty ? nil : try Self.verifyKey(configuration)
            let result = try await Stores.with(configuration) { stores in
                guard let key else { return try await stores.audit.verify() }
                return try await stores.audit.verify(checkpoints: found, key: key)
            }
            if let problem = result.problem {
                Console.say("BROKEN: \(problem) (\(result.records) records verified before it)")
                throw ExitCode.failure
            }
            if found.isEmpty {
                Console.say("ok: \(result.records) records, hash chain intact (no signed checkpoints to check it against)")
            } else {
                let latest = found.map(\.sequence).max() ?? 0
                Console.say("ok: \(result.records) records, hash chain intact and consistent with \(found.count) signed checkpoints (latest at record \(latest))")
            }
        }

        static func read(_ path: String) throws -> [AuditCheckpoint] {
            do {
                return try AuditCheckpointFile.read(path: path)
            } catch {
                throw CLIError("checkpoints \(path): \(error)")
            }
        }

        /// The public key: `audit.verifyKey`, else derived from `audit.signingKey`.
        static func verifyKey(_ configuration: CareRecordConfiguration) throws -> AuditVerifyKey {
            do {
                if let path = configuration.audit.verifyKey { return try AuditVerifyKey(pemFile: path) }
                return try AuditSigningKey(pemFile: configuration.audit.signingKey).verifyKey
            } catch {
                throw CLIError("audit key: \(error)")
            }
        }
    }
}

/// The report's table: one line per access, oldest first.
enum AuditReportFormatter {
    static func table(_ records: [AuditRecord], patient: NHSNumber) -> String {
        guard !records.isEmpty else { return "No recorded access to the record of \(patient.value)." }
        let header = ["when", "who", "role", "organisation", "what", "outcome", "basis"]
        let rows = records.map { record -> [String] in
            let who = [record.userName, record.userSub.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")
            let what = "\(record.interaction) \(record.resourceType ?? "")".trimmingCharacters(in: .whitespaces)
            let outcome = record.reasonCode == "OK" ? "\(record.status) allowed" : "\(record.status) \(record.reasonCode)"
            var basis = record.basis ?? "-"
            if let reason = record.accessReason { basis += ": \(reason)" }
            return [record.recorded, who.isEmpty ? "(no valid token)" : who, record.userRole ?? "-", record.userOds ?? "-", what, outcome, basis]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}
