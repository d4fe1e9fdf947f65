import FHIR
import Foundation

/// Appends resources to an NDJSON file through a small buffer, counting them for the manifest.
final class NDJSONFileWriter {
    let url: URL
    private let handle: FileHandle
    private var buffer = Data()
    private let encoder = FHIRJSON.encoder()
    private(set) var count = 0

    init(url: URL) throws {
        self.url = url
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CLIError("cannot create \(url.path)")
        }
        handle = try FileHandle(forWritingTo: url)
    }

    func write<R: FHIRResource>(_ resource: R) throws {
        buffer.append(try encoder.encode(resource))
        buffer.append(UInt8(ascii: "\n"))
        count += 1
        if buffer.count >= 256 * 1024 { try flush() }
    }

    func flush() throws {
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        try flush()
        try handle.close()
    }
}
