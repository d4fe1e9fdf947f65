import Foundation

/// The JSON coding every part of the service uses for FHIR resources.
public enum FHIRJSON {
    /// An encoder producing FHIR JSON: sorted keys (byte-stable output), no escaped slashes.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Encodes a resource as FHIR JSON.
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        try encoder().encode(value)
    }

    /// Decodes a resource from FHIR JSON; unknown elements are ignored.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try JSONDecoder().decode(type, from: data)
    }
}
