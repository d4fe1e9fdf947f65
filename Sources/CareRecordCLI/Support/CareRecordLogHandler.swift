import FHIR
import Foundation
import Logging
import Synchronization

/// The executable's log handler (bootstrapped in `main`): swift-log's text lines, or JSON lines, on standard error, at the
/// level the configuration's `logging` names. The format and level are the process's, set once a command has read its
/// configuration (`configure`); a logger whose level was set explicitly (`Logger.quiet`) keeps it.
public struct CareRecordLogHandler: LogHandler {
    private static let settings = Mutex(LoggingSettings())

    /// Applies a configuration's `logging` to every logger of the process.
    public static func configure(_ settings: LoggingSettings) {
        Self.settings.withLock { $0 = settings }
    }

    let label: String
    let currentSettings: @Sendable () -> LoggingSettings
    let write: @Sendable (String) -> Void
    private var explicitLevel: Logger.Level?
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.init(label: label, metadataProvider: metadataProvider, settings: { Self.settings.withLock { $0 } }, write: StandardError.write)
    }

    /// A handler with its own settings and output, for tests.
    init(
        label: String, metadataProvider: Logger.MetadataProvider? = nil, settings: @escaping @Sendable () -> LoggingSettings,
        write: @escaping @Sendable (String) -> Void
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        currentSettings = settings
        self.write = write
    }

    public var logLevel: Logger.Level {
        get { explicitLevel ?? currentSettings().level }
        set { explicitLevel = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // Merged into a small array sorted by key, not a dictionary: copying, merging and rehashing `Logger.Metadata` was a
        // third of the per-request log line's CPU (issue 12).
        var merged = SortedMetadata(metadata)
        if let provided = metadataProvider?.get() { merged.merge(provided) }
        if let own = event.metadata { merged.merge(own) }
        switch currentSettings().format {
        case .json:
            write(JSONLogLine.render(timestamp: Date(), level: event.level, label: label, message: event.message.description, metadata: merged))
        case .text:
            if let error = event.error {
                merged.merge(["error.message": "\(error)", "error.type": "\(String(reflecting: type(of: error)))"])
            }
            write(TextLogLine.render(level: event.level, label: label, source: event.source, message: event.message.description, metadata: merged))
        }
    }
}

/// A log record's metadata as key–value pairs in key order; a later layer's value replaces an earlier one's.
struct SortedMetadata {
    private(set) var pairs: [(key: String, value: Logger.MetadataValue)]

    init(_ metadata: Logger.Metadata) {
        pairs = metadata.sorted { $0.key < $1.key }
    }

    mutating func merge(_ layer: Logger.Metadata) {
        for (key, value) in layer {
            // Binary search: the keys are sorted and few.
            var low = 0, high = pairs.count
            while low < high {
                let middle = (low + high) / 2
                if pairs[middle].key < key { low = middle + 1 } else { high = middle }
            }
            if low < pairs.count && pairs[low].key == key {
                pairs[low].value = value
            } else {
                pairs.insert((key, value), at: low)
            }
        }
    }
}

/// One log record as one line of JSON: `timestamp` (UTC, milliseconds), `level`, `label`, `message`, `metadata`.
enum JSONLogLine {
    static func render(timestamp: Date, level: Logger.Level, label: String, message: String, metadata: SortedMetadata) -> String {
        var line = "{\"timestamp\":"
        appendString(utcTimestamp(timestamp), to: &line)
        line += ",\"level\":"
        appendString(level.rawValue, to: &line)
        line += ",\"label\":"
        appendString(label, to: &line)
        line += ",\"message\":"
        appendString(message, to: &line)
        line += ",\"metadata\":{"
        for (index, pair) in metadata.pairs.enumerated() {
            if index > 0 { line += "," }
            appendString(pair.key, to: &line)
            line += ":"
            appendValue(pair.value, to: &line)
        }
        line += "}"
        line += "}\n"
        return line
    }

    /// `2026-11-28T10:15:02.114Z`: RFC 3339 in UTC, with milliseconds.
    static func utcTimestamp(_ date: Date) -> String { FHIRDateTime.instant(date) }

    /// Metadata keys in sorted order, so lines are stable; numbers and booleans stay numbers and booleans.
    static func appendValue(_ value: Logger.MetadataValue, to line: inout String) {
        switch value {
        case .string(let text):
            appendString(text, to: &line)
        case .stringConvertible(let convertible):
            switch convertible {
            case let number as any BinaryInteger: line += "\(number)"
            case let number as Double where number.isFinite: line += "\(number)"
            case let flag as Bool: line += flag ? "true" : "false"
            default: appendString(convertible.description, to: &line)
            }
        case .dictionary(let dictionary):
            line += "{"
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { line += "," }
                appendString(key, to: &line)
                line += ":"
                appendValue(dictionary[key]!, to: &line)
            }
            line += "}"
        case .array(let values):
            line += "["
            for (index, element) in values.enumerated() {
                if index > 0 { line += "," }
                appendValue(element, to: &line)
            }
            line += "]"
        }
    }

    /// A JSON string literal (`JSONString`'s escaping).
    static func appendString(_ text: String, to line: inout String) {
        line += "\""
        JSONString.append(text, to: &line)
        line += "\""
    }
}

/// Writes whole lines to standard error, one `write(2)` each under a lock, so lines from many threads never interleave.
enum StandardError {
    private static let lock = Mutex(())

    @Sendable static func write(_ line: String) {
        var line = line
        line.withUTF8 { bytes in
            lock.withLock { _ in
                let buffer = UnsafeRawBufferPointer(bytes)
                var offset = 0
                while offset < buffer.count {
                    let written = Foundation.write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                    if written <= 0 { return }
                    offset += written
                }
            }
        }
    }
}

/// swift-log's `StreamLogHandler` line, `2026-11-28T06:40:00+0000 info care-record: key=value [module] message`, written
/// without its per-line `strftime` and string interpolation (the local timestamp is formatted once a second; one line per
/// request made it 3% of the read path's CPU, issue 12).
enum TextLogLine {
    private static let second = Mutex<(time: time_t, text: String)>((-1, ""))

    static func render(level: Logger.Level, label: String, source: String, message: String, metadata: SortedMetadata) -> String {
        var line = timestamp()
        line.reserveCapacity(line.utf8.count + 64 + message.utf8.count + metadata.pairs.count * 48)
        line += " "
        line += level.rawValue
        if !label.isEmpty {
            line += " "
            line += label
        }
        line += ":"
        for (key, value) in metadata.pairs {
            line += " "
            line += key
            line += "="
            switch value {
            case .string(let text): line += text
            default: line += value.description
            }
        }
        line += " ["
        line += source
        line += "] "
        line += message
        line += "\n"
        return line
    }

    /// Local time with the offset, as `strftime("%Y-%m-%dT%H:%M:%S%z")` writes it; formatted at most once a second.
    static func timestamp() -> String {
        var now = time(nil)
        if let cached = second.withLock({ $0.time == now ? $0.text : nil }) { return cached }
        var parts = tm()
        var buffer = [Int8](repeating: 0, count: 64)
        guard localtime_r(&now, &parts) != nil else { return "<unknown>" }
        strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        second.withLock { $0 = (now, text) }
        return text
    }
}
