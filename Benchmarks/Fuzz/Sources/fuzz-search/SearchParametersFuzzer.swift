import CareRecordServer
import Foundation
import FuzzSupport
import Hummingbird

/// Fuzzes search requests: the input is the query string of `GET /AuditEvent?...` (bytes a client could not send raw are
/// percent-encoded), parsed by `FuzzEntryPoints.auditEventSearch` with the server's own code: `SearchParameters`, `page()`,
/// `patientNHSNumber`, and the `date` and `subtype` parsers. Every refusal must be a 400; every accepted query must come back
/// unchanged through the page's own `self` link.
enum SearchFuzzTarget {
    static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// The request target a client sends: visible ASCII as is, anything else percent-encoded.
    static func target(_ query: Data) -> String {
        var bytes = Array("/AuditEvent?".utf8)
        for byte in query {
            if (0x21...0x7E).contains(byte) {
                bytes.append(byte)
            } else {
                bytes += [UInt8(ascii: "%"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func request(_ target: String) -> Request {
        Request(head: HTTPRequest(method: .get, scheme: "http", authority: "127.0.0.1", path: target), body: RequestBody(buffer: ByteBuffer()))
    }

    static func run(_ input: Data) {
        let parsed: (values: [String: [String]], selfQuery: String)
        do {
            parsed = try FuzzEntryPoints.auditEventSearch(request(target(input)))
        } catch let error as FHIRError {
            guard error.status == .badRequest, error.code == .invalidParameter || error.code == .invalidNHSNumber else {
                FuzzSupport.fail("refused with \(error.status.code) \(error.code.rawValue)", input: input)
            }
            return
        } catch {
            FuzzSupport.fail("threw \(type(of: error)), which the server would answer with a 500", input: input)
        }
        // Following the page's own link must ask for the same thing again.
        let again: (values: [String: [String]], selfQuery: String)
        do {
            again = try FuzzEntryPoints.auditEventSearch(request("/AuditEvent?\(parsed.selfQuery)"))
        } catch {
            FuzzSupport.fail("the self link ?\(parsed.selfQuery) is refused: \(error)", input: input)
        }
        guard unordered(again.values) == unordered(parsed.values), again.selfQuery == parsed.selfQuery else {
            FuzzSupport.fail("the self link ?\(parsed.selfQuery) reads back as \(again.values), not \(parsed.values)", input: input)
        }
    }
}

extension SearchFuzzTarget {
    /// The parameters as a search means them: paging aside (the link states it explicitly), and a repeated parameter's
    /// values in any order (repeated `date` bounds all apply; the link lists them sorted).
    static func unordered(_ values: [String: [String]]) -> [String: [String]] {
        values.filter { $0.key != "_count" && $0.key != "_offset" }.mapValues { $0.sorted() }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSearchParameters(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    SearchFuzzTarget.run(FuzzSupport.bytes(data, size))
    return 0
}
