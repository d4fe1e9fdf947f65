import Hummingbird

/// Counts answered requests and records their latency by route template, method and status.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = CareRecordRequestContext

    let metrics: APIMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            metrics.request(route: RouteTemplate.of(context), method: MethodLabel.of(request.method), status: Int(response.status.code), duration: ContinuousClock.now - started)
            return response
        } catch {
            metrics.request(route: RouteTemplate.of(context), method: MethodLabel.of(request.method), status: 500, duration: ContinuousClock.now - started)
            throw error
        }
    }
}
