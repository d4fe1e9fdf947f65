import ArgumentParser
import Foundation

/// `care-record generate`: writes a deterministic synthetic region.
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a synthetic region: Bulk Data exports per source, a signing key with its JWKS, and DIR/care-record.yaml.")

    @Option(help: "Number of patients.") var patients: Int
    @Option(help: "Output folder.") var out: String
    @Option(help: "Random seed; the same seed gives the same exports.") var seed: UInt64 = 1
    @Option(help: "Resolved past problems added to every patient's GP record, for records with many entries (benchmarks).")
    var history: Int = 0

    func validate() throws {
        guard patients > 0 else { throw ValidationError("--patients must be at least 1") }
        guard (0...10_000).contains(history) else { throw ValidationError("--history must be between 0 and 10000") }
    }

    func run() async throws {
        let started = Date()
        let summary = try RegionGenerator(patients: patients, seed: seed, outputDirectory: URL(fileURLWithPath: out), history: history).run()
        let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
        print("Generated \(summary.patients) patients (\(summary.optedOut) opted out, \(summary.blocked) blocked, \(summary.withConsent) with consent, \(summary.invalidNHSNumbers) invalid NHS numbers to be rejected) in \(seconds) s")
        print("Config: \(URL(fileURLWithPath: out).appendingPathComponent("care-record.yaml").path)")
    }
}
