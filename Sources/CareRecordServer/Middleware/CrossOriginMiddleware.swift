import Foundation
import HTTPTypes
import Hummingbird

/// `server.cors`: the browser origins (exact `scheme://host[:port]`) whose pages may call the API. Empty (the default):
/// no CORS at all.
public struct CORSSettings: Sendable, Equatable {
    public var allowedOrigins: Set<String>

    public init(allowedOrigins: Set<String> = []) {
        self.allowedOrigins = allowedOrigins
    }

    /// An origin as browsers send it (`https://portal.example.org`, `http://127.0.0.1:8443`: lower case, no default port,
    /// no path), or nil when `text` is not one. `*` is not an origin: credentials or not, every origin is named.
    public static func origin(_ text: String) -> String? {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = components.host?.lowercased(), !host.isEmpty, components.path.isEmpty, components.query == nil,
            components.fragment == nil, components.user == nil, components.password == nil
        else { return nil }
        let defaultPort = scheme == "https" ? 443 : 80
        let port = components.port.map { $0 == defaultPort ? "" : ":\($0)" } ?? ""
        return "\(scheme)://\(host)\(port)"
    }
}

/// Cross-origin resource sharing for browser clients (issue 10). For a listed origin: a preflight (`OPTIONS` with
/// `Access-Control-Request-Method`) is answered here with the API's methods and request headers; every other response
/// carries `Access-Control-Allow-Origin` (that origin, never `*`) and the headers a script may read. Requests from
/// other origins pass through untouched and get no CORS headers, so the browser withholds the answer from their pages.
/// Tokens are bearer tokens, never cookies: `Access-Control-Allow-Credentials` is never sent.
///
/// This sits outside the audit and the rate limit: a listed origin's preflight carries no token, names no patient and
/// releases nothing, like `/metadata`, and auditing it unthrottled would let anyone grow the audit log. Any other
/// `OPTIONS` is an ordinary request: audited, rate limited, and answered 404 `NOT_SUPPORTED`.
struct CrossOriginMiddleware: RouterMiddleware {
    typealias Context = CareRecordRequestContext

    let allowedOrigins: Set<String>

    static let allowedMethods = "GET, HEAD, POST"
    static let allowedHeaders = [
        "Authorization", "Content-Type", "Accept", "X-Purpose-Of-Use", "X-Access-Reason", "X-Request-ID", "X-Correlation-ID", "Prefer",
        "If-None-Match",
    ].joined(separator: ", ")
    static let exposedHeaders = ["ETag", "Last-Modified", "Location", "X-Request-ID", "X-Correlation-ID", "Retry-After", "WWW-Authenticate"]
        .joined(separator: ", ")
    /// How long a browser may reuse a preflight's answer.
    static let preflightMaxAgeSeconds = "600"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], allowedOrigins.contains(origin) else {
            var response = try await next(request, context)
            // What the answer says about CORS depends on Origin once any origin is listed.
            response.headers.appendVary("Origin")
            return response
        }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var headers: HTTPFields = [
                .accessControlAllowOrigin: origin,
                .accessControlAllowMethods: Self.allowedMethods,
                .accessControlAllowHeaders: Self.allowedHeaders,
                .accessControlMaxAge: Self.preflightMaxAgeSeconds,
            ]
            headers.appendVary("Origin")
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.accessControlExposeHeaders] = Self.exposedHeaders
        response.headers[.accessControlAllowCredentials] = nil
        response.headers.appendVary("Origin")
        return response
    }
}

extension HTTPFields {
    /// Adds a name to `Vary` (one field, comma-separated), once.
    mutating func appendVary(_ name: String) {
        let present = self[values: .vary].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        guard !present.contains(where: { $0.caseInsensitiveCompare(name) == .orderedSame || $0 == "*" }) else { return }
        self[.vary] = (present + [name]).joined(separator: ", ")
    }
}
