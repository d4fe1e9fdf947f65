import ArgumentParser
import CareRecordCLI
import Logging

/// The `care-record` executable: the commands live in CareRecordCLI. The log handler is bootstrapped here, once per
/// process; a command applies its configuration's `logging` to it.
@main
struct CareRecordMain {
    static func main() async {
        LoggingSystem.bootstrap { label in CareRecordLogHandler(label: label) }
        await CareRecordCommand.main()
    }
}
