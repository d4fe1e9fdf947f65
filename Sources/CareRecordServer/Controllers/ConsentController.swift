import CareRecordStore
import Crypto
import FHIR
import Foundation
import Hummingbird

/// Sharing decisions: `POST /Consent` records one (C6); `GET /Consent?patient=` and `GET /Consent/{id}` show them.
struct ConsentController {
    let repository: any CareRecordRepository
    let access: PatientAccess
    let baseURL: String
    let auditLog: AuditLog?
    let clock: @Sendable () -> Date

    func addRoutes(to router: some RouterMethods<CareRecordRequestContext>) {
        router.post("Consent", use: record)
        router.get("Consent", use: search)
        router.get("Consent/:id", use: read)
    }

    @Sendable func record(_ request: Request, context: CareRecordRequestContext) async throws -> Response {
        context.audit.begin("create", "Consent")
        _ = try SearchParameters(request, allowed: [])
        guard let user = context.user else { throw FHIRError.tokenInvalid }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: context.maxUploadSize)
        } catch {
            throw FHIRError.invalidResource("The request body is larger than \(context.maxUploadSize / 1024) KiB.", status: .contentTooLarge)
        }
        let now = clock()
        let submission = try ConsentSubmission(body: Data(body.readableBytesView), user: user, now: now)
        context.audit.update { $0.patient = submission.nhsNumber }
        try await access.authorise(
            submission.nhsNumber, .recordDecision(submission.kind, shortTerm: submission.shortTerm), request: request, context: context)
        let stored = try served(submission, user: user, now: now)
        let decision = SharingDecision(
            id: stored.id, kind: submission.kind, recordedAt: now, recordedByOds: user.ods, sourceId: nil, recordedBySub: user.sub,
            actorSub: submission.actorSub, periodStart: submission.periodStart, periodEnd: submission.periodEnd)
        context.audit.released("Consent/\(stored.id)")
        try await AuditMiddleware.commitBeforeChange(auditLog, status: .created, request: request, context: context, clock: clock)
        try await repository.recordDecision(decision, patient: submission.nhsNumber, resource: stored)
        return Response(
            status: .created,
            headers: [
                .contentType: FHIRResponse.contentType, .location: "\(baseURL)/Consent/\(stored.id)",
                .eTag: "W/\"\(stored.versionId)\"", .lastModified: FHIRResponse.httpDate(now),
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: stored.json)))
    }

    @Sendable func search(_ request: Request, context: CareRecordRequestContext) async throws -> Response {
        context.audit.begin("search-type", "Consent")
        let parameters = try SearchParameters(request, allowed: ["patient"])
        let nhs = try SearchParameters.patientNHSNumber(parameters["patient"])
        var bundle = SearchBundle(baseURL: baseURL, total: 0)
        if try await access.isVisible(nhs, request: request, context: context) {
            bundle.entries = try await repository.consents(patient: nhs)
            bundle.total = bundle.entries.count
        }
        bundle.links = [("self", "\(baseURL)/Consent?patient=\(nhs.value)")]
        context.audit.released(bundle.summary)
        return FHIRResponse.generated(bundle.encoded(), lastModified: bundle.lastModified, request: request)
    }

    @Sendable func read(_ request: Request, context: CareRecordRequestContext) async throws -> Response {
        context.audit.begin("read", "Consent")
        _ = try SearchParameters(request, allowed: [])
        try access.requireRecordReader(context)
        guard let id = context.parameters.get("id"), let consent = try await repository.consent(id: id) else {
            throw FHIRError.resourceNotFound
        }
        try await access.authoriseEntry(consent, request: request, context: context)
        context.audit.released("Consent/\(consent.id)")
        return FHIRResponse.resource(consent, request: request)
    }

    /// The Consent as stored and served: a new id, the server's time as `dateTime`, the recorder as performer.
    func served(_ submission: ConsentSubmission, user: AuthenticatedUser, now: Date) throws -> StoredResource {
        var consent = submission.consent
        let id = UUID().uuidString.lowercased()
        consent.id = id
        consent.meta = nil
        consent.dateTime = FHIRDateTime.instant(now)
        consent.patient = Reference(reference: "Patient/\(submission.nhsNumber.value)", identifier: submission.nhsNumber.identifier)
        consent.performer = [Reference(identifier: Identifier(system: ConsentSubmission.userSystem, value: user.sub), display: user.name)]
        consent.organization = [Reference(identifier: Identifier(system: FHIRSystems.odsOrganisation, value: user.ods))]
        if consent.policyRule == nil {
            // R4 requires a policy or policyRule (ppc-1); say which way the decision goes.
            let code = submission.kind == .consentToView ? "OPTIN" : "OPTOUT"
            consent.policyRule = CodeableConcept(system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: code)
        }
        let versionID = SHA256.hash(data: try FHIRJSON.encode(consent)).prefix(8).hexadecimal
        consent.meta = Meta(versionId: versionID, lastUpdated: FHIRDateTime.instant(now), source: "urn:care-record:source:api")
        return StoredResource(
            id: id, resourceType: Consent.resourceType, nhsNumber: submission.nhsNumber, sourceId: nil, versionId: versionID,
            lastUpdated: now, json: try FHIRJSON.encode(consent))
    }
}
