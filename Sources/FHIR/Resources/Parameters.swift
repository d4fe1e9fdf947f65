/// FHIR R4 `Parameters`, as far as the operations of this service take them: named primitive values.
public struct Parameters: Codable, Hashable, Sendable {
    public var resourceType = ResourceTypeTag<Parameters>()
    public var id: String?
    public var meta: Meta?
    public var parameter: [Parameter]?

    public struct Parameter: Codable, Hashable, Sendable {
        public var name: String
        public var valueCode: String?
        public var valueString: String?
    }

    /// The value of the one parameter with this name (a code or a string); nil when absent.
    public func value(_ name: String) -> String? {
        parameter?.first { $0.name == name }.flatMap { $0.valueCode ?? $0.valueString }
    }
}

extension Parameters: FHIRResource {
    public static let resourceType = "Parameters"
}
