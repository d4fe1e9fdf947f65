import FHIR
import Foundation
import HTTPTypes
import Hummingbird

/// A request's query, checked: only known parameters, each once, `_count` and `_offset` in bounds.
struct SearchParameters: Sendable {
    static let defaultCount = 50
    static let maximumCount = 200
    /// Parameters every FHIR route accepts.
    static let common: Set<String> = ["_format"]
    static let paging: Set<String> = ["_count", "_offset"]

    static let prefer = HTTPField.Name("Prefer")!

    private(set) var values: [String: [String]] = [:]
    /// With `Prefer: handling=lenient`: the unknown (or repeated) parameters left out, printable, for the searchset's outcome.
    private(set) var ignored: [String] = []

    /// Refuses unknown parameters, and repeated ones other than `repeatable`, with 400 `INVALID_PARAMETER`; with
    /// `Prefer: handling=lenient` leaves them out instead and remembers them (FHIR search, "Handling errors"). Malformed
    /// values of known parameters are refused either way.
    init(_ request: Request, allowed: Set<String>, repeatable: Set<String> = [], isSearch: Bool = false) throws {
        // Lenient handling is for searches only: a read or a write with a parameter it does not know is still refused.
        let lenient = isSearch && Self.isLenient(request.headers[Self.prefer])
        for (name, value) in request.uri.queryParameters {
            let name = String(name)
            guard allowed.contains(name) || Self.common.contains(name) else {
                guard lenient else { throw FHIRError.invalidParameter("Unknown search parameter '\(Self.printable(name))'.") }
                ignored.append(Self.printable(name))
                continue
            }
            guard values[name] == nil || repeatable.contains(name) else {
                guard lenient else { throw FHIRError.invalidParameter("Parameter '\(name)' may be given only once.") }
                ignored.append(name)
                continue
            }
            values[name, default: []].append(String(value))
        }
    }

    /// Whether a `Prefer` header asks for lenient handling (`handling=lenient`, among other preferences).
    static func isLenient(_ prefer: String?) -> Bool {
        guard let prefer else { return false }
        return prefer.split(separator: ",").contains { preference in
            preference.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() == "handling=lenient" } ?? false
        }
    }

    subscript(name: String) -> String? { values[name]?.first }

    /// Every value of a repeatable parameter.
    func all(_ name: String) -> [String] { values[name] ?? [] }

    /// `_count` (default 50, 0 to 200) and `_offset` (0 or more).
    func page() throws -> (offset: Int, count: Int) {
        let count = try integer("_count", default: Self.defaultCount, range: 0...Self.maximumCount)
        let offset = try integer("_offset", default: 0, range: 0...Int(Int32.max))
        return (offset, count)
    }

    private func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = values[name]?.first else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw FHIRError.invalidParameter("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        return value
    }

    /// The NHS number a `patient` parameter names: `9434765919` or `Patient/9434765919`.
    static func patientNHSNumber(_ value: String?) throws -> NHSNumber {
        guard let value, !value.isEmpty else {
            throw FHIRError.invalidParameter("The patient parameter is required: there is no region-wide search.")
        }
        let digits = value.hasPrefix("Patient/") ? String(value.dropFirst("Patient/".count)) : value
        guard let nhs = NHSNumber(digits), !digits.contains(" ") else { throw FHIRError.invalidNHSNumber }
        return nhs
    }

    /// The NHS number of `identifier=https://fhir.nhs.uk/Id/nhs-number|{nhs}` (the only Patient search there is).
    static func identifierNHSNumber(_ identifier: String?) throws -> NHSNumber {
        guard let identifier else {
            throw FHIRError.invalidParameter("Search by identifier=\(NHSNumber.system)|{NHS number}: there is no region-wide search.")
        }
        let parts = identifier.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == NHSNumber.system else {
            throw FHIRError.invalidParameter("identifier must be \(NHSNumber.system)|{NHS number}.")
        }
        guard let nhs = NHSNumber(String(parts[1])), !parts[1].contains(" ") else { throw FHIRError.invalidNHSNumber }
        return nhs
    }

    /// A parameter name cut short and stripped of anything but plain characters, safe to echo.
    static func printable(_ name: String) -> String {
        String(name.prefix(40).filter { $0.isLetter || $0.isNumber || "_-.:".contains($0) })
    }

    /// The query string of a page: the request's own parameters in a stable order, with `_offset` and `_count` set.
    func query(offset: Int, count: Int) -> String {
        var items = values.filter { !Self.paging.contains($0.key) }.flatMap { entry in entry.value.map { (entry.key, $0) } }
        items.append(("_count", String(count)))
        items.append(("_offset", String(offset)))
        return items.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
    }

    private static func escape(_ text: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
