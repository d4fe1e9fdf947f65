import Foundation
import Testing

/// A system tool the tests use to attack or cross-check files from outside the code under test.
struct CommandLineTool {
    let path: String

    static let sqlite3 = CommandLineTool(path: "/usr/bin/sqlite3")
    static let openssl = CommandLineTool(path: "/usr/bin/openssl")

    /// Runs the tool; a missing tool fails the test rather than skipping it, so an attack is never silently untried.
    func run(_ arguments: [String], input: String = "") throws -> (status: Int32, output: String, errors: String) {
        try #require(FileManager.default.isExecutableFile(atPath: path), "\(path) is missing: install it (apt-get install sqlite3 openssl)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let (stdin, stdout, stderr) = (Pipe(), Pipe(), Pipe())
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        // Outputs here are a few lines, well under a pipe's buffer, so reading one after the other cannot deadlock.
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }

    /// Runs the tool and requires it to succeed; its standard output.
    @discardableResult
    func succeed(_ arguments: [String], input: String = "") throws -> String {
        let result = try run(arguments, input: input)
        try #require(result.status == 0, "\(path) \(arguments.joined(separator: " ")) exited \(result.status): \(result.errors)")
        return result.output
    }
}

/// A fresh folder for one test's files.
func scratchFolder() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("care-record-tests/\(UUID().uuidString)")
}
