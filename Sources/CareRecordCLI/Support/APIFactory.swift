import CareRecordServer
import CareRecordStore
import Foundation
import Tracing
import Upstream

/// Builds the FHIR API from a configuration: opens the record and the audit log, and loads the JWKS.
enum APIFactory {
    static func make(_ configuration: CareRecordConfiguration, tracer: any Tracer = W3CTracer()) async throws -> CareRecordAPI {
        let stores = try await Stores.open(configuration)
        let repository = stores.repository
        try await repository.updateSources(configuration.sources.map(\.identity))
        let auditStore = stores.audit
        let location = configuration.auth.jwks
        let verifier: TokenVerifier
        do {
            verifier = try await TokenVerifier(
                jwks: try await loadJWKS(location), issuer: configuration.auth.issuer, audience: configuration.auth.audience,
                maximumLifetime: TimeInterval(configuration.auth.maximumTokenLifetimeSeconds),
                reload: { try await loadJWKS(location) })
        } catch let error as JWKSError {
            throw CLIError("auth.jwks \(location): \(error.description)")
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("auth.jwks \(location): the keys cannot be used")
        }
        return CareRecordAPI(
            repository: repository, auditStore: auditStore, verifier: verifier, participating: Set(configuration.organisations.map(\.ods)),
            baseURL: configuration.server.baseURL,
            settings: APISettings(
                rateLimit: configuration.server.rateLimit, trustedProxies: configuration.server.trustedProxies, smart: smart(configuration),
                requireScopes: configuration.auth.requireScopes, cors: configuration.server.cors,
                auditReview: configuration.audit.review,
                organisationNames: Dictionary(configuration.organisations.map { ($0.ods, $0.name) }, uniquingKeysWith: { first, _ in first })),
            telemetry: Telemetry(tracer: tracer))
    }

    /// SMART discovery when the identity provider's endpoints are configured.
    static func smart(_ configuration: CareRecordConfiguration) -> SMARTConfiguration? {
        guard let authorization = configuration.auth.authorizationEndpoint, let token = configuration.auth.tokenEndpoint else { return nil }
        let jwks = configuration.auth.jwks
        return SMARTConfiguration(
            issuer: configuration.auth.issuer, authorizationEndpoint: authorization, tokenEndpoint: token,
            jwksURI: jwks.hasPrefix("https://") ? jwks : nil)
    }

    /// The API's TLS from `server.tls` (its files read again, as they are now), or nil for plain HTTP.
    static func tls(_ configuration: CareRecordConfiguration) throws -> ServerTLS? {
        try configuration.server.tls.map { files throws(ServerTLSError) in try ServerTLS(files: files) }
    }

    /// The JWKS from a file (read again on every reload), or over https with libcurl (system trust store, verification on).
    static func loadJWKS(_ location: String) async throws -> Data {
        if location.hasPrefix("https://"), let url = URL(string: location) {
            var settings = HTTPClientSettings()
            settings.maximumBytes = 1024 * 1024
            do {
                let response = try await CurlHTTPClient(settings: settings).get(url, accept: "application/json")
                guard response.status == 200 else { throw CLIError("auth.jwks \(location): HTTP \(response.status)") }
                return response.body
            } catch let error as HTTPTransferError {
                throw CLIError("auth.jwks \(location): \(error.description)")
            }
        }
        guard let data = FileManager.default.contents(atPath: location) else {
            throw CLIError("auth.jwks: cannot read \(location)")
        }
        return data
    }
}
