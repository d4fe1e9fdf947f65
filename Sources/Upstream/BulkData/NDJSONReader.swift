import Foundation

/// Reads an NDJSON file one line at a time with a fixed-size buffer, whatever the file's size.
public struct NDJSONReader {
    /// The longest line accepted; a longer one means a broken file.
    public static let maximumLineLength = 16 * 1024 * 1024

    private let handle: FileHandle
    private var buffer = Data()
    /// Where the unread part of `buffer` starts.
    private var position = 0
    private var finished = false
    /// 1-based number of the line last returned.
    public private(set) var lineNumber = 0
    /// Bytes read from the file so far.
    public private(set) var bytesRead = 0

    public init(url: URL) throws {
        handle = try FileHandle(forReadingFrom: url)
    }

    /// The next non-empty line, or nil at the end of the file.
    public mutating func nextLine() throws -> Data? {
        while true {
            if let newline = Self.newline(in: buffer, from: position) {
                let line = buffer[position..<newline]
                position = newline + 1
                lineNumber += 1
                if line.allSatisfy(Self.isWhitespace) { continue }
                return Data(line)
            }
            if finished {
                guard position < buffer.endIndex else { return nil }
                let line = buffer[position...]
                position = buffer.endIndex
                lineNumber += 1
                return line.allSatisfy(Self.isWhitespace) ? nil : Data(line)
            }
            guard buffer.endIndex - position <= Self.maximumLineLength else { throw ImportError.lineTooLong(line: lineNumber + 1) }
            // Drop what has been read before reading more, so the buffer holds at most one chunk and a partial line.
            buffer.removeSubrange(buffer.startIndex..<position)
            position = buffer.startIndex
            let chunk = try handle.read(upToCount: 256 * 1024) ?? Data()
            bytesRead += chunk.count
            if chunk.isEmpty { finished = true } else { buffer.append(chunk) }
        }
    }

    /// The index of the first line feed at or after `start`, found with `memchr` (a byte-by-byte search over `Data` was a
    /// few percent of an import: issue 12).
    private static func newline(in buffer: Data, from start: Int) -> Int? {
        guard start < buffer.endIndex else { return nil }
        return buffer.withUnsafeBytes { bytes -> Int? in
            let offset = start - buffer.startIndex
            guard let base = bytes.baseAddress, let found = memchr(base + offset, 0x0A, bytes.count - offset) else { return nil }
            return buffer.startIndex + (UnsafeRawPointer(found) - base)
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\t")
    }

    /// Closes the file.
    public func close() {
        try? handle.close()
    }
}
