import FHIR
import Testing

@Suite("NHS number Modulus 11")
struct NHSNumberTests {
    @Test("valid numbers pass", arguments: ["9434765919", "4010232137", "9000000009", "943 476 5919", "9876543210"])
    func valid(_ text: String) {
        #expect(NHSNumber(text) != nil)
    }

    @Test("a wrong check digit fails", arguments: ["9434765918", "9434765910", "4010232138", "9000000008"])
    func wrongCheckDigit(_ text: String) {
        #expect(NHSNumber(text) == nil)
    }

    @Test("wrong length or characters fail", arguments: ["", "943476591", "94347659190", "94347659l9", "943476591X", "-434765919", "９４３４７６５９１９",
                                                     "9434765919\u{301}", "9\u{301}434765919", " \u{301}9434765919", "943476\t5919", "9434765919\u{0}",
                                                     "9434 765 919 1", "٩٤٣٤٧٦٥٩١٩"])
    func malformed(_ text: String) {
        #expect(NHSNumber(text) == nil)
    }

    @Test("a remainder giving check digit 10 makes the number unusable")
    func checkDigitTen() {
        // 1000000010: weights 10..2 over 1,0,0,0,0,0,0,0,1 give 10 + 2 = 12; 12 % 11 = 1; 11 - 1 = 10.
        #expect(NHSNumber.checkDigit(forFirstNine: [1, 0, 0, 0, 0, 0, 0, 0, 1]) == nil)
        for last in 0...9 {
            #expect(NHSNumber("100000001\(last)") == nil)
        }
    }

    @Test("check digit 11 becomes 0")
    func checkDigitEleven() {
        // 9000000000 first nine: 9 * 10 = 90; 90 % 11 = 2; 11 - 2 = 9 -> 9000000009; find one with remainder 0:
        // 1,1,0,0,0,0,0,0,0 -> 10 + 9 = 19 % 11 = 8 -> 3; use 0,0,0,0,0,0,0,0,0 -> 0 -> 11 -> 0.
        #expect(NHSNumber.checkDigit(forFirstNine: [0, 0, 0, 0, 0, 0, 0, 0, 0]) == 0)
        #expect(NHSNumber("0000000000") != nil)
    }

    @Test("the printed form keeps only digits and the log form hides all but four")
    func forms() throws {
        let nhs = try #require(NHSNumber("943 476 5919"))
        #expect(nhs.value == "9434765919")
        #expect(nhs.redacted == "******5919")
        #expect(nhs.identifier.system == "https://fhir.nhs.uk/Id/nhs-number")
    }

    /// The Character-by-Character parser NHSNumber had before issue 12, kept here as the reference for the byte parser.
    static func referenceValue(_ text: String) -> String? {
        let digits = text.filter { $0 != " " }
        guard digits.count == 10, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let values = digits.compactMap { $0.wholeNumberValue }
        guard let check = NHSNumber.checkDigit(forFirstNine: values.prefix(9)), check == values[9] else { return nil }
        return digits
    }

    @Test("the byte parser accepts and refuses exactly what the Character parser did, over 50,000 generated texts")
    func sameAsCharacterParser() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", " ", " ", "\t", "\u{301}", "９", "٣", "x", "\u{0}", "\r\n", "é"]
        var accepted = 0
        for round in 0..<50_000 {
            // Mostly valid numbers with noise mixed in, so both outcomes are common.
            var text = ""
            if round % 2 == 0, let valid = Self.validNumbers.randomElement(using: &generator) {
                text = valid
                for _ in 0..<Int.random(in: 0...2, using: &generator) {
                    let index = text.index(text.startIndex, offsetBy: Int.random(in: 0...text.count, using: &generator))
                    text.insert(contentsOf: pieces.randomElement(using: &generator)!, at: index)
                }
            } else {
                for _ in 0..<Int.random(in: 8...13, using: &generator) { text += pieces.randomElement(using: &generator)! }
            }
            let parsed = NHSNumber(text)?.value
            #expect(parsed == Self.referenceValue(text), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
            if parsed != nil { accepted += 1 }
        }
        #expect(accepted > 5_000)
    }

    static let validNumbers = ["9434765919", "4010232137", "9000000009", "9876543210", "0000000000", "9434 765 919", " 4010232137 "]
}
