/// A concept given by one or more codings and/or text.
public struct CodeableConcept: Codable, Hashable, Sendable {
    public var coding: [Coding]?
    public var text: String?

    public init(coding: [Coding]? = nil, text: String? = nil) {
        self.coding = coding.nonEmpty
        self.text = text
    }

    /// A concept with a single coding.
    public init(system: String, code: String, display: String? = nil, text: String? = nil) {
        self.init(coding: [Coding(system: system, code: code, display: display)], text: text)
    }

    /// True when one of the codings has this system and code.
    public func contains(system: String, code: String) -> Bool {
        coding?.contains { $0.system == system && $0.code == code } ?? false
    }
}
