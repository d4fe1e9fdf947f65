/// Any resource this service reads or serves, decoded by its `resourceType`.
public indirect enum AnyResource: Codable, Hashable, Sendable {
    case patient(Patient)
    case allergyIntolerance(AllergyIntolerance)
    case condition(Condition)
    case medicationStatement(MedicationStatement)
    case consent(Consent)
    case episodeOfCare(EpisodeOfCare)
    case auditEvent(AuditEvent)
    case bundle(Bundle)
    case operationOutcome(OperationOutcome)
    case capabilityStatement(CapabilityStatement)
    case parameters(Parameters)

    private enum CodingKeys: String, CodingKey {
        case resourceType
    }

    /// Thrown for a `resourceType` this service does not handle.
    public struct UnsupportedResourceType: Error, Hashable {
        public var resourceType: String
    }

    public init(from decoder: any Decoder) throws {
        let type = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .resourceType)
        switch type {
        case Patient.resourceType: self = .patient(try Patient(from: decoder))
        case AllergyIntolerance.resourceType: self = .allergyIntolerance(try AllergyIntolerance(from: decoder))
        case Condition.resourceType: self = .condition(try Condition(from: decoder))
        case MedicationStatement.resourceType: self = .medicationStatement(try MedicationStatement(from: decoder))
        case Consent.resourceType: self = .consent(try Consent(from: decoder))
        case EpisodeOfCare.resourceType: self = .episodeOfCare(try EpisodeOfCare(from: decoder))
        case AuditEvent.resourceType: self = .auditEvent(try AuditEvent(from: decoder))
        case Bundle.resourceType: self = .bundle(try Bundle(from: decoder))
        case OperationOutcome.resourceType: self = .operationOutcome(try OperationOutcome(from: decoder))
        case CapabilityStatement.resourceType: self = .capabilityStatement(try CapabilityStatement(from: decoder))
        case Parameters.resourceType: self = .parameters(try Parameters(from: decoder))
        default: throw UnsupportedResourceType(resourceType: type)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        try resource.encode(to: encoder)
    }

    /// The wrapped resource.
    public var resource: any FHIRResource {
        switch self {
        case .patient(let r): r
        case .allergyIntolerance(let r): r
        case .condition(let r): r
        case .medicationStatement(let r): r
        case .consent(let r): r
        case .episodeOfCare(let r): r
        case .auditEvent(let r): r
        case .bundle(let r): r
        case .operationOutcome(let r): r
        case .capabilityStatement(let r): r
        case .parameters(let r): r
        }
    }

    /// The `resourceType` name.
    public var resourceType: String { type(of: resource).resourceType }
}
