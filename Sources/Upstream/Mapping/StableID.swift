import Crypto
import FHIR
import Foundation

/// Served ids and version ids derived from content, so they stay the same across re-imports.
enum StableID {
    /// The served id of an upstream resource: the same source, type and upstream id always give the same id.
    static func resourceID(source: String, type: String, upstreamID: String) -> String {
        hex(SHA256.hash(data: Data("\(source)|\(type)|\(upstreamID)".utf8)), length: 32)
    }

    /// `meta.versionId` (and the ETag): a digest of the upstream resource's bytes, its source and the mapping revision,
    /// so it changes whenever what is served changes, without encoding the resource twice.
    static func versionID(_ upstream: Data, source: String, revision: Int) -> String {
        var hasher = SHA256()
        hasher.update(data: Data("\(source)|\(revision)|".utf8))
        hasher.update(data: upstream)
        return hex(hasher.finalize(), length: 16)
    }

    private static func hex(_ digest: SHA256.Digest, length: Int) -> String {
        String(digest.prefix(length / 2).hexadecimal)
    }
}
