import Foundation
import Testing
@testable import CareRecordCLI

@Suite("care-record token (issue 10)")
struct TokenCommandTests {
    @Test("iat and exp are whole seconds in the signed token, and --scope sets the scope claim")
    func wholeSeconds() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("care-record-tests/token-\(UUID().uuidString)")
        _ = try RegionGenerator(patients: 3, seed: 1, outputDirectory: folder).run()
        let command = try TokenCommand.parse([
            "--key", folder.appendingPathComponent("keys/signing-key.pem").path, "--sub", "dr.x", "--ods", "RJR", "--role", "doctor",
            "--registration", "GMC-1", "--scope", "user/*.rs",
        ])
        let token = try await TokenSigner(keyFile: folder.appendingPathComponent("keys/signing-key.pem").path)
            .sign(command.claims(now: Date(timeIntervalSince1970: 1_795_000_000.75)))
        var payload = String(token.split(separator: ".")[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while payload.count % 4 != 0 { payload += "=" }
        let text = String(decoding: try #require(Data(base64Encoded: payload)), as: UTF8.self)
        #expect(text.contains("\"iat\":1795000000,") || text.contains("\"iat\":1795000000}"), "\(text)")
        #expect(text.contains("\"exp\":1795003600"), "\(text)")
        #expect(!text.contains("1795000000.75"))
        #expect(text.contains("\"scope\":\"user\\/*.rs\"") || text.contains("\"scope\":\"user/*.rs\""), "\(text)")
    }
}
