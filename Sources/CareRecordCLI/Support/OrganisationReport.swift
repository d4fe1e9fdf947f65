import ArgumentParser
import CareRecordServer
import CareRecordStore
import FHIR
import Foundation

/// `care-record audit report --organisation`: a privacy officer's periodic review of the log (issue 11), in three parts:
/// accesses to the organisation's patients by other organisations, its own staff's accesses by user, and flagged accesses
/// with their review state. Rendered as text, CSV or a standalone HTML page (escaped; no scripts, no external resources).
struct OrganisationReport {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, csv, html
    }

    let organisation: String
    let name: String?
    let from: String
    let to: String
    let records: [ReviewedRecord]
    /// Names of the participating organisations, by ODS code.
    let organisations: [String: String]

    /// `[start of from, end of to)` as whole days in the time zone; `to` is inclusive and at most 366 days after `from`.
    static func period(from: String, to: String, timeZone: TimeZone) throws -> (start: Date, end: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        func day(_ text: String, _ option: String) throws -> Date {
            let parts = text.split(separator: "-").compactMap { Int($0) }
            guard FHIRDateTime.isValidDate(text), text.count == 10, parts.count == 3,
                  let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])) else {
                throw CLIError("\(option) must be a date as YYYY-MM-DD, not '\(text)'")
            }
            return date
        }
        let start = try day(from, "--from")
        let last = try day(to, "--to")
        guard last >= start else { throw CLIError("--to must not be before --from") }
        guard let end = calendar.date(byAdding: .day, value: 1, to: last), end.timeIntervalSince(start) <= 367 * 86_400 else {
            throw CLIError("the period may be at most a year")
        }
        return (start, end)
    }

    /// Staff accesses about a patient (the records the report is about; reviews and patients' own reads aside).
    var accesses: [ReviewedRecord] {
        records.filter { AuditFlagger.isStaffAccess($0.record) && AuditFlagger.patient(of: $0.record) != nil }
    }

    /// Accesses to the organisation's patients by users of other organisations.
    var outside: [ReviewedRecord] {
        accesses.filter { $0.record.patientRegisteredOds == organisation && $0.record.userOds != organisation }
    }

    /// The organisation's own staff's accesses, grouped by user (sorted by sub).
    var staff: [(user: String, records: [ReviewedRecord])] {
        Dictionary(grouping: accesses.filter { $0.record.userOds == organisation }, by: { $0.record.userSub ?? "" })
            .sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    var flagged: [ReviewedRecord] { accesses.filter { !$0.flags.isEmpty } }

    func rendered(_ format: Format) -> String {
        switch format {
        case .text: text
        case .csv: csv
        case .html: html
        }
    }

    // MARK: - Rows

    static let accessHeader = ["id", "when", "user", "role", "organisation", "patient", "what", "outcome", "basis", "flags", "review"]

    func accessRow(_ reviewed: ReviewedRecord) -> [String] {
        let record = reviewed.record
        let who = [record.userName, record.userSub.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")
        let organisation = record.userOds.map { ods in organisations[ods].map { "\($0) (\(ods))" } ?? ods } ?? "-"
        let what = "\(record.interaction) \(record.resourceType ?? "")".trimmingCharacters(in: .whitespaces)
        let outcome = record.reasonCode == "OK" ? "\(record.status) allowed" : "\(record.status) \(record.reasonCode)"
        var basis = record.basis ?? "-"
        if let reason = record.accessReason { basis += ": \(reason)" }
        return [
            String(record.sequence), record.recorded, who, record.userRole ?? "-", organisation, AuditFlagger.patient(of: record) ?? "-",
            what, outcome, basis, reviewed.flags.sorted().map(\.rawValue).joined(separator: " "), reviewState(reviewed),
        ]
    }

    func reviewState(_ reviewed: ReviewedRecord) -> String {
        if let review = reviewed.latestReview {
            let note = review.reviewNote.map { ": \($0)" } ?? ""
            return "\(review.reviewOutcome ?? "reviewed") by \(review.userSub ?? "?") \(review.recorded)\(note)"
        }
        return reviewed.flags.isEmpty ? "" : "pending"
    }

    static let staffHeader = ["user", "name", "role", "accesses", "distinct patients", "refused", "emergency overrides", "flagged"]

    func staffRow(_ user: String, _ records: [ReviewedRecord]) -> [String] {
        let first = records.first?.record
        return [
            user, first?.userName ?? "-", first?.userRole ?? "-", String(records.count),
            String(Set(records.compactMap { AuditFlagger.patient(of: $0.record) }).count),
            String(records.filter { $0.record.status >= 400 }.count), String(records.filter { $0.record.isEmergencyOverrideAttempt }.count),
            String(records.filter { !$0.flags.isEmpty }.count),
        ]
    }

    var title: String {
        "Audit review for \(name.map { "\($0) (\(organisation))" } ?? organisation), \(from) to \(to)"
    }

    var sections: [(title: String, header: [String], rows: [[String]])] {
        [
            ("Accesses to our patients by other organisations", Self.accessHeader, outside.map(accessRow)),
            ("Our staff's accesses, by user", Self.staffHeader, staff.map { staffRow($0.user, $0.records) }),
            ("Flagged accesses and their review", Self.accessHeader, flagged.map(accessRow)),
        ]
    }

    // MARK: - Formats

    var text: String {
        var lines = [title, String(repeating: "=", count: title.count)]
        for section in sections {
            lines += ["", "\(section.title) (\(section.rows.count))"]
            guard !section.rows.isEmpty else {
                lines.append("  none")
                continue
            }
            let widths = section.header.indices.map { column in ([section.header] + section.rows).map { $0[column].count }.max() ?? 0 }
            for cells in [section.header] + section.rows {
                lines.append("  " + zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                    .trimmingCharacters(in: .whitespaces))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// One CSV (RFC 4180) with a `section` column, so a spreadsheet can filter each part.
    var csv: String {
        func field(_ value: String) -> String {
            // A leading = + - @ would be a formula in a spreadsheet: quoted with a leading apostrophe.
            let safe = ["=", "+", "-", "@"].contains(where: value.hasPrefix) && Double(value) == nil ? "'" + value : value
            return safe.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : safe
        }
        let sections = sections
        var lines = [(["section"] + Self.accessHeader).map(field).joined(separator: ",")]
        for (index, section) in sections.enumerated() where index != 1 {
            lines += section.rows.map { ([index == 0 ? "outside-access" : "flagged"] + $0).map(field).joined(separator: ",") }
        }
        lines.append("")
        lines.append((["section"] + Self.staffHeader).map(field).joined(separator: ","))
        lines += sections[1].rows.map { (["staff"] + $0).map(field).joined(separator: ",") }
        return lines.joined(separator: "\r\n")
    }

    var html: String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
        }
        var body = ""
        for (index, section) in sections.enumerated() {
            body += "<section aria-labelledby=\"s\(index)\">\n<h2 id=\"s\(index)\">\(escape(section.title)) <span class=\"count\">(\(section.rows.count))</span></h2>\n"
            if section.rows.isEmpty {
                body += "<p class=\"none\">None in this period.</p>\n</section>\n"
                continue
            }
            body += "<div class=\"scroll\"><table>\n<thead><tr>" + section.header.map { "<th scope=\"col\">\(escape($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
            for row in section.rows {
                let flagged = section.header == Self.accessHeader && !(row[9].isEmpty)
                let pending = flagged && row[10] == "pending"
                body += "<tr\(pending ? " class=\"pending\"" : "")>" + row.map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n"
            }
            body += "</tbody></table></div>\n</section>\n"
        }
        return """
            <!DOCTYPE html>
            <html lang="en-GB">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <title>\(escape(title))</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 2rem; color: #1d1d1f; }
            h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
            .scroll { overflow-x: auto; }
            table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
            th, td { border: 1px solid #c8c8c8; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
            th { background: #eef2f7; }
            tr.pending td { background: #fff4e5; }
            .count, .none { color: #555; }
            </style>
            </head>
            <body>
            <main>
            <h1>\(escape(title))</h1>
            <p>Cheshire Care Record audit: \(records.count) records concern this organisation in the period. Flags mark accesses to review; \
            "pending" means no review has been recorded yet (care-record audit review, or POST /AuditEvent/{id}/$review).</p>
            \(body)</main>
            </body>
            </html>
            """
    }
}
