import FHIR
import Foundation

/// Upstream `meta.lastUpdated` values parsed, and served instants formatted, once per distinct value within an import:
/// exports repeat a few timestamps across many resources, and Foundation's ISO 8601 parsing and formatting was a tenth of
/// an import's time (issue 12). The same pure functions as without it; bounded, so memory stays flat whatever the export.
final class TimestampCache {
    private var parsed: [String: Date?] = [:]
    private var instants: [Date: String] = [:]
    static let capacity = 4096

    /// `FHIRDateTime.parse(value)`.
    func parse(_ value: String) -> Date? {
        if let known = parsed[value] { return known }
        let date = FHIRDateTime.parse(value)
        if parsed.count >= Self.capacity { parsed.removeAll(keepingCapacity: true) }
        parsed[value] = .some(date)
        return date
    }

    /// `FHIRDateTime.instant(date)`.
    func instant(_ date: Date) -> String {
        if let known = instants[date] { return known }
        let text = FHIRDateTime.instant(date)
        if instants.count >= Self.capacity { instants.removeAll(keepingCapacity: true) }
        instants[date] = text
        return text
    }
}
