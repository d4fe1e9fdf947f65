import CareRecordStore
import FHIR
import Foundation
import Hummingbird
import Logging

/// Writes one audit record for every request that reaches the API (C8), allowed or refused, before its response leaves;
/// if the record cannot be committed the response is replaced by 503 `AUDIT_UNAVAILABLE`, so nothing is released unaudited.
struct AuditMiddleware: RouterMiddleware {
    typealias Context = CareRecordRequestContext

    /// Nil only when audit is switched off for a benchmark.
    let log: AuditLog?
    let clock: @Sendable () -> Date
    static let unaudited: Set<String> = ["/metadata", "/health"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let log, !Self.unaudited.contains(request.uri.path) else { return try await next(request, context) }
        let result: Result<Response, any Error>
        do {
            result = .success(try await next(request, context))
        } catch {
            result = .failure(error)
        }
        if context.audit.snapshot.committedEarly {
            if case .failure = result { context.logger.error("a change audited as made then failed to apply") }
            return try result.get()
        }
        let record = Self.record(request: request, context: context, result: result, recorded: FHIRDateTime.instant(clock()))
        do {
            try await log.append(record)
        } catch {
            context.logger.error("audit record not committed; response withheld", metadata: ["error_type": "\(type(of: error))"])
            throw FHIRError.auditUnavailable
        }
        return try result.get()
    }

    /// Commits the request's record before a change takes effect, so no change is ever made unaudited (C8).
    static func commitBeforeChange(_ log: AuditLog?, status: HTTPResponse.Status, request: Request, context: Context, clock: @Sendable () -> Date) async throws {
        guard let log else { return }
        let record = Self.record(request: request, context: context, result: .success(Response(status: status)), recorded: FHIRDateTime.instant(clock()))
        do {
            try await log.append(record)
        } catch {
            context.logger.error("audit record not committed; change not made", metadata: ["error_type": "\(type(of: error))"])
            throw FHIRError.auditUnavailable
        }
        context.audit.update { $0.committedEarly = true }
    }

    static func record(request: Request, context: Context, result: Result<Response, any Error>, recorded: String) -> AuditRecord {
        let facts = context.audit.snapshot
        let (status, code): (Int, String)
        switch result {
        case .success(let response): (status, code) = (Int(response.status.code), "OK")
        case .failure(let error as FHIRError): (status, code) = (Int(error.status.code), error.code.rawValue)
        case .failure(let error as HTTPError):
            let mapped = OperationOutcomeMiddleware.map(error)
            (status, code) = (Int(mapped.status.code), mapped.code.rawValue)
        case .failure: (status, code) = (500, ErrorCode.internalError.rawValue)
        }
        var record = AuditRecord(
            recorded: recorded, requestID: context.requestID, method: request.method.rawValue,
            path: String(request.uri.description.prefix(2048)), interaction: facts.interaction, status: status, reasonCode: code)
        record.userSub = facts.user?.sub
        record.userName = facts.user?.name
        record.userRole = facts.user?.role.rawValue
        record.userOds = facts.user?.ods
        record.userRegistration = facts.user?.registration
        record.clientAddress = context.clientAddress
        record.resourceType = facts.resourceType
        record.patientNHS = facts.patient?.value
        record.returned = (200..<300).contains(status) ? facts.returned : nil
        record.basis = facts.basis?.code
        if case .emergencyOverride(let reason)? = facts.basis { record.accessReason = String(reason.prefix(1000)) }
        return record
    }
}
