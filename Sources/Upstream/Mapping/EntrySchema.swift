import FHIR
import Foundation

/// The elements of a FHIR model as its synthesized `Codable` reads and writes them, for the import's fast path (issue 12):
/// the same names and kinds as the `FHIR` structs (a test holds them equal, field by field, through `Mirror`), in the
/// order Foundation's encoder writes them with `.sortedKeys`.
final class EntrySchema: Sendable {
    indirect enum Kind: Sendable {
        case string, int, bool
        case object(EntrySchema)
        case array(Kind)
    }

    struct Field: Sendable {
        let name: String
        let bytes: [UInt8]
        let kind: Kind
        let required: Bool
    }

    /// In the order Foundation's `.sortedKeys` writes them.
    let fields: [Field]

    init(_ fields: KeyValuePairs<String, Kind>, required: Set<String> = []) {
        let order = Self.foundationOrder(fields.map(\.key))
        self.fields = fields
            .map { Field(name: $0.key, bytes: Array($0.key.utf8), kind: $0.value, required: required.contains($0.key)) }
            .sorted { order[$0.name]! < order[$1.name]! }
    }

    /// The position of each key in Foundation's sorted output, asked of Foundation itself (its order is not plain byte order
    /// on every platform), once per schema.
    static func foundationOrder(_ keys: [String]) -> [String: Int] {
        let object = Dictionary(uniqueKeysWithValues: keys.map { ($0, 0) })
        let json = (try? FHIRJSON.encode(object)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let positions = keys.map { key in (key, json.range(of: "\"\(key)\":")?.lowerBound ?? json.endIndex) }
        let sorted = positions.sorted { $0.1 < $1.1 }.map(\.0)
        return Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($1, $0) })
    }
}

extension EntrySchema {
    static let coding = EntrySchema(["system": .string, "version": .string, "code": .string, "display": .string])
    static let codeableConcept = EntrySchema(["coding": .array(.object(coding)), "text": .string])
    static let period = EntrySchema(["start": .string, "end": .string])
    static let identifier = EntrySchema([
        "use": .string, "type": .object(codeableConcept), "system": .string, "value": .string, "period": .object(period),
    ])
    static let reference = EntrySchema(["reference": .string, "type": .string, "identifier": .object(identifier), "display": .string])
    static let annotation = EntrySchema(["authorString": .string, "time": .string, "text": .string], required: ["text"])
    static let meta = EntrySchema(["versionId": .string, "lastUpdated": .string, "source": .string, "profile": .array(.string), "tag": .array(.object(coding))])
    static let dosage = EntrySchema([
        "sequence": .int, "text": .string, "patientInstruction": .string, "asNeededBoolean": .bool, "route": .object(codeableConcept),
    ])
    static let reaction = EntrySchema(
        ["substance": .object(codeableConcept), "manifestation": .array(.object(codeableConcept)), "description": .string, "severity": .string],
        required: ["manifestation"])

    static let allergyIntolerance = EntrySchema(
        [
            "resourceType": .string, "id": .string, "meta": .object(meta), "identifier": .array(.object(identifier)),
            "clinicalStatus": .object(codeableConcept), "verificationStatus": .object(codeableConcept), "type": .string,
            "category": .array(.string), "criticality": .string, "code": .object(codeableConcept), "patient": .object(reference),
            "onsetDateTime": .string, "recordedDate": .string, "recorder": .object(reference), "asserter": .object(reference),
            "note": .array(.object(annotation)), "reaction": .array(.object(reaction)),
        ],
        required: ["resourceType", "patient"])
    static let condition = EntrySchema(
        [
            "resourceType": .string, "id": .string, "meta": .object(meta), "identifier": .array(.object(identifier)),
            "clinicalStatus": .object(codeableConcept), "verificationStatus": .object(codeableConcept),
            "category": .array(.object(codeableConcept)), "severity": .object(codeableConcept), "code": .object(codeableConcept),
            "subject": .object(reference), "onsetDateTime": .string, "abatementDateTime": .string, "recordedDate": .string,
            "recorder": .object(reference), "asserter": .object(reference), "note": .array(.object(annotation)),
        ],
        required: ["resourceType", "subject"])
    static let medicationStatement = EntrySchema(
        [
            "resourceType": .string, "id": .string, "meta": .object(meta), "identifier": .array(.object(identifier)),
            "status": .string, "category": .object(codeableConcept), "medicationCodeableConcept": .object(codeableConcept),
            "medicationReference": .object(reference), "subject": .object(reference), "effectiveDateTime": .string,
            "effectivePeriod": .object(period), "dateAsserted": .string, "informationSource": .object(reference),
            "reasonCode": .array(.object(codeableConcept)), "note": .array(.object(annotation)), "dosage": .array(.object(dosage)),
        ],
        required: ["resourceType", "status", "subject"])

    static let consentActor = EntrySchema(["role": .object(codeableConcept), "reference": .object(reference)], required: ["role", "reference"])
    /// Without the model's nested `provision`: a line with nested provisions takes the Foundation path (`FastConsent`).
    static let consentProvision = EntrySchema([
        "type": .string, "period": .object(period), "actor": .array(.object(consentActor)), "action": .array(.object(codeableConcept)),
    ])
    static let consent = EntrySchema(
        [
            "resourceType": .string, "id": .string, "meta": .object(meta), "identifier": .array(.object(identifier)), "status": .string,
            "scope": .object(codeableConcept), "category": .array(.object(codeableConcept)), "patient": .object(reference),
            "dateTime": .string, "performer": .array(.object(reference)), "organization": .array(.object(reference)),
            "policyRule": .object(codeableConcept), "provision": .object(consentProvision),
        ],
        required: ["resourceType", "status", "scope", "category"])

    static let humanName = EntrySchema([
        "use": .string, "text": .string, "family": .string, "given": .array(.string), "prefix": .array(.string),
        "suffix": .array(.string), "period": .object(period),
    ])
    static let contactPoint = EntrySchema(["system": .string, "value": .string, "use": .string, "rank": .int, "period": .object(period)])
    static let address = EntrySchema([
        "use": .string, "type": .string, "text": .string, "line": .array(.string), "city": .string, "district": .string,
        "state": .string, "postalCode": .string, "country": .string, "period": .object(period),
    ])
    static let patient = EntrySchema(
        [
            "resourceType": .string, "id": .string, "meta": .object(meta), "identifier": .array(.object(identifier)), "active": .bool,
            "name": .array(.object(humanName)), "telecom": .array(.object(contactPoint)), "gender": .string, "birthDate": .string,
            "deceasedBoolean": .bool, "deceasedDateTime": .string, "address": .array(.object(address)),
            "generalPractitioner": .array(.object(reference)), "managingOrganization": .object(reference),
        ],
        required: ["resourceType"])
}
