import CareRecordStore
import FHIR
import Foundation
import Testing
@testable import CareRecordCLI
@testable import Upstream

/// The import's fast path for clinical entries (issue 12) against the Foundation path it stands in for: for any line, either
/// it leaves the line to Foundation, or it serves exactly the bytes that decoding into the model and encoding would.
@Suite("Import fast path: the same served bytes as the Foundation path")
struct FastEntryTests {
    static let meta = Meta(versionId: "0123456789abcdef", lastUpdated: "2026-11-01T10:00:00Z", source: "urn:care-record:source:gp-a81001")
    static let patient = Reference(reference: "Patient/9434765919", identifier: Identifier(system: NHSNumber.system, value: "9434765919"))

    /// What the Foundation path serves for `line` (nil where it refuses the line), with the mapping's id, meta and patient.
    static func foundationServed(_ line: String, type: String) -> Data? {
        let encoder = FHIRJSON.encoder()
        guard let resource = try? JSONDecoder().decode(AnyResource.self, from: Data(line.utf8)), resource.resourceType == type else { return nil }
        switch resource {
        case .allergyIntolerance(var r): r.id = "abc"; r.meta = meta; r.patient = patient; return try? encoder.encode(r)
        case .condition(var r): r.id = "abc"; r.meta = meta; r.subject = patient; return try? encoder.encode(r)
        case .medicationStatement(var r): r.id = "abc"; r.meta = meta; r.subject = patient; return try? encoder.encode(r)
        default: return nil
        }
    }

    static func fastServed(_ line: String, type: String) -> (entry: FastEntry?, served: Data?) {
        let entry = FastEntry(Data(line.utf8), kind: FastEntry.Kind.all[type]!)
        return (entry, entry?.served(id: "abc", meta: meta, patient: patient))
    }

    @Test("each schema names exactly the stored properties of its model")
    func schemasMatchModels() {
        let reference = Reference()
        let pairs: [(EntrySchema, Any)] = [
            (.coding, Coding()), (.codeableConcept, CodeableConcept()), (.period, Period()), (.identifier, Identifier()),
            (.reference, reference), (.annotation, Annotation(text: "")), (.meta, Meta()), (.dosage, Dosage()),
            (.reaction, AllergyIntolerance.Reaction(manifestation: [])),
            (.allergyIntolerance, AllergyIntolerance(patient: reference)), (.condition, Condition(subject: reference)),
            (.medicationStatement, MedicationStatement(status: "active", medication: CodeableConcept(), subject: reference)),
        ]
        for (schema, model) in pairs {
            let properties = Set(Mirror(reflecting: model).children.compactMap(\.label))
            #expect(Set(schema.fields.map(\.name)) == properties, "\(type(of: model))")
        }
    }

    @Test("generated entries: the fast path serves the Foundation path's bytes, or leaves the line to it", arguments: Array(FastEntry.Kind.all.keys).sorted())
    func generatedEntries(type: String) {
        var generator = EntryGenerator(seed: UInt64(type.utf8.count) &* 0x9E37_79B9)
        var taken = 0
        let cases = 3000
        for _ in 0..<cases {
            let line = generator.resource(type, schema: FastEntry.Kind.all[type]!.schema)
            let expected = Self.foundationServed(line, type: type)
            let (entry, served) = Self.fastServed(line, type: type)
            if expected == nil {
                #expect(entry == nil, "the Foundation path refuses this line, the fast path took it: \(line)")
            }
            if let served {
                taken += 1
                #expect(served == expected, "\(line)\nfast: \(String(decoding: served, as: UTF8.self))")
            }
        }
        // Most generated lines are plain and valid: the comparison above must have been made, not skipped.
        #expect(taken > cases / 4)
    }

