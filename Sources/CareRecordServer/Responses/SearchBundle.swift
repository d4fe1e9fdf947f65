import CareRecordStore
import Crypto
import FHIR
import Foundation
import NIOCore

/// Writes a `searchset` Bundle around already-encoded resources, without decoding them again.
struct SearchBundle {
    /// Absolute URL of the server, without a trailing slash.
    let baseURL: String
    var total: Int
    var links: [(relation: String, url: String)] = []
    var entries: [StoredResource] = []
    /// Search parameters left out under `Prefer: handling=lenient`: said in an `OperationOutcome` entry (search mode `outcome`).
    var ignoredParameters: [String] = []
    /// Sources by id: an entry from one of them says its organisation and last refresh in `Bundle.entry.extension`.
    var sources: [String: SourceDescription] = [:]

    /// The Bundle's JSON; each entry has a `fullUrl` and `search.mode` = `match`. Written into one buffer sized up front
    /// (`estimatedSize`), which becomes the response body as it is: a 100-entry `$everything` spent a quarter of its CPU
    /// growing and copying `Data` piece by piece, and copying it again into the body (issue 12).
    func encoded() -> ByteBuffer {
        encoded(written: { _, _ in })
    }

    /// The Bundle's JSON and its weak ETag, for entries whose `versionId` follows their served JSON (stored resources:
    /// upstream ones and the API's Consents, whose read-by-id ETag is that `versionId`). The digest covers every byte of the
    /// body, except that each entry's resource counts as its quoted `versionId`, and each entry's source extension as its
    /// quoted source id, the sources' extensions being digested once, first: hashing whole 100-entry `$everything` bodies
    /// was a tenth of their CPU (issue 12). A Bundle without entries gets the digest of its bytes.
    func encodedWithETag() -> (body: ByteBuffer, etag: String) {
        var standIns: [(range: Range<Int>, text: String)] = []
        standIns.reserveCapacity(entries.count * 2)
        var sourcesUsed: [String] = []
        let body = encoded { range, part in
            switch part {
            case .resource(let versionId):
                standIns.append((range, versionId))
            case .sourceExtension(let id):
                if !sourcesUsed.contains(id) { sourcesUsed.append(id) }
                standIns.append((range, id))
            }
        }
        // What is digested, gathered into one array and hashed in one call: a digest update per part, and a hasher captured
        // by a local function (checked for exclusive access at each use), cost more than the hashing.
        var digested: [UInt8] = []
        digested.reserveCapacity(body.readableBytes / 4)
        for id in sourcesUsed {
            Self.appendLiteral(id, to: &digested)
            if let source = sources[id] { digested.append(contentsOf: source.extensionJSON) }
        }
        body.withUnsafeReadableBytes { bytes in
            var start = 0
            for standIn in standIns {
                digested.append(contentsOf: bytes[start..<standIn.range.lowerBound])
                Self.appendLiteral(standIn.text, to: &digested)
                start = standIn.range.upperBound
            }
            digested.append(contentsOf: bytes[start...])
        }
        return (body, FHIRResponse.weakTag(SHA256.hash(data: digested)))
    }

    /// `text` as a JSON string literal: quoted, and escaped when it needs it (stored ids and versions do not).
    private static func appendLiteral(_ text: String, to digested: inout [UInt8]) {
        guard JSONString.needsNoEscape(text) else { return digested.append(contentsOf: JSONString.quoted(text).utf8) }
        digested.append(UInt8(ascii: "\""))
        digested.append(contentsOf: text.utf8)
        digested.append(UInt8(ascii: "\""))
    }

    /// A part of an entry written whole from elsewhere.
    private enum CopiedPart {
        case resource(versionId: String)
        case sourceExtension(id: String)
    }

