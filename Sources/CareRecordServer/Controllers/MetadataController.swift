import FHIR
import Foundation
import Hummingbird

/// `GET /metadata` (no token) and the health probe; neither is audited (C8).
struct MetadataController {
    let capabilityStatement: Data
    let auditLog: AuditLog?

    func addRoutes(to router: some RouterMethods<CareRecordRequestContext>) {
        router.get("metadata") { request, _ in
            _ = try SearchParameters(request, allowed: [])
            return FHIRResponse.generated(capabilityStatement, lastModified: nil, request: request)
        }
        router.get("health") { _, _ in
            let statistics = await auditLog?.statistics
            let body = Health(status: "ok", audit: statistics)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(body))))
        }
    }
}

/// The health probe's body: up, and how audit commits are going (no patient data).
struct Health: Encodable {
    let status: String
    let audit: AuditLog.Statistics?
}
