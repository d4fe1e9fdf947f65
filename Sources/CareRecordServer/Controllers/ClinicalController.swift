import CareRecordStore
import FHIR
import Foundation
import Hummingbird

/// Search by patient and read by id for one clinical resource type (C7).
struct ClinicalController {
    let type: ClinicalResourceType
    let repository: any CareRecordRepository
    let access: PatientAccess
    let baseURL: String

    func addRoutes(to router: some RouterMethods<CareRecordRequestContext>) {
        router.get(RouterPath(type.rawValue), use: search)
        router.get(RouterPath("\(type.rawValue)/:id"), use: read)
    }

    @Sendable func search(_ request: Request, context: CareRecordRequestContext) async throws -> Response {
        context.audit.begin("search-type", type.rawValue)
        let parameters = try SearchParameters(request, allowed: Set(["patient"]).union(SearchParameters.paging))
        let nhs = try SearchParameters.patientNHSNumber(parameters["patient"])
        context.audit.update { $0.patient = nhs }
        let page = try parameters.page()
        var bundle = SearchBundle(baseURL: baseURL, total: 0)
        if try await access.isVisible(nhs, request: request, context: context) {
            let found = try await repository.clinicalEntries(type, patient: nhs, page: PageRequest(offset: page.offset, count: page.count))
            bundle.total = found.total
            bundle.entries = found.items
        }
        bundle.links = Paging.links(base: "\(baseURL)/\(type.rawValue)", parameters: parameters, page: page, total: bundle.total)
        context.audit.released(bundle.summary)
        return FHIRResponse.generated(bundle.encoded(), lastModified: bundle.lastModified, request: request)
    }

    @Sendable func read(_ request: Request, context: CareRecordRequestContext) async throws -> Response {
        context.audit.begin("read", type.rawValue)
        _ = try SearchParameters(request, allowed: [])
        try access.requireRecordReader(context)
        guard let id = context.parameters.get("id"), let entry = try await repository.clinicalEntry(type, id: id) else {
            throw FHIRError.resourceNotFound
        }
        try await access.authoriseEntry(entry, request: request, context: context)
        context.audit.released("\(type.rawValue)/\(entry.id)")
        return FHIRResponse.resource(entry, request: request)
    }
}

extension PatientAccess {
    /// Authorises reading one entry by id; a refusal that would be 404 reads as an unknown id, and so does a patient asking
    /// for someone else's entry (the audit record still names the patient, so they can see the attempt).
    func authoriseEntry(_ entry: StoredResource, request: Request, context: CareRecordRequestContext) async throws {
        do {
            try await authorise(entry.nhsNumber, .readRecord, request: request, context: context)
        } catch let error as FHIRError where error.status == .notFound || (error.code == .roleNotPermitted && context.user?.role == .patient) {
            throw FHIRError.resourceNotFound
        }
    }

    /// Before looking an id up: refuses roles that may never read clinical data, so they cannot learn which ids exist.
    func requireRecordReader(_ context: CareRecordRequestContext) throws {
        guard let user = context.user else { throw FHIRError.tokenInvalid }
        guard user.role == .patient || (user.role.isClinical && user.registration != nil) else { throw FHIRError.roleNotPermitted }
    }
}
