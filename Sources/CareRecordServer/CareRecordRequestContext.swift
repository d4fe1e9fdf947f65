import Hummingbird
import NIOCore
import Synchronization

/// Per-request state: the request's identity, the client address and, once decided, the user and the patient access.
///
/// Everything but Hummingbird's own storage lives in one `RequestState` box, shared by reference: each middleware layer
/// passes the context on by value, and copying a context of a dozen strings and a decided patient state at every layer
/// (with its retains, releases and a memory copy per async frame) was a twentieth of the read path's CPU (issue 12). A
/// value an inner layer sets is therefore seen by the outer layers too once the inner ones return; no layer relies on
/// the opposite.
public struct CareRecordRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    private let state: RequestState
    /// What the request's audit record will say; filled in by inner layers.
    public let audit = AuditTrail()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        let peer = source.channel.remoteAddress?.ipAddress
        state = RequestState(RequestState.Values(peerAddress: peer, clientAddress: peer))
    }

    /// The server's own id for this request: the audit record keys on it; a client cannot choose it.
    public var requestID: String {
        get { state.values.withLock { $0.requestID } }
        set { state.values.withLock { $0.requestID = newValue } }
    }

    /// The client's IP address, for the audit trail: the socket peer, or what a trusted proxy forwarded.
    public var clientAddress: String? {
        get { state.values.withLock { $0.clientAddress } }
        set { state.values.withLock { $0.clientAddress = newValue } }
    }

    /// The socket peer's address.
    public var peerAddress: String? { state.values.withLock { $0.peerAddress } }

    /// The verified user; nil until authentication succeeds.
    public var user: AuthenticatedUser? {
        get { state.values.withLock { $0.user } }
        set { state.values.withLock { $0.user = newValue } }
    }

    /// The bearer token as the rate limiter already checked it, so authentication does not verify it twice.
    var tokenCheck: TokenCheck? {
        get { state.values.withLock { $0.tokenCheck } }
        set { state.values.withLock { $0.tokenCheck = newValue } }
    }

    /// What the access middleware decided for a patient-scoped route; nil elsewhere.
    var access: PatientAccessGrant? {
        get { state.values.withLock { $0.access } }
        set { state.values.withLock { $0.access = newValue } }
    }

    /// A bearer token's verification, made once per request.
    enum TokenCheck: Sendable {
        case verified(AuthenticatedUser)
        case refused(TokenRejection)
    }

    /// Bodies above this are refused (a `Consent` is a few kilobytes).
    public var maxUploadSize: Int { 64 * 1024 }
}

/// The box behind a request context's own values (one per request).
final class RequestState: Sendable {
    struct Values: Sendable {
        let peerAddress: String?
        var requestID = ""
        var clientAddress: String?
        var user: AuthenticatedUser?
        var tokenCheck: CareRecordRequestContext.TokenCheck?
        var access: PatientAccessGrant?

        init(peerAddress: String?, clientAddress: String?) {
            self.peerAddress = peerAddress
            self.clientAddress = clientAddress
        }
    }

    let values: Mutex<Values>

    init(_ values: Values) {
        self.values = Mutex(values)
    }
}
