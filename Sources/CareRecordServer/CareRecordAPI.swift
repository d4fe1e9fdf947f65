import CareRecordStore
import FHIR
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// What the FHIR API needs to run: the record, the token verifier, the participating organisations, its public URL and a clock.
public struct CareRecordAPI: Sendable {
    public let repository: any CareRecordRepository
    public let verifier: TokenVerifier
    public let policy: AccessPolicy
    /// The server's public base URL (no trailing slash), for `fullUrl` and paging links.
    public let baseURL: String
    public let auditStore: any AuditStore
    /// The audit writer; nil only when audit is switched off for a benchmark.
    public let auditLog: AuditLog?
    public let clock: @Sendable () -> Date

    public init(
        repository: any CareRecordRepository, auditStore: any AuditStore, verifier: TokenVerifier, participating: Set<String>, baseURL: String,
        auditEnabled: Bool = true, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.repository = repository
        self.auditStore = auditStore
        self.auditLog = auditEnabled ? AuditLog(store: auditStore) : nil
        self.verifier = verifier
        self.policy = AccessPolicy(participating: participating)
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.clock = clock
    }

    /// The router with every route and middleware, outermost first: headers, errors, audit, negotiation, then authentication.
    public func buildRouter() -> Router<CareRecordRequestContext> {
        let router = Router(context: CareRecordRequestContext.self)
        router.add(middleware: ResponseHeadersMiddleware())
        router.add(middleware: OperationOutcomeMiddleware())
        router.add(middleware: AuditMiddleware(log: auditLog, clock: clock))
        router.add(middleware: ContentNegotiationMiddleware())
        let statement = (try? FHIRJSON.encode(CapabilityStatementBuilder.build(baseURL: baseURL))) ?? Data()
        MetadataController(capabilityStatement: statement, auditLog: auditLog, repository: repository).addRoutes(to: router)

        let authenticated = router.group().add(middleware: AuthenticationMiddleware(verifier: verifier, policy: policy))
        let access = PatientAccess(repository: repository, policy: policy, clock: clock)
        PatientController(repository: repository, access: access, baseURL: baseURL).addRoutes(to: authenticated)
        for type in ClinicalResourceType.allCases {
            ClinicalController(type: type, repository: repository, access: access, baseURL: baseURL).addRoutes(to: authenticated)
        }
        ConsentController(repository: repository, access: access, baseURL: baseURL, auditLog: auditLog, clock: clock).addRoutes(to: authenticated)
        AuditEventController(auditStore: auditStore, access: access, baseURL: baseURL).addRoutes(to: authenticated)
        ReadOnlyController().addRoutes(to: authenticated)
        return router
    }

    /// An application serving the API on `host:port`; `onRunning` is called once it listens.
    public func buildApplication(
        host: String, port: Int, logger: Logger, services: [any Service] = [], onRunning: @escaping @Sendable () async -> Void = {}
    ) -> some ApplicationProtocol {
        Application(
            router: buildRouter(), configuration: .init(address: .hostname(host, port: port), serverName: nil), services: services,
            onServerRunning: { _ in await onRunning() }, logger: logger)
    }
}
