import CareRecordStore
import FHIR
import Foundation
import Hummingbird

/// `GET /metadata` (no token) and the health probe; neither is audited nor rate limited (C8, C9).
struct MetadataController {
    let capabilityStatement: Data
    let auditLog: AuditLog
    let repository: any CareRecordRepository
    let verifier: TokenVerifier
    let throttled: ThrottleSummary

    func addRoutes(to router: some RouterMethods<CareRecordRequestContext>) {
        router.get("metadata") { request, _ in
            _ = try SearchParameters(request, allowed: [])
            return FHIRResponse.generated(capabilityStatement, lastModified: nil, request: request)
        }
        router.get("health") { _, _ in
            let statistics = await auditLog.statistics
            let sources = try await repository.sourceStatuses().map(Health.Source.init)
            let body = Health(status: "ok", audit: statistics, jwks: verifier.keyStatus, rateLimited: await throttled.total, sources: sources)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(body))))
        }
    }
}

/// The health probe's body: up, how audit commits are going, and how fresh each source's data is (no patient data).
struct Health: Encodable {
    let status: String
    let audit: AuditLog.Statistics
    /// The token keys: a failed reload keeps the last good keys and shows here.
    let jwks: JWKSStatus
    /// Requests refused with 429 since start.
    let rateLimited: Int
    let sources: [Source]

    /// One source's freshness: when its data in service was synced, and whether the latest attempt worked.
    struct Source: Encodable {
        let id: String
        let ods: String
        let lastSuccessfulSync: String?
        let lastAttempt: String?
        let lastAttemptSucceeded: Bool?

        init(_ status: SourceStatus) {
            id = status.source.id
            ods = status.source.ods
            lastSuccessfulSync = status.lastSuccess.map { FHIRDateTime.instant($0.finishedAt ?? $0.startedAt) }
            lastAttempt = status.lastAttempt.map { FHIRDateTime.instant($0.finishedAt ?? $0.startedAt) }
            lastAttemptSucceeded = status.lastAttempt?.succeeded
        }
    }
}
