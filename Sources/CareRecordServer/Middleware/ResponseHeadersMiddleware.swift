import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Echoes a safe `X-Request-ID` (or makes one), tags the logger with it, and marks every response `Cache-Control: no-store`.
struct ResponseHeadersMiddleware: RouterMiddleware {
    typealias Context = CareRecordRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.requestID = Self.requestID(from: request.headers[.xRequestID])
        context.logger[metadataKey: "request_id"] = .string(context.requestID)
        var response = try await next(request, context)
        response.headers[.xRequestID] = context.requestID
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// A client's id is kept when it is short and plain; anything else is replaced by a UUID.
    static func requestID(from header: String?) -> String {
        if let header, (1...128).contains(header.count),
           header.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.:".contains($0)) }) {
            return header
        }
        return UUID().uuidString.lowercased()
    }
}

extension HTTPField.Name {
    static let xRequestID = HTTPField.Name("X-Request-ID")!
}
