/// Why an import failed; the whole run is then discarded and the source's last good data kept (C3).
public enum ImportError: Error, Hashable, CustomStringConvertible {
    case manifestUnreadable(String)
    case unsafeOutputURL(String)
    case fileUnreadable(file: String, reason: String)
    case malformedLine(file: String, line: Int, reason: String)
    case lineTooLong(line: Int)
    case countMismatch(file: String, expected: Int, actual: Int)
    case unsupportedSourceURL(String)
    case implausibleDrop(incoming: Int, minimum: Int)

    public var description: String {
        switch self {
        case .manifestUnreadable(let reason): "manifest unreadable: \(reason)"
        case .unsafeOutputURL(let url): "manifest output URL outside the export: \(url)"
        case .fileUnreadable(let file, let reason): "\(file): unreadable: \(reason)"
        case .malformedLine(let file, let line, let reason): "\(file) line \(line): malformed: \(reason)"
        case .lineTooLong(let line): "line \(line) longer than \(NDJSONReader.maximumLineLength) bytes"
        case .countMismatch(let file, let expected, let actual): "\(file): manifest says \(expected) resources, file holds \(actual) (truncated?)"
        case .unsupportedSourceURL(let url): "unsupported source URL: \(url)"
        case .implausibleDrop(let incoming, let minimum):
            "implausible drop: \(incoming) resources where the last good run had at least \(minimum * 2); not applied (sync --force applies it)"
        }
    }
}
