/// A business identifier (NHS number, ODS code, upstream id).
public struct Identifier: Codable, Hashable, Sendable {
    public var use: String?
    public var type: CodeableConcept?
    public var system: String?
    public var value: String?
    public var period: Period?

    public init(use: String? = nil, system: String? = nil, value: String? = nil) {
        self.use = use
        self.system = system
        self.value = value
    }
}
