/// A time range given by FHIR dateTime strings; either end may be open.
public struct Period: Codable, Hashable, Sendable {
    public var start: String?
    public var end: String?

    public init(start: String? = nil, end: String? = nil) {
        self.start = start
        self.end = end
    }
}
