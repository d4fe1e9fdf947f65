import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few POSIX calls the checkpoint and key files need: append with fsync, and create-without-overwrite.
enum AuditFileIO {
    static func createDirectory(for path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw AuditCheckpointError.writeFailed(path: path, reason: "cannot create its folder \(folder.path)")
        }
    }

    /// Opens with `flags`, writes all of `data`, fsyncs and closes.
    static func writeFile(_ data: Data, to path: String, flags: Int32, mode: mode_t) throws {
        let descriptor = open(path, flags | O_WRONLY | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw failure(path) }
        defer { close(descriptor) }
        try data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw failure(path)
                }
                offset += written
            }
        }
        guard fsync(descriptor) == 0 else { throw failure(path) }
    }

    /// Writes a new file at `path` whole or not at all, never replacing one already there (another node may have made
    /// it first); false when it existed. A temporary file is hard-linked into place because `link` refuses to overwrite.
    static func createExclusively(_ data: Data, at path: String, mode: mode_t) throws -> Bool {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp").path
        defer { unlink(temporary) }
        try writeFile(data, to: temporary, flags: O_CREAT | O_EXCL, mode: mode)
        if link(temporary, path) != 0 {
            if errno == EEXIST { return false }
            throw failure(path)
        }
        // The new directory entry must survive a crash too, or checkpoints would outlive the key that signed them.
        let folder = open(url.deletingLastPathComponent().path, O_RDONLY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
        return true
    }

    static func failure(_ path: String) -> AuditCheckpointError {
        .writeFailed(path: path, reason: String(cString: strerror(errno)))
    }
}
