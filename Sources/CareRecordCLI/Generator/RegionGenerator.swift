import FHIR
import Foundation

/// Writes a deterministic synthetic region (C1 `generate`): one Bulk Data export folder per source, keys and a ready config.
public struct RegionGenerator {
    public let patients: Int
    public let seed: UInt64
    public let outputDirectory: URL
    /// Past problems added to every patient's GP record (resolved conditions), for records with many entries; 0 by default,
    /// and drawn without the random generator, so a seed gives the same region with or without them otherwise.
    public let history: Int
    /// The export's transaction time, fixed so that a seed always gives the same files.
    public static let transactionTime = "2026-11-24T02:00:00Z"

    public init(patients: Int, seed: UInt64, outputDirectory: URL, history: Int = 0) {
        self.patients = patients
        self.history = history
        self.seed = seed
        self.outputDirectory = outputDirectory.standardizedFileURL
    }

    /// Generates everything; memory stays flat whatever the number of patients.
    @discardableResult
    public func run() throws -> RegionSummary {
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
        var exports: [String: SourceExportWriter] = [:]
        for organisation in RegionCatalogue.sources {
            exports[organisation.sourceID] = try SourceExportWriter(
                folder: outputDirectory.appendingPathComponent("sources/\(organisation.sourceID)"), organisation: organisation)
        }
        var random = SeededGenerator(seed: seed)
        var summary = RegionSummary()
        var nextNumber = 900_000_000
        for index in 0..<patients {
            let nhs = Self.nextNHSNumber(&nextNumber)
            var patient = SyntheticPatient(index: index, nhsNumber: nhs, random: &random, history: history)
            try patient.write(to: exports, random: &random, summary: &summary)
        }
        for export in exports.values { try export.finish() }
        try KeyMaterial.generate(in: outputDirectory.appendingPathComponent("keys"))
        try ConfigTemplate.write(to: outputDirectory)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(summary).write(to: outputDirectory.appendingPathComponent("region-summary.json"))
        return summary
    }

    /// The next valid NHS number at or after `counter` (9 leading digits, then the Modulus 11 check digit).
    static func nextNHSNumber(_ counter: inout Int) -> NHSNumber {
        while true {
            let digits = String(counter).compactMap(\.wholeNumberValue)
            counter += 1
            if let check = NHSNumber.checkDigit(forFirstNine: digits), let nhs = NHSNumber(digits.map(String.init).joined() + String(check)) {
                return nhs
            }
        }
    }
}

/// The files of one source's export.
final class SourceExportWriter {
    let folder: URL
    let organisation: RegionCatalogue.Organisation
    private var files: [String: NDJSONFileWriter] = [:]

    init(folder: URL, organisation: RegionCatalogue.Organisation) throws {
        self.folder = folder
        self.organisation = organisation
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func write<R: FHIRResource>(_ resource: R) throws {
        if files[R.resourceType] == nil {
            files[R.resourceType] = try NDJSONFileWriter(url: folder.appendingPathComponent("\(R.resourceType).ndjson"))
        }
        try files[R.resourceType]?.write(resource)
    }

    /// Closes the files and writes `manifest.json` with relative URLs and counts.
    func finish() throws {
        var output: [[String: Any]] = []
        for (type, file) in files.sorted(by: { $0.key < $1.key }) {
            try file.close()
            output.append(["type": type, "url": "\(type).ndjson", "count": file.count])
        }
        let manifest: [String: Any] = [
            "transactionTime": RegionGenerator.transactionTime,
            "request": "https://\(organisation.sourceID).example.nhs.uk/fhir/$export?_type=Patient,AllergyIntolerance,Condition,MedicationStatement,Consent,EpisodeOfCare",
            "requiresAccessToken": false, "output": output, "error": [] as [Any],
        ]
        let data = try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try data.write(to: folder.appendingPathComponent("manifest.json"))
    }
}
