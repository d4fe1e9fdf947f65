/// FHIR R4 Bundle: search results and `$everything`.
public struct Bundle: FHIRResource {
    public static let resourceType = "Bundle"
    public var resourceType = ResourceTypeTag<Bundle>()
    public var id: String?
    public var meta: Meta?
    public var type: String
    public var total: Int?
    public var link: [Link]?
    public var entry: [Entry]?

    /// A related page (self, next, previous).
    public struct Link: Codable, Hashable, Sendable {
        public var relation: String
        public var url: String

        public init(relation: String, url: String) {
            self.relation = relation
            self.url = url
        }
    }

    /// One resource in the bundle.
    public struct Entry: Codable, Hashable, Sendable {
        public var fullUrl: String?
        public var resource: AnyResource?
        public var search: Search?

        public init(fullUrl: String? = nil, resource: AnyResource? = nil, search: Search? = nil) {
            self.fullUrl = fullUrl
            self.resource = resource
            self.search = search
        }
    }

    /// Why an entry is in a searchset: `match` or `include`.
    public struct Search: Codable, Hashable, Sendable {
        public var mode: String?

        public init(mode: String? = nil) {
            self.mode = mode
        }
    }

    public init(type: String, total: Int? = nil, link: [Link]? = nil, entry: [Entry]? = nil) {
        self.type = type
        self.total = total
        self.link = link.nonEmpty
        self.entry = entry.nonEmpty
    }
}
