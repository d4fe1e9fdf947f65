import CareRecordStore
import FHIR
import Foundation

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

    /// The Bundle's JSON; each entry has a `fullUrl` and `search.mode` = `match`.
    func encoded() -> Data {
        var json = Data(#"{"resourceType":"Bundle","type":"searchset","total":\#(total)"#.utf8)
        if !links.isEmpty {
            json.append(Data(#","link":["#.utf8))
            for (index, link) in links.enumerated() {
                if index > 0 { json.append(UInt8(ascii: ",")) }
                json.append(Data(#"{"relation":\#(JSONString.quoted(link.relation)),"url":\#(JSONString.quoted(link.url))}"#.utf8))
            }
            json.append(UInt8(ascii: "]"))
        }
        if !entries.isEmpty || !ignoredParameters.isEmpty {
            json.append(Data(#","entry":["#.utf8))
            for (index, entry) in entries.enumerated() {
                if index > 0 { json.append(UInt8(ascii: ",")) }
                let fullUrl = "\(baseURL)/\(entry.resourceType)/\(entry.id)"
                json.append(UInt8(ascii: "{"))
                if let source = entry.sourceId.flatMap({ sources[$0] }) {
                    json.append(Data(#""extension":"#.utf8))
                    json.append(source.extensionJSON)
                    json.append(UInt8(ascii: ","))
                }
                json.append(Data(#""fullUrl":\#(JSONString.quoted(fullUrl)),"resource":"#.utf8))
                json.append(entry.json)
                json.append(Data(#","search":{"mode":"match"}}"#.utf8))
            }
            if !ignoredParameters.isEmpty {
                if !entries.isEmpty { json.append(UInt8(ascii: ",")) }
                let names = ignoredParameters.map { "'\($0)'" }.joined(separator: ", ")
                let text = "Search parameters ignored (Prefer: handling=lenient): \(names)."
                json.append(Data(#"{"resource":{"resourceType":"OperationOutcome","issue":[{"severity":"warning","code":"not-supported","#.utf8))
                json.append(Data(#""details":{"text":\#(JSONString.quoted(text))}}]},"search":{"mode":"outcome"}}"#.utf8))
            }
            json.append(UInt8(ascii: "]"))
        }
        json.append(UInt8(ascii: "}"))
        return json
    }

    /// What the bundle releases, for the audit record: `Bundle total 3: 2 Condition`.
    var summary: String {
        let counts = Dictionary(grouping: entries, by: \.resourceType).map { "\($0.value.count) \($0.key)" }.sorted()
        return counts.isEmpty ? "Bundle total \(total): none" : "Bundle total \(total): \(counts.joined(separator: ", "))"
    }

    /// The latest `lastUpdated` of the entries, for `Last-Modified`.
    var lastModified: Date? { entries.map(\.lastUpdated).max() }

}