    @Test("hostile lines are left to the Foundation path, never crash", arguments: [
        String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000),
        #"{"resourceType":"Condition","resourceType":"Condition","subject":{"reference":"Patient/p1"}}"#,
        #"{"resourceType":"Condition","subject":{"reference":"Patient/p1","reference":"Patient/p2"}}"#,
        #"{"resourceType":"Condition","subject":{"reference":"Patient\/p1"}}"#,
        #"{"resourceType":"Condition","subject":{"reference":"Patient/p1"},"id":"\ud800"}"#,
        #"{"resourceType":"Condition","subject":{"reference":"Patient/p1"},"x":1e400}"#,
        #"{"resourceType":"Condition","subject":{"reference":"Patient/p1"},"x":-0}"#,
        #"{"resourceType":"Condition","subject":{"reference":"Patient/p1"},"x":0012}"#,
        #"{"resourceType":"Condition","subject":{"reference":"Patient/p1"}} trailing"#,
        #"{"resourceType":"Condition","subject":{"reference":"Patient/p1"},}"#,
        "\u{FEFF}" + #"{"resourceType":"Condition","subject":{"reference":"Patient/p1"}}"#,
        #"{"resourceType":"Condition","subject":{"reference":"Patient/p1"},"id":"a"# + "\u{2028}" + #""}"#,
        #"{"resourceType":"Condition","subject":{"reference":"Patient/p1"},"id":"a"# + "\u{7F}" + #""}"#,
        #"{"resourceType":"Condition","subject":{"reference":"Patient/p1"},"id":"a"# + "\t" + #""}"#,
        #"{"resourceType":"Condition","subject":null}"#,
        #"{"resourceType":"Condition"}"#,
        #"{"resourceType":"Patient","subject":{"reference":"Patient/p1"}}"#,
        #"{"resourceType":"Condition","subject":{"reference":"Patient/p1"},"category":[null]}"#,
        #"{"resourceType":"MedicationStatement","subject":{"reference":"Patient/p1"}}"#,
        #"{"resourceType":"MedicationStatement","status":"active","subject":{"reference":"Patient/p1"},"dosage":[{"sequence":1.5}]}"#,
        #"{"resourceType":"MedicationStatement","status":"active","subject":{"reference":"Patient/p1"},"dosage":[{"sequence":99999999999999999999}]}"#,
        #"{"resourceType":"MedicationStatement","status":"active","subject":{"reference":"Patient/p1"},"dosage":[{"asNeededBoolean":1}]}"#,
        "",
        "{",
        "nul",
    ])
    func hostileLines(line: String) {
        let type = line.contains("MedicationStatement") ? MedicationStatement.resourceType : Condition.resourceType
        #expect(Self.fastServed(line, type: type).entry == nil, "taken: \(line.prefix(200))")
    }

    @Test("a huge plain string is served as the Foundation path serves it")
    func hugeString() {
        let line = #"{"resourceType":"Condition","subject":{"reference":"Patient/p1"},"note":[{"text":""# + String(repeating: "x", count: 2_000_000) + #""}]}"#
        let served = Self.fastServed(line, type: Condition.resourceType).served
        #expect(served != nil)
        #expect(served == Self.foundationServed(line, type: Condition.resourceType))
    }

    @Test("invalid UTF-8 is left to the Foundation path")
    func invalidUTF8() {
        let prefix = Array(#"{"resourceType":"Condition","subject":{"reference":"Patient/p1"},"id":""#.utf8)
        let suffix = Array(#""}"#.utf8)
        for bad: [UInt8] in [[0xFF], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC3], [0x80]] {
            let line = Data(prefix + bad + suffix)
            #expect(FastEntry(line, kind: FastEntry.Kind.all["Condition"]!) == nil)
        }
        let fine = Data(prefix + Array("Siân 😀".utf8) + suffix)
        #expect(FastEntry(fine, kind: FastEntry.Kind.all["Condition"]!) != nil)
    }
}

/// The Patient fast path (issue 12) against the Foundation path, through the mapping itself: for any line, either it leaves
/// the line to Foundation having done nothing, or it stores the same patient, registration and report.
@Suite("Import fast path for patients: the same mapping as the Foundation path")
struct FastPatientTests {
    static let fallback = Date(timeIntervalSince1970: 1_790_000_000)

