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

    @Test("wrong length or characters fail", arguments: ["", "943476591", "94347659190", "94347659l9", "943476591X", "-434765919", "９４３４７６５９１９"])
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
}
