import Foundation

/// Reads an NDJSON file one line at a time with a fixed-size buffer, whatever the file's size.
public struct NDJSONReader {
    /// The longest line accepted; a longer one means a broken file.
    public static let maximumLineLength = 16 * 1024 * 1024

    private let handle: FileHandle
    private var buffer = Data()
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
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[buffer.startIndex..<newline]
                buffer.removeSubrange(buffer.startIndex...newline)
                lineNumber += 1
                if line.allSatisfy(Self.isWhitespace) { continue }
                return Data(line)
            }
            if finished {
                guard !buffer.isEmpty else { return nil }
                let line = buffer
                buffer = Data()
                lineNumber += 1
                return line.allSatisfy(Self.isWhitespace) ? nil : line
            }
            guard buffer.count <= Self.maximumLineLength else { throw ImportError.lineTooLong(line: lineNumber + 1) }
            let chunk = try handle.read(upToCount: 256 * 1024) ?? Data()
            bytesRead += chunk.count
            if chunk.isEmpty { finished = true } else { buffer.append(chunk) }
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
