import CareRecordStore
import FHIR
import Hummingbird

/// What a patient-scoped route is, for the access middleware: how it names its patient, what it asks to do, and which
/// query parameters it takes (checked before anything is looked up, so no answer depends on what exists).
struct PatientRoute: Sendable {
    /// Where the patient comes from.
    enum Resolution: Sendable {
        /// `/{Type}/:id` where the id is an NHS number.
        case pathNHSNumber
        /// The `patient` search parameter; an unrelated or unknown patient is simply not found.
        case patientParameter
        /// `identifier=https://fhir.nhs.uk/Id/nhs-number|{nhs}`; likewise not found when unrelated.
        case identifierParameter
        /// The patient of the entry with the path's `:id`.
        case entry(EntryKind)
        /// The patient of the `Consent` in the request body (`POST /Consent`).
        case consentSubmission
    }

    /// The stores an entry read by id comes from.
    enum EntryKind: Sendable {
        case clinical(ClinicalResourceType)
        case consent
        case auditEvent
    }

    /// What is asked of the patient's record.
    enum Purpose: Sendable {
        case readRecord
        case readAudit
        /// The kind comes from the submitted Consent.
        case recordDecision
    }

    var resolution: Resolution
    var purpose: Purpose
    /// The audit interaction (`read`, `search-type`, `operation`, `create`) and resource type.
    var interaction: String
    var resourceType: String
    var allowedParameters: Set<String> = []
    var repeatableParameters: Set<String> = []
    /// Checks the parameters' values (paging, dates) before anything is looked up.
    var validate: @Sendable (SearchParameters) throws -> Void = { parameters in _ = try parameters.page() }
    /// A search without its `patient` parameter goes here instead (after authentication and the token's scopes): the one
    /// such search is a privacy officer's organisation-wide `GET /AuditEvent`.
    var withoutPatient: (@Sendable (Request, CareRecordRequestContext) async throws -> Response)?
    /// What the route releases, read with the state the decision is made on, in one snapshot (on a backend that can).
    var snapshot: SnapshotQuery?

    /// Whether a refusal that would be 404 is answered as an empty search rather than an error.
    var isSearch: Bool {
        switch resolution {
        case .patientParameter, .identifierParameter: true
        default: false
        }
    }
}

/// What the access middleware hands a patient-scoped controller: the patient, the state the decision was made on, and
/// what it resolved on the way. Only the middleware makes one.
struct PatientAccessGrant: Sendable {
    var nhsNumber: NHSNumber
    /// The state the decision was made on; nil only for an audit read about a patient never seen.
    var state: PatientState?
    /// False for a search whose patient is unknown or unrelated: the controller answers an empty searchset.
    var isVisible: Bool
    var parameters: SearchParameters
    /// The entry a by-id read resolved (to be re-read consistently with `state`).
    var entry: StoredResource?
    /// The data read in the same snapshot as `state` (routes with a `snapshot`, on a backend that can).
    var snapshot: SnapshotRead?
    var auditRecord: AuditRecord?
    var submission: ConsentSubmission?
}

extension CareRecordRequestContext {
    /// The access decision for this patient-scoped route; fails closed when the route is not behind the access middleware.
    func grant() throws -> PatientAccessGrant {
        guard let access else {
            logger.error("a patient-scoped controller ran without an access decision")
            throw FHIRError.internalError
        }
        return access
    }
}

/// The only way controllers register patient-scoped routes: each one goes behind `PatientAccessMiddleware`.
struct PatientScopedRoutes {
    let router: RouterGroup<CareRecordRequestContext>
    let access: PatientAccessMiddleware.Dependencies

    func get(_ path: String, _ route: PatientRoute, use handler: @escaping @Sendable (Request, CareRecordRequestContext) async throws -> Response) {
        router.group().add(middleware: PatientAccessMiddleware(route: route, dependencies: access)).get(RouterPath(path), use: handler)
    }

    func post(_ path: String, _ route: PatientRoute, use handler: @escaping @Sendable (Request, CareRecordRequestContext) async throws -> Response) {
        router.group().add(middleware: PatientAccessMiddleware(route: route, dependencies: access)).post(RouterPath(path), use: handler)
    }
}
