import CareRecordStore
import FHIR
import Foundation
import HTTPTypes
import Hummingbird

/// The access decision as middleware (C5): every patient-scoped route is registered behind it (`PatientScopedRoutes`), so no
/// route can forget it. In order, and before anything is looked up: the request's own shape (query parameters, emergency
/// headers), then the role; then the patient is resolved (path, search parameter, the entry's own patient, or the submitted
/// Consent), the policy decides on the patient's state, and the controller receives the decided state in the context.
/// A controller's read re-checks that state inside its own read transaction; if it changed meanwhile, the decision is made
/// again (issue 8.13).
struct PatientAccessMiddleware: RouterMiddleware {
    typealias Context = CareRecordRequestContext

    /// What the middleware reads.
    struct Dependencies: Sendable {
        let repository: any CareRecordRepository
        let auditStore: any AuditStore
        let policy: AccessPolicy
        let clock: @Sendable () -> Date
        let telemetry: Telemetry
        let metrics: APIMetrics
        /// `auth.requireScopes`: a token without a `scope` claim is refused.
        var requireScopes = false
    }

    let route: PatientRoute
    let dependencies: Dependencies
    /// Decisions made again when the state changes under a read, before answering 503.
    static let attempts = 3

    static let purposeOfUse = HTTPField.Name("X-Purpose-Of-Use")!
    static let accessReason = HTTPField.Name("X-Access-Reason")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        context.audit.begin(route.interaction, route.resourceType)
        guard let user = context.user else { throw FHIRError.tokenInvalid }
        if let withoutPatient = route.withoutPatient, !request.uri.queryParameters.has("patient") {
            do {
                try requireScopes(user)
            } catch let error as FHIRError {
                dependencies.metrics.refused(error.code)
                throw error
            }
            return try await withoutPatient(request, context)
        }
        // Refusals that do not depend on the data come first (issue 8.10); the override headers are recorded even then.
        let emergency = Result { try Self.emergencyRequest(request.headers, audit: context.audit) }
        let parameters = try SearchParameters(
            request, allowed: route.allowedParameters, repeatable: route.repeatableParameters, isSearch: route.interaction == "search-type")
        if let named = try? namedPatient(context, parameters) { fileUnder(named, user: user, audit: context.audit) }
        try route.validate(parameters)
        let emergencyReason = try emergency.get()
        do {
            try requireRole(user)
            try requireScopes(user)
        } catch let error as FHIRError {
            dependencies.metrics.refused(error.code)
            throw error
        }
        var resolved = try await resolve(request, context: context, user: user, parameters: parameters)
        let nhs = resolved.nhsNumber
        fileUnder(nhs, user: user, audit: context.audit)

