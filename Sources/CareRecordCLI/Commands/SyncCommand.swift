import ArgumentParser
import CareRecordStore
import Foundation
import Upstream

/// `care-record sync`: pulls every source (or one) now and prints a report per source.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Pull upstream sources now; exit status 0 only if every source succeeded.")

    @Option(help: "Configuration file.") var config: String
    @Option(help: "Sync only this source id.") var source: String?
    @Flag(help: "Apply a refresh even when it holds less than half of the last good run.") var force = false
    @Option(help: "CPU niceness of the sync, 0 to 19: with the default, reads served on the same machine go first.")
    var nice: Int32 = SyncPriority.defaultNiceness
    @Flag(inversion: .prefixedNo, help: "Disk writes in the idle I/O class (Linux), for the scheduler to put a serving node's I/O first.")
    var ioIdle = true

    func validate() throws {
        guard (0...19).contains(nice) else { throw ValidationError("--nice must be between 0 and 19") }
    }

    func run() async throws {
        SyncPriority.lower(to: nice, ioIdle: ioIdle)
        let configuration = try CareRecordConfiguration.load(path: config)
        CareRecordLogHandler.configure(configuration.logging)
        var sources = configuration.sources
        if let source {
            sources = sources.filter { $0.id == source }
            guard !sources.isEmpty else { throw CLIError("no source '\(source)' in \(config)") }
        }
        let options = SyncOptions(force: force)
        // The same lock as the scheduled sync of every `serve` node: one sync at a time.
        let held = try await Stores.with(configuration) { stores in
            try await SyncRunner(repository: stores.repository, options: options, logger: .quiet("care-record.sync")).syncExclusively(sources)
        }
        guard let reports = held else {
            throw CLIError("another sync is running (a node's scheduled sync, or care-record sync elsewhere); nothing was done")
        }
        for report in reports { Console.say(SyncReportFormatter.line(report)) }
        if reports.contains(where: { !$0.succeeded }) { throw ExitCode.failure }
    }
}

/// One readable line per source report.
enum SyncReportFormatter {
    static func line(_ report: ImportReport) -> String {
        let seconds = String(format: "%.2f", (report.finishedAt ?? report.startedAt).timeIntervalSince(report.startedAt))
        guard report.succeeded else {
            return "\(report.sourceId): FAILED (\(report.error ?? "unknown error")); last good data kept"
        }
        let accepted = report.accepted.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let rejected = report.rejected.isEmpty
            ? "none" : report.rejected.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return "\(report.sourceId): ok: \(report.patients) patients; accepted: \(accepted); rejected: \(rejected); \(report.bytes) bytes in \(seconds) s"
    }
}
