import FHIR
import Foundation

/// A Patient read on the import's fast path (issue 12), as `FastEntry` reads clinical entries: checked against the model's
/// elements and written back exactly as decoding into `Patient` and encoding it with `FHIRJSON` would write it, with the
/// mapping's `id`, `meta`, identifiers (the NHS number first) and registered practice filled in as
/// `ResourceMapper.map(_:versionID:report:)` fills them.
///
/// Nil whenever the line is not plain JSON, does not decode as the model, or is one the mapping rejects (no NHS number,
/// an invalid one, an invalid date): such lines take the Foundation path, which decides and counts as before.
struct FastPatient {
    let id: String?
    let metaLastUpdated: String?
    /// The first identifier in the NHS number system, valid.
    let nhsNumber: NHSNumber
    /// The first `generalPractitioner` identified in the ODS system with a value: the practice the patient says it is
    /// registered with.
    let practice: String?
    /// The served `identifier` and `generalPractitioner` (nil: none).
    private let identifiers: [UInt8]
    private let generalPractitioner: [UInt8]?
    private let template: ServedTemplate

    init?(_ line: Data) {
        guard let json = PlainJSON([UInt8](line)), case .object(let members) = json.root,
              json.string(json.member("resourceType", of: members)) == Patient.resourceType,
              let template = ServedTemplate(
                  json, members: members, schema: .patient, open: ["id", "meta", "identifier", "generalPractitioner"])
        else { return nil }
        // Every element decodes as the model (the template checked them): what follows only reads them.
        guard case .array(let upstreamIdentifiers)? = json.member("identifier", of: members) else { return nil }
        var nhsValue: String??
        var others: [[UInt8]] = []
        for item in upstreamIdentifiers {
            guard case .object(let fields) = item else { return nil }
            if json.string(json.member("system", of: fields)) == NHSNumber.system {
                if nhsValue == nil { nhsValue = .some(json.string(json.member("value", of: fields))) }
                continue
            }
            var writer = EntryWriter(json: json)
            guard writer.write(item, as: .object(.identifier)) else { return nil }
            others.append(writer.out)
        }
        guard let value = nhsValue ?? nil, let nhs = NHSNumber(value),
              let system = EntryWriter.plainString(NHSNumber.system), let number = EntryWriter.plainString(nhs.value)
        else { return nil }
        if let birthDate = json.string(json.member("birthDate", of: members)), !FHIRDateTime.isValidDate(birthDate) { return nil }
        if let deceased = json.string(json.member("deceasedDateTime", of: members)), !FHIRDateTime.isValidDateTime(deceased) { return nil }

        var references: [[PlainJSON.Member]] = []
        if case .array(let items)? = json.member("generalPractitioner", of: members) {
            for item in items {
                guard case .object(let reference) = item else { return nil }
                references.append(reference)
            }
        }
        func identifier(of reference: [PlainJSON.Member]) -> [PlainJSON.Member]? {
            if case .object(let fields)? = json.member("identifier", of: reference) { return fields }
            return nil
        }
        var practiceValue: PlainJSON.Value?
        var practice: String?
        for reference in references {
            guard let fields = identifier(of: reference), json.string(json.member("system", of: fields)) == FHIRSystems.odsOrganisation,
                  let value = json.member("value", of: fields), let text = json.string(value), !text.isEmpty else { continue }
            practiceValue = value
            practice = text
            break
        }
        self.practice = practice
        if let practiceValue, let practice {
            // Served as the mapping builds it: the practice by its ODS code, with the display of the first reference naming it.
            let named = references.first { reference in identifier(of: reference).map { json.string(json.member("value", of: $0)) == practice } ?? false }
            var display: [UInt8]?
            if let named, let value = json.member("display", of: named), !value.isNull {
                var writer = EntryWriter(json: json)
                guard writer.write(value, as: .string) else { return nil }
                display = writer.out
            }
            var writer = EntryWriter(json: json)
            guard writer.write(practiceValue, as: .string), let ods = EntryWriter.plainString(FHIRSystems.odsOrganisation) else { return nil }
            let code = writer.out
            let reference = EntryWriter.object(EntrySchema.reference) { name in
                switch name {
                case "type": EntryWriter.plainString("Organization")
                case "identifier": EntryWriter.identifier(system: ods, value: code)
                case "display": display
                default: nil
                }
            }
            generalPractitioner = [UInt8(ascii: "[")] + reference + [UInt8(ascii: "]")]
        } else {
            generalPractitioner = nil
        }
        var identifiers = [UInt8(ascii: "[")] + EntryWriter.identifier(system: system, value: number)
        for other in others {
            identifiers.append(UInt8(ascii: ","))
            identifiers += other
        }
        identifiers.append(UInt8(ascii: "]"))
        self.identifiers = identifiers
        self.template = template
        nhsNumber = nhs
        id = json.string(json.member("id", of: members))
        metaLastUpdated = json.metaLastUpdated(of: members)
    }

    /// The served Patient: its id the NHS number, with `meta`; nil when a value would need escaping (then the caller takes
    /// the Foundation path).
    func served(meta: Meta) -> Data? {
        guard let id = EntryWriter.plainString(nhsNumber.value), let metaValue = EntryWriter.meta(meta) else { return nil }
        return template.filled { name in
            switch name {
            case "id": id
            case "meta": metaValue
            case "identifier": identifiers
            default: generalPractitioner
            }
        }
    }
}
