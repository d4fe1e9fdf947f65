import FHIR
import Foundation
import Testing
@testable import CareRecordServer

@Suite("Profiles/ agrees with the server")
struct ProfilesTests {
    static let profiles = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Profiles").standardizedFileURL

    @Test("the published CapabilityStatement is the one /metadata serves (implementation aside)")
    func capabilityStatement() throws {
        let published = try FHIRJSON.decode(
            CapabilityStatement.self, from: Data(contentsOf: Self.profiles.appendingPathComponent("CapabilityStatement-care-record.json")))
        #expect(published == CapabilityStatementBuilder.template)
    }

    @Test("every profile the CapabilityStatement names is in Profiles/")
    func namedProfilesExist() throws {
        for resource in CapabilityStatementBuilder.template.rest?.first?.resource ?? [] {
            let profile = try #require(resource.profile)
            let id = try #require(profile.split(separator: "/").last)
            let file = Self.profiles.appendingPathComponent("StructureDefinition-\(id).json")
            let definition = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any]
            #expect(definition?["url"] as? String == profile)
            #expect(definition?["type"] as? String == resource.type)
        }
    }

    @Test("the error-code CodeSystem defines exactly the codes the server uses")
    func errorCodes() throws {
        let file = Self.profiles.appendingPathComponent("CodeSystem-care-record-error-code.json")
        let system = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        #expect(system["url"] as? String == ErrorCode.system)
        let codes = (system["concept"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
        #expect(Set(codes) == Set(ErrorCode.allCases.map(\.rawValue)))
    }
}
