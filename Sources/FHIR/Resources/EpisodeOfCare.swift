/// FHIR R4 EpisodeOfCare: imported only, to learn which organisations are treating a patient.
public struct EpisodeOfCare: FHIRResource {
    public static let resourceType = "EpisodeOfCare"
    public var resourceType = ResourceTypeTag<EpisodeOfCare>()
    public var id: String?
    public var meta: Meta?
    public var identifier: [Identifier]?
    public var status: String
    public var type: [CodeableConcept]?
    public var patient: Reference
    public var managingOrganization: Reference?
    public var period: Period?

    public init(status: String, patient: Reference, managingOrganization: Reference? = nil, period: Period? = nil) {
        self.status = status
        self.patient = patient
        self.managingOrganization = managingOrganization
        self.period = period
    }
}
