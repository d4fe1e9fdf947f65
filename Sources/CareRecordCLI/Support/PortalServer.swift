import CareRecordServer
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// What the portal reads from its own `config.json`: the API's address (never taken from the page's address) and how
/// patients sign in.
struct PortalConfiguration: Codable, Sendable, Equatable {
    /// The FHIR API the portal calls, with its patient's token.
    var apiBaseURL: String
    /// The SMART client id registered with the identity provider; without it the portal offers no SMART sign-in.
    var clientId: String?
    /// Development only: a token pasted into a form, or given as `index.html#access_token=...`.
    var developmentSignIn: Bool
}

/// Serves the reference patient portal (`Examples/portal/`) on an origin of its own, so a browser calls the API across
/// origins (CORS), as a real portal would. Only the portal's own files and a generated `config.json` are served.
struct PortalServer: Sendable {
    /// The files served, by name, with their media types: nothing else in the folder is reachable.
    static let files: [String: String] = [
        "index.html": "text/html; charset=utf-8", "portal.js": "text/javascript; charset=utf-8", "portal.css": "text/css; charset=utf-8",
    ]
    static let contentSecurityPolicy = HTTPField.Name("Content-Security-Policy")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let contentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let frameOptions = HTTPField.Name("X-Frame-Options")!

    let folder: URL
    let configuration: PortalConfiguration
    /// Origins the page may fetch from besides its own: the API's, and the SMART token endpoint's.
    let connectOrigins: [String]

    /// The portal's folder: `option` when given, else `Examples/portal` under the working directory, else under the
    /// repository this executable was built in (found by walking up from the executable: `.build/debug/care-record`).
    static func locate(option: String?) throws -> URL {
        if let option {
            let folder = URL(fileURLWithPath: option).standardizedFileURL
            guard holdsPortal(folder) else { throw CLIError("--portal-dir \(option) does not hold the portal's index.html, portal.js and portal.css") }
            return folder
        }
        var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        for executable in [URL(fileURLWithPath: CommandLine.arguments[0]), Bundle.main.executableURL].compactMap({ $0 }) {
            var folder = executable.resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<6 {
                candidates.append(folder)
                folder = folder.deletingLastPathComponent()
            }
        }
        for base in candidates {
            let folder = base.appendingPathComponent("Examples/portal").standardizedFileURL
            if holdsPortal(folder) { return folder }
        }
        throw CLIError("the portal's files (Examples/portal/) were not found from here or beside this executable; name the folder with --portal-dir")
    }

    static func holdsPortal(_ folder: URL) -> Bool {
        files.keys.allSatisfy { FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }
    }

    /// The portal's pages; files are read on each request (edits show on reload), from the fixed list only.
    func router() throws -> Router<BasicRequestContext> {
        let config = try JSONEncoder.sorted.encode(configuration)
        let router = Router()
        let headers = securityHeaders()
        router.get("/") { _, _ in try read("index.html", headers: headers) }
        for name in Self.files.keys {
            router.get("/\(name)") { _, _ in try read(name, headers: headers) }
        }
        router.get("/config.json") { _, _ in
            var fields = headers
            fields[.contentType] = "application/json"
            return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: config)))
        }
        return router
    }

    func application(host: String = "127.0.0.1", port: Int, logger: Logger, onRunning: @escaping @Sendable () async -> Void = {}) throws -> some ApplicationProtocol {
        Application(
            router: try router(), configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { _ in await onRunning() }, logger: logger)
    }

    /// No caching, no sniffing, no framing, no referrer (a sign-in's code is in the address), and a policy that lets
    /// the page run only its own script and talk only to itself and `connectOrigins`.
    func securityHeaders() -> HTTPFields {
        let connect = (["'self'"] + connectOrigins).joined(separator: " ")
        return [
            .cacheControl: "no-store",
            Self.contentTypeOptions: "nosniff",
            Self.referrerPolicy: "no-referrer",
            Self.frameOptions: "DENY",
            Self.contentSecurityPolicy:
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src \(connect); base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ]
    }

    private func read(_ name: String, headers: HTTPFields) throws -> Response {
        guard let type = Self.files[name], let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else {
            return Response(status: .notFound)
        }
        var fields = headers
        fields[.contentType] = type
        return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The origin (`scheme://host[:port]`) of a URL, for the content security policy.
    static func origin(of url: String) -> String? {
        CORSSettings.origin(url) ?? URL(string: url).flatMap { url in
            guard let scheme = url.scheme, let host = url.host else { return nil }
            return "\(scheme)://\(host)\(url.port.map { ":\($0)" } ?? "")"
        }
    }
}

extension JSONEncoder {
    /// Sorted keys and unescaped slashes: stable, readable JSON.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
