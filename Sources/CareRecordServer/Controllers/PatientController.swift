import CareRecordStore
import FHIR
import Foundation
import Hummingbird

/// `Patient` read, identifier search and `$everything` (C7); access is decided before these run.
struct PatientController {
    let repository: any CareRecordRepository
    let baseURL: String
    /// The entries' source organisations and last refreshes.
    let sources: SourceDescriptions

    func addRoutes(to routes: PatientScopedRoutes) {
        routes.get(
            "Patient/:id",
            PatientRoute(resolution: .pathNHSNumber, purpose: .readRecord, interaction: "read", resourceType: "Patient", snapshot: .patient),
            use: read)
        routes.get(
            "Patient",
            PatientRoute(
                resolution: .identifierParameter, purpose: .readRecord, interaction: "search-type", resourceType: "Patient",
                allowedParameters: Set(["identifier"]).union(SearchParameters.paging)),
            use: search)
        routes.get(
            "Patient/:id/$everything",
            PatientRoute(resolution: .pathNHSNumber, purpose: .readRecord, interaction: "operation", resourceType: "Patient", snapshot: .everything),
            use: everything)
    }

    @Sendable func read(_ request: Request, context: CareRecordRequestContext) async throws -> Response {
        let access = try context.grant()
        // Read with the state the decision was made on when the backend could; else in a transaction that re-checks it.
        let read: StoredResource?
        if case .patient(let prefetched)? = access.snapshot {
            read = prefetched
        } else {
            read = try await repository.patient(access.nhsNumber, consistentWith: access.state)
        }
        guard let patient = read else { throw FHIRError.patientNotFound }
        context.audit.released("Patient/\(access.nhsNumber.value)")
        return FHIRResponse.resource(patient, request: request)
    }

    @Sendable func search(_ request: Request, context: CareRecordRequestContext) async throws -> Response {
        let access = try context.grant()
        let page = try access.parameters.page()
        var bundle = SearchBundle(baseURL: baseURL, total: 0)
        bundle.ignoredParameters = access.parameters.ignored
        if access.isVisible, let patient = try await repository.patient(access.nhsNumber, consistentWith: access.state) {
            bundle.total = 1
            if page.offset == 0 && page.count > 0 {
                bundle.entries = [patient]
                bundle.sources = try await sources.current()
            }
        }
        bundle.links = Paging.links(base: "\(baseURL)/Patient", parameters: access.parameters, page: page, total: bundle.total)
        context.audit.released(bundle.summary)
        return FHIRResponse.searchset(bundle, request: request)
    }

    @Sendable func everything(_ request: Request, context: CareRecordRequestContext) async throws -> Response {
        let access = try context.grant()
        let entries: [StoredResource]
        if case .everything(let prefetched)? = access.snapshot {
            entries = prefetched
        } else {
            entries = try await repository.everything(patient: access.nhsNumber, consistentWith: access.state)
        }
        var bundle = SearchBundle(baseURL: baseURL, total: entries.count, entries: entries)
        if !entries.isEmpty { bundle.sources = try await sources.current() }
        bundle.links = [("self", "\(baseURL)/Patient/\(access.nhsNumber.value)/$everything")]
        context.audit.released(bundle.summary)
        return FHIRResponse.searchset(bundle, request: request)
    }
}
