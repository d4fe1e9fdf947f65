/// FHIR R4 Condition: a problem, diagnosis or health concern.
public struct Condition: FHIRResource {
    public static let resourceType = "Condition"
    public var resourceType = ResourceTypeTag<Condition>()
    public var id: String?
    public var meta: Meta?
    public var identifier: [Identifier]?
    public var clinicalStatus: CodeableConcept?
    public var verificationStatus: CodeableConcept?
    public var category: [CodeableConcept]?
    public var severity: CodeableConcept?
    public var code: CodeableConcept?
    public var subject: Reference
    public var onsetDateTime: String?
    public var abatementDateTime: String?
    public var recordedDate: String?
    public var recorder: Reference?
    public var asserter: Reference?
    public var note: [Annotation]?

    public init(subject: Reference, code: CodeableConcept? = nil) {
        self.subject = subject
        self.code = code
    }
}
