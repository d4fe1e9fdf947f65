import Crypto
import Foundation
import JWTKit

/// A development signing key (ES256) and the JWKS that verifies it.
enum KeyMaterial {
    static let privateKeyFile = "signing-key.pem"
    static let jwksFile = "jwks.json"

    /// Writes `signing-key.pem` (owner-only) and `jwks.json` into `folder`.
    static func generate(in folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let key = ES256PrivateKey()
        guard let parameters = key.parameters else { throw CLIError("cannot read the generated key") }
        let keyURL = folder.appendingPathComponent(privateKeyFile)
        try Data(key.pemRepresentation.utf8).write(to: keyURL)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyURL.path)
        let jwk: [String: String] = [
            "kty": "EC", "crv": "P-256", "x": parameters.x, "y": parameters.y, "use": "sig", "alg": "ES256",
            "kid": thumbprint(x: parameters.x, y: parameters.y),
        ]
        let jwks = try JSONSerialization.data(withJSONObject: ["keys": [jwk]], options: [.prettyPrinted, .sortedKeys])
        try jwks.write(to: folder.appendingPathComponent(jwksFile))
    }

    /// The RFC 7638 thumbprint of a P-256 public key: its `kid`.
    static func thumbprint(x: String, y: String) -> String {
        let canonical = #"{"crv":"P-256","kty":"EC","x":"\#(x)","y":"\#(y)"}"#
        return Data(SHA256.hash(data: Data(canonical.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
