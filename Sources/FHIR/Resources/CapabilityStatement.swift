/// FHIR R4 CapabilityStatement: what this server supports, served at `/metadata`.
public struct CapabilityStatement: FHIRResource {
    public static let resourceType = "CapabilityStatement"
    public var resourceType = ResourceTypeTag<CapabilityStatement>()
    public var id: String?
    public var meta: Meta?
    public var url: String?
    public var version: String?
    public var name: String?
    public var title: String?
    public var status: String
    public var date: String
    public var publisher: String?
    public var description: String?
    public var kind: String
    public var software: Software?
    public var implementation: Implementation?
    public var fhirVersion: String
    public var format: [String]
    public var rest: [Rest]?

    /// The software behind the server.
    public struct Software: Codable, Hashable, Sendable {
        public var name: String
        public var version: String?
        public init(name: String, version: String? = nil) {
            self.name = name
            self.version = version
        }
    }

    /// This running instance.
    public struct Implementation: Codable, Hashable, Sendable {
        public var description: String
        public var url: String?
        public init(description: String, url: String? = nil) {
            self.description = description
            self.url = url
        }
    }

    /// The REST interface.
    public struct Rest: Codable, Hashable, Sendable {
        public var mode: String
        public var documentation: String?
        public var security: Security?
        public var resource: [Resource]?
        public var operation: [Operation]?
    }

    /// How clients authenticate.
    public struct Security: Codable, Hashable, Sendable {
        public var service: [CodeableConcept]?
        public var description: String?
    }

    /// One resource type and what can be done with it.
    public struct Resource: Codable, Hashable, Sendable {
        public var type: String
        public var profile: String?
        public var documentation: String?
        public var interaction: [Interaction]?
        public var searchParam: [SearchParam]?
        public var operation: [Operation]?
    }

    /// A RESTful interaction (`read`, `search-type`, `create`).
    public struct Interaction: Codable, Hashable, Sendable {
        public var code: String
        public var documentation: String?
    }

    /// A supported search parameter.
    public struct SearchParam: Codable, Hashable, Sendable {
        public var name: String
        public var definition: String?
        public var type: String
        public var documentation: String?
    }

    /// A supported operation such as `$everything`.
    public struct Operation: Codable, Hashable, Sendable {
        public var name: String
        public var definition: String
        public var documentation: String?
    }
}
