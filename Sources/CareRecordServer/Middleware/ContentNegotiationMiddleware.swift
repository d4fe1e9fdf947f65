import Foundation
import Hummingbird

/// Serves FHIR JSON only: `_format` or `Accept` asking for anything else gets 406 `NOT_SUPPORTED` (C7).
struct ContentNegotiationMiddleware: RouterMiddleware {
    typealias Context = CareRecordRequestContext

    static let jsonFormats: Set<String> = ["json", "application/json", "application/fhir+json", "application/fhir json"]
    static let acceptableTypes: Set<String> = ["*/*", "application/*", "application/json", "application/fhir+json"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let format = request.uri.queryParameters["_format"], !Self.jsonFormats.contains(String(format).lowercased()) {
            throw FHIRError.notAcceptable
        }
        if let accept = request.headers[.accept], !accept.trimmingASCIISpaces.isEmpty, !Self.accepts(accept) {
            throw FHIRError.notAcceptable
        }
        return try await next(request, context)
    }

    /// True when any media range in an `Accept` header covers FHIR JSON (with q above zero).
    static func accepts(_ header: String) -> Bool {
        header.split(separator: ",").contains { range in
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let type = parts.first, acceptableTypes.contains(type) else { return false }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return quality > 0
        }
    }
}
