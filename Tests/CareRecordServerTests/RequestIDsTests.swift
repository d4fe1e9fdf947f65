import Foundation
import Testing
@testable import CareRecordServer

@Suite("Request ids (issue 12): random version 4 UUIDs as Foundation writes them")
struct RequestIDsTests {
    @Test("the text of given bytes is Foundation's UUID text, lowercased, with the version and variant bits set")
    func formatMatchesFoundation() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = RequestIDs.format(bytes)
            bytes[6] = (bytes[6] & 0x0F) | 0x40
            bytes[8] = (bytes[8] & 0x3F) | 0x80
            let uuid = UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                                   bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
            #expect(text == uuid.uuidString.lowercased())
        }
        #expect(RequestIDs.format(Array(repeating: 0, count: 16)) == "00000000-0000-4000-8000-000000000000")
        #expect(RequestIDs.format(Array(repeating: 0xFF, count: 16)) == "ffffffff-ffff-4fff-bfff-ffffffffffff")
    }

    @Test("ids drawn past several refills of the pool are all different, well formed, version 4")
    func unique() {
        let random = KernelRandom()
        var seen = Set<String>()
        for _ in 0..<3_000 {
            let id = RequestIDs.next(from: random)
            #expect(id.count == 36)
            #expect(id == id.lowercased())
            let parsed = UUID(uuidString: id)
            #expect(parsed != nil)
            let characters = Array(id)
            #expect(characters[14] == "4")
            #expect("89ab".contains(characters[19]))
            seen.insert(id)
        }
        #expect(seen.count == 3_000)
    }

    @Test("the pooled generator's words are not repeated across refills, and every bit varies")
    func pooledWords() {
        let random = KernelRandom()
        var words = Set<UInt64>()
        var ones: UInt64 = 0
        var zeros: UInt64 = 0
        for _ in 0..<2_000 {
            let word = random.next()
            words.insert(word)
            ones |= word
            zeros |= ~word
        }
        #expect(words.count == 2_000)
        #expect(ones == .max && zeros == .max)
    }
}
