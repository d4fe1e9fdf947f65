import Hummingbird

/// Every write to a served resource is refused with 405 `READ_ONLY` (C7): the record is view-only.
struct ReadOnlyController {
    static let types = ["Patient", "AllergyIntolerance", "Condition", "MedicationStatement", "AuditEvent", "Consent"]

    func addRoutes(to router: some RouterMethods<CareRecordRequestContext>) {
        for type in Self.types {
            // `POST /Consent` records a sharing decision (C6) and is not refused here.
            if type != "Consent" {
                router.post(RouterPath(type)) { _, _ -> Response in throw FHIRError.readOnly(allow: "GET, HEAD") }
            }
            let collectionAllow = type == "Consent" ? "GET, HEAD, POST" : "GET, HEAD"
            for method in [HTTPRequest.Method.put, .patch, .delete] {
                router.on(RouterPath(type), method: method) { _, _ -> Response in throw FHIRError.readOnly(allow: collectionAllow) }
                router.on(RouterPath("\(type)/:id"), method: method) { _, _ -> Response in throw FHIRError.readOnly(allow: "GET, HEAD") }
            }
            router.post(RouterPath("\(type)/:id")) { _, _ -> Response in throw FHIRError.readOnly(allow: "GET, HEAD") }
        }
    }
}
