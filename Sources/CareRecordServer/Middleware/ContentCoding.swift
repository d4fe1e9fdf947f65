import CompressNIO
import NIOCore

/// The response content codings the API can apply (RFC 9110 §8.4.1): `gzip`, and `deflate`, which in HTTP is the zlib
/// format (RFC 1950), not raw deflate.
enum ContentCoding: String, Sendable, CaseIterable {
    case gzip
    case deflate

    var algorithm: CompressionAlgorithm {
        switch self {
        case .gzip: .gzip()
        case .deflate: .zlib()
        }
    }

    func compress(_ body: ByteBuffer) throws -> ByteBuffer {
        var input = body
        return try input.compress(with: algorithm)
    }

    /// The coding an `Accept-Encoding` header asks for, by q-value (gzip first on a tie, then deflate); nil means identity:
    /// no header, nothing we support with q above 0, or `identity` named with a higher q. A client that refuses identity as
    /// well (`identity;q=0`) still gets it rather than a 406.
    static func preferred(_ header: String?) -> ContentCoding? {
        guard let header else { return nil }
        var weights: [String: Double] = [:]
        for element in header.split(separator: ",") {
            let parts = element.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let name = parts.first, !name.isEmpty else { continue }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.map { Double($0.dropFirst(2)) ?? 0 } ?? 1
            // x-gzip is gzip's old name (RFC 9110 §8.4.1.3); a repeated coding keeps its first weight.
            let coding = name == "x-gzip" ? "gzip" : name
            if weights[coding] == nil { weights[coding] = min(max(quality, 0), 1) }
        }
        let wildcard = weights["*"]
        let weight = { (coding: String) in weights[coding] ?? wildcard ?? 0 }
        // Identity is always sent when nothing better is acceptable; it outranks a coding only when named with a higher q.
        let identity = weights["identity"] ?? 0
        let best = allCases.max { weight($0.rawValue) < weight($1.rawValue) || (weight($0.rawValue) == weight($1.rawValue) && $0 == .deflate && $1 == .gzip) }
        guard let best, weight(best.rawValue) > 0, weight(best.rawValue) >= identity else { return nil }
        return best
    }
}
