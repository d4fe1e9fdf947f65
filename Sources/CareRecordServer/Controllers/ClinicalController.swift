import CareRecordStore
import FHIR
import Foundation
import Hummingbird

/// Search by patient and read by id for one clinical resource type (C7); access is decided before these run.
struct ClinicalController {
    let type: ClinicalResourceType
    let repository: any CareRecordRepository
    let baseURL: String
    /// The entries' source organisations and last refreshes.
    let sources: SourceDescriptions

    func addRoutes(to routes: PatientScopedRoutes) {
        routes.get(
            type.rawValue,
            PatientRoute(
                resolution: .patientParameter, purpose: .readRecord, interaction: "search-type", resourceType: type.rawValue,
                allowedParameters: Set(["patient"]).union(SearchParameters.paging).union(ClinicalSearch.parameters(for: type)),
                repeatableParameters: ["_lastUpdated"], validate: { [type] parameters in
                    _ = try parameters.page()
                    _ = try ClinicalSearch(parameters, type: type)
                }, snapshot: .entries(type)),
            use: search)
        routes.get(
            "\(type.rawValue)/:id",
            PatientRoute(resolution: .entry(.clinical(type)), purpose: .readRecord, interaction: "read", resourceType: type.rawValue),
            use: read)
    }

    @Sendable func search(_ request: Request, context: CareRecordRequestContext) async throws -> Response {
        let access = try context.grant()
        let page = try access.parameters.page()
        let search = try ClinicalSearch(access.parameters, type: type)
        var bundle = SearchBundle(baseURL: baseURL, total: 0)
        bundle.ignoredParameters = access.parameters.ignored
        if access.isVisible, case .entries(let all)? = access.snapshot {
            // Read with the state the decision was made on, in one snapshot (SQLite): matched, ordered and paged here.
            let matches = search.apply(to: all, type: type)
            bundle.total = matches.count
            bundle.entries = search.countOnly ? [] : Array(matches.dropFirst(page.offset).prefix(page.count))
        } else if access.isVisible && search.isPlain {
            let found = try await repository.clinicalEntries(
                type, patient: access.nhsNumber, page: PageRequest(offset: page.offset, count: page.count), consistentWith: access.state)
            bundle.total = found.total
            bundle.entries = found.items
        } else if access.isVisible {
            // Filters, a sort or a count: every entry of the type in one read, then matched, ordered and paged here.
            let all = try await repository.clinicalEntries(
                type, patient: access.nhsNumber, page: PageRequest(offset: 0, count: Int(Int32.max)), consistentWith: access.state)
            let matches = search.apply(to: all.items, type: type)
            bundle.total = matches.count
            bundle.entries = search.countOnly ? [] : Array(matches.dropFirst(page.offset).prefix(page.count))
        }
        if !bundle.entries.isEmpty { bundle.sources = try await sources.current() }
        bundle.links = Paging.links(base: "\(baseURL)/\(type.rawValue)", parameters: access.parameters, page: page, total: bundle.total)
        if search.countOnly { bundle.links = Array(bundle.links.prefix(1)) }
        context.audit.released(bundle.summary)
        return FHIRResponse.searchset(bundle, request: request)
    }

    @Sendable func read(_ request: Request, context: CareRecordRequestContext) async throws -> Response {
        let access = try context.grant()
        guard let id = access.entry?.id, let entry = try await repository.clinicalEntry(type, id: id, consistentWith: access.state) else {
            throw FHIRError.resourceNotFound
        }
        context.audit.released("\(type.rawValue)/\(entry.id)")
        return FHIRResponse.resource(entry, request: request)
    }
}
