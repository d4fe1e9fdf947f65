import ArgumentParser
import CareRecordStore
import Foundation
import Logging
import Upstream

/// `care-record demo`: the newcomer's tour: a small synthetic region, synced and served, with ready-to-paste curl commands.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Generate a small region, sync it, serve it, and print curl commands with valid tokens.")

    @Option(help: "Port of the FHIR server.") var port = 8080
    @Option(help: "Folder for the demo region (replaced on each run).") var dir = "demo-region"
    @Option(help: "Number of synthetic patients.") var patients = 200

    func run() async throws {
        let folder = URL(fileURLWithPath: dir).standardizedFileURL
        try? FileManager.default.removeItem(at: folder)
        let summary = try RegionGenerator(patients: patients, seed: 1, outputDirectory: folder).run()
        try ConfigTemplate.write(to: folder, port: port)
        let configPath = folder.appendingPathComponent("care-record.yaml").path
        let configuration = try CareRecordConfiguration.load(path: configPath)
        Console.say("Generated \(summary.patients) synthetic patients in \(folder.path)")

        let repository = try SQLiteCareRecordRepository(path: configuration.databasePath)
        for report in await SyncRunner(repository: repository, logger: .quiet("care-record.sync")).sync(configuration.sources) {
            Console.say("  sync \(SyncReportFormatter.line(report))")
        }
        let api = try await APIFactory.make(configuration)
        let walkthrough = try await DemoWalkthrough(
            keyFile: folder.appendingPathComponent("keys/signing-key.pem").path, baseURL: configuration.server.baseURL, configPath: configPath,
            summary: summary
        ).text()
        var logger = Logger(label: "care-record")
        logger.logLevel = .warning
        try await api.buildApplication(host: configuration.server.host, port: port, logger: logger) {
            Console.say(walkthrough)
        }.runService()
    }
}
