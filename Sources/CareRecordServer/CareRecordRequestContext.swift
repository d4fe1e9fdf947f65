import Hummingbird
import NIOCore

/// Per-request state: request id, client address and, once authenticated, the user.
public struct CareRecordRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The `X-Request-ID` echoed on the response.
    public var requestID = ""
    /// The verified user; nil until authentication succeeds.
    public var user: AuthenticatedUser?
    /// The client's IP address, for the audit trail.
    public let clientAddress: String?
    /// What the request's audit record will say; filled in by inner layers.
    public let audit = AuditTrail()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Bodies above this are refused (a `Consent` is a few kilobytes).
    public var maxUploadSize: Int { 64 * 1024 }
}
