import FHIR
import Foundation

/// A clinical entry (AllergyIntolerance, Condition, MedicationStatement) read on the import's fast path (issue 12): the
/// upstream bytes are checked against the model's elements and written back, sorted, without the unknown ones, exactly as
/// decoding into the `FHIR` model and encoding it with `FHIRJSON` would write them; only `id`, `meta` and the patient
/// reference are left open for the mapping to fill. Nil whenever the line is not plain JSON or does not decode as the
/// model (a wrong kind, a missing required element): then the line takes the Foundation path, which decides as before.
struct FastEntry {
    let resourceType: String
    let id: String?
    let metaLastUpdated: String?
    /// The upstream patient reference, with what `ResourceMapper.resolvePatient` reads of it.
    let subject: Reference
    /// Every date the mapping validates (`effectivePeriod` as its start and end).
    let dates: [String?]
    private let template: ServedTemplate

    /// What the fast path knows of one clinical entry type.
    struct Kind: Sendable {
        let resourceType: String
        let schema: EntrySchema
        /// The element naming the patient (`patient` or `subject`), and the dates the mapping validates.
        let patientField: String
        let dateFields: [String]

        static let all: [String: Kind] = [
            AllergyIntolerance.resourceType: Kind(
                resourceType: AllergyIntolerance.resourceType, schema: .allergyIntolerance, patientField: "patient",
                dateFields: ["onsetDateTime", "recordedDate"]),
            Condition.resourceType: Kind(
                resourceType: Condition.resourceType, schema: .condition, patientField: "subject",
                dateFields: ["onsetDateTime", "abatementDateTime", "recordedDate"]),
            MedicationStatement.resourceType: Kind(
                resourceType: MedicationStatement.resourceType, schema: .medicationStatement, patientField: "subject",
                dateFields: ["effectiveDateTime", "effectivePeriod", "dateAsserted"]),
        ]
    }

    init?(_ line: Data, kind: Kind) {
        guard let json = PlainJSON([UInt8](line)), case .object(let members) = json.root,
              json.string(json.member("resourceType", of: members)) == kind.resourceType,
              let template = ServedTemplate(json, members: members, schema: kind.schema, open: ["id", "meta", kind.patientField])
        else { return nil }
        self.template = template
        resourceType = kind.resourceType
        id = json.string(json.member("id", of: members))
        metaLastUpdated = json.metaLastUpdated(of: members)
        var patient: [PlainJSON.Member] = []
        if case .object(let reference)? = members.first(where: { json.equal($0.key, kind.patientField) })?.value { patient = reference }
        var identifier: Identifier?
        if case .object(let fields)? = json.member("identifier", of: patient) {
            identifier = Identifier(system: json.string(json.member("system", of: fields)), value: json.string(json.member("value", of: fields)))
        }
        subject = Reference(reference: json.string(json.member("reference", of: patient)), identifier: identifier)
        dates = kind.dateFields.flatMap { name -> [String?] in
            let value = members.first { json.equal($0.key, name) }?.value
            if name == "effectivePeriod" {
                guard case .object(let period)? = value else { return [nil, nil] }
                return [json.string(json.member("start", of: period)), json.string(json.member("end", of: period))]
            }
            return [json.string(value)]
        }
    }

    /// The served JSON with its open elements filled: `id`, `meta` and the patient reference, as Foundation writes them;
    /// nil when a value would need escaping (then the caller takes the Foundation path).
    func served(id: String, meta: Meta, patient: Reference) -> Data? {
        template.filled(id: id, meta: meta, patient: patient)
    }
}

/// A resource's served JSON around its open elements, the ones the mapping fills: the other elements checked against the
/// schema and written as Foundation writes the decoded model, in its order; each open element written where it belongs.
struct ServedTemplate {
    private enum Part {
        /// Members written already, joined by commas.
        case fixed([UInt8])
        case open(String)
    }

    private let parts: [Part]
    private let size: Int

    /// Nil when an element does not decode as the schema says or a required one is missing (Foundation would throw). An
    /// open element present upstream is checked the same way, and left for `filled` to write.
    init?(_ json: PlainJSON, members: [PlainJSON.Member], schema: EntrySchema, open: Set<String>) {
        var writer = EntryWriter(json: json)
        var parts: [Part] = []
        for field in schema.fields {
            let slot = json.slot(of: field, in: members)
            let value = slot < 0 ? PlainJSON.Value.null : members[slot].value
            let isOpen = open.contains(field.name)
            if value.isNull {
                // Absent or null: Foundation decodes nil, which a required element refuses.
                if field.required { return nil }
            } else if isOpen {
                var check = EntryWriter(json: json)
                guard check.write(value, as: field.kind) else { return nil }
            } else {
                if !writer.out.isEmpty { writer.out.append(UInt8(ascii: ",")) }
                writer.member(field.bytes)
                guard writer.write(value, as: field.kind) else { return nil }
                continue
            }
            guard isOpen else { continue }
            if !writer.out.isEmpty {
                parts.append(.fixed(writer.out))
                writer.out.removeAll(keepingCapacity: true)
            }
            parts.append(.open(field.name))
        }
        if !writer.out.isEmpty { parts.append(.fixed(writer.out)) }
        self.parts = parts
        size = parts.reduce(64) { total, part in if case .fixed(let bytes) = part { total + bytes.count } else { total } }
    }