    /// The Foundation path's mapping of `line` (nil where its decoding refuses the line).
    static func foundation(_ line: String, source: SourceIdentity) throws -> (calls: [String], report: ImportReport)? {
        guard let resource = try? JSONDecoder().decode(AnyResource.self, from: Data(line.utf8)), resource.resourceType == "Patient" else {
            return nil
        }
        let writer = RecordingImportWriter(source: source)
        var report = ImportReport(sourceId: source.id, startedAt: fallback)
        try ResourceMapper(source: source, fallbackLastUpdated: fallback, writer: writer, now: fallback).map(resource, line: Data(line.utf8), report: &report)
        return (writer.calls, report)
    }

    static func fast(_ line: String, source: SourceIdentity) throws -> (taken: Bool, calls: [String], report: ImportReport) {
        let writer = RecordingImportWriter(source: source)
        var report = ImportReport(sourceId: source.id, startedAt: fallback)
        let taken = try ResourceMapper(source: source, fallbackLastUpdated: fallback, writer: writer, now: fallback)
            .mapFastPatient(Data(line.utf8), report: &report)
        return (taken, writer.calls, report)
    }

    @Test("each new schema names exactly the stored properties of its model")
    func schemasMatchModels() {
        let pairs: [(EntrySchema, Any)] = [(.humanName, HumanName()), (.contactPoint, ContactPoint()), (.address, Address()), (.patient, Patient())]
        for (schema, model) in pairs {
            let properties = Set(Mirror(reflecting: model).children.compactMap(\.label))
            #expect(Set(schema.fields.map(\.name)) == properties, "\(type(of: model))")
        }
    }

    @Test("generated patients: the fast path maps as the Foundation path, or leaves the line to it untouched", arguments: [gp, acute])
    func generatedPatients(source: SourceIdentity) throws {
        var generator = EntryGenerator(seed: 0x5EED_0000 &+ UInt64(source.id.utf8.count))
        var taken = 0
        var mapped = 0
        let cases = 3000
        for _ in 0..<cases {
            let line = generator.patient()
            let expected = try Self.foundation(line, source: source)
            if expected?.calls.first?.hasPrefix("patient ") == true { mapped += 1 }
            let fast = try Self.fast(line, source: source)
            guard fast.taken else {
                #expect(fast.calls.isEmpty && fast.report == ImportReport(sourceId: source.id, startedAt: Self.fallback), "\(line)")
                continue
            }
            taken += 1
            #expect(expected != nil, "the Foundation path refuses this line, the fast path took it: \(line)")
            #expect(fast.calls == expected?.calls, "\(line)")
            #expect(fast.report == expected?.report, "\(line)")
        }
        // Most patients the Foundation path stores are plain: the comparison above must have been made, not skipped.
        #expect(taken > mapped / 2, "\(taken) of \(mapped)")
        #expect(taken > cases / 10, "\(taken) of \(mapped)")
    }

    static let acute = SourceIdentity(id: "acute-rjr", ods: "RJR")
}

/// Random upstream entries as JSON text: mostly plain and valid, with wrong kinds, nulls, unknown elements, escapes,
/// non-ASCII text, odd numbers, duplicate keys and shuffled order mixed in (SplitMix64, so every run sees the same lines).
struct EntryGenerator {
    /// The region generator's SplitMix64.
    var random: SeededGenerator

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    mutating func next() -> UInt64 { random.next() }

    mutating func chance(_ percent: Int) -> Bool { Int(next() % 100) < percent }
    mutating func pick<T>(_ values: [T]) -> T { values[Int(next() % UInt64(values.count))] }

