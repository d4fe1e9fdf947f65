/// FHIR R4 Consent: a patient's sharing decision for the shared record.
public struct Consent: FHIRResource {
    public static let resourceType = "Consent"
    public var resourceType = ResourceTypeTag<Consent>()
    public var id: String?
    public var meta: Meta?
    public var identifier: [Identifier]?
    public var status: String
    public var scope: CodeableConcept
    public var category: [CodeableConcept]
    public var patient: Reference?
    public var dateTime: String?
    public var performer: [Reference]?
    public var organization: [Reference]?
    public var policyRule: CodeableConcept?
    public var provision: Provision?

    /// The rule: permit or deny, for which actions, actors and period.
    public struct Provision: Codable, Hashable, Sendable {
        public var type: String?
        public var period: Period?
        public var actor: [Actor]?
        public var action: [CodeableConcept]?
        public var provision: [Provision]?

        public init(type: String? = nil, period: Period? = nil, actor: [Actor]? = nil, action: [CodeableConcept]? = nil) {
            self.type = type
            self.period = period
            self.actor = actor.nonEmpty
            self.action = action.nonEmpty
        }
    }

    /// Who the provision applies to.
    public struct Actor: Codable, Hashable, Sendable {
        public var role: CodeableConcept
        public var reference: Reference

        public init(role: CodeableConcept, reference: Reference) {
            self.role = role
            self.reference = reference
        }
    }

    public init(status: String, scope: CodeableConcept, category: [CodeableConcept], patient: Reference? = nil) {
        self.status = status
        self.scope = scope
        self.category = category
        self.patient = patient
    }
}
