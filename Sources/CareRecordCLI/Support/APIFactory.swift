import CareRecordServer
import CareRecordStore
import Foundation

/// Builds the FHIR API from a configuration: opens the record and loads the JWKS.
enum APIFactory {
    static func make(_ configuration: CareRecordConfiguration, auditEnabled: Bool = true) async throws -> CareRecordAPI {
        let repository = try SQLiteCareRecordRepository(path: configuration.databasePath)
        let auditStore = try SQLiteAuditStore(path: configuration.auditPath)
        let jwks = try loadJWKS(configuration.auth.jwks)
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

    static func loadJWKS(_ location: String) throws -> Data {
        if location.hasPrefix("https://") {
            throw CLIError("auth.jwks over https needs the libcurl client, not yet available; use a file path")
        }
        guard let data = FileManager.default.contents(atPath: location) else {
            throw CLIError("auth.jwks: cannot read \(location)")
        }
        return data
    }
}
