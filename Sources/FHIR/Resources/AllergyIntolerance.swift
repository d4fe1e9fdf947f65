/// FHIR R4 AllergyIntolerance: a risk of harmful reaction to a substance.
public struct AllergyIntolerance: FHIRResource {
    public static let resourceType = "AllergyIntolerance"
    public var resourceType = ResourceTypeTag<AllergyIntolerance>()
    public var id: String?
    public var meta: Meta?
    public var identifier: [Identifier]?
    public var clinicalStatus: CodeableConcept?
    public var verificationStatus: CodeableConcept?
    public var type: String?
    public var category: [String]?
    public var criticality: String?
    public var code: CodeableConcept?
    public var patient: Reference
    public var onsetDateTime: String?
    public var recordedDate: String?
    public var recorder: Reference?
    public var asserter: Reference?
    public var note: [Annotation]?
    public var reaction: [Reaction]?

    /// One reaction event.
    public struct Reaction: Codable, Hashable, Sendable {
        public var substance: CodeableConcept?
        public var manifestation: [CodeableConcept]
        public var description: String?
        public var severity: String?

        public init(manifestation: [CodeableConcept], severity: String? = nil) {
            self.manifestation = manifestation
            self.severity = severity
        }
    }

    public init(patient: Reference, code: CodeableConcept? = nil) {
        self.patient = patient
        self.code = code
    }
}
