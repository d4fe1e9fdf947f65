import CareRecordStore
import FHIR
import Foundation
import Testing
@testable import Upstream

/// The Consent fast path (issue 12) against the Foundation path, through the mapping itself: for any line, either it leaves
/// the line to Foundation having done nothing, or it records the same decision, served bytes and report.
@Suite("Import fast path for consents: the same mapping as the Foundation path")
struct FastConsentTests {
    /// `p1` links to a patient registered at the source's practice, `p2` was rejected, other upstream ids are unknown.
    static func writer(_ source: SourceIdentity) -> RecordingImportWriter {
        RecordingImportWriter(
            source: source, links: ["p1": .patient(NHSNumber("9434765919")!), "p2": .rejected],
            practices: ["9434765919": "A81001", "4010232137": "A81002"])
    }

    static let fallback = Date(timeIntervalSince1970: 1_790_000_000)

    /// The Foundation path's mapping of `line` (nil where its decoding refuses the line).
    static func foundation(_ line: String) throws -> (calls: [String], report: ImportReport)? {
        guard let resource = try? JSONDecoder().decode(AnyResource.self, from: Data(line.utf8)), resource.resourceType == "Consent" else {
            return nil
        }
        let writer = Self.writer(gp)
        var report = ImportReport(sourceId: gp.id, startedAt: fallback)
        try ResourceMapper(source: gp, fallbackLastUpdated: fallback, writer: writer, now: fallback).map(resource, line: Data(line.utf8), report: &report)
        return (writer.calls, report)
    }

    static func fast(_ line: String) throws -> (taken: Bool, calls: [String], report: ImportReport) {
        let writer = Self.writer(gp)
        var report = ImportReport(sourceId: gp.id, startedAt: fallback)
        let taken = try ResourceMapper(source: gp, fallbackLastUpdated: fallback, writer: writer, now: fallback)
            .mapFastConsent(Data(line.utf8), report: &report)
        return (taken, writer.calls, report)
    }

    @Test("each consent schema names exactly the stored properties of its model (nested provisions left to Foundation)")
    func schemasMatchModels() {
        let actor = Consent.Actor(role: CodeableConcept(), reference: Reference())
        let pairs: [(EntrySchema, Any, Set<String>)] = [
            (.consent, Consent(status: "active", scope: CodeableConcept(), category: []), []),
            (.consentActor, actor, []),
            (.consentProvision, Consent.Provision(), ["provision"]),
        ]
        for (schema, model, left) in pairs {
            let properties = Set(Mirror(reflecting: model).children.compactMap(\.label))
            #expect(Set(schema.fields.map(\.name)).union(left) == properties, "\(type(of: model))")
        }
    }

