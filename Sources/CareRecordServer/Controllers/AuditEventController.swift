import CareRecordStore
import FHIR
import Foundation
import Hummingbird

/// `GET /AuditEvent?patient=` (C8): a patient's own trail, or a privacy officer's view within their organisation's scope.
struct AuditEventController {
    let auditStore: any AuditStore
    let access: PatientAccess
    let baseURL: String

    func addRoutes(to router: some RouterMethods<CareRecordRequestContext>) {
        router.get("AuditEvent", use: search)
        router.get("AuditEvent/:id", use: read)
    }

    /// One AuditEvent (the `fullUrl` of a search entry), to those who could find it by searching; anything else reads as unknown.
    @Sendable func read(_ request: Request, context: CareRecordRequestContext) async throws -> Response {
        context.audit.begin("read", "AuditEvent")
        _ = try SearchParameters(request, allowed: [])
        guard let user = context.user, user.role == .patient || user.role == .privacyOfficer else { throw FHIRError.roleNotPermitted }
        guard let text = context.parameters.get("id"), let sequence = Int64(text), let record = try await auditStore.record(sequence: sequence),
              let nhs = record.patientNHS.flatMap(NHSNumber.init) else {
            throw FHIRError.resourceNotFound
        }
        let state: PatientState?
        do {
            state = try await access.authorise(nhs, .readAudit, request: request, context: context)
        } catch let error as FHIRError where error.code == .roleNotPermitted {
            throw FHIRError.resourceNotFound
        }
        if user.role == .privacyOfficer, state?.registeredPractice != user.ods, record.userOds != user.ods { throw FHIRError.resourceNotFound }
        context.audit.released("AuditEvent/\(sequence)")
        return FHIRResponse.resource(try stored(record, patient: nhs, forPatient: user.role == .patient), request: request)
    }

    func stored(_ record: AuditRecord, patient: NHSNumber, forPatient: Bool) throws -> StoredResource {
        StoredResource(
            id: String(record.sequence), resourceType: AuditEvent.resourceType, nhsNumber: patient, sourceId: nil,
            versionId: String(record.hash.prefix(16)), lastUpdated: FHIRDateTime.parse(record.recorded) ?? Date(),
            json: try FHIRJSON.encode(AuditEventMapper.event(record, forPatient: forPatient)))
    }

    @Sendable func search(_ request: Request, context: CareRecordRequestContext) async throws -> Response {
        context.audit.begin("search-type", "AuditEvent")
        let parameters = try SearchParameters(
            request, allowed: Set(["patient", "date", "subtype"]).union(SearchParameters.paging), repeatable: ["date"])
        let nhs = try SearchParameters.patientNHSNumber(parameters["patient"])
        context.audit.update { $0.patient = nhs }
        let page = try parameters.page()
        var filter = AuditFilter(
            recordedBounds: try parameters.all("date").flatMap(AuditSearch.bounds), subtypes: try AuditSearch.subtypes(parameters["subtype"]))
        let state = try await access.authorise(nhs, .readAudit, request: request, context: context)
        if let user = context.user, user.role == .privacyOfficer, state?.registeredPractice != user.ods {
            // Patients registered elsewhere: only what this organisation's own staff did.
            filter.userOds = user.ods
        }
        let found = try await auditStore.records(patient: nhs, filter: filter, page: PageRequest(offset: page.offset, count: page.count))
        var bundle = SearchBundle(baseURL: baseURL, total: found.total)
        bundle.entries = try found.items.map { try stored($0, patient: nhs, forPatient: context.user?.role == .patient) }
        bundle.links = Paging.links(base: "\(baseURL)/AuditEvent", parameters: parameters, page: page, total: found.total)
        context.audit.released(bundle.summary)
        return FHIRResponse.generated(bundle.encoded(), lastModified: bundle.lastModified, request: request)
    }
}

/// The `date` and `subtype` search parameters of `GET /AuditEvent`.
enum AuditSearch {
    static let subtypeCodes: Set<String> = ["read", "search-type", "create", "operation", "emergency-override"]

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
