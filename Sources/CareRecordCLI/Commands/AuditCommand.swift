import ArgumentParser
import CareRecordStore
import FHIR
import Foundation

/// `care-record audit`: who looked at a record, and whether the log is intact (C8).
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Read and check the audit log.", subcommands: [Report.self, Verify.self])

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report", abstract: "Who accessed a patient's record: when, who, role, organisation, what, outcome, basis.")

        @Option(help: "Configuration file.") var config: String
        @Option(help: "The patient's NHS number.") var patient: String

        func run() async throws {
            guard let nhs = NHSNumber(patient) else { throw CLIError("--patient: not a valid NHS number") }
            let configuration = try CareRecordConfiguration.load(path: config)
            let records = try await Stores.with(configuration) { try await $0.audit.allRecords(patient: nhs) }
            Console.say(AuditReportFormatter.table(records, patient: nhs))
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
