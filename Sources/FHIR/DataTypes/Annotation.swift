/// A text note with optional author and time.
public struct Annotation: Codable, Hashable, Sendable {
    public var authorString: String?
    public var time: String?
    public var text: String

    public init(text: String, authorString: String? = nil, time: String? = nil) {
        self.text = text
        self.authorString = authorString
        self.time = time
    }
}
