import Foundation

/// Where tests leave files worth looking at (screenshots): `CARE_RECORD_TEST_OUTPUT`, else `.build/test-output/` of the package.
enum TestOutput {
    static func folder(_ name: String) throws -> URL {
        let base = ProcessInfo.processInfo.environment["CARE_RECORD_TEST_OUTPUT"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/test-output")
        let folder = base.appendingPathComponent(name).standardizedFileURL
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}
