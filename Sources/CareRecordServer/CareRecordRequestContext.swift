import Hummingbird
import NIOCore

/// Per-request state: the request's identity, the client address and, once decided, the user and the patient access.
public struct CareRecordRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The server's own id for this request: the audit record keys on it; a client cannot choose it.
    public var requestID = ""
    /// The client's IP address, for the audit trail: the socket peer, or what a trusted proxy forwarded.
    public var clientAddress: String?
    /// The socket peer's address.
    public let peerAddress: String?
    /// The verified user; nil until authentication succeeds.
    public var user: AuthenticatedUser?
    /// The bearer token as the rate limiter already checked it, so authentication does not verify it twice.
    var tokenCheck: TokenCheck?
    /// What the access middleware decided for a patient-scoped route; nil elsewhere.
    var access: PatientAccessGrant?
    /// What the request's audit record will say; filled in by inner layers.
    public let audit = AuditTrail()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress
        clientAddress = peerAddress
    }

    /// A bearer token's verification, made once per request.
    enum TokenCheck: Sendable {
        case verified(AuthenticatedUser)
        case refused(TokenRejection)
    }

    /// Bodies above this are refused (a `Consent` is a few kilobytes).
    public var maxUploadSize: Int { 64 * 1024 }
}
