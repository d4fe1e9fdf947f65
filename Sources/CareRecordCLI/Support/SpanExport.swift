import CareRecordServer
import Logging
import OTel
import ServiceLifecycle
import Tracing

/// The tracer `serve` gives the API: `W3CTracer` (continues callers' traces, exports nothing) by default, or with
/// `tracing.otlp` swift-otel's tracer, whose batch span processor and OTLP/HTTP exporter run as a service beside the API
/// (stopped after it, so the last spans are flushed on SIGTERM). Only traces: metrics stay Prometheus, logs stay ours.
enum SpanExport {
    static func make(_ settings: TracingSettings, logger: Logger) throws -> (tracer: any Tracer, service: (any Service)?) {
        guard let otlp = settings.otlp else { return (W3CTracer(), nil) }
        var configuration = OTel.Configuration.default
        configuration.serviceName = "care-record"
        configuration.diagnosticLogger = .custom(Logger(label: "care-record.otel"))
        configuration.propagators = [.traceContext]
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        configuration.traces.enabled = true
        configuration.traces.exporter = .otlp
        configuration.traces.sampler = .parentBasedAlwaysOn
        configuration.traces.otlpExporter.endpoint = otlp.endpoint
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        logger.info("exporting spans", metadata: ["endpoint": "\(otlp.endpoint)"])
        return (backend.factory, backend.service)
    }
}
