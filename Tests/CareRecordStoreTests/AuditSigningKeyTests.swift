import CareRecordStore
import Foundation
import Testing

@Suite("The audit signing key and its PEM files")
struct AuditSigningKeyTests {
    let hash = String(repeating: "0", count: 63) + "1"

    @Test("a key is created once with mode 0600, never overwritten, and loads back the same")
    func loadOrCreate() throws {
        let path = scratchFolder().appendingPathComponent("keys/audit-signing.pem").path
        let (created, wasCreated) = try AuditSigningKey.loadOrCreate(path: path)
        #expect(wasCreated)
        let permissions = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(permissions & 0o777 == 0o600)
        let written = try String(contentsOfFile: path, encoding: .utf8)
        #expect(written.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))

        let (loaded, createdAgain) = try AuditSigningKey.loadOrCreate(path: path)
        #expect(!createdAgain)
        #expect(loaded.publicKeyPEM == created.publicKeyPEM)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == written)
        #expect(try AuditSigningKey(pemFile: path).publicKeyPEM == created.publicKeyPEM)
        #expect(try AuditVerifyKey(pem: created.publicKeyPEM).isAuthentic(try loaded.checkpoint(sequence: 1, headHash: hash)))
    }

    @Test("openssl derives the same public key from our private key file and accepts our signatures")
    func opensslReadsOurKeys() throws {
        let folder = scratchFolder()
        let path = folder.appendingPathComponent("audit-signing.pem").path
        let (key, _) = try AuditSigningKey.loadOrCreate(path: path)
        #expect(try CommandLineTool.openssl.succeed(["pkey", "-in", path, "-pubout"]) == key.publicKeyPEM)

        let checkpoint = try key.checkpoint(sequence: 7, headHash: hash, node: "serve-1")
        let files = (key: folder.appendingPathComponent("verify.pem"), message: folder.appendingPathComponent("message"),
                     signature: folder.appendingPathComponent("signature"))
        try Data(key.publicKeyPEM.utf8).write(to: files.key)
        try checkpoint.signedMessage.write(to: files.message)
        try #require(Data(base64Encoded: checkpoint.signature)).write(to: files.signature)
        let verify = ["pkeyutl", "-verify", "-pubin", "-inkey", files.key.path, "-rawin", "-in", files.message.path, "-sigfile", files.signature.path]
        #expect(try CommandLineTool.openssl.run(verify).status == 0)

        var edited = checkpoint
        edited.sequence = 8
        try edited.signedMessage.write(to: files.message)
        #expect(try CommandLineTool.openssl.run(verify).status != 0)
    }

    @Test("a key made by openssl signs checkpoints that its openssl-derived public key verifies")
    func weReadOpensslKeys() throws {
        let folder = scratchFolder()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let privatePath = folder.appendingPathComponent("private.pem").path
        let publicPath = folder.appendingPathComponent("public.pem").path
        try CommandLineTool.openssl.succeed(["genpkey", "-algorithm", "ed25519", "-out", privatePath])
        try CommandLineTool.openssl.succeed(["pkey", "-in", privatePath, "-pubout", "-out", publicPath])

        let key = try AuditSigningKey(pemFile: privatePath)
        let verifyKey = try AuditVerifyKey(pemFile: publicPath)
        #expect(verifyKey.publicKeyPEM == key.publicKeyPEM)
        #expect(verifyKey.isAuthentic(try key.checkpoint(sequence: 1, headHash: hash)))
        #expect(!AuditSigningKey().verifyKey.isAuthentic(try key.checkpoint(sequence: 1, headHash: hash)))
    }

    @Test("keys of the wrong kind or format are refused with an error that says so")
    func wrongKeys() throws {
        let folder = scratchFolder()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let rsa = folder.appendingPathComponent("rsa.pem").path
        let rsaTraditional = folder.appendingPathComponent("rsa-traditional.pem").path
        let rsaPublic = folder.appendingPathComponent("rsa-public.pem").path
        let ed25519Public = folder.appendingPathComponent("ed25519-public.pem").path
        let garbage = folder.appendingPathComponent("garbage.pem").path
        try CommandLineTool.openssl.succeed(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", rsa])
        try CommandLineTool.openssl.succeed(["pkey", "-in", rsa, "-traditional", "-out", rsaTraditional])
        try CommandLineTool.openssl.succeed(["pkey", "-in", rsa, "-pubout", "-out", rsaPublic])
        try Data(AuditSigningKey().publicKeyPEM.utf8).write(to: URL(fileURLWithPath: ed25519Public))
        try Data("just some text\n".utf8).write(to: URL(fileURLWithPath: garbage))
        let missing = folder.appendingPathComponent("missing.pem").path

        #expect(throws: AuditCheckpointError.notEd25519(source: rsa)) { try AuditSigningKey(pemFile: rsa) }
        #expect(throws: AuditCheckpointError.notEd25519(source: rsaPublic)) { try AuditVerifyKey(pemFile: rsaPublic) }
        #expect(throws: AuditCheckpointError.wrongKind(source: rsaTraditional, found: "-----BEGIN RSA PRIVATE KEY-----", expected: "private key")) {
            try AuditSigningKey(pemFile: rsaTraditional)
        }
        #expect(throws: AuditCheckpointError.wrongKind(source: ed25519Public, found: "-----BEGIN PUBLIC KEY-----", expected: "private key")) {
            try AuditSigningKey(pemFile: ed25519Public)
        }
        #expect(throws: AuditCheckpointError.wrongKind(source: "the verify key", found: "-----BEGIN PRIVATE KEY-----", expected: "public key")) {
            try AuditVerifyKey(pem: AuditSigningKey().privateKeyPEM)
        }
        #expect(throws: AuditCheckpointError.notPEM(source: garbage)) { try AuditSigningKey(pemFile: garbage) }
        #expect(throws: AuditCheckpointError.unreadable(path: missing, reason: "no such file")) { try AuditVerifyKey(pemFile: missing) }
        #expect(AuditCheckpointError.notEd25519(source: rsa).description == "\(rsa) is not an Ed25519 key (make one with: openssl genpkey -algorithm ed25519)")
        #expect(AuditCheckpointError.wrongKind(source: "k.pem", found: "-----BEGIN RSA PRIVATE KEY-----", expected: "private key").description
            == "k.pem holds -----BEGIN RSA PRIVATE KEY-----, not an Ed25519 private key")
    }
}
