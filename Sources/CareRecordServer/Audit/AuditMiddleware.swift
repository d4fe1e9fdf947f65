import CareRecordStore
import FHIR
import Foundation
import Hummingbird
import Logging

/// Writes one audit record for every request that reaches the API (C8), allowed or refused, before its response leaves;
/// if the record cannot be committed the response is replaced by 503 `AUDIT_UNAVAILABLE`, so nothing is released unaudited.
/// Requests refused by the rate limit are counted into a per-address, per-minute summary instead (C9's amendment to C8).
struct AuditMiddleware: RouterMiddleware {
    typealias Context = CareRecordRequestContext

    let log: AuditLog
    let throttled: ThrottleSummary
    let clock: @Sendable () -> Date
    /// Paths that are not audited: the capability statement and the health probe (exactly these; any other path, even an
    /// unknown one, is audited).
    static let unaudited: Set<String> = ["/metadata", "/health", "/health/live", "/health/ready", "/.well-known/smart-configuration"]

    static func isUnaudited(_ path: String) -> Bool { unaudited.contains(path) }
    /// What an unauthenticated request may make the audit store hold of its path.
    static let unauthenticatedPathLimit = 300

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !Self.isUnaudited(request.uri.path), !AuditLog.isCompiledOut else { return try await next(request, context) }
        let result: Result<Response, any Error>
        do {
            result = .success(try await next(request, context))
        } catch {
            result = .failure(error)
        }
        let facts = context.audit.snapshot
        if facts.throttled {
            do {
                try await throttled.count(address: context.clientAddress ?? "unknown", at: clock(), log: log)
            } catch {
                context.logger.error("rate-limit summary not audited yet; kept for the next attempt", metadata: ["error_type": "\(type(of: error))"])
            }
            return try result.get()
        }
        if facts.committedEarly {
            // The change was audited as made; if it then failed, a second record for the same request says so.
            guard case .failure = result else { return try result.get() }
            try await append(Self.record(request: request, context: context, result: result, recorded: FHIRDateTime.instant(clock())), context: context)
            return try result.get()
        }
        try await append(Self.record(request: request, context: context, result: result, recorded: FHIRDateTime.instant(clock())), context: context)
        return try result.get()
    }

    private func append(_ record: AuditRecord, context: Context) async throws {
        do {
            try await log.append(record)
        } catch {
            context.logger.error("audit record not committed; response withheld", metadata: ["error_type": "\(type(of: error))"])
            throw FHIRError.auditUnavailable
        }
    }

    /// Commits the request's record before a change takes effect, so no change is ever made unaudited (C8).
    static func commitBeforeChange(_ log: AuditLog, status: HTTPResponse.Status, request: Request, context: Context, clock: @Sendable () -> Date) async throws {
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
        let (status, code) = outcome(result)
        let pathLimit = facts.user == nil ? unauthenticatedPathLimit : 2048
        var record = AuditRecord(
            recorded: recorded, requestID: context.requestID, method: request.method.rawValue,
            path: String(request.uri.description.prefix(pathLimit)), interaction: facts.interaction, status: status, reasonCode: code)
        record.userSub = facts.user?.sub
        record.userName = facts.user?.name
        record.userRole = facts.user?.role.rawValue
        record.userOds = facts.user?.ods
        record.userRegistration = facts.user?.registration
        record.clientAddress = context.clientAddress
        record.resourceType = facts.resourceType
        record.patientNHS = facts.patient?.value
        record.attemptedPatientNHS = facts.attemptedPatient?.value
        record.patientRegisteredOds = facts.registeredPractice
        record.reviewOf = facts.review?.of
        record.reviewOutcome = facts.review?.outcome.rawValue
        record.reviewNote = facts.review?.note
        // A HEAD answer carries no body: nothing was released.
        record.returned = (200..<300).contains(status) && request.method != .head ? facts.returned : nil
        record.basis = facts.basis?.code
        record.purposeOfUse = facts.purposeOfUse
        record.accessReason = facts.accessReason
        record.clientRequestID = facts.clientRequestID
        record.correlationID = facts.correlationID
        return record
    }

    /// The status and C5 code a result is answered with.
    static func outcome(_ result: Result<Response, any Error>) -> (Int, String) {
        let error: FHIRError
        switch result {
        case .success(let response): return (Int(response.status.code), "OK")
        case .failure(let failure as FHIRError): error = failure
        case .failure(is StoreError): error = .serviceBusy
        case .failure(let failure as HTTPError): error = OperationOutcomeMiddleware.map(failure)
        case .failure: error = .internalError
        }
        return (Int(error.status.code), error.code.rawValue)
    }
}
