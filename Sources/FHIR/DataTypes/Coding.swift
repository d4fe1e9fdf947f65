/// A reference to a code defined by a terminology system.
public struct Coding: Codable, Hashable, Sendable {
    public var system: String?
    public var version: String?
    public var code: String?
    public var display: String?

    public init(system: String? = nil, code: String? = nil, display: String? = nil) {
        self.system = system
        self.code = code
        self.display = display
    }
}
