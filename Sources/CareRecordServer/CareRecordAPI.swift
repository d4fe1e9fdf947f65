import CareRecordStore
import FHIR
import Foundation
import Hummingbird
import Logging

/// What the FHIR API needs to run: the record, the token verifier, the participating organisations, its public URL and a clock.
public struct CareRecordAPI: Sendable {
    public let repository: any CareRecordRepository
    public let verifier: TokenVerifier
    public let policy: AccessPolicy
    /// The server's public base URL (no trailing slash), for `fullUrl` and paging links.
    public let baseURL: String
    public let clock: @Sendable () -> Date

    public init(
        repository: any CareRecordRepository, verifier: TokenVerifier, participating: Set<String>, baseURL: String,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.repository = repository
        self.verifier = verifier
        self.policy = AccessPolicy(participating: participating)
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.clock = clock
    }

    /// The router with every route and middleware, outermost first: headers, errors, negotiation, then authentication.
    public func buildRouter() -> Router<CareRecordRequestContext> {
        let router = Router(context: CareRecordRequestContext.self)
        router.add(middleware: ResponseHeadersMiddleware())
        router.add(middleware: OperationOutcomeMiddleware())
        router.add(middleware: ContentNegotiationMiddleware())
        let statement = (try? FHIRJSON.encode(CapabilityStatementBuilder.build(baseURL: baseURL))) ?? Data()
        MetadataController(capabilityStatement: statement).addRoutes(to: router)

        let authenticated = router.group().add(middleware: AuthenticationMiddleware(verifier: verifier, policy: policy))
        let access = PatientAccess(repository: repository, policy: policy, clock: clock)
        PatientController(repository: repository, access: access, baseURL: baseURL).addRoutes(to: authenticated)
        for type in ClinicalResourceType.allCases {
            ClinicalController(type: type, repository: repository, access: access, baseURL: baseURL).addRoutes(to: authenticated)
        }
        ReadOnlyController().addRoutes(to: authenticated)
        return router
    }

    /// An application serving the API on `host:port`; `onRunning` is called once it listens.
    public func buildApplication(
        host: String, port: Int, logger: Logger, onRunning: @escaping @Sendable () async -> Void = {}
    ) -> some ApplicationProtocol {
        Application(
            router: buildRouter(), configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { _ in await onRunning() }, logger: logger)
    }
}
