/// FHIR R4 MedicationStatement: a medication the patient is or was taking.
public struct MedicationStatement: FHIRResource {
    public static let resourceType = "MedicationStatement"
    public var resourceType = ResourceTypeTag<MedicationStatement>()
    public var id: String?
    public var meta: Meta?
    public var identifier: [Identifier]?
    public var status: String
    public var category: CodeableConcept?
    public var medicationCodeableConcept: CodeableConcept?
    public var medicationReference: Reference?
    public var subject: Reference
    public var effectiveDateTime: String?
    public var effectivePeriod: Period?
    public var dateAsserted: String?
    public var informationSource: Reference?
    public var reasonCode: [CodeableConcept]?
    public var note: [Annotation]?
    public var dosage: [Dosage]?

    public init(status: String, medication: CodeableConcept, subject: Reference) {
        self.status = status
        self.medicationCodeableConcept = medication
        self.subject = subject
    }
}
