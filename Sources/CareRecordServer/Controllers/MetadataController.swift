import FHIR
import Foundation
import Hummingbird

/// `GET /metadata` (no token) and the health probe; neither is audited (C8).
struct MetadataController {
    let capabilityStatement: Data

    func addRoutes(to router: some RouterMethods<CareRecordRequestContext>) {
        router.get("metadata") { request, _ in
            _ = try SearchParameters(request, allowed: [])
            return FHIRResponse.generated(capabilityStatement, lastModified: nil, request: request)
        }
        router.get("health") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
    }
}
