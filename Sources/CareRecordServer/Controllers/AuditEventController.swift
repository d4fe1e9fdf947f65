import CareRecordStore
import FHIR
import Foundation
import Hummingbird

/// `GET /AuditEvent?patient=` (C8): a patient's own trail, or a privacy officer's view within their organisation's scope.
struct AuditEventController {
    let auditStore: any AuditStore
    let baseURL: String
    /// Organisation names by ODS code, shown on the organisation agent.
    var organisationNames: [String: String] = [:]

    func addRoutes(to routes: PatientScopedRoutes) {
        routes.get(
            "AuditEvent",
            PatientRoute(
                resolution: .patientParameter, purpose: .readAudit, interaction: "search-type", resourceType: "AuditEvent",
                allowedParameters: Set(["patient", "date", "subtype"]).union(SearchParameters.paging), repeatableParameters: ["date"],
                validate: { parameters in _ = try AuditSearch.filter(parameters) }),
            use: search)
        routes.get("AuditEvent/:id", PatientRoute(resolution: .entry(.auditEvent), purpose: .readAudit, interaction: "read", resourceType: "AuditEvent"), use: read)
    }

    /// One AuditEvent (the `fullUrl` of a search entry), to those who could find it by searching; anything else reads as unknown.
    @Sendable func read(_ request: Request, context: CareRecordRequestContext) async throws -> Response {
        let access = try context.grant()
        guard let record = access.auditRecord else { throw FHIRError.resourceNotFound }
        context.audit.released("AuditEvent/\(record.sequence)")
        return FHIRResponse.resource(try stored(record, patient: access.nhsNumber, forPatient: context.user?.role == .patient), request: request)
    }

    func stored(_ record: AuditRecord, patient: NHSNumber, forPatient: Bool) throws -> StoredResource {
        StoredResource(
            id: String(record.sequence), resourceType: AuditEvent.resourceType, nhsNumber: patient, sourceId: nil,
            versionId: String(record.hash.prefix(16)), lastUpdated: FHIRDateTime.parse(record.recorded) ?? Date(),
            json: try FHIRJSON.encode(AuditEventMapper.event(record, forPatient: forPatient).namingOrganisations(organisationNames)))
    }

    @Sendable func search(_ request: Request, context: CareRecordRequestContext) async throws -> Response {
        let access = try context.grant()
        let page = try access.parameters.page()
        var filter = try AuditSearch.filter(access.parameters)
        if let user = context.user, user.role == .privacyOfficer {
            // Patients registered elsewhere: only what this organisation's own staff did.
            if access.state?.registeredPractice != user.ods { filter.userOds = user.ods }
            filter.includeAttempts = true
        }
        let found = try await auditStore.records(patient: access.nhsNumber, filter: filter, page: PageRequest(offset: page.offset, count: page.count))
        var bundle = SearchBundle(baseURL: baseURL, total: found.total)
        bundle.ignoredParameters = access.parameters.ignored
        bundle.entries = try found.items.map { try stored($0, patient: access.nhsNumber, forPatient: context.user?.role == .patient) }
        bundle.links = Paging.links(base: "\(baseURL)/AuditEvent", parameters: access.parameters, page: page, total: found.total)
        context.audit.released(bundle.summary)
        return FHIRResponse.generated(bundle.encoded(), lastModified: bundle.lastModified, request: request)
    }
}

/// The `date` and `subtype` search parameters of `GET /AuditEvent`.
enum AuditSearch {
    static let subtypeCodes: Set<String> = ["read", "search-type", "create", "operation", "emergency-override"]

    /// The filter a search's `date` and `subtype` (and paging) ask for; 400 for anything malformed.
    static func filter(_ parameters: SearchParameters) throws -> AuditFilter {
        _ = try parameters.page()
        return AuditFilter(recordedBounds: try parameters.all("date").flatMap(bounds), subtypes: try subtypes(parameters["subtype"]))
    }

    /// `date=[prefix]value` (prefixes eq, ge, gt, le, lt; a date, or a dateTime with zone) as bounds on `recorded`.
    static func bounds(_ value: String) throws -> [RecordedBound] {
        let prefixes = ["eq", "ge", "gt", "le", "lt"]
        let prefix = prefixes.first { value.hasPrefix($0) } ?? "eq"
        let text = prefixes.contains(String(value.prefix(2))) ? String(value.dropFirst(2)) : value
        guard FHIRDateTime.isValidDateTime(text), let start = FHIRDateTime.parse(text) else {
            throw FHIRError.invalidParameter("date must be [eq|ge|gt|le|lt] followed by a FHIR date or dateTime, such as ge2026-11-01.")
        }
        let end = precisionEnd(text, start: start)
        let (low, high) = (FHIRDateTime.instant(start), FHIRDateTime.instant(end))
        switch prefix {
        case "ge": return [RecordedBound(.atOrAfter, low)]
        case "gt": return [RecordedBound(.atOrAfter, high)]
        case "le": return [RecordedBound(.before, high)]
        case "lt": return [RecordedBound(.before, low)]
        default: return [RecordedBound(.atOrAfter, low), RecordedBound(.before, high)]
        }
    }

    /// The end of the period a partial date stands for: a year, a month, a day, or one millisecond for a full dateTime.
    static func precisionEnd(_ text: String, start: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        switch text.count {
        case 4: return calendar.date(byAdding: .year, value: 1, to: start) ?? start
        case 7: return calendar.date(byAdding: .month, value: 1, to: start) ?? start
        case 10: return calendar.date(byAdding: .day, value: 1, to: start) ?? start
        default: return start.addingTimeInterval(0.001)
        }
    }

    /// `subtype=code[,code]` or `system|code`; codes from restful-interaction or `emergency-override`.
    static func subtypes(_ value: String?) throws -> Set<String> {
        guard let value else { return [] }
        let codes = value.split(separator: ",").map { token in String(token.split(separator: "|").last ?? token) }
        guard !codes.isEmpty, codes.allSatisfy(subtypeCodes.contains) else {
            throw FHIRError.invalidParameter("subtype must be one or more of \(subtypeCodes.sorted().joined(separator: ", ")).")
        }
        return Set(codes)
    }
}
