import CareRecordServer
import Logging
import ServiceLifecycle

/// The first service `serve` stops on SIGTERM: it marks the node not ready (`/health/ready` answers 503) and waits
/// `server.shutdownDrainSeconds` while the API goes on serving, so a load balancer following readiness stops sending
/// requests; then it returns, the server stops accepting, finishes what is in flight (each answer with its audit record
/// committed), and the remaining services (checkpoints, maintenance) finish before the process exits 0.
struct DrainService: Service {
    let readiness: Readiness
    let drain: Duration
    let logger: Logger

    func run() async throws {
        // Until a graceful stop begins; a cancellation (the group failing) ends it at once.
        try? await gracefulShutdown()
        guard !Task.isCancelled else { return }
        readiness.beginDraining()
        logger.notice("stopping: not ready; draining before the server stops accepting", metadata: ["drain_seconds": "\(drain.components.seconds)"])
        try? await Task.sleep(for: drain)
        logger.notice("drain over: finishing requests in flight")
    }
}
