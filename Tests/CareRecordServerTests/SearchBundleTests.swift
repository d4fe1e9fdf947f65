import FHIR
import Foundation
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
}
