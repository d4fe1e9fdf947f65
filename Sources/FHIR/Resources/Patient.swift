/// FHIR R4 Patient: demographics and the registered GP practice.
public struct Patient: FHIRResource {
    public static let resourceType = "Patient"
    public var resourceType = ResourceTypeTag<Patient>()
    public var id: String?
    public var meta: Meta?
    public var identifier: [Identifier]?
    public var active: Bool?
    public var name: [HumanName]?
    public var telecom: [ContactPoint]?
    public var gender: String?
    public var birthDate: String?
    public var deceasedBoolean: Bool?
    public var deceasedDateTime: String?
    public var address: [Address]?
    public var generalPractitioner: [Reference]?
    public var managingOrganization: Reference?

    public init(id: String? = nil, identifier: [Identifier]? = nil) {
        self.id = id
        self.identifier = identifier.nonEmpty
    }
}
