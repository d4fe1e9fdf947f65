/// The completed-export manifest of the FHIR Bulk Data Access IG.
public struct BulkDataManifest: Codable, Sendable, Hashable {
    public var transactionTime: String
    public var request: String
    public var requiresAccessToken: Bool
    public var output: [File]
    public var error: [File]?

    /// One NDJSON file of one resource type.
    public struct File: Codable, Sendable, Hashable {
        public var type: String
        public var url: String
        public var count: Int?

        public init(type: String, url: String, count: Int? = nil) {
            self.type = type
            self.url = url
            self.count = count
        }
    }

    public init(transactionTime: String, request: String, requiresAccessToken: Bool = false, output: [File], error: [File]? = nil) {
        self.transactionTime = transactionTime
        self.request = request
        self.requiresAccessToken = requiresAccessToken
        self.output = output
        self.error = error
    }
}
