import CareRecordStore
import FHIR
import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import ServiceLifecycle

/// How the API meets the network: rate limits, trusted proxies and browser origins (C9 `server.rateLimit`,
/// `server.trustedProxies`, `server.cors`).
public struct APISettings: Sendable, Equatable {
    public var rateLimit: RateLimitSettings
    /// Peers whose `Forwarded` / `X-Forwarded-For` headers name the client address; no one else's are believed.
    public var trustedProxies: Set<String>
    /// SMART on FHIR discovery (`/.well-known/smart-configuration`), served when the identity provider's endpoints are set.
    public var smart: SMARTConfiguration?
    /// `auth.requireScopes`: every token must carry SMART scopes.
    public var requireScopes: Bool
    /// Origins whose pages may call the API from a browser; none by default.
    public var cors: CORSSettings
    /// What marks an access for a privacy officer's review.
    public var auditReview: AuditReviewSettings
    /// Organisation names by ODS code (`organisations:`), shown beside the codes: on searchset entries' source
    /// organisation and on the organisation agent of an AuditEvent.
    public var organisationNames: [String: String]

    public init(
        rateLimit: RateLimitSettings = RateLimitSettings(), trustedProxies: Set<String> = [], smart: SMARTConfiguration? = nil,
        requireScopes: Bool = false, cors: CORSSettings = CORSSettings(), auditReview: AuditReviewSettings = AuditReviewSettings(),
        organisationNames: [String: String] = [:]
    ) {
        self.auditReview = auditReview
        self.rateLimit = rateLimit
        self.trustedProxies = trustedProxies
        self.smart = smart
        self.requireScopes = requireScopes
        self.cors = cors
        self.organisationNames = organisationNames
    }
}

/// What the FHIR API needs to run: the record, the audit log, the token verifier, the participating organisations, its
/// public URL and a clock. Audit cannot be switched off.
public struct CareRecordAPI: Sendable {
    public let repository: any CareRecordRepository
    public let verifier: TokenVerifier
    public let policy: AccessPolicy
    /// The server's public base URL (no trailing slash), for `fullUrl` and paging links.
    public let baseURL: String
    public let auditStore: any AuditStore
    /// The single writer of the audit log.
    public let auditLog: AuditLog
    /// Requests refused by the rate limit, audited per address and minute.
    public let throttled = ThrottleSummary()
    public let settings: APISettings
    public let clock: @Sendable () -> Date
    /// Set when a graceful stop begins; `/health/ready` answers 503 from then on.
    public let readiness = Readiness()
    /// Where traces and metrics go.
    public let telemetry: Telemetry
    let metrics: APIMetrics

    public init(
        repository: any CareRecordRepository, auditStore: any AuditStore, verifier: TokenVerifier, participating: Set<String>, baseURL: String,
        settings: APISettings = APISettings(), telemetry: Telemetry = Telemetry(), clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.repository = repository
        self.auditStore = auditStore
        self.auditLog = AuditLog(store: auditStore, metricsFactory: telemetry.metricsFactory, tracer: telemetry.tracer)
        self.telemetry = telemetry
        self.metrics = APIMetrics(factory: telemetry.metricsFactory)
        self.verifier = verifier
        self.policy = AccessPolicy(participating: participating)
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.settings = settings
        self.clock = clock
    }

    /// The router with every route and middleware, outermost first: request identity, the server span, the request's log
    /// line and metrics, compression, CORS (when origins are listed; it answers their preflights), errors, audit, rate limit,
    /// negotiation; then authentication; then, for every patient-scoped route, the access decision.
    public func buildRouter() -> Router<CareRecordRequestContext> {
        // HEAD on every GET route: the same handler, headers and all, without the body (HTTP semantics; integrators' probes).
        let router = Router(context: CareRecordRequestContext.self, options: .autoGenerateHeadEndpoints)
        let repository = TracingCareRecordRepository(base: repository, telemetry: telemetry)
        router.add(middleware: RequestIdentityMiddleware(trustedProxies: settings.trustedProxies))
        router.add(middleware: RequestTracingMiddleware(tracer: telemetry.tracer))
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        router.add(middleware: CompressionMiddleware())
        if !settings.cors.allowedOrigins.isEmpty {
            router.add(middleware: CrossOriginMiddleware(allowedOrigins: settings.cors.allowedOrigins))
        }
        router.add(middleware: OperationOutcomeMiddleware())
        router.add(middleware: AuditMiddleware(log: auditLog, throttled: throttled, clock: clock))
        router.add(middleware: RateLimitMiddleware(settings: settings.rateLimit, verifier: verifier, clock: clock))
        router.add(middleware: ContentNegotiationMiddleware())
        let statement = (try? FHIRJSON.encode(CapabilityStatementBuilder.build(baseURL: baseURL, smart: settings.smart))) ?? Data()
        if let smart = settings.smart { SMARTController(configuration: smart).addRoutes(to: router) }
        MetadataController(
            capabilityStatement: statement, auditLog: auditLog, auditStore: auditStore, repository: repository, verifier: verifier,
            throttled: throttled, readiness: readiness
        ).addRoutes(to: router)

        let authenticated = router.group().add(middleware: AuthenticationMiddleware(verifier: verifier, policy: policy, metrics: metrics))
        let patientScoped = PatientScopedRoutes(
            router: authenticated,
            access: PatientAccessMiddleware.Dependencies(
                repository: repository, auditStore: auditStore, policy: policy, clock: clock, telemetry: telemetry, metrics: metrics,
                requireScopes: settings.requireScopes))
        let names = settings.organisationNames
        let sources = SourceDescriptions(repository: repository, names: names)
        PatientController(repository: repository, baseURL: baseURL, sources: sources).addRoutes(to: patientScoped)
        for type in ClinicalResourceType.allCases {
            ClinicalController(type: type, repository: repository, baseURL: baseURL, sources: sources).addRoutes(to: patientScoped)
        }
        ConsentController(repository: repository, baseURL: baseURL, auditLog: auditLog, clock: clock).addRoutes(to: patientScoped)
        AuditEventController(
            auditStore: auditStore, review: OrganisationAuditReview(auditStore: auditStore, repository: repository, settings: settings.auditReview),
            auditLog: auditLog, baseURL: baseURL, requireScopes: settings.requireScopes, clock: clock, organisationNames: names
        ).addRoutes(to: patientScoped)
        ReadOnlyController().addRoutes(to: authenticated)
        return router
    }

    /// An application serving the API on `host:port`, over HTTPS with `tls`; `onRunning` is called once it listens.
    public func buildApplication(
        host: String, port: Int, tls: ServerTLS? = nil, logger: Logger, services: [any Service] = [], onRunning: @escaping @Sendable () async -> Void = {}
    ) throws -> some ApplicationProtocol {
        Application(
            router: buildRouter(), server: try tls.map { try .tls(.http1(), tlsConfiguration: $0.configuration) } ?? .http1(),
            configuration: .init(address: .hostname(host, port: port), serverName: nil), services: services,
            onServerRunning: { _ in await onRunning() }, logger: logger)
    }
}
