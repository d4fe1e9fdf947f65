import ArgumentParser

/// `care-record`: the command line of C1.
public struct CareRecordCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "care-record",
        abstract: "The Cheshire Care Record FHIR facade: a view-only regional shared care record.",
        subcommands: [DemoCommand.self, ServeCommand.self, SyncCommand.self, TokenCommand.self, AuditCommand.self, GenerateCommand.self, SimulateCommand.self, MigrateCommand.self, BackupCommand.self])

    public init() {}
}
