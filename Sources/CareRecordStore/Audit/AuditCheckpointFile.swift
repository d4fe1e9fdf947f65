import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The append-only file of signed checkpoints, one JSON line each; `read` also finds checkpoints in shipped logs.
public enum AuditCheckpointFile {
    /// Appends one line and fsyncs (O_APPEND, so several writers never interleave within a line); creates file and folder.
    public static func append(_ checkpoint: AuditCheckpoint, to path: String) throws {
        try AuditFileIO.createDirectory(for: path)
        try AuditFileIO.writeFile(Data((checkpoint.jsonLine + "\n").utf8), to: path, flags: O_APPEND | O_CREAT, mode: 0o640)
    }

    /// Every checkpoint in a checkpoint file or a log, in file order: the first checkpoint JSON object on each line,
    /// plain or inside a JSON string; other lines are skipped. Read in chunks, so a large log needs little memory.
    public static func read(path: String) throws -> [AuditCheckpoint] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"
            throw AuditCheckpointError.unreadable(path: path, reason: reason)
        }
        defer { try? handle.close() }
        var checkpoints: [AuditCheckpoint] = []
        var pending = Data()
        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: 1 << 16) ?? Data()
            } catch {
                throw AuditCheckpointError.unreadable(path: path, reason: "\(error)")
            }
            pending.append(chunk)
            var lineStart = pending.startIndex
            while let newline = pending[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
                if let checkpoint = Self.checkpoint(inLine: pending[lineStart..<newline]) { checkpoints.append(checkpoint) }
                lineStart = newline + 1
            }
            // Keep only the unfinished last line, so copying stays proportional to the file.
            pending = Data(pending[lineStart...])
            if chunk.isEmpty { break }
        }
        if let checkpoint = Self.checkpoint(inLine: pending) { checkpoints.append(checkpoint) }
        return checkpoints
    }

    /// The first JSON object on the line that decodes as a checkpoint; tried as written, then with one level of
    /// JSON-string escaping removed (a JSON log handler quotes the metadata value: `"checkpoint":"{\"headHash\":...}"`).
    static func checkpoint(inLine line: Data) -> AuditCheckpoint? {
        let bytes = [UInt8](line)
        // Most log lines are not checkpoints; skip them without scanning for objects.
        guard bytes.count >= 9, String(decoding: bytes, as: UTF8.self).contains("headHash") else { return nil }
        return firstCheckpoint(in: bytes) ?? firstCheckpoint(in: unescaped(bytes))
    }

    private static func firstCheckpoint(in bytes: [UInt8]) -> AuditCheckpoint? {
        let decoder = JSONDecoder()
        for start in bytes.indices where bytes[start] == UInt8(ascii: "{") {
            guard let end = objectEnd(in: bytes, from: start) else { continue }
            if let checkpoint = try? decoder.decode(AuditCheckpoint.self, from: Data(bytes[start...end])) { return checkpoint }
        }
        return nil
    }

    /// The index of the `}` closing the object opened at `start`, skipping braces inside strings.
    private static func objectEnd(in bytes: [UInt8], from start: Int) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        for index in start..<bytes.count {
            let byte = bytes[index]
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "{") {
                depth += 1
            } else if byte == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 { return index }
            }
        }
        return nil
    }

    /// Removes one level of JSON-string escaping of `"`, `\` and `/`; other escapes stay, still valid in the inner JSON.
    private static func unescaped(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count, [UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/")].contains(bytes[index + 1]) {
                result.append(bytes[index + 1])
                index += 2
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }
}
