import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import Synchronization

/// Serves each `<folder>/<source id>/` export (a `manifest.json` and its NDJSON files) as a FHIR Bulk Data server over HTTPS:
/// `GET /<source>/$export` → 202 + Content-Location → `GET /<source>/status/<job>` → manifest → `GET /<source>/files/<name>`.
/// Faults can be injected per source while it runs.
public final class UpstreamSimulator: Sendable {
    public let sourcesFolder: URL
    public let certificates: SimulatorCertificates
    public let requireClientCertificate: Bool
    /// When set, every request must carry `Authorization: Bearer <token>`, and the manifest says `requiresAccessToken`.
    public let requiredBearerToken: String?
    /// Polls answered 202 before the export completes.
    public let pollsBeforeComplete: Int
    private let faults = Mutex<[String: SimulatorFault]>([:])
    private let polls = Mutex<[String: Int]>([:])
    private let boundPort = Mutex<Int?>(nil)
    private let requests = Mutex<[String: Int]>([:])
    private let kickOffs = Mutex<[String: [Date]]>([:])

    public init(
        sourcesFolder: URL, certificates: SimulatorCertificates, requireClientCertificate: Bool = false, requiredBearerToken: String? = nil,
        pollsBeforeComplete: Int = 1
    ) {
        self.sourcesFolder = sourcesFolder
        self.certificates = certificates
        self.requireClientCertificate = requireClientCertificate
        self.requiredBearerToken = requiredBearerToken
        self.pollsBeforeComplete = pollsBeforeComplete
    }

    /// Injects (or, with nil, clears) a fault for one source.
    public func setFault(_ fault: SimulatorFault?, for source: String) {
        faults.withLock { $0[source] = fault }
    }

    var currentFaults: [String: SimulatorFault] { faults.withLock { $0 } }

    /// How many requests a source has received (any endpoint), to check retries.
    public func requestCount(for source: String) -> Int {
        requests.withLock { $0[source] ?? 0 }
    }

    func countRequest(_ source: String) {
        requests.withLock { $0[source, default: 0] += 1 }
    }

    /// When each export of a source was kicked off, in order.
    public func kickOffTimes(for source: String) -> [Date] {
        kickOffs.withLock { $0[source] ?? [] }
    }

    func recordKickOff(_ source: String) {
        kickOffs.withLock { $0[source, default: []].append(Date()) }
    }

    /// Counts a poll of a job; returns how many polls it has had.
    func recordPoll(_ job: String) -> Int {
        polls.withLock { polls in
            polls[job, default: 0] += 1
            return polls[job] ?? 0
        }
    }

    /// The port it listens on, once running.
    public var port: Int? { boundPort.withLock { $0 } }

    /// The kick-off URL of a source.
    public func kickOffURL(for source: String) -> URL? {
        port.flatMap { URL(string: "https://127.0.0.1:\($0)/\(source)/$export") }
    }

    /// Serves on 127.0.0.1:`port` (0 picks a free one) until the task is cancelled; `onRunning` gets the bound port.
    public func run(port: Int = 0, logger: Logger = Logger(label: "care-record.simulator"), onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(certificates.serverCertificate.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(certificates.serverKey.utf8), format: .pem)))
        if requireClientCertificate {
            tls.certificateVerification = .noHostnameVerification
            tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(certificates.caCertificate.utf8), format: .pem)])
        }
        let app = Application(
            router: buildRouter(), server: try .tls(.http1(), tlsConfiguration: tls),
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil),
            onServerRunning: { [self] channel in
                let bound = channel.localAddress?.port ?? port
                self.boundPort.withLock { $0 = bound }
                await onRunning(bound)
            },
            logger: logger)
        try await app.run()
    }

    func buildRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/:source/$export") { [self] request, context in try await self.kickOff(request, context) }
        router.get("/:source/status/:job") { [self] request, context in try await self.status(request, context) }
        router.get("/:source/files/:name") { [self] request, context in try await self.file(request, context) }
        return router
    }
}