        for _ in 0..<Self.attempts {
            let interaction = try interaction(resolved)
            let (state, snapshot, decision) = try await dependencies.telemetry.span("access decision") { span in
                let state: PatientState?
                let snapshot: SnapshotRead?
                if let query = route.snapshot {
                    (state, snapshot) = try await dependencies.repository.patientStateAndRecord(nhs, reading: query)
                } else {
                    (state, snapshot) = (try await dependencies.repository.patientState(nhs), nil)
                }
                let decision = dependencies.policy.decide(
                    AccessRequest(user: user, nhsNumber: nhs, patient: state, interaction: interaction, emergencyReason: emergencyReason, now: dependencies.clock()))
                span.attributes["care_record.access.decision"] = decision.outcome
                span.attributes["care_record.access.reason"] = decision.reason
                return (state, snapshot, decision)
            }
            context.audit.update { $0.registeredPractice = state?.registeredPractice }
            switch decision {
            case .allow(let basis):
                context.audit.update { $0.basis = basis }
                resolved.state = state
                resolved.snapshot = snapshot
                resolved.isVisible = true
                do {
                    try await checkAuditScope(resolved, user: user)
                } catch let error as FHIRError {
                    dependencies.metrics.refused(error.code)
                    throw error
                }
                dependencies.metrics.allowed(basis)
            case .deny(let error):
                resolved.state = nil
                resolved.snapshot = nil
                resolved.isVisible = false
                dependencies.metrics.refused(error.code)
                try refuse(error, user: user)
            }
            var context = context
            context.access = resolved
            do {
                return try await next(request, context)
            } catch StoreError.stateChanged {
                context.audit.update { $0.basis = nil }
                continue
            }
        }
        throw FHIRError.serviceBusy
    }

    /// The token's SMART scopes must grant this interaction on this type (they narrow the role, never widen it); refused
    /// before any lookup, like the role. `$everything` reads every type it returns.
    func requireScopes(_ user: AuthenticatedUser) throws {
        guard let scopes = user.scopes else {
            if dependencies.requireScopes { throw FHIRError.scopeNotGranted("This service requires SMART scopes in the access token.") }
            return
        }
        if scopes.hasSystemScope {
            throw FHIRError.scopeNotGranted("system/ scopes are not accepted: every access must be attributable to a person.")
        }
        let context = user.role == .patient ? "patient" : "user"
        let needed: [(Character, String)]
        switch route.interaction {
        case "create": needed = [("c", route.resourceType)]
        case "search-type": needed = [("s", route.resourceType)]
        case "operation": needed = ["Patient", "AllergyIntolerance", "Condition", "MedicationStatement", "Consent"].map { ("r", $0) }
        default: needed = [("r", route.resourceType)]
        }
        for (permission, type) in needed where !scopes.permits(permission, on: type, context: context) {
            throw FHIRError.scopeNotGranted("The access token's scopes do not grant \(context)/\(type).\(permission).")
        }
    }

    /// Roles that may never use this route are refused before any lookup, so they cannot learn which ids exist.
    func requireRole(_ user: AuthenticatedUser) throws {
        switch (route.purpose, route.resolution) {
        case (.readRecord, .entry):
            guard user.role == .patient || (user.role.isClinical && user.registration != nil) else { throw FHIRError.roleNotPermitted }
        case (.readAudit, .entry):
            guard user.role == .patient || user.role == .privacyOfficer else { throw FHIRError.roleNotPermitted }
        default:
            break
        }
    }

    /// The decision's refusal as this route answers it: a search does not find a patient it may not see; a by-id read
    /// reads as an unknown id (so does a patient asking for someone else's entry).
    func refuse(_ error: FHIRError, user: AuthenticatedUser) throws {
        if route.isSearch && error.status == .notFound { return }
        if case .entry = route.resolution, error.status == .notFound || (error.code == .roleNotPermitted && user.role == .patient) {
            throw FHIRError.resourceNotFound
        }
        throw error
    }

    /// A patient-role user asking about another patient is recorded against their own number, the other kept apart for
    /// privacy officers, so the other patient's trail never shows the prober (issue 8.7).
    func fileUnder(_ nhs: NHSNumber, user: AuthenticatedUser, audit: AuditTrail) {
        if user.role == .patient, let own = user.nhsNumber, own != nhs {
            audit.update {
                $0.patient = own
                $0.attemptedPatient = nhs
            }
        } else {
            audit.update { $0.patient = nhs }
        }
    }

    func interaction(_ resolved: PatientAccessGrant) throws -> PatientInteraction {
        switch route.purpose {
        case .readRecord: return .readRecord
        case .readAudit: return .readAudit
        case .recordDecision:
            guard let submission = resolved.submission else { throw FHIRError.internalError }
            return .recordDecision(submission.kind, shortTerm: submission.shortTerm)
        }
    }

    /// A privacy officer reading one audit record: only events about patients registered with their organisation (when
    /// the access was made, as the organisation review finds them, or now; the patient it is filed under, or the one a
    /// patient-role user asked for), or by its staff.
    func checkAuditScope(_ resolved: PatientAccessGrant, user: AuthenticatedUser) async throws {
        guard user.role == .privacyOfficer, let record = resolved.auditRecord else { return }
        if record.patientRegisteredOds == user.ods || resolved.state?.registeredPractice == user.ods || record.userOds == user.ods { return }
        if let attempted = record.attemptedPatientNHS.flatMap(NHSNumber.init),
           try await dependencies.repository.patientState(attempted)?.registeredPractice == user.ods {
            return
        }
        throw FHIRError.resourceNotFound
    }

    /// The patient the path or query names, found without looking anything up; nil for routes that must look it up.
    func namedPatient(_ context: Context, _ parameters: SearchParameters) throws -> NHSNumber? {
        switch route.resolution {
        case .pathNHSNumber:
            guard let text = context.parameters.get("id"), let nhs = NHSNumber(text), !text.utf8.contains(UInt8(ascii: " ")) else { throw FHIRError.invalidNHSNumber }
            return nhs
        case .patientParameter: return try SearchParameters.patientNHSNumber(parameters["patient"])
        case .identifierParameter: return try SearchParameters.identifierNHSNumber(parameters["identifier"])
        case .entry, .consentSubmission: return nil
        }
    }

    /// Finds the patient the request is about.
    func resolve(_ request: Request, context: Context, user: AuthenticatedUser, parameters: SearchParameters) async throws -> PatientAccessGrant {
        func grant(_ nhs: NHSNumber) -> PatientAccessGrant {
            PatientAccessGrant(nhsNumber: nhs, state: nil, isVisible: false, parameters: parameters)
        }
        if let named = try namedPatient(context, parameters) { return grant(named) }
        switch route.resolution {
        case .pathNHSNumber, .patientParameter, .identifierParameter:
            throw FHIRError.internalError  // namedPatient answers these, or throws

        case .entry(let kind):
            guard let id = context.parameters.get("id") else { throw FHIRError.resourceNotFound }
            return try await entry(kind, id: id, grant: grant)
        case .consentSubmission:
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: context.maxUploadSize)
            } catch {
                throw FHIRError.invalidResource("The request body is larger than \(context.maxUploadSize / 1024) KiB.", status: .contentTooLarge)
            }
            let submission = try ConsentSubmission(body: Data(body.readableBytesView), user: user, now: dependencies.clock())
            var resolved = grant(submission.nhsNumber)
            resolved.submission = submission
            return resolved
        }
    }

    func entry(_ kind: PatientRoute.EntryKind, id: String, grant: (NHSNumber) -> PatientAccessGrant) async throws -> PatientAccessGrant {
        switch kind {
        case .clinical(let type):
            guard let entry = try await dependencies.repository.clinicalEntry(type, id: id, consistentWith: nil) else { throw FHIRError.resourceNotFound }
            var resolved = grant(entry.nhsNumber)
            resolved.entry = entry
            return resolved
        case .consent:
            guard let entry = try await dependencies.repository.consent(id: id, consistentWith: nil) else { throw FHIRError.resourceNotFound }
            var resolved = grant(entry.nhsNumber)
            resolved.entry = entry
            return resolved
        case .auditEvent:
            guard let sequence = Int64(id), let record = try await dependencies.auditStore.record(sequence: sequence),
                  let nhs = record.patientNHS.flatMap(NHSNumber.init) else {
                throw FHIRError.resourceNotFound
            }
            var resolved = grant(nhs)
            resolved.auditRecord = record
            return resolved
        }
    }

    /// The reason of a well-formed emergency override, nil without one; `X-Purpose-Of-Use` other than BTG, or BTG without a
    /// reason, is 400. Every request carrying the headers is recorded as an override attempt, whatever follows (issue 8.6).
    static func emergencyRequest(_ headers: HTTPFields, audit: AuditTrail) throws -> String? {
        let purpose = headers[purposeOfUse]
        let reason = headers[accessReason]?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let purpose else { return nil }
        audit.update {
            $0.purposeOfUse = String(purpose.prefix(64))
            $0.accessReason = reason.flatMap { $0.isEmpty ? nil : String($0.prefix(1000)) }
        }
        guard purpose.trimmingCharacters(in: .whitespaces).uppercased() == "BTG" else {
            throw FHIRError.invalidParameter("X-Purpose-Of-Use must be BTG (emergency override).")
        }
        guard let reason, !reason.isEmpty else {
            throw FHIRError.invalidParameter("An emergency override needs a non-empty X-Access-Reason header.")
        }
        return reason
    }
}
