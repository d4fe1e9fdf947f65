/// A person's name.
public struct HumanName: Codable, Hashable, Sendable {
    public var use: String?
    public var text: String?
    public var family: String?
    public var given: [String]?
    public var prefix: [String]?
    public var suffix: [String]?
    public var period: Period?

    public init(use: String? = nil, family: String? = nil, given: [String]? = nil, prefix: [String]? = nil) {
        self.use = use
        self.family = family
        self.given = given.nonEmpty
        self.prefix = prefix.nonEmpty
    }
}
