import Crypto
import Foundation

/// Served ids and version ids derived from content, so they stay the same across re-imports.
enum StableID {
    /// The served id of an upstream resource: the same source, type and upstream id always give the same id.
    static func resourceID(source: String, type: String, upstreamID: String) -> String {
        hex(SHA256.hash(data: Data("\(source)|\(type)|\(upstreamID)".utf8)), length: 32)
    }

    /// A short digest of served content, used as `meta.versionId` and in the `ETag`.
    static func versionID(_ content: Data) -> String {
        hex(SHA256.hash(data: content), length: 16)
    }

    private static func hex(_ digest: SHA256.Digest, length: Int) -> String {
        String(digest.map { String(format: "%02x", $0) }.joined().prefix(length))
    }
}
