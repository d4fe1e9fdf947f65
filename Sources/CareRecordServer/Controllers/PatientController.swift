import CareRecordStore
import FHIR
import Foundation
import Hummingbird

/// `Patient` read, identifier search and `$everything` (C7).
struct PatientController {
    let repository: any CareRecordRepository
    let access: PatientAccess
    let baseURL: String

    func addRoutes(to router: some RouterMethods<CareRecordRequestContext>) {
        router.get("Patient/:id", use: read)
        router.get("Patient", use: search)
        router.get("Patient/:id/$everything", use: everything)
    }

    @Sendable func read(_ request: Request, context: CareRecordRequestContext) async throws -> Response {
        context.audit.begin("read", "Patient")
        _ = try SearchParameters(request, allowed: [])
        let nhs = try Self.nhsNumber(context)
        try await access.authorise(nhs, .readRecord, request: request, context: context)
        guard let patient = try await repository.patient(nhs) else { throw FHIRError.patientNotFound }
        context.audit.released("Patient/\(nhs.value)")
        return FHIRResponse.resource(patient, request: request)
    }

    @Sendable func search(_ request: Request, context: CareRecordRequestContext) async throws -> Response {
        context.audit.begin("search-type", "Patient")
        let parameters = try SearchParameters(request, allowed: Set(["identifier"]).union(SearchParameters.paging))
        let page = try parameters.page()
        guard let identifier = parameters["identifier"] else {
            throw FHIRError.invalidParameter("Search by identifier=\(NHSNumber.system)|{NHS number}: there is no region-wide search.")
        }
        let parts = identifier.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == NHSNumber.system else {
            throw FHIRError.invalidParameter("identifier must be \(NHSNumber.system)|{NHS number}.")
        }
        guard let nhs = NHSNumber(String(parts[1])), !parts[1].contains(" ") else { throw FHIRError.invalidNHSNumber }
        context.audit.update { $0.patient = nhs }
        var bundle = SearchBundle(baseURL: baseURL, total: 0)
        if try await access.isVisible(nhs, request: request, context: context), let patient = try await repository.patient(nhs) {
            bundle.total = 1
            if page.offset == 0 && page.count > 0 { bundle.entries = [patient] }
        }
        bundle.links = Paging.links(base: "\(baseURL)/Patient", parameters: parameters, page: page, total: bundle.total)
        context.audit.released(bundle.summary)
        return FHIRResponse.generated(bundle.encoded(), lastModified: bundle.lastModified, request: request)
    }

    @Sendable func everything(_ request: Request, context: CareRecordRequestContext) async throws -> Response {
        context.audit.begin("operation", "Patient")
        _ = try SearchParameters(request, allowed: [])
        let nhs = try Self.nhsNumber(context)
        try await access.authorise(nhs, .readRecord, request: request, context: context)
        let entries = try await repository.everything(patient: nhs)
        var bundle = SearchBundle(baseURL: baseURL, total: entries.count, entries: entries)
        bundle.links = [("self", "\(baseURL)/Patient/\(nhs.value)/$everything")]
        context.audit.released(bundle.summary)
        return FHIRResponse.generated(bundle.encoded(), lastModified: bundle.lastModified, request: request)
    }

    static func nhsNumber(_ context: CareRecordRequestContext) throws -> NHSNumber {
        guard let text = context.parameters.get("id"), let nhs = NHSNumber(text), !text.contains(" ") else {
            throw FHIRError.invalidNHSNumber
        }
        return nhs
    }
}
