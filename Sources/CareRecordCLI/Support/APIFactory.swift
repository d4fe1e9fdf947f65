import CareRecordServer
import CareRecordStore
import Foundation
import Upstream

/// Builds the FHIR API from a configuration: opens the record and loads the JWKS.
enum APIFactory {
    static func make(_ configuration: CareRecordConfiguration, auditEnabled: Bool = true) async throws -> CareRecordAPI {
        let repository = try SQLiteCareRecordRepository(path: configuration.databasePath)
        let auditStore = try SQLiteAuditStore(path: configuration.auditPath)
        let jwks = try await loadJWKS(configuration.auth.jwks)
        let verifier: TokenVerifier
        do {
            verifier = try await TokenVerifier(jwks: jwks, issuer: configuration.auth.issuer, audience: configuration.auth.audience)
        } catch let error as JWKSError {
            throw CLIError("auth.jwks \(configuration.auth.jwks): \(error.description)")
        } catch {
            throw CLIError("auth.jwks \(configuration.auth.jwks): the keys cannot be used")
        }
        return CareRecordAPI(
            repository: repository, auditStore: auditStore, verifier: verifier, participating: Set(configuration.organisations.map(\.ods)),
            baseURL: configuration.server.baseURL, auditEnabled: auditEnabled)
    }

    /// The JWKS from a file, or over https with libcurl (system trust store, verification on).
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
