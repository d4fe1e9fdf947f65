import CareRecordStore
import Foundation
import Testing

@Suite("The checkpoint file, and checkpoints found in logs")
struct AuditCheckpointFileTests {
    let key = AuditSigningKey()

    func checkpoint(_ sequence: Int64, node: String? = "serve-1") throws -> AuditCheckpoint {
        let hex = String(sequence, radix: 16)
        return try key.checkpoint(sequence: sequence, headHash: String(repeating: "0", count: 64 - hex.count) + hex, node: node)
    }

    @Test("append writes one sorted-key JSON line per checkpoint, creating the folder, and read returns them")
    func appendAndRead() throws {
        let path = scratchFolder().appendingPathComponent("data/audit-checkpoints.log").path
        let checkpoints = [try checkpoint(1), try checkpoint(2, node: nil)]
        for checkpoint in checkpoints { try AuditCheckpointFile.append(checkpoint, to: path) }

        #expect(try AuditCheckpointFile.read(path: path) == checkpoints)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines == checkpoints.map { Substring($0.jsonLine) } + [""])
        #expect(checkpoints[0].jsonLine.hasPrefix("{\"headHash\":\"\(checkpoints[0].headHash)\",\"node\":\"serve-1\",\"sequence\":1,\"signature\":"))
        let permissions = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(permissions & ~0o640 == 0)
    }

    @Test("checkpoints are found in log lines, plain or inside a JSON string, and other lines are skipped")
    func fromLogs() throws {
        let plain = try checkpoint(1)
        let quoted = try checkpoint(2, node: "serve/\"2\"")
        let nested = try checkpoint(3)
        let afterOtherJSON = try checkpoint(4)
        let lastLine = try checkpoint(5)
        let jsonLogLine = try JSONSerialization.data(
            withJSONObject: ["level": "notice", "message": "audit checkpoint", "checkpoint": quoted.jsonLine], options: [.sortedKeys])
        let text = [
            "2026-11-27T10:00:00+0000 notice care-record: checkpoint=\(plain.jsonLine) [CareRecordServer] audit checkpoint",
            "2026-11-27T10:00:01+0000 info care-record: request=abc [CareRecordServer] GET /Patient 200",
            String(decoding: jsonLogLine, as: UTF8.self),
            "{\"level\":\"notice\",\"checkpoint\":\(nested.jsonLine),\"message\":\"audit checkpoint\"}",
            "{\"headHash\":\"not a checkpoint\"}",
            "broken {\"headHash\": {\"sequence\": 1",
            "",
            "context={\"a\":{\"b\":\"}\"}} checkpoint=\(afterOtherJSON.jsonLine) trailing {text}",
            lastLine.jsonLine,
        ].joined(separator: "\n")
        #expect(String(decoding: jsonLogLine, as: UTF8.self).contains(#"\"headHash\""#))
        let path = scratchFolder().appendingPathComponent("shipped.log")
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: path)

        #expect(try AuditCheckpointFile.read(path: path.path) == [plain, quoted, nested, afterOtherJSON, lastLine])
    }

    @Test("checkpoints between long stretches of other lines are all found, across read chunks")
    func longLog() throws {
        let checkpoints = try (1...20).map { try checkpoint(Int64($0)) }
        var text = ""
        for checkpoint in checkpoints {
            for line in 0..<(Int(checkpoint.sequence) * 37) { text += "2026-11-27T10:00:00+0000 info care-record: [CareRecordServer] line \(line)\n" }
            text += "2026-11-27T10:00:00+0000 notice care-record: checkpoint=\(checkpoint.jsonLine) [CareRecordServer] audit checkpoint\n"
        }
        #expect(text.utf8.count > 3 << 16)
        let path = scratchFolder().appendingPathComponent("long.log")
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: path)

        #expect(try AuditCheckpointFile.read(path: path.path) == checkpoints)
    }

    @Test("a missing file is an error, not an empty list")
    func missing() throws {
        let path = scratchFolder().appendingPathComponent("none.log").path
        #expect(throws: AuditCheckpointError.unreadable(path: path, reason: "no such file")) { try AuditCheckpointFile.read(path: path) }
    }
}
