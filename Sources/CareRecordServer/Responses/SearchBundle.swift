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

    /// The Bundle's JSON; each entry has a `fullUrl` and `search.mode` = `match`.
    func encoded() -> Data {
        var json = Data(#"{"resourceType":"Bundle","type":"searchset","total":\#(total)"#.utf8)
        if !links.isEmpty {
            json.append(Data(#","link":["#.utf8))
            for (index, link) in links.enumerated() {
                if index > 0 { json.append(UInt8(ascii: ",")) }
                json.append(Data(#"{"relation":\#(Self.quoted(link.relation)),"url":\#(Self.quoted(link.url))}"#.utf8))
            }
            json.append(UInt8(ascii: "]"))
        }
        if !entries.isEmpty {
            json.append(Data(#","entry":["#.utf8))
            for (index, entry) in entries.enumerated() {
                if index > 0 { json.append(UInt8(ascii: ",")) }
                let fullUrl = "\(baseURL)/\(entry.resourceType)/\(entry.id)"
                json.append(Data(#"{"fullUrl":\#(Self.quoted(fullUrl)),"resource":"#.utf8))
                json.append(entry.json)
                json.append(Data(#","search":{"mode":"match"}}"#.utf8))
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

    private static func quoted(_ text: String) -> String {
        let data = (try? FHIRJSON.encode([text])) ?? Data("[\"\"]".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}
