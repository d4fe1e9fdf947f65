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
        let parameters = try SearchParameters(request, allowed: Set(["patient"]).union(SearchParameters.paging))
        let nhs = try SearchParameters.patientNHSNumber(parameters["patient"])
        let page = try parameters.page()
        var bundle = SearchBundle(baseURL: baseURL, total: 0)
        if try await access.isVisible(nhs, context: context) {
            let found = try await repository.clinicalEntries(type, patient: nhs, page: PageRequest(offset: page.offset, count: page.count))
            bundle.total = found.total
            bundle.entries = found.items
        }
        bundle.links = Paging.links(base: "\(baseURL)/\(type.rawValue)", parameters: parameters, page: page, total: bundle.total)
        return FHIRResponse.generated(bundle.encoded(), lastModified: bundle.lastModified, request: request)
    }

    @Sendable func read(_ request: Request, context: CareRecordRequestContext) async throws -> Response {
        _ = try SearchParameters(request, allowed: [])
        guard let id = context.parameters.get("id"), let entry = try await repository.clinicalEntry(type, id: id) else {
            throw FHIRError.resourceNotFound
        }
        do {
            _ = try await access.authorise(entry.nhsNumber, context: context)
        } catch let error as FHIRError where error.status == .notFound {
            throw FHIRError.resourceNotFound
        }
        return FHIRResponse.resource(entry, request: request)
    }
}
