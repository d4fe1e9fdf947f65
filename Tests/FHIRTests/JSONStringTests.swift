import FHIR
import Foundation
import Testing

/// `JSONString`, which writes every string the server builds JSON from by hand (bundles, log lines, extensions).
@Suite("JSON string literals")
struct JSONStringTests {
    static let alphabet: [Unicode.Scalar] =
        (0..<0x80).compactMap(Unicode.Scalar.init) + ["é", "–", "\u{2028}", "\u{2029}", "\u{2027}", "😀"]  // not U+FEFF: JSONSerialization, the oracle, drops it

    @Test("any string reads back as itself; controls, DEL and U+2028/2029 escaped; plain text written as it is")
    func roundTrip() throws {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...20, using: &random) { scalars.append(Self.alphabet.randomElement(using: &random)!) }
            let text = String(scalars)
            let quoted = JSONString.quoted(text)
            let decoded = try JSONSerialization.jsonObject(with: Data(quoted.utf8), options: .fragmentsAllowed) as? String
            #expect(decoded == text, "\(quoted)")
            #expect(!quoted.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0 == "\u{2028}" || $0 == "\u{2029}" }, "\(quoted)")
        }
        #expect(JSONString.quoted("https://x.example/Condition/gp-cond-1-0 – é") == "\"https://x.example/Condition/gp-cond-1-0 – é\"")
        #expect(JSONString.quoted("a\u{2028}b\"c\\") == "\"a\\u2028b\\\"c\\\\\"")
    }
}
