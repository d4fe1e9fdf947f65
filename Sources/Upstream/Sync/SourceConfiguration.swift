import CareRecordStore
import Foundation

/// One upstream system (C2 `sources`).
public struct SourceConfiguration: Sendable, Equatable {
    public var id: String
    public var ods: String
    /// The Bulk Data kick-off URL (https) or a `file://` export folder.
    public var url: URL
    public var caFile: String?
    public var clientCertificate: String?
    public var clientKey: String?
    public var bearerToken: String?
    public var timeoutSeconds: Int
    /// Whether the source's organisation is a GP practice, the only kind whose export can register patients with it.
    public var isGPPractice: Bool

    public init(
        id: String, ods: String, url: URL, caFile: String? = nil, clientCertificate: String? = nil, clientKey: String? = nil,
        bearerToken: String? = nil, timeoutSeconds: Int = 60, isGPPractice: Bool = false
    ) {
        self.id = id
        self.ods = ods
        self.isGPPractice = isGPPractice
        self.url = url
        self.caFile = caFile
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.bearerToken = bearerToken
        self.timeoutSeconds = timeoutSeconds
    }

    /// The identity the store keeps for this source.
    public var identity: SourceIdentity { SourceIdentity(id: id, ods: ods, isGPPractice: isGPPractice) }
}
