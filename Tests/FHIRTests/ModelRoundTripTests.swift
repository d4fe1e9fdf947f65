import FHIR
import Foundation
import Testing

@Suite("FHIR models")
struct ModelRoundTripTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Examples").standardizedFileURL

    /// Every FHIR resource file under Examples/ (JSON with a resourceType), recursively.
    static func exampleResources() -> [URL] {
        let enumerator = FileManager.default.enumerator(at: examples, includingPropertiesForKeys: nil)
        return (enumerator?.allObjects as? [URL] ?? []).filter { url in
            url.pathExtension == "json" && (try? Data(contentsOf: url)).map { String(decoding: $0, as: UTF8.self).contains("\"resourceType\"") } == true
        }.sorted { $0.path < $1.path }
    }

    @Test("Examples/ holds resource files")
    func examplesExist() {
        #expect(Self.exampleResources().count >= 6)
    }

    @Test("every example resource decodes, re-encodes as valid FHIR JSON, and decodes to the same value", arguments: exampleResources())
    func roundTrip(_ url: URL) throws {
        let resource = try FHIRJSON.decode(AnyResource.self, from: Data(contentsOf: url))
        let encoded = try FHIRJSON.encode(resource)
        #expect(try FHIRJSON.decode(AnyResource.self, from: encoded) == resource)
        try FHIRJSONShape.check(encoded)
    }

    @Test("unknown elements are tolerated on decoding")
    func unknownElements() throws {
        let json = #"{"resourceType":"Patient","id":"p1","extension":[{"url":"x","valueString":"y"}],"_birthDate":{"id":"b"},"multipleBirthBoolean":false}"#
        let patient = try FHIRJSON.decode(Patient.self, from: Data(json.utf8))
        #expect(patient.id == "p1")
    }

    @Test("a resource of another type is refused")
    func wrongType() {
        let json = #"{"resourceType":"Condition","subject":{"reference":"Patient/1"}}"#
        #expect(throws: DecodingError.self) { try FHIRJSON.decode(Patient.self, from: Data(json.utf8)) }
        #expect(throws: AnyResource.UnsupportedResourceType.self) {
            try FHIRJSON.decode(AnyResource.self, from: Data(#"{"resourceType":"Observation"}"#.utf8))
        }
    }

    @Test("empty arrays passed to initialisers are dropped, and nils are never written")
    func noEmptyArraysOrNulls() throws {
        let bundle = Bundle(type: "searchset", total: 0, link: [], entry: [])
        let encoded = try FHIRJSON.encode(bundle)
        try FHIRJSONShape.check(encoded)
        #expect(String(decoding: encoded, as: UTF8.self) == #"{"resourceType":"Bundle","total":0,"type":"searchset"}"#)
    }
}

/// Checks FHIR's JSON rules that Codable does not: no nulls, no empty arrays or objects, no empty strings.
enum FHIRJSONShape {
    struct Violation: Error, CustomStringConvertible {
        let description: String
    }

    static func check(_ data: Data) throws {
        try check(try JSONSerialization.jsonObject(with: data), path: "")
    }

    static func check(_ value: Any, path: String) throws {
        switch value {
        case is NSNull: throw Violation(description: "null at \(path)")
        case let array as [Any]:
            guard !array.isEmpty else { throw Violation(description: "empty array at \(path)") }
            for (index, item) in array.enumerated() { try check(item, path: "\(path)[\(index)]") }
        case let object as [String: Any]:
            guard !object.isEmpty else { throw Violation(description: "empty object at \(path)") }
            for (key, item) in object { try check(item, path: "\(path).\(key)") }
        case let text as String:
            guard !text.isEmpty else { throw Violation(description: "empty string at \(path)") }
        default: break
        }
    }
}
