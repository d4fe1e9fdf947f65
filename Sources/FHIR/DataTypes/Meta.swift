/// Resource metadata: version, last update, source and profiles.
public struct Meta: Codable, Hashable, Sendable {
    public var versionId: String?
    public var lastUpdated: String?
    public var source: String?
    public var profile: [String]?
    public var tag: [Coding]?

    public init(versionId: String? = nil, lastUpdated: String? = nil, source: String? = nil, profile: [String]? = nil) {
        self.versionId = versionId
        self.lastUpdated = lastUpdated
        self.source = source
        self.profile = profile.nonEmpty
    }
}
