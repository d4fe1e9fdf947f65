/// A FHIR resource type with its fixed `resourceType` name.
public protocol FHIRResource: Codable, Hashable, Sendable {
    static var resourceType: String { get }
    var id: String? { get set }
    var meta: Meta? { get set }
}

/// The `resourceType` element of a resource: always encodes the type's name and refuses any other on decoding.
public struct ResourceTypeTag<Resource: FHIRResource>: Codable, Hashable, Sendable {
    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard name == Resource.resourceType else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "resourceType is \(name), expected \(Resource.resourceType)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Resource.resourceType)
    }
}
