import Foundation
import Testing

/// The Python `prometheus_client` package's own parser of the text exposition format (`text_string_to_metric_families`),
/// run with the Python of the conformance virtualenv (`.build-venv`, which `scripts/test` sets up from
/// `Tests/Conformance/requirements.txt`) or `CARE_RECORD_PYTHON`. Without it the tests that need it are skipped with a
/// message, unless `CARE_RECORD_REQUIRE_PROMETHEUS_PARSER=1` (set by CI), which makes them fail instead.
enum PrometheusTextParser {
    /// One sample as the parser read it.
    struct Sample: Sendable, Equatable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    /// One metric family: its name (counters without `_total`, as the parser names them), type and samples.
    struct Family: Sendable {
        let name: String
        let type: String
        let samples: [Sample]
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let python: String? = {
        let candidates: [String?] = [ProcessInfo.processInfo.environment["CARE_RECORD_PYTHON"], packageRoot.appendingPathComponent(".build-venv/bin/python").path]
        return candidates.compactMap { $0 }.first { path in
            guard FileManager.default.isExecutableFile(atPath: path) else { return false }
            return (try? run(path, ["-c", "import prometheus_client.parser"], input: "").status) == 0
        }
    }()

    static let isRequired = ProcessInfo.processInfo.environment["CARE_RECORD_REQUIRE_PROMETHEUS_PARSER"] == "1"
    static let isEnabled = python != nil || isRequired
    static let skipMessage: Comment = """
        Python's prometheus_client is not installed (scripts/test installs Tests/Conformance/requirements.txt into .build-venv): \
        the Prometheus exposition checks are skipped
        """

    static let script = """
        import json, math, sys
        from prometheus_client.parser import text_string_to_metric_families
        def number(v):
            return v if math.isfinite(v) else str(v)
        families = [{"name": f.name, "type": f.type,
                     "samples": [{"name": s.name, "labels": s.labels, "value": number(s.value)} for s in f.samples]}
                    for f in text_string_to_metric_families(sys.stdin.read())]
        print(json.dumps(families))
        """

    /// Parses exposition text; a parse error fails the test.
    static func parse(_ text: String) throws -> [Family] {
        let python = try #require(python, "\(skipMessage); CARE_RECORD_REQUIRE_PROMETHEUS_PARSER=1 requires it")
        let result = try run(python, ["-c", script], input: text)
        try #require(result.status == 0, "prometheus_client could not parse the exposition: \(result.errors)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]])
        return json.map { family in
            let samples = (family["samples"] as? [[String: Any]] ?? []).map { sample in
                Sample(
                    name: sample["name"] as? String ?? "", labels: sample["labels"] as? [String: String] ?? [:],
                    value: (sample["value"] as? Double) ?? (sample["value"] as? NSNumber)?.doubleValue ?? .nan)
            }
            return Family(name: family["name"] as? String ?? "", type: family["type"] as? String ?? "", samples: samples)
        }
    }

    /// Runs a program with `input` on its standard input (both through files, so no pipe fills up) and returns its outputs.
    private static func run(_ executable: String, _ arguments: [String], input: String) throws -> (status: Int32, output: String, errors: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("care-record-tests/prometheus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (inputFile, outputFile, errorFile) = (folder.appendingPathComponent("in"), folder.appendingPathComponent("out"), folder.appendingPathComponent("err"))
        try Data(input.utf8).write(to: inputFile)
        for file in [outputFile, errorFile] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = try FileHandle(forReadingFrom: inputFile)
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: outputFile, encoding: .utf8), try String(contentsOf: errorFile, encoding: .utf8))
    }
}

extension [PrometheusTextParser.Family] {
    /// The value of the sample with this name whose labels include `labels`; nil when there is none.
    func value(_ sample: String, _ labels: [String: String] = [:]) -> Double? {
        lazy.flatMap(\.samples).first { found in found.name == sample && labels.allSatisfy { key, value in found.labels[key] == value } }?.value
    }

    /// Every label value of every sample.
    var labelValues: [String] { flatMap(\.samples).flatMap(\.labels.values) }
}
