import Hummingbird
import Logging

/// One log line per answered request: the server's request id and the trace id (already in the logger's metadata), the
/// client's correlation id when it is plain, the route template, method, status and duration. Never the path, the query,
/// a header's other values or the body: those carry NHS numbers and tokens.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = CareRecordRequestContext

    /// Probes polled every few seconds are logged at debug, so they do not drown the requests that matter.
    static let quietPrefixes = ["/health", "/metadata"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context: context, status: Int(response.status.code), duration: ContinuousClock.now - started)
            return response
        } catch {
            // The error layer inside answers every error; anything that still escapes is answered 500 by Hummingbird.
            log(request, context: context, status: 500, duration: ContinuousClock.now - started)
            throw error
        }
    }

    func log(_ request: Request, context: Context, status: Int, duration: Duration) {
        var metadata: Logger.Metadata = [
            "route": .string(RouteTemplate.of(context)),
            "method": .string(MethodLabel.of(request.method)),
            "status": .stringConvertible(status),
            "duration_ms": .stringConvertible((duration.seconds * 1_000_000).rounded() / 1000),
        ]
        if let correlation = request.headers[.xCorrelationID].flatMap(Self.loggable) { metadata["correlation_id"] = .string(correlation) }
        let path = request.uri.path
        let isProbe = Self.quietPrefixes.contains(where: { path.hasPrefix($0) })
        let level: Logger.Level = status >= 500 ? .error : isProbe ? .debug : .info
        context.logger.log(level: level, "request", metadata: metadata)
    }

    /// A client-chosen id worth logging: short, plain, and with no run of ten digits (an NHS number has ten).
    static func loggable(_ id: String) -> String? {
        guard let plain = RequestIdentityMiddleware.echoable(id) else { return nil }
        var run = 0
        for character in plain {
            run = character.isASCII && character.isNumber ? run + 1 : 0
            if run >= 10 { return nil }
        }
        return plain
    }
}
