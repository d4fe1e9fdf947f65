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

        public init(mode: String, documentation: String? = nil, security: Security? = nil, resource: [Resource]? = nil, operation: [Operation]? = nil) {
            self.mode = mode
            self.documentation = documentation
            self.security = security
            self.resource = resource.nonEmpty
            self.operation = operation.nonEmpty
        }
    }

    /// How clients authenticate.
    public struct Security: Codable, Hashable, Sendable {
        public var service: [CodeableConcept]?
        public var description: String?

        public init(service: [CodeableConcept]? = nil, description: String? = nil) {
            self.service = service.nonEmpty
            self.description = description
        }
    }

    /// One resource type and what can be done with it.
    public struct Resource: Codable, Hashable, Sendable {
        public var type: String
        public var profile: String?
        public var documentation: String?
        public var interaction: [Interaction]?
        public var searchParam: [SearchParam]?
        public var operation: [Operation]?

        public init(
            type: String, profile: String? = nil, documentation: String? = nil, interaction: [Interaction]? = nil,
            searchParam: [SearchParam]? = nil, operation: [Operation]? = nil
        ) {
            self.type = type
            self.profile = profile
            self.documentation = documentation
            self.interaction = interaction.nonEmpty
            self.searchParam = searchParam.nonEmpty
            self.operation = operation.nonEmpty
        }
    }

    /// A RESTful interaction (`read`, `search-type`, `create`).
    public struct Interaction: Codable, Hashable, Sendable {
        public var code: String
        public var documentation: String?

        public init(code: String, documentation: String? = nil) {
            self.code = code
            self.documentation = documentation
        }
    }

    /// A supported search parameter.
    public struct SearchParam: Codable, Hashable, Sendable {
        public var name: String
        public var definition: String?
        public var type: String
        public var documentation: String?

        public init(name: String, definition: String? = nil, type: String, documentation: String? = nil) {
            self.name = name
            self.definition = definition
            self.type = type
            self.documentation = documentation
        }
    }

    /// A supported operation such as `$everything`.
    public struct Operation: Codable, Hashable, Sendable {
        public var name: String
        public var definition: String
        public var documentation: String?

        public init(name: String, definition: String, documentation: String? = nil) {
            self.name = name
            self.definition = definition
            self.documentation = documentation
        }
    }

    public init(
        id: String, url: String, version: String, name: String, title: String, status: String, date: String, publisher: String,
        description: String, kind: String, software: Software, fhirVersion: String, format: [String], rest: [Rest]
    ) {
        self.id = id
        self.url = url
        self.version = version
        self.name = name
        self.title = title
        self.status = status
        self.date = date
        self.publisher = publisher
        self.description = description
        self.kind = kind
        self.software = software
        self.fhirVersion = fhirVersion
        self.format = format
        self.rest = rest.isEmpty ? nil : rest
    }
}
