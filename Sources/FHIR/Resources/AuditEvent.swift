/// FHIR R4 AuditEvent: one access to the record, allowed or refused.
public struct AuditEvent: FHIRResource {
    public static let resourceType = "AuditEvent"
    public var resourceType = ResourceTypeTag<AuditEvent>()
    public var id: String?
    public var meta: Meta?
    public var type: Coding
    public var subtype: [Coding]?
    public var action: String?
    public var period: Period?
    public var recorded: String
    public var outcome: String?
    public var outcomeDesc: String?
    public var purposeOfEvent: [CodeableConcept]?
    public var agent: [Agent]
    public var source: Source
    public var entity: [Entity]?

    /// A person or system that took part.
    public struct Agent: Codable, Hashable, Sendable {
        public var type: CodeableConcept?
        public var role: [CodeableConcept]?
        public var who: Reference?
        public var altId: String?
        public var name: String?
        public var requestor: Bool
        public var policy: [String]?
        public var network: Network?
        public var purposeOfUse: [CodeableConcept]?

        public init(who: Reference? = nil, name: String? = nil, requestor: Bool) {
            self.who = who
            self.name = name
            self.requestor = requestor
        }
    }

    /// The network address an agent acted from.
    public struct Network: Codable, Hashable, Sendable {
        public var address: String?
        public var type: String?

        public init(address: String? = nil, type: String? = nil) {
            self.address = address
            self.type = type
        }
    }

    /// The system that recorded the event.
    public struct Source: Codable, Hashable, Sendable {
        public var site: String?
        public var observer: Reference
        public var type: [Coding]?

        public init(site: String? = nil, observer: Reference) {
            self.site = site
            self.observer = observer
        }
    }

    /// Data or objects used.
    public struct Entity: Codable, Hashable, Sendable {
        public var what: Reference?
        public var type: Coding?
        public var role: Coding?
        public var description: String?
        public var query: String?
        public var detail: [Detail]?

        public init(what: Reference? = nil, type: Coding? = nil, role: Coding? = nil) {
            self.what = what
            self.type = type
            self.role = role
        }
    }

    /// A named property of an entity.
    public struct Detail: Codable, Hashable, Sendable {
        public var type: String
        public var valueString: String?

        public init(type: String, valueString: String) {
            self.type = type
            self.valueString = valueString
        }
    }

    public init(type: Coding, recorded: String, agent: [Agent], source: Source) {
        self.type = type
        self.recorded = recorded
        self.agent = agent
        self.source = source
    }
}
