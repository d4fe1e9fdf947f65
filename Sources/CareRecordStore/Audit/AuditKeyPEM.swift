import Foundation

/// Ed25519 keys in the standard PEM wrappers (RFC 8410: PKCS#8 and SubjectPublicKeyInfo), so the files
/// are the same ones `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout` read and write.
enum AuditKeyPEM {
    static let privateLabel = "PRIVATE KEY"
    static let publicLabel = "PUBLIC KEY"
    /// PrivateKeyInfo { version 0, algorithm id-Ed25519 (1.3.101.112), OCTET STRING { OCTET STRING (32) } }.
    static let privatePrefix: [UInt8] = [0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]
    /// SubjectPublicKeyInfo { algorithm id-Ed25519, BIT STRING (32 bytes, no unused bits) }.
    static let publicPrefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]

    static func encode(label: String, prefix: [UInt8], raw: Data) -> String {
        let base64 = (Data(prefix) + raw).base64EncodedString()
        // Foundation's line-length option ends lines with CRLF; PEM tools expect LF.
        var lines = ["-----BEGIN \(label)-----"]
        var rest = Substring(base64)
        while !rest.isEmpty {
            lines.append(String(rest.prefix(64)))
            rest = rest.dropFirst(64)
        }
        lines.append("-----END \(label)-----")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The 32 raw key bytes from the first `label` block of `pem`; `source` names it in errors.
    static func rawKey(pem: String, label: String, prefix: [UInt8], source: String) throws -> Data {
        let blocks = Self.blocks(pem)
        guard let first = blocks.first else { throw AuditCheckpointError.notPEM(source: source) }
        guard let block = blocks.first(where: { $0.label == label }) else {
            throw AuditCheckpointError.wrongKind(
                source: source, found: "-----BEGIN \(first.label)-----", expected: label == privateLabel ? "private key" : "public key")
        }
        guard let der = block.der else { throw AuditCheckpointError.notPEM(source: source) }
        guard der.count == prefix.count + 32, der.starts(with: prefix) else { throw AuditCheckpointError.notEd25519(source: source) }
        return der.suffix(32)
    }

    /// The text of a key file, with the reason when it cannot be read.
    static func read(path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "not readable as UTF-8 text" : "no such file"
            throw AuditCheckpointError.unreadable(path: path, reason: reason)
        }
    }

    /// Every `-----BEGIN X-----` ... `-----END X-----` block, with its DER when the body is valid base64.
    private static func blocks(_ pem: String) -> [(label: String, der: Data?)] {
        var blocks: [(label: String, der: Data?)] = []
        var current: (label: String, body: String)?
        for line in pem.split(whereSeparator: \.isNewline).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.hasPrefix("-----BEGIN "), line.hasSuffix("-----"), line.count > 16 {
                current = (String(line.dropFirst(11).dropLast(5)), "")
            } else if let open = current, line == "-----END \(open.label)-----" {
                blocks.append((open.label, Data(base64Encoded: open.body)))
                current = nil
            } else if current != nil {
                current?.body += line
            }
        }
        return blocks
    }
}
