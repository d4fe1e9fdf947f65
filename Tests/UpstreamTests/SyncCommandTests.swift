import Foundation
import Testing
@testable import CareRecordCLI

@Suite("care-record sync: its CPU priority (issue 12)")
struct SyncCommandTests {
    @Test("a sync runs at niceness 10 unless told otherwise, and only a niceness from 0 to 19 is accepted")
    func niceness() throws {
        #expect(try SyncCommand.parse(["--config", "x.yaml"]).nice == 10)
        #expect(try SyncCommand.parse(["--config", "x.yaml", "--nice", "0"]).nice == 0)
        #expect(try SyncCommand.parse(["--config", "x.yaml", "--nice", "19"]).nice == 19)
        #expect(throws: (any Error).self) { try SyncCommand.parse(["--config", "x.yaml", "--nice", "20"]) }
        #expect(throws: (any Error).self) { try SyncCommand.parse(["--config", "x.yaml", "--nice", "-5"]) }
    }
}
