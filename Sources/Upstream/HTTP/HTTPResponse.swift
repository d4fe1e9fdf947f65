import Foundation

/// A finished transfer: status, headers (names lowercased) and the body if it was kept in memory.
public struct UpstreamResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data
    /// Bytes received (in memory or written to the file).
    public var bytes: Int64

    /// `Retry-After` as seconds or an HTTP date.
    public var retryAfter: Duration? {
        guard let value = headers["retry-after"]?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Int(value) { return .seconds(max(0, seconds)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .seconds(max(0, Int(date.timeIntervalSinceNow.rounded(.up))))
    }
}