    @Test("a Consent whose served bytes would need escaping (here the source's id, in meta.source) is left to Foundation")
    func escapedSourceLeftToFoundation() throws {
        let odd = SourceIdentity(id: #"gp-"a81001""#, ods: "A81001", isGPPractice: true)
        let line = #"{"resourceType":"Consent","id":"k1","status":"active","scope":{"coding":[{"system":"\#(FHIRSystems.consentScope)","code":"patient-privacy"}]},"category":[],"patient":{"reference":"Patient/p1"},"dateTime":"2026-01-01T10:00:00Z","provision":{"type":"deny","action":[{"coding":[{"system":"\#(FHIRSystems.consentAction)","code":"access"}]}]}}"#
        #expect(FastConsent(Data(line.utf8)) != nil)
        let writer = Self.writer(odd)
        var report = ImportReport(sourceId: odd.id, startedAt: Self.fallback)
        let taken = try ResourceMapper(source: odd, fallbackLastUpdated: Self.fallback, writer: writer, now: Self.fallback)
            .mapFastConsent(Data(line.utf8), report: &report)
        #expect(!taken)
        #expect(writer.calls.isEmpty)
        #expect(report == ImportReport(sourceId: odd.id, startedAt: Self.fallback))
    }

    @Test("generated consents: the fast path maps as the Foundation path, or leaves the line to it untouched")
    func generatedConsents() throws {
        var generator = EntryGenerator(seed: 0xC0_45E7)
        var taken = 0
        var decided = 0
        var rejected = 0
        let cases = 4000
        for _ in 0..<cases {
            let line = generator.consent()
            let expected = try Self.foundation(line)
            let fast = try Self.fast(line)
            guard fast.taken else {
                #expect(fast.calls.isEmpty && fast.report == ImportReport(sourceId: gp.id, startedAt: Self.fallback), "\(line)")
                continue
            }
            taken += 1
            if fast.calls.isEmpty { rejected += 1 } else { decided += 1 }
            #expect(expected != nil, "the Foundation path refuses this line, the fast path took it: \(line)")
            #expect(fast.calls == expected?.calls, "\(line)")
            #expect(fast.report == expected?.report, "\(line)")
        }
        // The comparison must have been made on lines of every outcome, not skipped.
        #expect(taken > cases / 3, "\(taken) of \(cases)")
        #expect(decided > cases / 20, "\(decided) decided")
        #expect(rejected > cases / 10, "\(rejected) rejected")
    }
}

extension EntryGenerator {
    /// A Consent: mostly the shapes the mapping decides on (scope, status, patient, provision with its type, actions, actors
    /// and period, dates valid, invalid or in the future), with the generator's odd values, unknown elements and nested
    /// provisions mixed in.
    mutating func consent() -> String {
        func coding(_ system: String, _ code: String) -> String { #"{"coding":[{"system":"\#(system)","code":"\#(code)"}]}"# }
        var fixed = [("resourceType", chance(98) ? #""Consent""# : #""Condition""#)]
        if chance(95) { fixed.append(("id", chance(95) ? "\"k-\(next() % 1000)\"" : pick(["null", "\"\"", "3"]))) }
        if chance(97) { fixed.append(("status", chance(85) ? #""active""# : pick([#""inactive""#, "3", "null"]))) }
        if chance(97) { fixed.append(("scope", chance(85) ? coding(FHIRSystems.consentScope, "patient-privacy") : value(.object(.codeableConcept), depth: 1))) }
        if chance(95) { fixed.append(("category", "[" + coding("http://loinc.org", "59284-0") + "]")) }
        if chance(95) {
            fixed.append(("patient", chance(60) ? #"{"reference":"Patient/p1"}"# : pick([
                #"{"reference":"Patient/p1","display":"Jo"}"#, #"{"reference":"Patient/p2"}"#, #"{"reference":"Patient/p9"}"#,
                #"{"identifier":{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"4010232137"}}"#,
                #"{"identifier":{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"12345"}}"#,
            ])))
        }
        if chance(95) {
            fixed.append(("dateTime", "\"" + (chance(60) ? "2026-01-01T10:00:00Z" : pick([
                "2026-01-01T10:00:00.500+01:00", "2026-01-01", "2099-01-01T00:00:00Z", "garbage", "2026-02-30T10:00:00Z",
            ])) + "\""))
        }
        if chance(92) {
            var provision: [(String, String)] = []
            if chance(95) { provision.append(("type", "\"" + pick(["deny", "deny", "permit", "permit", "other"]) + "\"")) }
            if chance(95) {
                let actions = (0..<Int(next() % 3) + 1).map { _ in
                    chance(90) ? coding(FHIRSystems.consentAction, pick(["collect", "access", "access", "use"])) : value(.object(.codeableConcept), depth: 2)
                }
                provision.append(("action", "[" + actions.joined(separator: ",") + "]"))
            }
            if chance(30) {
                let actors = (0..<Int(next() % 3)).map { _ in
                    #"{"role":"# + coding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "PRCP") + #","reference":"#
                        + pick([#"{"identifier":{"system":"https://fhir.hl7.org.uk/Id/gmc-number","value":"G1234567"}}"#,
                                #"{"identifier":{"value":""}}"#, #"{"reference":"Practitioner/x"}"#]) + "}"
                }
                provision.append(("actor", "[" + actors.joined(separator: ",") + "]"))
            }
            if chance(25) {
                provision.append(("period", #"{"start":""# + pick(["2026-01-01T10:00:00Z", "2026-01-01", "bad"]) + #"","end":""#
                    + pick(["2026-01-02T10:00:00Z", "2026-13-01"]) + "\"}"))
            }
            if chance(6) { provision.append(("provision", pick([#"[{"type":"permit"}]"#, "[]", "null"]))) }
            fixed.append(("provision", object(EntrySchema([:]), depth: 2, fixed: provision)))
        }
        if chance(80) { fixed.append(("meta", #"{"lastUpdated":""# + pick(["2026-11-01T10:00:00Z", "2026-11-01T10:00:00.250+01:00", "garbage"]) + "\"}")) }
        for field in EntrySchema.consent.fields where !fixed.contains(where: { $0.0 == field.name }) && chance(10) {
            fixed.append((field.name, value(field.kind, depth: 2)))
        }
        return whitespace() + object(EntrySchema([:]), depth: 0, fixed: fixed) + whitespace()
    }
}
