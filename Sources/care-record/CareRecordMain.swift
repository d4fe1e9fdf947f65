import ArgumentParser
import CareRecordCLI

/// The `care-record` executable: the commands live in CareRecordCLI.
@main
struct CareRecordMain: AsyncParsableCommand {
    static let configuration = CareRecordCommand.configuration
}
