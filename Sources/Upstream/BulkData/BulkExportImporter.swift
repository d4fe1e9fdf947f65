import CareRecordStore
import FHIR
import Foundation
import Logging

/// Loads a Bulk Data export held in a local folder (manifest + NDJSON) into the combined record, all or nothing per source.
public struct BulkExportImporter: Sendable {
    /// Upstream types in the order they are loaded: patients first, so later resources can find them.
    public static let importOrder = ["Patient", "EpisodeOfCare", "Consent", "AllergyIntolerance", "Condition", "MedicationStatement"]

    let repository: any CareRecordRepository
    let logger: Logger
    /// Clinical entries and patients in plain JSON skip the models (`FastEntry`, `FastPatient`); off only in tests comparing
    /// it with the Foundation path.
    var usesFastPath = true

    public init(repository: any CareRecordRepository, logger: Logger = Logger(label: "care-record.import")) {
        self.repository = repository
        self.logger = logger
    }

    /// Imports the export in `folder` (its `manifest.json` and files); a failure keeps the source's last good data and is reported.
    /// With `minimumResources`, an export holding fewer resources is refused as an implausible drop before anything is applied.
    public func importFolder(_ folder: URL, source: SourceIdentity, startedAt: Date = Date(), minimumResources: Int? = nil) async -> ImportReport {
        let started = startedAt
        do {
            let manifest = try Self.readManifest(in: folder)
            let files = try Self.localFiles(of: manifest, in: folder)
            if let minimumResources {
                let incoming = try Self.resourceCount(files)
                guard incoming >= minimumResources else { throw ImportError.implausibleDrop(incoming: incoming, minimum: minimumResources) }
            }
            let fallback = FHIRDateTime.parse(manifest.transactionTime) ?? started
            let report = try await repository.replaceSource(source, startedAt: started) { writer in
                var report = ImportReport(sourceId: source.id, startedAt: started)
                let mapper = ResourceMapper(source: source, fallbackLastUpdated: fallback, writer: writer)
                for file in files {
                    try Self.load(file, mapper: mapper, fastPath: usesFastPath, report: &report)
                }
                report.patients = report.accepted[Patient.resourceType] ?? 0
                return report
            }
            logger.info("import finished", metadata: [
                "source": "\(source.id)", "patients": "\(report.patients)", "rejected": "\(report.totalRejected)", "bytes": "\(report.bytes)",
            ])
            return report
        } catch {
            var report = ImportReport(sourceId: source.id, startedAt: started)
            report.finishedAt = Date()
            report.error = Self.describe(failure: error)
            logger.error("import failed, last good data kept", metadata: ["source": "\(source.id)", "error": "\(report.error ?? "")"])
            try? await repository.recordFailedImport(source, report: report)
            return report
        }
    }

    /// A failure in words fit for a report: import, transfer and Bulk Data errors say what happened; others only their kind.
    public static func describe(failure error: any Error) -> String {
        switch error {
        case let error as ImportError: error.description
        case let error as HTTPTransferError: error.description
        case let error as BulkDataError: error.description
        default: "internal error (\(type(of: error)))"
        }
    }

    /// How many resources the export holds: the manifest's counts, or its lines where a count is missing.
    static func resourceCount(_ files: [(type: String, url: URL, count: Int?)]) throws -> Int {
        try files.reduce(0) { total, file in
            if let count = file.count { return total + count }
            var reader = try NDJSONReader(url: file.url)
            defer { reader.close() }
            var lines = 0
            while try reader.nextLine() != nil { lines += 1 }
            return total + lines
        }
    }

    static func readManifest(in folder: URL) throws -> BulkDataManifest {
        let url = folder.appendingPathComponent("manifest.json")
        do {
            return try JSONDecoder().decode(BulkDataManifest.self, from: Data(contentsOf: url))
        } catch let error as DecodingError {
            throw ImportError.manifestUnreadable(error.summary)
        } catch {
            throw ImportError.manifestUnreadable("cannot read manifest.json")
        }
    }

    /// The manifest's files as local paths inside the folder, in import order; a path leaving the folder is refused.
    static func localFiles(of manifest: BulkDataManifest, in folder: URL) throws -> [(type: String, url: URL, count: Int?)] {
        let root = folder.standardizedFileURL.path
        let files = try manifest.output.map { file -> (type: String, url: URL, count: Int?) in
            let relative = file.url.hasPrefix("file://") ? String(file.url.dropFirst("file://".count)) : file.url
            let url = relative.hasPrefix("/") ? URL(fileURLWithPath: relative) : folder.appendingPathComponent(relative)
            guard url.standardizedFileURL.path.hasPrefix(root + "/"), !relative.contains("://") else {
                throw ImportError.unsafeOutputURL(file.url)
            }
            return (file.type, url.standardizedFileURL, file.count)
        }
        func rank(_ type: String) -> Int { importOrder.firstIndex(of: type) ?? importOrder.count }
        return files.enumerated().sorted { (rank($0.element.type), $0.offset) < (rank($1.element.type), $1.offset) }.map(\.element)
    }

    static func load(_ file: (type: String, url: URL, count: Int?), mapper: ResourceMapper, fastPath: Bool = true, report: inout ImportReport) throws {
        let name = file.url.lastPathComponent
        var reader: NDJSONReader
        do {
            reader = try NDJSONReader(url: file.url)
        } catch {
            throw ImportError.fileUnreadable(file: name, reason: "cannot open")
        }
        defer { reader.close() }
        let supported = importOrder.contains(file.type)
        let fast = fastPath ? FastEntry.Kind.all[file.type] : nil
        let fastPatients = fastPath && file.type == Patient.resourceType
        let fastConsents = fastPath && file.type == Consent.resourceType
        let decoder = JSONDecoder()
        var lines = 0
        while let line = try reader.nextLine() {
            lines += 1
            guard supported else {
                report.reject(RejectReason.unsupportedResourceType.rawValue)
                continue
            }
            // Most lines are clinical entries in plain JSON: mapped without decoding them into models (issue 12).
            if let fast, try mapper.mapFast(line, kind: fast, report: &report) { continue }
            if fastPatients, try mapper.mapFastPatient(line, report: &report) { continue }
            if fastConsents, try mapper.mapFastConsent(line, report: &report) { continue }
            let resource: AnyResource
            do {
                resource = try decoder.decode(AnyResource.self, from: line)
            } catch let error as DecodingError {
                throw ImportError.malformedLine(file: name, line: reader.lineNumber, reason: error.summary)
            } catch {
                throw ImportError.malformedLine(file: name, line: reader.lineNumber, reason: "resourceType not supported here")
            }
            guard resource.resourceType == file.type else {
                throw ImportError.malformedLine(file: name, line: reader.lineNumber, reason: "\(resource.resourceType) in a \(file.type) file")
            }
            try mapper.map(resource, line: line, report: &report)
        }
        report.bytes += reader.bytesRead
        if let expected = file.count, expected != lines {
            throw ImportError.countMismatch(file: name, expected: expected, actual: lines)
        }
    }
}