    /// Writes the Bundle, telling `written` where in the buffer each entry's resource and source extension went.
    private func encoded(written: (Range<Int>, CopiedPart) -> Void) -> ByteBuffer {
        var json = ByteBufferAllocator().buffer(capacity: estimatedSize)
        json.writeString(#"{"resourceType":"Bundle","type":"searchset","total":"#)
        json.writeString(String(total))
        if !links.isEmpty {
            json.writeString(#","link":["#)
            for (index, link) in links.enumerated() {
                if index > 0 { json.writeInteger(UInt8(ascii: ",")) }
                json.writeString(#"{"relation":""#)
                json.writeJSONEscaped(link.relation)
                json.writeString(#"","url":""#)
                json.writeJSONEscaped(link.url)
                json.writeString(#""}"#)
            }
            json.writeInteger(UInt8(ascii: "]"))
        }
        if !entries.isEmpty || !ignoredParameters.isEmpty {
            json.writeString(#","entry":["#)
            // The same for every entry: escaped once.
            var fullUrlPrefix = ByteBufferAllocator().buffer(capacity: baseURL.utf8.count + 12)
            fullUrlPrefix.writeString(#""fullUrl":""#)
            fullUrlPrefix.writeJSONEscaped(baseURL)
            fullUrlPrefix.writeInteger(UInt8(ascii: "/"))
            for (index, entry) in entries.enumerated() {
                json.writeString(index > 0 ? ",{" : "{")
                if let id = entry.sourceId, let source = sources[id] {
                    json.writeString(#""extension":"#)
                    let start = json.writerIndex
                    json.writeBytes(source.extensionJSON)
                    written(start..<json.writerIndex, .sourceExtension(id: id))
                    json.writeInteger(UInt8(ascii: ","))
                }
                json.writeImmutableBuffer(fullUrlPrefix)
                json.writeJSONEscaped(entry.resourceType)
                json.writeInteger(UInt8(ascii: "/"))
                json.writeJSONEscaped(entry.id)
                json.writeString(#"","resource":"#)
                let resourceStart = json.writerIndex
                json.writeBytes(entry.json)
                written(resourceStart..<json.writerIndex, .resource(versionId: entry.versionId))
                json.writeString(#","search":{"mode":"match"}}"#)
            }
            if !ignoredParameters.isEmpty {
                if !entries.isEmpty { json.writeInteger(UInt8(ascii: ",")) }
                let names = ignoredParameters.map { "'\($0)'" }.joined(separator: ", ")
                let text = "Search parameters ignored (Prefer: handling=lenient): \(names)."
                json.writeString(#"{"resource":{"resourceType":"OperationOutcome","issue":[{"severity":"warning","code":"not-supported","#)
                json.writeString(#""details":{"text":\#(JSONString.quoted(text))}}]},"search":{"mode":"outcome"}}"#)
            }
            json.writeInteger(UInt8(ascii: "]"))
        }
        json.writeInteger(UInt8(ascii: "}"))
        return json
    }

    /// An upper bound on the encoded size when no string needs escaping (the usual case); a larger Bundle still encodes,
    /// the buffer then grows.
    var estimatedSize: Int {
        let fixed = 110 + links.reduce(0) { $0 + 30 + $1.relation.utf8.count + $1.url.utf8.count }
            + (ignoredParameters.isEmpty ? 0 : 300 + ignoredParameters.reduce(0) { $0 + 4 + $1.utf8.count })
        let perEntry = 60 + baseURL.utf8.count
        return entries.reduce(fixed) { size, entry in
            size + perEntry + entry.resourceType.utf8.count + entry.id.utf8.count + entry.json.count
                + (entry.sourceId.flatMap { sources[$0] }.map { $0.extensionJSON.count + 13 } ?? 0)
        }
    }

    /// What the bundle releases, for the audit record: `Bundle total 3: 2 Condition`.
    var summary: String {
        // Counted in place: the types are few, and grouping copied every entry into a dictionary of arrays (issue 12).
        var byType: [(type: String, count: Int)] = []
        for entry in entries {
            if let index = byType.firstIndex(where: { $0.type == entry.resourceType }) {
                byType[index].count += 1
            } else {
                byType.append((entry.resourceType, 1))
            }
        }
        let counts = byType.map { "\($0.count) \($0.type)" }.sorted()
        return counts.isEmpty ? "Bundle total \(total): none" : "Bundle total \(total): \(counts.joined(separator: ", "))"
    }

    /// The latest `lastUpdated` of the entries, for `Last-Modified`.
    var lastModified: Date? { entries.map(\.lastUpdated).max() }

}

extension ByteBuffer {
    /// Writes `text` escaped for a JSON string literal, without the quotes (`JSONString`): whole when nothing needs escaping.
    mutating func writeJSONEscaped(_ text: String) {
        if JSONString.needsNoEscape(text) {
            writeString(text)
        } else {
            let quoted = JSONString.quoted(text)
            writeSubstring(quoted.dropFirst().dropLast())
        }
    }
}