    /// The served JSON, each open element written as `value(name)` gives it (already written JSON), or left out for nil.
    func filled(_ value: (String) -> [UInt8]?) -> Data {
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(size + 256)
        for part in parts {
            switch part {
            case .fixed(let bytes):
                if out.count > 1 { out.append(UInt8(ascii: ",")) }
                out += bytes
            case .open(let name):
                guard let written = value(name) else { continue }
                if out.count > 1 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "\""))
                out += name.utf8
                out += "\":".utf8
                out += written
            }
        }
        out.append(UInt8(ascii: "}"))
        return Data(out)
    }
}

extension ServedTemplate {
    /// A template whose open elements are `id`, `meta` and one patient reference, filled as Foundation writes them; nil
    /// when a value would need escaping.
    func filled(id: String, meta: Meta, patient: Reference) -> Data? {
        guard let idValue = EntryWriter.plainString(id), let metaValue = EntryWriter.meta(meta),
              let system = patient.identifier?.system.flatMap(EntryWriter.plainString),
              let value = patient.identifier?.value.flatMap(EntryWriter.plainString),
              let reference = patient.reference.flatMap(EntryWriter.plainString)
        else { return nil }
        let patientValue = EntryWriter.object(EntrySchema.reference) { name in
            switch name {
            case "reference": reference
            case "identifier": EntryWriter.identifier(system: system, value: value)
            default: nil
            }
        }
        return filled { name in
            switch name {
            case "id": idValue
            case "meta": metaValue
            default: patientValue
            }
        }
    }
}

extension PlainJSON {
    /// `meta.lastUpdated` of a resource's members.
    func metaLastUpdated(of members: [Member]) -> String? {
        guard case .object(let meta)? = member("meta", of: members) else { return nil }
        return string(member("lastUpdated", of: meta))
    }
}

/// Checks a parsed value against a schema kind and writes it as Foundation's encoder writes the decoded model.
struct EntryWriter {
    let json: PlainJSON
    var out: [UInt8] = []

    init(json: PlainJSON) {
        self.json = json
        out.reserveCapacity(json.bytes.count)
    }

    mutating func member(_ name: [UInt8]) {
        out.append(UInt8(ascii: "\""))
        out += name
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ":"))
    }

    /// False when the value does not decode as `kind` (Foundation would throw).
    mutating func write(_ value: PlainJSON.Value, as kind: EntrySchema.Kind) -> Bool {
        switch (kind, value) {
        case (.string, .string(let range)):
            out.append(UInt8(ascii: "\""))
            out += json.bytes[range]
            out.append(UInt8(ascii: "\""))
        case (.int, .number(let range)):
            out += json.bytes[range]
        case (.bool, .bool(let flag)):
                out += flag ? "true".utf8 : "false".utf8
        case (.array(let element), .array(let items)):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                guard write(item, as: element) else { return false }
            }
            out.append(UInt8(ascii: "]"))
        case (.object(let schema), .object(let members)):
            out.append(UInt8(ascii: "{"))
            var first = true
            for field in schema.fields {
                let slot = json.slot(of: field, in: members)
                guard slot >= 0, case let found = members[slot].value, !found.isNull else {
                    if field.required { return false }
                    continue
                }
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                member(field.bytes)
                guard write(found, as: field.kind) else { return false }
            }
            out.append(UInt8(ascii: "}"))
        default:
            return false
        }
        return true
    }

    /// `text` as a JSON string when it needs no escaping (printable ASCII without quote or backslash), else nil.
    static func plainString(_ text: String) -> [UInt8]? {
        let bytes = Array(text.utf8)
        guard bytes.allSatisfy({ (0x20...0x7E).contains($0) && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) else { return nil }
        return [UInt8(ascii: "\"")] + bytes + [UInt8(ascii: "\"")]
    }

    /// An object in the schema's order of the values `value(name)` gives (already written JSON), skipping nil ones.
    static func object(_ schema: EntrySchema, into out: inout [UInt8], _ value: (String) -> [UInt8]?) {
        out.append(UInt8(ascii: "{"))
        var first = true
        for field in schema.fields {
            guard let written = value(field.name) else { continue }
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(UInt8(ascii: "\""))
            out += field.bytes
            out += "\":".utf8
            out += written
        }
        out.append(UInt8(ascii: "}"))
    }

    /// A served `meta` (versionId, lastUpdated, source), nil when a value would need escaping.
    static func meta(_ meta: Meta) -> [UInt8]? {
        guard let versionId = meta.versionId.flatMap(plainString), let lastUpdated = meta.lastUpdated.flatMap(plainString),
              let source = meta.source.flatMap(plainString) else { return nil }
        return object(EntrySchema.meta) { name in
            switch name {
            case "versionId": versionId
            case "lastUpdated": lastUpdated
            case "source": source
            default: nil
            }
        }
    }

    /// An identifier of `system` and `value`, both already written.
    static func identifier(system: [UInt8], value: [UInt8]) -> [UInt8] {
        object(EntrySchema.identifier) { name in
            switch name {
            case "system": system
            case "value": value
            default: nil
            }
        }
    }

    static func object(_ schema: EntrySchema, _ value: (String) -> [UInt8]?) -> [UInt8] {
        var out: [UInt8] = []
        object(schema, into: &out, value)
        return out
    }
}

extension PlainJSON.Value {
    var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
