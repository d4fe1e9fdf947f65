import CareRecordStore
import FHIR
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CareRecordCLI
@testable import CareRecordServer
import Upstream

/// A generated region of 200 patients synced into a record (SQLite unless a test asks for each backend), shared read-only
/// by the API tests.
struct RegionFixture: Sendable {
    let folder: URL
    let repository: any CareRecordRepository
    let summary: RegionSummary
    let keys: TestKeys
    let participating: Set<String>

    static let baseURL = "http://care-record.test"

    static func shared() async throws -> RegionFixture {
        try await Cache.instance.fixture()
    }

    private actor Cache {
        static let instance = Cache()
        private var task: Task<RegionFixture, any Error>?

        func fixture() async throws -> RegionFixture {
            if let task { return try await task.value }
            let task = Task { try await RegionFixture.make() }
            self.task = task
            return try await task.value
        }
    }

    /// The record as SQLite, for the tests about the SQLite files themselves.
    var sqliteRepository: SQLiteCareRecordRepository {
        get throws { try #require(repository as? SQLiteCareRecordRepository, "a SQLite fixture") }
    }

    static func make(backend: RecordBackend = .sqlite) async throws -> RegionFixture {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("care-record-tests/api-\(UUID().uuidString)")
        let summary = try RegionGenerator(patients: 200, seed: 1, outputDirectory: folder).run()
        let configuration = try CareRecordConfiguration.load(path: folder.appendingPathComponent("care-record.yaml").path)
        let repository: any CareRecordRepository = backend == .sqlite
            ? try SQLiteCareRecordRepository(path: try #require(configuration.databasePath)) : try await backend.makeRepository()
        let reports = await SyncRunner(repository: repository).sync(configuration.sources)
        guard reports.allSatisfy({ $0.succeeded }) else { throw CLIError("fixture sync failed") }
        return RegionFixture(
            folder: folder, repository: repository, summary: summary, keys: try await TestKeys(), participating: Set(configuration.organisations.map(\.ods)))
    }

    /// The API over the shared region, with its own audit log unless one is given.
    func api(auditStore: (any AuditStore)? = nil, clock: @escaping @Sendable () -> Date = { Date() }) async throws -> CareRecordAPI {
        CareRecordAPI(
            repository: repository, auditStore: try auditStore ?? temporaryAuditStore(), verifier: try await keys.verifier(clock: clock),
            participating: participating, baseURL: Self.baseURL, clock: clock)
    }

    func application() async throws -> some ApplicationProtocol {
        Application(router: try await api().buildRouter())
    }

    func nhs(_ keyPath: KeyPath<RegionSummary, String?>) throws -> String {
        guard let value = summary[keyPath: keyPath] else { throw CLIError("the fixture region has no such patient") }
        return value
    }
}

/// The `OperationOutcome` code of an error body.
func errorCode(_ body: ByteBuffer) -> String? {
    guard let outcome = try? FHIRJSON.decode(OperationOutcome.self, from: Data(buffer: body)) else { return nil }
    return outcome.issue.first?.details?.coding?.first?.code
}

/// A decoded Bundle body.
func bundle(_ body: ByteBuffer) throws -> FHIR.Bundle {
    try FHIRJSON.decode(FHIR.Bundle.self, from: Data(buffer: body))
}

extension Data {
    init(buffer: ByteBuffer) {
        self.init(buffer.readableBytesView)
    }
}

/// A fresh SQLite audit log in a temporary folder.
func temporaryAuditStore() throws -> SQLiteAuditStore {
    try SQLiteAuditStore(path: FileManager.default.temporaryDirectory.appendingPathComponent("care-record-tests/\(UUID().uuidString)/audit.sqlite").path)
}

extension TestClientProtocol {
    /// The status of one request (for `#expect`, which cannot hold a trailing closure).
    func status(uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: ByteBuffer? = nil) async throws -> HTTPResponse.Status {
        try await execute(uri: uri, method: method, headers: headers, body: body) { $0.status }
    }
}
