import Hummingbird
import Logging
import NIOCore
import Prometheus

/// Prometheus text exposition at `/metrics`, on a listener of its own (`server.metrics`), never on the API's.
public enum MetricsEndpoint {
    /// The exposition format's content type.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// An application answering `GET /metrics` with the registry's samples; `beforeScrape` refreshes gauges read from
    /// elsewhere (each source's last success, from the record) first.
    public static func buildApplication(
        registry: PrometheusCollectorRegistry, host: String, port: Int, logger: Logger, beforeScrape: @escaping @Sendable () async -> Void = {},
        onRunning: @escaping @Sendable () async -> Void = {}
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("metrics") { _, _ -> Response in
            await beforeScrape()
            return Response(
                status: .ok, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { _ in await onRunning() }, logger: logger)
    }
}
