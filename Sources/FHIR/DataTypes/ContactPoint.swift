/// A telephone number, email address or other contact.
public struct ContactPoint: Codable, Hashable, Sendable {
    public var system: String?
    public var value: String?
    public var use: String?
    public var rank: Int?
    public var period: Period?

    public init(system: String? = nil, value: String? = nil, use: String? = nil) {
        self.system = system
        self.value = value
        self.use = use
    }
}
