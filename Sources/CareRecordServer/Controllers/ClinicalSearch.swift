import CareRecordStore
import FHIR
import Foundation

/// The filters, sort and summary a clinical search may ask for beyond `patient` and paging (issue 10): `_lastUpdated`
/// (eq, ge, gt, le, lt; repeatable), `clinical-status` (AllergyIntolerance, Condition), `status` (MedicationStatement),
/// `_sort=_lastUpdated|-_lastUpdated` and `_summary=count`. They apply to one patient's entries of one type, tens of
/// them, so they are applied in memory after one read (the same on both backends).
struct ClinicalSearch {
    var lastUpdatedBounds: [RecordedBound] = []
    var statusCodes: Set<String>?
    var newestFirst: Bool?
    var countOnly = false

    /// Parameters each type's search accepts besides `patient` and paging.
    static func parameters(for type: ClinicalResourceType) -> Set<String> {
        ["_lastUpdated", "_sort", "_summary", statusParameter(for: type)]
    }

    static func statusParameter(for type: ClinicalResourceType) -> String {
        type == .medicationStatement ? "status" : "clinical-status"
    }

    /// The codes the status parameter takes, from the FHIR R4 value sets each element is bound to.
    static func statusCodes(for type: ClinicalResourceType) -> Set<String> {
        switch type {
        case .allergyIntolerance: ["active", "inactive", "resolved"]
        case .condition: ["active", "recurrence", "relapse", "inactive", "remission", "resolved"]
        case .medicationStatement: ["active", "completed", "entered-in-error", "intended", "stopped", "on-hold", "unknown", "not-taken"]
        }
    }

    /// Whether nothing beyond paging is asked for (the store pages by itself then).
    var isPlain: Bool { lastUpdatedBounds.isEmpty && statusCodes == nil && newestFirst == nil && !countOnly }

    init(_ parameters: SearchParameters, type: ClinicalResourceType) throws {
        lastUpdatedBounds = try parameters.all("_lastUpdated").flatMap { value in
            do {
                return try AuditSearch.bounds(value)
            } catch {
                throw FHIRError.invalidParameter("_lastUpdated must be [eq|ge|gt|le|lt] followed by a FHIR date or dateTime, such as ge2026-11-01.")
            }
        }
        let statusName = Self.statusParameter(for: type)
        if let value = parameters[statusName] {
            let codes = Set(value.split(separator: ",", omittingEmptySubsequences: false).map { token in String(token.split(separator: "|").last ?? token) })
            let known = Self.statusCodes(for: type)
            guard !codes.isEmpty, codes.isSubset(of: known) else {
                throw FHIRError.invalidParameter("\(statusName) must be one or more of \(known.sorted().joined(separator: ", ")), separated by commas.")
            }
            statusCodes = codes
        }
        switch parameters["_sort"] {
        case nil: break
        case "_lastUpdated": newestFirst = false
        case "-_lastUpdated": newestFirst = true
        default: throw FHIRError.invalidParameter("_sort supports _lastUpdated and -_lastUpdated only.")
        }
        switch parameters["_summary"] {
        case nil, "false": break
        case "count": countOnly = true
        default: throw FHIRError.invalidParameter("_summary supports count (and false) only.")
        }
    }

    /// The entries that match, in the order asked for (by id otherwise, as the store pages).
    func apply(to entries: [StoredResource], type: ClinicalResourceType) -> [StoredResource] {
        let instants = lastUpdatedBounds.map { bound in (bound.comparison, FHIRDateTime.parse(bound.instant) ?? .distantPast) }
        var matches = entries.filter { entry in
            instants.allSatisfy { comparison, instant in
                comparison == .atOrAfter ? entry.lastUpdated >= instant : entry.lastUpdated < instant
            } && (statusCodes.map { $0.contains(Self.status(of: entry, type: type) ?? "") } ?? true)
        }
        if let newestFirst {
            matches.sort { a, b in
                a.lastUpdated != b.lastUpdated ? (a.lastUpdated > b.lastUpdated) == newestFirst : a.id < b.id
            }
        }
        return matches
    }

    /// The entry's `clinicalStatus` code (AllergyIntolerance, Condition) or `status` (MedicationStatement).
    static func status(of entry: StoredResource, type: ClinicalResourceType) -> String? {
        guard let probe = try? JSONDecoder().decode(StatusProbe.self, from: entry.json) else { return nil }
        return type == .medicationStatement ? probe.status : probe.clinicalStatus?.coding?.compactMap(\.code).first
    }

    private struct StatusProbe: Decodable {
        struct Concept: Decodable {
            struct Coding: Decodable { let code: String? }
            let coding: [Coding]?
        }
        let clinicalStatus: Concept?
        let status: String?
    }
}
