/// How a medication is taken (the parts of R4 Dosage we carry).
public struct Dosage: Codable, Hashable, Sendable {
    public var sequence: Int?
    public var text: String?
    public var patientInstruction: String?
    public var asNeededBoolean: Bool?
    public var route: CodeableConcept?

    public init(text: String? = nil, patientInstruction: String? = nil, asNeededBoolean: Bool? = nil, route: CodeableConcept? = nil) {
        self.text = text
        self.patientInstruction = patientInstruction
        self.asNeededBoolean = asNeededBoolean
        self.route = route
    }
}
