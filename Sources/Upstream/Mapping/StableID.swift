import Crypto
import FHIR
import Foundation

/// Served ids and version ids derived from content, so they stay the same across re-imports.
enum StableID {
    /// The served id of an upstream resource: the same source, type and upstream id always give the same id.
    static func resourceID(source: String, type: String, upstreamID: String) -> String {
        var hasher = SHA256()
        update(&hasher, source, "|", type, "|", upstreamID)
        return hex(hasher.finalize(), length: 32)
    }

    /// `meta.versionId` (and the ETag): a digest of the upstream resource's bytes, its source and the mapping revision,
    /// so it changes whenever what is served changes, without encoding the resource twice.
    static func versionID(_ upstream: Data, source: String, revision: Int) -> String {
        var hasher = SHA256()
        update(&hasher, source, "|", String(revision), "|")
        hasher.update(data: upstream)
        return hex(hasher.finalize(), length: 16)
    }

    /// Hashes the parts' UTF-8 bytes one after the other: the digest of their concatenation, without building it.
    private static func update(_ hasher: inout SHA256, _ parts: String...) {
        for var part in parts {
            part.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
    }

    private static func hex(_ digest: SHA256.Digest, length: Int) -> String {
        String(digest.prefix(length / 2).hexadecimal)
    }
}
