import CareRecordStore
import Crypto
import FHIR
import Foundation
import Hummingbird

/// Sharing decisions: `POST /Consent` records one (C6); `GET /Consent?patient=` and `GET /Consent/{id}` show them.
struct ConsentController {
    let repository: any CareRecordRepository
    let baseURL: String
    let auditLog: AuditLog
    let clock: @Sendable () -> Date

    func addRoutes(to routes: PatientScopedRoutes) {
        routes.post("Consent", PatientRoute(resolution: .consentSubmission, purpose: .recordDecision, interaction: "create", resourceType: "Consent"), use: record)
        routes.get(
            "Consent",
            PatientRoute(resolution: .patientParameter, purpose: .readRecord, interaction: "search-type", resourceType: "Consent", allowedParameters: ["patient"]),
            use: search)
        routes.get("Consent/:id", PatientRoute(resolution: .entry(.consent), purpose: .readRecord, interaction: "read", resourceType: "Consent"), use: read)
    }

    @Sendable func record(_ request: Request, context: CareRecordRequestContext) async throws -> Response {
        let access = try context.grant()
        guard let user = context.user, let submission = access.submission else { throw FHIRError.internalError }
        let now = clock()
        let stored = try served(submission, user: user, now: now)
        let decision = SharingDecision(
            id: stored.id, kind: submission.kind, recordedAt: now, recordedByOds: user.ods, sourceId: nil, recordedBySub: user.sub,
            actorSub: submission.actorSub, periodStart: submission.periodStart, periodEnd: submission.periodEnd)
        context.audit.released("Consent/\(stored.id)")
        // Audited before it takes effect; if storing it then fails, the audit middleware appends a record saying so.
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
        let access = try context.grant()
        var bundle = SearchBundle(baseURL: baseURL, total: 0)
        bundle.ignoredParameters = access.parameters.ignored
        if access.isVisible {
            bundle.entries = try await repository.consents(patient: access.nhsNumber, consistentWith: access.state)
            bundle.total = bundle.entries.count
        }
        bundle.links = [("self", "\(baseURL)/Consent?patient=\(access.nhsNumber.value)")]
        context.audit.released(bundle.summary)
        return FHIRResponse.searchset(bundle, request: request)
    }

    @Sendable func read(_ request: Request, context: CareRecordRequestContext) async throws -> Response {
        let access = try context.grant()
        guard let id = access.entry?.id, let consent = try await repository.consent(id: id, consistentWith: access.state) else {
            throw FHIRError.resourceNotFound
        }
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
