import FHIR
import Synchronization

/// What inner layers learn about a request for its audit record; shared by reference because the context is a value
/// and the audit middleware sits outside the layers that fill it in.
public final class AuditTrail: Sendable {
    /// The facts gathered so far.
    public struct Facts: Sendable {
        public var user: AuthenticatedUser?
        public var patient: NHSNumber?
        public var interaction = "unknown"
        public var resourceType: String?
        public var returned: String?
        public var basis: AccessBasis?
        /// Set when the request's record was committed before its effect (a sharing decision), so none is written after.
        public var committedEarly = false
    }

    private let facts = Mutex(Facts())

    public init() {}

    /// Changes the facts.
    public func update(_ change: (inout Facts) -> Void) {
        facts.withLock { change(&$0) }
    }

    /// The facts now.
    public var snapshot: Facts { facts.withLock { $0 } }
}