    static let strings = [
        "active", "2020-01-01", "2020-13-45", "2026-11-01T10:00:00Z", "", "http://snomed.info/sct", "Siân Ó Briain", "µg",
        "薬", "😀 ok", "a b c", "Patient/p1", "x/y",
    ]
    /// Strings the fast path leaves to Foundation (escapes, DEL, U+2028).
    static let oddStrings = [#"quote \" inside"#, #"new\nline"#, #"\u00e9t\u00E9"#, #"slash \/"#, #"tab\t"#, "x\u{7F}y", "l\u{2028}s"]
    static let numbers = ["0", "7", "-3", "42", "1.0", "1e2", "-0", "12345678901234567890", "3.25"]

    mutating func whitespace() -> String { chance(10) ? pick([" ", "\n", "\t ", "\r\n"]) : "" }

    mutating func value(_ kind: EntrySchema.Kind, depth: Int = 0) -> String {
        if chance(2) { return "null" }
        if chance(1) {  // a wrong kind
            return pick(["\"text\"", "12", "true", "[]", "{}", "[\"a\"]"])
        }
        switch kind {
        case .string: return "\"" + (chance(2) ? pick(Self.oddStrings) : pick(Self.strings)) + "\""
        case .int: return chance(70) ? pick(Self.numbers.filter { !$0.contains(".") && !$0.contains("e") && $0 != "-0" && $0.count < 19 }) : pick(Self.numbers)
        case .bool: return pick(["true", "false"])
        case .array(let element):
            let count = Int(next() % 3)
            return "[" + (0..<count).map { _ in whitespace() + value(element, depth: depth + 1) }.joined(separator: ",") + "]"
        case .object(let schema):
            return object(schema, depth: depth + 1)
        }
    }

    mutating func object(_ schema: EntrySchema, depth: Int, fixed: [(String, String)] = []) -> String {
        var members = fixed
        for field in schema.fields where !fixed.contains(where: { $0.0 == field.name }) {
            if field.required ? chance(97) : chance(depth > 2 ? 20 : 45) {
                members.append((field.name, value(field.kind, depth: depth)))
            }
        }
        if chance(2) { members.append(("extension", #"[{"url":"http://example.org/x","valueDecimal":1.50,"valueString":"\u00e9"}]"#)) }
        if chance(8) { members.append(("extension", #"[{"url":"http://example.org/y","valueInteger":3,"valueBoolean":false,"x":[null,{}]}]"#)) }
        if chance(5) { members.append(("_status", #"{"id":"s"}"#)) }
        if chance(3), let duplicate = members.first { members.append(duplicate) }
        for index in members.indices.reversed() where index > 0 {  // shuffle
            members.swapAt(index, Int(next() % UInt64(index + 1)))
        }
        return "{" + members.map { whitespace() + "\"\($0.0)\"" + whitespace() + ":" + whitespace() + $0.1 }.joined(separator: ",") + "}"
    }

    /// A Patient: the generated elements of the schema, with identifiers and practices as exports carry them (NHS numbers
    /// valid or not, other identifiers, practices by ODS code or not) mixed in.
    mutating func patient() -> String {
        var fixed = [("resourceType", chance(98) ? #""Patient""# : #""Condition""#)]
        if chance(95) { fixed.append(("id", chance(95) ? "\"pat-\(next() % 1000)\"" : pick(["null", "\"\"", "3"]))) }
        if chance(95) {
            let identifiers = (0..<Int(next() % 3) + 1).map { _ -> String in
                switch next() % 10 {
                case 0...5: #"{"system":"https://fhir.nhs.uk/Id/nhs-number","value":""# + pick(["9434765919", "4010232137"]) + "\"}"
                case 6: #"{"system":"https://fhir.nhs.uk/Id/nhs-number","value":""# + pick(["9434765918", "", "94347659"]) + "\"}"
                case 7: #"{"system":"https://fhir.nhs.uk/Id/nhs-number"}"#
                default: value(.object(.identifier), depth: 1)
                }
            }
            fixed.append(("identifier", "[" + identifiers.joined(separator: ",") + "]"))
        }
        if chance(85) {
            let practices = (0..<Int(next() % 3)).map { _ -> String in
                switch next() % 5 {
                case 0, 1, 2:
                    #"{"type":"Organization","identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":""#
                        + pick(["A81001", "A81002", "RJR", ""]) + "\"}" + (chance(70) ? #","display":""# + pick(Self.strings) + "\"" : "") + "}"
                default: value(.object(.reference), depth: 1)
                }
            }
            fixed.append(("generalPractitioner", "[" + practices.joined(separator: ",") + "]"))
        }
        if chance(20) { fixed.append(("birthDate", "\"" + pick(["1970-01-01", "1970", "1970-06", "1970-13-01", "2020-02-30"]) + "\"")) }
        if chance(10) { fixed.append(("deceasedDateTime", "\"" + pick(["2024-01-01T10:00:00Z", "2024-01-01", "2024-01-01T25:00:00Z"]) + "\"")) }
        if chance(80) { fixed.append(("meta", #"{"lastUpdated":""# + pick(["2026-11-01T10:00:00Z", "2026-11-01T10:00:00.250+01:00", "garbage"]) + "\"}")) }
        // The other elements: fewer than a clinical entry's generator gives (the Patient's are deeper), so that most lines
        // are ones the Foundation path maps and the comparison is made.
        for field in EntrySchema.patient.fields where !fixed.contains(where: { $0.0 == field.name }) && chance(25) {
            fixed.append((field.name, value(field.kind, depth: 2)))
        }
        return whitespace() + object(EntrySchema([:]), depth: 0, fixed: fixed) + whitespace()
    }

    mutating func resource(_ type: String, schema: EntrySchema) -> String {
        var fixed = [("resourceType", chance(98) ? "\"\(type)\"" : "\"Condition\"")]
        if chance(95) { fixed.append(("id", chance(95) ? "\"e-\(next() % 1000)\"" : pick(["null", "\"\"", "3"]))) }
        let patient = type == AllergyIntolerance.resourceType ? "patient" : "subject"
        if chance(97) {
            fixed.append((patient, chance(90) ? #"{"reference":"Patient/p1"}"# : value(.object(.reference))))
        }
        return whitespace() + object(schema, depth: 0, fixed: fixed) + whitespace()
    }
}

@Suite("Import fast path: the same record as the Foundation path")
struct FastEntryImportTests {
    @Test("an export imported with and without the fast paths gives the same report, the same patients and the same stored entries", arguments: RecordBackend.all)
    func sameRecord(backend: RecordBackend) async throws {
        let nhs = ["9434765919", "4010232137"]
        var export = ExportFolder()
        try export.add(Upstream.patient("p1", nhs: nhs[0]))
        try export.add(Upstream.patient("p2", nhs: nhs[1]))
        try export.add(Upstream.patient("p3", nhs: "12345"))
        var generator = EntryGenerator(seed: 12)
        for type in FastEntry.Kind.all.keys.sorted() {
            var added = 0
            while added < 150 {
                var line = generator.resource(type, schema: FastEntry.Kind.all[type]!.schema)
                // One resource per line: the generator's line breaks between tokens become spaces.
                line = line.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
                line = line.replacingOccurrences(of: "Patient/p1", with: generator.pick(["Patient/p1", "Patient/p2", "Patient/p3", "Patient/p9"]))
                // Only lines the Foundation path accepts: one refused line fails the whole import, on either path.
                guard FastEntryTests.foundationServed(line, type: type) != nil else { continue }
                export.addRaw(line, type: type)
                added += 1
            }
        }
        let folder = try export.write()
        var records: [[String]] = []
        var reports: [ImportReport] = []
        for fast in [true, false] {
            let repository = try await backend.makeRepository()
            var importer = BulkExportImporter(repository: repository)
            importer.usesFastPath = fast
            let report = await importer.importFolder(folder, source: gp)
            #expect(report.succeeded)
            reports.append(report)
            var stored: [String] = []
            for patient in nhs {
                // The patients too: with usesFastPath they take the Patient fast path (plain JSON, valid NHS numbers).
                if let resource = try await repository.patient(NHSNumber(patient)!) {
                    stored.append("\(resource.id) \(resource.versionId) \(resource.lastUpdated) " + String(decoding: resource.json, as: UTF8.self))
                }
                for type in [ClinicalResourceType.allergyIntolerance, .condition, .medicationStatement] {
                    let page = try await repository.clinicalEntries(type, patient: NHSNumber(patient)!, page: .init(offset: 0, count: 1000))
                    stored += page.items.map { "\($0.id) \($0.versionId) \($0.lastUpdated) " + String(decoding: $0.json, as: UTF8.self) }
                }
            }
            records.append(stored.sorted())
        }
        #expect(reports[0].accepted == reports[1].accepted)
        #expect(reports[0].rejected == reports[1].rejected)
        #expect(records[0] == records[1])
        #expect(records[0].count > 30)
        #expect(records[0].filter { $0.hasPrefix("9434765919 ") || $0.hasPrefix("4010232137 ") }.count == 2)
    }
}
