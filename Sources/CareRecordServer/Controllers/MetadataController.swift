import CareRecordStore
import FHIR
import Foundation
import Hummingbird

/// `GET /metadata` (no token) and the health probe; neither is audited nor rate limited (C8, C9).
struct MetadataController {
    let capabilityStatement: Data
    let auditLog: AuditLog
    let auditStore: any AuditStore
    let repository: any CareRecordRepository
    let verifier: TokenVerifier
    let throttled: ThrottleSummary
    let readiness: Readiness

    func addRoutes(to router: some RouterMethods<CareRecordRequestContext>) {
        router.get("metadata") { request, _ in
            _ = try SearchParameters(request, allowed: [])
            return FHIRResponse.generated(capabilityStatement, lastModified: nil, request: request)
        }
        // Liveness: the process answers. Nothing else is checked, so a busy or cut-off database never gets a node restarted.
        router.get("health/live") { _, _ in
            Self.json(Probe(status: "ok"), status: .ok)
        }
        // Readiness: send this node requests only while it is not stopping and both the record and the audit log can be
        // written (an audited answer needs both).
        router.get("health/ready") { _, _ in
            if readiness.isDraining { return Self.json(Probe(status: "draining"), status: .serviceUnavailable) }
            async let record = repository.isReachable()
            async let audit = auditStore.canCommit()
            let (recordReady, auditReady) = await (record, audit)
            guard recordReady else { return Self.json(Probe(status: "database-unavailable"), status: .serviceUnavailable) }
            guard auditReady else { return Self.json(Probe(status: "audit-unavailable"), status: .serviceUnavailable) }
            return Self.json(Probe(status: "ready"), status: .ok)
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

extension MetadataController {
    /// A probe's answer: `application/json`, keys sorted.
    static func json(_ body: some Encodable, status: HTTPResponse.Status) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(body)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// The liveness and readiness probes' body: `ok`; `ready`, or why not (`draining`, `database-unavailable`, `audit-unavailable`).
struct Probe: Encodable {
    let status: String
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
