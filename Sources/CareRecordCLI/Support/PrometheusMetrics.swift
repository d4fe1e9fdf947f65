import CareRecordServer
import CoreMetrics
import Prometheus
import Synchronization
import Upstream

/// The process's Prometheus registry, behind swift-metrics: `serve` bootstraps it once, when `server.metrics` is set.
enum PrometheusMetrics {
    /// A Prometheus factory for `registry` with histogram buckets that fit what is measured.
    static func makeFactory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets[AuditCommitMetrics.recordsPerCommitLabel] = [1, 2, 3, 5, 10, 20, 50, 100, 200, 500]
        factory.durationHistogramBuckets[SyncMetrics.durationLabel] = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600].map { Duration.seconds($0) }
        return factory
    }

    private static let bootstrapped = Mutex<PrometheusCollectorRegistry?>(nil)

    /// The registry `MetricsSystem` reports to, bootstrapping it on first use (`MetricsSystem` can be bootstrapped once per
    /// process).
    static func bootstrap() -> PrometheusCollectorRegistry {
        bootstrapped.withLock { registry in
            if let registry { return registry }
            let created = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(makeFactory(registry: created))
            registry = created
            return created
        }
    }
}
