/// A postal address.
public struct Address: Codable, Hashable, Sendable {
    public var use: String?
    public var type: String?
    public var text: String?
    public var line: [String]?
    public var city: String?
    public var district: String?
    public var state: String?
    public var postalCode: String?
    public var country: String?
    public var period: Period?

    public init(use: String? = nil, line: [String]? = nil, city: String? = nil, district: String? = nil, postalCode: String? = nil, country: String? = nil) {
        self.use = use
        self.line = line.nonEmpty
        self.city = city
        self.district = district
        self.postalCode = postalCode
        self.country = country
    }
}
