import CareRecordStore
import Crypto
import FHIR
import Foundation
import NIOCore
import Testing
@testable import CareRecordServer

@Suite("Bundle JSON written by hand")
struct SearchBundleTests {
    @Test("string literals round-trip through a JSON parser, escapes and all", arguments: [
        "http://x/Condition?patient=9434765919&_count=1", "quote \" backslash \\ slash /", "line\nbreak\ttab\r", "bell \u{07} nul \u{00}", "é 😀",
    ])
    func quoted(_ text: String) throws {
        let literal = JSONString.quoted(text)
        let parsed = try JSONSerialization.jsonObject(with: Data("[\(literal)]".utf8)) as? [String]
        #expect(parsed == [text])
    }

    /// A Bundle with two entries (one from a described source), links, and an ignored parameter; `oddID` goes in an id.
    func bundle(oddID: String) throws -> SearchBundle {
        let nhs = try #require(NHSNumber("9434765919"))
        let updated = Date(timeIntervalSince1970: 1_790_000_000)
        var bundle = SearchBundle(baseURL: "https://care.example/fhir", total: 7)
        bundle.entries = [
            StoredResource(id: "c-1", resourceType: "Condition", nhsNumber: nhs, sourceId: "gp-a81001", versionId: "v1", lastUpdated: updated,
                           json: Data(#"{"resourceType":"Condition","id":"c-1"}"#.utf8)),
            StoredResource(id: oddID, resourceType: "Condition", nhsNumber: nhs, sourceId: "unknown", versionId: "v2", lastUpdated: updated,
                           json: Data(#"{"resourceType":"Condition","id":"c-2"}"#.utf8)),
        ]
        bundle.sources = ["gp-a81001": SourceDescription(ods: "A81001", name: "The \"Surgery\"", lastRefreshed: updated)]
        bundle.links = [("self", "https://care.example/fhir/Condition?patient=9434765919&_count=2"), ("next", "https://care.example/fhir/Condition?x=\"y\"")]
        bundle.ignoredParameters = ["_sort", "odd'"]
        return bundle
    }

    @Test("written into one buffer: valid JSON with every part, escapes and all", arguments: ["c-2", "quote\"back\\slash\u{2028}"])
    func encodedBundle(oddID: String) throws {
        let encoded = try bundle(oddID: oddID).encoded()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(encoded.readableBytesView)) as? [String: Any])
        #expect(json["resourceType"] as? String == "Bundle")
        #expect(json["total"] as? Int == 7)
        let links = try #require(json["link"] as? [[String: String]])
        #expect(links.map { $0["url"] } == ["https://care.example/fhir/Condition?patient=9434765919&_count=2", "https://care.example/fhir/Condition?x=\"y\""])
        let entries = try #require(json["entry"] as? [[String: Any]])
        #expect(entries.count == 3)
        #expect(entries[0]["fullUrl"] as? String == "https://care.example/fhir/Condition/c-1")
        #expect(entries[1]["fullUrl"] as? String == "https://care.example/fhir/Condition/\(oddID)")
        #expect((entries[0]["resource"] as? [String: String])?["id"] == "c-1")
        let sourceExtension = try #require(entries[0]["extension"] as? [[String: Any]])
        #expect(((sourceExtension.first?["valueReference"] as? [String: Any])?["display"] as? String) == "The \"Surgery\"")
        #expect(entries[1]["extension"] == nil)
        #expect((entries[2]["search"] as? [String: String])?["mode"] == "outcome")
    }

    @Test("the size reckoned up front holds the whole Bundle when nothing needs escaping, so the buffer is never grown")
    func estimatedSize() throws {
        var bundle = try bundle(oddID: "c-2")
        bundle.links = [("self", "https://care.example/fhir/Condition?patient=9434765919&_count=2")]
        bundle.sources = ["gp-a81001": SourceDescription(ods: "A81001", name: "The Surgery", lastRefreshed: Date())]
        #expect(bundle.encoded().readableBytes <= bundle.estimatedSize)
        bundle.ignoredParameters = []
        bundle.total = 1_000_000_000
        #expect(bundle.encoded().readableBytes <= bundle.estimatedSize)
        bundle.entries = []
        bundle.links = []
        #expect(bundle.encoded().readableBytes <= bundle.estimatedSize)
    }

    @Test("the searchset ETag: the same body, the same tag; it changes with any byte outside the resources and with an entry's versionId; with no entries, the digest of the bytes")
    func versionedETag() throws {
        let base = try bundle(oddID: "c-2")
        let (body, etag) = base.encodedWithETag()
        #expect(Data(body.readableBytesView) == Data(base.encoded().readableBytesView))
        #expect(base.encodedWithETag().etag == etag)
        #expect(etag.hasPrefix("W/\"") && etag.count == 28)

        var otherVersion = base
        otherVersion.entries[1].versionId = "v3"
        var otherTotal = base
        otherTotal.total = 8
        var otherSource = base
        otherSource.sources["gp-a81001"] = SourceDescription(ods: "A81001", name: "The \"Surgery\"", lastRefreshed: Date(timeIntervalSince1970: 1_790_000_001))
        var otherID = base
        otherID.entries[0].id = "c-9"
        var otherEntrySource = base
        otherEntrySource.sources["gp-a81002"] = SourceDescription(ods: "A81002", name: "The \"Surgery\"", lastRefreshed: Date(timeIntervalSince1970: 1_790_000_000))
        otherEntrySource.entries[0].sourceId = "gp-a81002"
        let tags = [otherVersion, otherTotal, otherSource, otherID, otherEntrySource].map { $0.encodedWithETag().etag }
        #expect(Set(tags + [etag]).count == 6)

        var empty = base
        empty.entries = []
        let (emptyBody, emptyTag) = empty.encodedWithETag()
        #expect(emptyTag == "W/\"\(SHA256.hash(data: Data(emptyBody.readableBytesView)).prefix(12).map { String(format: "%02x", $0) }.joined())\"")
    }
}
