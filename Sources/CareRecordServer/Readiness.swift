import Synchronization

/// Whether this node should be sent requests: false from the moment a graceful stop begins (SIGTERM), so a load balancer
/// following `/health/ready` moves its traffic elsewhere during the drain period while the node goes on serving.
public final class Readiness: Sendable {
    private let draining = Mutex(false)

    public init() {}

    /// A graceful stop has begun.
    public var isDraining: Bool { draining.withLock { $0 } }

    public func beginDraining() {
        draining.withLock { $0 = true }
    }
}
