import Foundation

/// The identity of an upstream source as the store knows it.
public struct SourceIdentity: Sendable, Hashable {
    public var id: String
    public var ods: String

    public init(id: String, ods: String) {
        self.id = id
        self.ods = ods
    }
}

/// A source's last successful import and last attempt, so clients can tell how fresh its data is.
public struct SourceStatus: Sendable, Hashable {
    public var source: SourceIdentity
    public var lastSuccess: ImportReport?
    public var lastAttempt: ImportReport?

    public init(source: SourceIdentity, lastSuccess: ImportReport?, lastAttempt: ImportReport?) {
        self.source = source
        self.lastSuccess = lastSuccess
        self.lastAttempt = lastAttempt
    }
}
