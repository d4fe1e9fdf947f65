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
            // Unreachable (PostgreSQL down or a connection lost): 503, so a load balancer sends requests to another node.
            var database = Health.Database(backend: repository.backend, reachable: await repository.isReachable())
            var sources: [Health.Source] = []
            if database.reachable {
                do {
                    sources = try await repository.sourceStatuses().map(Health.Source.init)
                } catch is StoreError {
                    database.reachable = false
                }
            }
            let body = Health(
                status: database.reachable ? "ok" : "unavailable", database: database, audit: statistics, jwks: verifier.keyStatus,
                rateLimited: await throttled.total, sources: sources)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return Response(
                status: database.reachable ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(body))))
        }
    }
}

/// The health probe's body: up, how audit commits are going, and how fresh each source's data is (no patient data).
struct Health: Encodable {
    /// `ok`, or `unavailable` when the database cannot be reached.
    let status: String
    let database: Database
    let audit: AuditLog.Statistics
    /// The token keys: a failed reload keeps the last good keys and shows here.
    let jwks: JWKSStatus
    /// Requests refused with 429 since start.
    let rateLimited: Int
    let sources: [Source]

    /// Which backend holds the record and the audit log, and whether it answered just now.
    struct Database: Encodable {
        let backend: String
        var reachable: Bool
    }

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
