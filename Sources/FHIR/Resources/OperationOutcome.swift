/// FHIR R4 OperationOutcome: the body of every error response.
public struct OperationOutcome: FHIRResource {
    public static let resourceType = "OperationOutcome"
    public var resourceType = ResourceTypeTag<OperationOutcome>()
    public var id: String?
    public var meta: Meta?
    public var issue: [Issue]

    /// One problem.
    public struct Issue: Codable, Hashable, Sendable {
        public var severity: String
        public var code: String
        public var details: CodeableConcept?
        public var diagnostics: String?
        public var expression: [String]?

        public init(severity: String, code: String, details: CodeableConcept? = nil, diagnostics: String? = nil, expression: [String]? = nil) {
            self.severity = severity
            self.code = code
            self.details = details
            self.diagnostics = diagnostics
            self.expression = expression.nonEmpty
        }
    }

    public init(issue: [Issue]) {
        self.issue = issue
    }
}
