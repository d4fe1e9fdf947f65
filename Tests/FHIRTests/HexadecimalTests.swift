import FHIR
import Foundation
import Testing

/// Digests in ids, version ids and ETags are written in lower-case hexadecimal, two digits a byte.
@Suite("Hexadecimal")
struct HexadecimalTests {
    @Test("every byte, and 2,000 random byte strings of every length to 64, as printf's %02x writes them")
    func sameAsPrintf() {
        #expect((0...255).map(UInt8.init).hexadecimal == (0...255).map { String(format: "%02x", $0) }.joined())
        #expect([UInt8]().hexadecimal == "")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let bytes = (0..<Int.random(in: 0...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(bytes.hexadecimal == bytes.map { String(format: "%02x", $0) }.joined())
            #expect(bytes.prefix(5).hexadecimal == bytes.prefix(5).map { String(format: "%02x", $0) }.joined())
        }
    }
}
