import CareRecordServer
import Foundation

extension CareRecordConfiguration {
    /// `server.tls: { certificate, key, clientCA? }`: the files are read and checked when the configuration loads, so a
    /// missing file, a key that does not match or a non-PEM file is the usual one-line error.
    static func serverTLS(_ node: ConfigNode, resolve: (String) -> String) throws -> ServerTLS.Files {
        try node.allowOnly(["certificate", "key", "clientCA"])
        let files = ServerTLS.Files(
            certificate: resolve(try node.string("certificate")), key: resolve(try node.string("key")),
            clientCA: try node.optionalString("clientCA").map(resolve))
        do {
            _ = try ServerTLS(files: files)
        } catch {
            throw ConfigurationError("\(error)")
        }
        return files
    }

    /// `server.cors: { allowedOrigins: [...] }`: exact origins (`scheme://host[:port]`), stored as browsers send them.
    static func cors(_ node: ConfigNode) throws -> CORSSettings {
        try node.allowOnly(["allowedOrigins"])
        let listed = try node.optionalStringList("allowedOrigins") ?? []
        let origins = try listed.map { text in
            guard let origin = CORSSettings.origin(text) else {
                throw ConfigurationError(
                    "server.cors.allowedOrigins: '\(text)' is not an origin (scheme://host[:port], no path; '*' is not accepted: list each origin)")
            }
            return origin
        }
        return CORSSettings(allowedOrigins: Set(origins))
    }
}
