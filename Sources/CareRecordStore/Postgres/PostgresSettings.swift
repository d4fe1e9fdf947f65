import Foundation

/// Where the PostgreSQL database is and how to reach it (C9 `database.url`, `passwordFile`, `tls`); the password is
/// never part of a description or a log line.
public struct PostgresSettings: Sendable, Hashable {
    /// TLS to the database: the server's certificate is fully verified (chain and host name) against `caFile`.
    public struct TLS: Sendable, Hashable {
        /// PEM file of the trust anchors for the database server's certificate.
        public var caFile: String

        public init(caFile: String) {
            self.caFile = caFile
        }
    }

    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    /// From a password file or `CARE_RECORD_DATABASE_PASSWORD`, never from the URL.
    public var password: String?
    /// Nil: a plain connection (a database on the same host or a private network).
    public var tls: TLS?

    public init(host: String, port: Int = 5432, user: String, database: String, password: String? = nil, tls: TLS? = nil) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.password = password
        self.tls = tls
    }

    /// Parses `postgresql://user@host:port/database`; a password in the URL, query parameters or a missing part are errors.
    public init(url: String, password: String?, tlsCAFile: String?) throws(PostgresSettingsError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw .invalidURL("not a URL; expected postgresql://user@host:port/database")
        }
        guard scheme == "postgresql" || scheme == "postgres" else {
            throw .invalidURL("the scheme must be postgresql://, not \(scheme)://")
        }
        guard components.password == nil else { throw .passwordInURL }
        guard let user = components.user, !user.isEmpty else {
            throw .invalidURL("no user: expected postgresql://user@host:port/database")
        }
        guard let host = components.host, !host.isEmpty else {
            throw .invalidURL("no host: expected postgresql://user@host:port/database")
        }
        guard components.percentEncodedQuery == nil, components.fragment == nil else {
            throw .invalidURL("query parameters are not supported (TLS is set with database.tls.caFile, the password with database.passwordFile)")
        }
        let database = String(components.path.dropFirst())
        guard components.path.hasPrefix("/"), !database.isEmpty, !database.contains("/") else {
            throw .invalidURL("no database name: expected postgresql://user@host:port/database")
        }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw .invalidURL("port \(port) is out of range") }
        // URLComponents keeps the brackets of an IPv6 literal; a socket address wants the bare address.
        let bareHost = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.init(host: bareHost, port: port, user: user, database: database, password: password, tls: tlsCAFile.map(TLS.init))
    }
}

extension PostgresSettings: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The URL without the password, and whether TLS is on: safe for logs and error messages.
    public var description: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return "postgresql://\(user)@\(host):\(port)/\(database)" + (tls.map { " (TLS, CA \($0.caFile))" } ?? "")
    }

    public var debugDescription: String { description }

    /// `dump` and string interpolation of containing types see no password either.
    public var customMirror: Mirror {
        Mirror(self, children: ["host": host, "port": port, "user": user, "database": database, "password": password == nil ? "none" : "set", "tls": tls as Any])
    }
}

/// Why database settings could not be used.
public enum PostgresSettingsError: Error, Hashable, CustomStringConvertible {
    case invalidURL(String)
    case passwordInURL

    public var description: String {
        switch self {
        case .invalidURL(let reason):
            "database.url: \(reason)"
        case .passwordInURL:
            "database.url must not contain a password: put it in the file named by database.passwordFile, "
                + "or in the environment variable CARE_RECORD_DATABASE_PASSWORD"
        }
    }
}
