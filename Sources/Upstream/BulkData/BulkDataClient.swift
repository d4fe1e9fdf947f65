import CareRecordStore
import Foundation
import Logging

/// The FHIR Bulk Data export flow of C3 over HTTPS: kick-off, polling, manifest, downloads into a local folder
/// that `BulkExportImporter` then loads exactly as it loads a `file://` export.
public struct BulkDataClient: Sendable {
    static let types = "Patient,AllergyIntolerance,Condition,MedicationStatement,Consent,EpisodeOfCare"

    let http: CurlHTTPClient
    /// Give up when the export is not complete after this long.
    let exportTimeout: Duration
    /// The wait between polls when the server gives no `Retry-After`.
    let defaultPollInterval: Duration
    let logger: Logger

    public init(http: CurlHTTPClient, exportTimeout: Duration = .seconds(900), defaultPollInterval: Duration = .seconds(2), logger: Logger = Logger(label: "care-record.bulk")) {
        self.http = http
        self.exportTimeout = exportTimeout
        self.defaultPollInterval = defaultPollInterval
        self.logger = logger
    }

    /// Runs the export at `kickOff` and downloads every output file into `folder`, with a local `manifest.json`.
    public func export(from kickOff: URL, into folder: URL) async throws {
        try await download(try await completedManifest(kickOff), from: kickOff, into: folder)
    }

    /// Downloads every output file of a completed export's `manifest` into `folder`, with a local `manifest.json`.
    public func download(_ manifest: BulkDataManifest, from kickOff: URL, into folder: URL) async throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var local: [BulkDataManifest.File] = []
        for (index, file) in manifest.output.enumerated() {
            guard let url = URL(string: file.url), url.scheme == "https" else { throw BulkDataError.unsafeOutputURL(file.url) }
            let name = "\(index)-\(file.type.filter { $0.isLetter }).ndjson"
            let response = try await http.get(url, accept: "application/fhir+ndjson", bearer: manifest.requiresAccessToken, to: folder.appendingPathComponent(name))
            guard response.status == 200 else { throw BulkDataError.download(status: response.status, type: file.type) }
            local.append(.init(type: file.type, url: name, count: file.count))
        }
        let copy = BulkDataManifest(
            transactionTime: manifest.transactionTime, request: manifest.request, requiresAccessToken: false, output: local, error: nil)
        try JSONEncoder().encode(copy).write(to: folder.appendingPathComponent("manifest.json"))
        if let errors = manifest.error, !errors.isEmpty {
            logger.warning("the export reports errors", metadata: ["files": "\(errors.count)", "host": "\(kickOff.host ?? "?")"])
        }
    }

    /// Kick-off (`Prefer: respond-async`), then the status URL until complete; a kick-off answering 200 is the manifest itself.
    public func completedManifest(_ kickOff: URL) async throws -> BulkDataManifest {
        guard var components = URLComponents(url: kickOff, resolvingAgainstBaseURL: false) else {
            throw HTTPTransferError.invalidURL(kickOff.absoluteString)
        }
        let existing = components.queryItems ?? []
        components.queryItems = existing + [URLQueryItem(name: "_type", value: Self.types)]
        guard let request = components.url else { throw HTTPTransferError.invalidURL(kickOff.absoluteString) }
        let started = ContinuousClock.now
        var response = try await http.get(request, headers: ["Prefer": "respond-async"])
        if response.status == 202 {
            guard let location = response.headers["content-location"], let status = URL(string: location, relativeTo: kickOff)?.absoluteURL,
                  status.scheme == "https" else {
                throw BulkDataError.kickOff(status: 202, detail: "no https Content-Location")
            }
            while response.status == 202 {
                guard ContinuousClock.now - started < exportTimeout else { throw BulkDataError.exportTimedOut(exportTimeout) }
                try await Task.sleep(for: response.retryAfter ?? defaultPollInterval)
                response = try await http.get(status, accept: "application/json")
            }
            guard response.status == 200 else { throw BulkDataError.export(status: response.status) }
        } else if response.status != 200 {
            throw BulkDataError.kickOff(status: response.status, detail: nil)
        }
        do {
            return try JSONDecoder().decode(BulkDataManifest.self, from: response.body)
        } catch {
            throw BulkDataError.manifestUnreadable
        }
    }
}

/// Why a Bulk Data export could not be fetched.
public enum BulkDataError: Error, Hashable, CustomStringConvertible {
    case kickOff(status: Int, detail: String?)
    case export(status: Int)
    case exportTimedOut(Duration)
    case manifestUnreadable
    case unsafeOutputURL(String)
    case download(status: Int, type: String)

    public var description: String {
        switch self {
        case .kickOff(let status, let detail): "kick-off answered HTTP \(status)\(detail.map { ": \($0)" } ?? "")"
        case .export(let status): "export status answered HTTP \(status)"
        case .exportTimedOut(let limit): "export not complete after \(limit)"
        case .manifestUnreadable: "the completed manifest is not valid JSON"
        case .unsafeOutputURL(let url): "output file URL is not https: \(url.prefix(100))"
        case .download(let status, let type): "download of the \(type) file answered HTTP \(status)"
        }
    }
}
