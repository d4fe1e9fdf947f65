import Foundation
import Hummingbird
import Testing
import Yams
@testable import CareRecordServer

@Suite("openapi.yaml describes exactly the routes the server registers")
struct OpenAPIRoutesTests {
    static let specification = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../openapi.yaml").standardizedFileURL

    /// `GET /Patient/{id}` for every operation in openapi.yaml.
    static func documented() throws -> Set<String> {
        let document = try Yams.load(yaml: String(contentsOf: specification, encoding: .utf8)) as? [String: Any]
        let paths = document?["paths"] as? [String: Any] ?? [:]
        var operations = Set<String>()
        for (path, item) in paths {
            for method in (item as? [String: Any] ?? [:]).keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                operations.insert("\(method.uppercased()) \(path)")
            }
        }
        return operations
    }

    @Test("every registered route is documented, and every documented operation is registered")
    func routesMatch() async throws {
        let fixture = try await RegionFixture.shared()
        // With SMART configured, so its discovery route is registered as documented.
        let api = CareRecordAPI(
            repository: fixture.repository, auditStore: try temporaryAuditStore(), verifier: try await fixture.keys.verifier(),
            participating: fixture.participating, baseURL: RegionFixture.baseURL, settings: APISettings(smart: SMARTTests.smart))
        let router = api.buildRouter()
        let registered = Set(router.routes.map { route -> String in
            let path = route.path.description
            return "\(route.method.rawValue) \(path.hasPrefix("/") ? path : "/" + path)"
        })
        let documented = try Self.documented()
        #expect(registered.count > 20)
        #expect(registered.subtracting(documented).sorted() == [], "registered but not in openapi.yaml")
        #expect(documented.subtracting(registered).sorted() == [], "in openapi.yaml but not registered")
    }
}
