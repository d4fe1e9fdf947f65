import Foundation

/// The identity of an upstream source as the store knows it.
public struct SourceIdentity: Sendable, Hashable {
    public var id: String
    public var ods: String
    /// Whether the source's organisation is a GP practice (C2 `type: gp-practice`): only such a source can register its patients (C3).
    public var isGPPractice: Bool

    public init(id: String, ods: String, isGPPractice: Bool = false) {
        self.id = id
        self.ods = ods
        self.isGPPractice = isGPPractice
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
