import CareRecordStore
import FHIR
import Hummingbird
import Logging

/// Turns every error into an `OperationOutcome` with its status; nothing internal reaches the client.
struct OperationOutcomeMiddleware: RouterMiddleware {
    typealias Context = CareRecordRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as FHIRError {
            return FHIRResponse.plain(error.outcome, status: error.status, headers: error.headers)
        } catch is StoreError {
            return FHIRResponse.plain(FHIRError.serviceBusy.outcome, status: .serviceUnavailable, headers: FHIRError.serviceBusy.headers)
        } catch let error as HTTPError {
            let mapped = Self.map(error)
            return FHIRResponse.plain(mapped.outcome, status: mapped.status, headers: mapped.headers)
        } catch {
            context.logger.error("request failed", metadata: ["error_type": "\(type(of: error))"])
            return FHIRResponse.plain(FHIRError.internalError.outcome, status: .internalServerError)
        }
    }

    /// Hummingbird's own errors (no route, body too large, bad request) in our terms.
    static func map(_ error: HTTPError) -> FHIRError {
        switch error.status {
        case .notFound: .unknownEndpoint
        case .contentTooLarge: FHIRError(.contentTooLarge, .invalidResource, "The request body is too large.")
        case .methodNotAllowed: FHIRError(.methodNotAllowed, .notSupported, "This method is not supported here.")
        case let status where status.code < 500: FHIRError(status, .invalidParameter, "The request could not be understood.")
        default: .internalError
        }
    }
}
