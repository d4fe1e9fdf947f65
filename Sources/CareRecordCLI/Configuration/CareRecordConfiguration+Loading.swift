import CareRecordServer
import CareRecordStore
import Foundation
import Upstream
import Yams

extension CareRecordConfiguration {
    /// Reads and checks a configuration file: YAML (or JSON), no unknown keys, every required value present.
    /// `environment` supplies `CARE_RECORD_DATABASE_PASSWORD` when no `database.passwordFile` is given.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> CareRecordConfiguration {
        let url = URL(fileURLWithPath: path)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw ConfigurationError("\(path): cannot read the configuration file")
        }
        let document: Any?
        do {
            document = try Yams.load(yaml: text)
        } catch {
            throw ConfigurationError("\(path): not valid YAML (\(Self.yamlProblem(error)))")
        }
        do {
            return try parse(document, baseDirectory: url.deletingLastPathComponent(), environment: environment)
        } catch let error as ConfigurationError {
            throw ConfigurationError("\(path): \(error.description)")
        }
    }

    /// Builds a configuration from a parsed YAML document.
    static func parse(_ document: Any?, baseDirectory: URL, environment: [String: String] = [:]) throws -> CareRecordConfiguration {
        let root = try ConfigNode(document, path: "")
        try root.allowOnly(["server", "database", "auth", "audit", "organisations", "sources", "sync", "logging", "tracing"])
        let resolve = { (path: String) in Self.resolve(path, against: baseDirectory) }

        let serverNode = try root.optionalMap("server")
        try serverNode?.allowOnly(["host", "port", "baseURL", "rateLimit", "trustedProxies", "shutdownDrainSeconds", "tls", "cors", "metrics"])
        let host = try serverNode?.optionalString("host") ?? "127.0.0.1"
        let port = try serverNode?.optionalInt("port") ?? 8080
        guard (1...65535).contains(port) else { throw ConfigurationError("server.port must be from 1 to 65535") }
        let tls = try serverNode?.optionalMap("tls").map { try serverTLS($0, resolve: resolve) }
        let baseURL = try serverNode?.optionalString("baseURL") ?? "\(tls == nil ? "http" : "https")://\(host):\(port)"
        guard let base = URL(string: baseURL), ["http", "https"].contains(base.scheme ?? "") else {
            throw ConfigurationError("server.baseURL must be an http or https URL")
        }

        var server = Server(host: host, port: port, baseURL: baseURL, tls: tls)
        if let cors = try serverNode?.optionalMap("cors") { server.cors = try Self.cors(cors) }
        if let limits = try serverNode?.optionalMap("rateLimit") { server.rateLimit = try rateLimit(limits) }
        let proxies = try serverNode?.optionalStringList("trustedProxies") ?? []
        if let bad = proxies.first(where: { !IPAddressText.isValid($0) }) {
            throw ConfigurationError("server.trustedProxies: '\(bad)' is not an IP address")
        }
        server.trustedProxies = Set(proxies)
        server.shutdownDrainSeconds = try serverNode?.optionalInt("shutdownDrainSeconds") ?? 5
        guard (0...300).contains(server.shutdownDrainSeconds) else { throw ConfigurationError("server.shutdownDrainSeconds must be from 0 to 300") }
        server.metrics = try metricsListener(try serverNode?.optionalMap("metrics"), apiPort: port)

        let database = try Self.database(try root.map("database"), environment: environment, resolve: resolve)
        // Checkpoint files and the signing key sit beside the audit database, or beside the configuration on PostgreSQL.
        let auditFolder: URL
        if case .sqlite(_, let auditPath) = database {
            auditFolder = URL(fileURLWithPath: auditPath).deletingLastPathComponent()
        } else {
            auditFolder = baseDirectory.standardizedFileURL
        }
        let auth = try root.map("auth")
        try auth.allowOnly([
            "issuer", "audience", "jwks", "jwksRefreshSeconds", "maximumTokenLifetimeSeconds", "authorizationEndpoint", "tokenEndpoint", "requireScopes",
        ])
        let authorizationEndpoint = try auth.optionalString("authorizationEndpoint")
        let tokenEndpoint = try auth.optionalString("tokenEndpoint")
        guard (authorizationEndpoint == nil) == (tokenEndpoint == nil) else {
            throw ConfigurationError("auth.authorizationEndpoint and auth.tokenEndpoint go together")
        }
        for (name, value) in [("authorizationEndpoint", authorizationEndpoint), ("tokenEndpoint", tokenEndpoint)] {
            if let value, URL(string: value)?.scheme != "https" { throw ConfigurationError("auth.\(name) must be an https URL") }
        }
        let requireScopes = try auth.optionalBool("requireScopes") ?? false
        let jwks = try auth.string("jwks")
        let refresh = try auth.optionalInt("jwksRefreshSeconds") ?? 300
        guard refresh >= 0 else { throw ConfigurationError("auth.jwksRefreshSeconds must be 0 or more") }
        let lifetime = try auth.optionalInt("maximumTokenLifetimeSeconds") ?? 43_200
        guard lifetime > 0 else { throw ConfigurationError("auth.maximumTokenLifetimeSeconds must be positive") }
        let audit = try Self.audit(try root.optionalMap("audit"), folder: auditFolder, resolve: resolve)

        let organisations = try root.list("organisations").map { node in
            try node.allowOnly(["ods", "name", "type"])
            let type = try node.string("type")
            guard organisationTypes.contains(type) else {
                throw ConfigurationError("\(node.path).type '\(type)' is not one of \(organisationTypes.sorted().joined(separator: ", "))")
            }
            return Organisation(ods: try node.string("ods"), name: try node.string("name"), type: type)
        }
        try requireUnique(organisations.map(\.ods), what: "organisation ods")
        let sources = try (root.optionalList("sources") ?? []).map { try source($0, organisations: organisations, resolve: resolve) }
        try requireUnique(sources.map(\.id), what: "source id")

        let syncNode = try root.optionalMap("sync")
        try syncNode?.allowOnly(["schedule"])
        let schedule = try syncNode?.optionalString("schedule")
        if let schedule, DailySchedule(schedule) == nil {
            throw ConfigurationError("sync.schedule must be a time of day as HH:MM, not '\(schedule)'")
        }
        return CareRecordConfiguration(
            server: server, database: database,
            auth: Auth(
                issuer: try auth.string("issuer"), audience: try auth.string("audience"), jwks: jwks.hasPrefix("https://") ? jwks : resolve(jwks),
                jwksRefreshSeconds: refresh, maximumTokenLifetimeSeconds: lifetime, authorizationEndpoint: authorizationEndpoint,
                tokenEndpoint: tokenEndpoint, requireScopes: requireScopes),
            audit: audit, organisations: organisations, sources: sources, syncSchedule: schedule, logging: try logging(try root.optionalMap("logging")),
            tracing: try tracing(try root.optionalMap("tracing")))
    }

    /// `server.rateLimit`; `null` switches a limit off.
    static func rateLimit(_ node: ConfigNode) throws -> RateLimitSettings {
        try node.allowOnly(["unauthenticatedPerSecond", "unauthenticatedBurst", "perUserPerSecond", "perUserBurst"])
        var settings = RateLimitSettings()
        if node.isNull("unauthenticatedPerSecond") {
            settings.unauthenticatedPerSecond = nil
        } else if let rate = try node.optionalNumber("unauthenticatedPerSecond") {
            settings.unauthenticatedPerSecond = rate
        }
        settings.unauthenticatedBurst = try node.optionalInt("unauthenticatedBurst") ?? settings.unauthenticatedBurst
        settings.perUserPerSecond = try node.optionalNumber("perUserPerSecond")
        settings.perUserBurst = try node.optionalInt("perUserBurst")
        for (name, rate) in [("unauthenticatedPerSecond", settings.unauthenticatedPerSecond), ("perUserPerSecond", settings.perUserPerSecond)] {
            if let rate, rate <= 0 { throw ConfigurationError("server.rateLimit.\(name) must be positive (or null for no limit)") }
        }
        for (name, burst) in [("unauthenticatedBurst", settings.unauthenticatedBurst), ("perUserBurst", settings.perUserBurst ?? 1)] where burst < 1 {
            throw ConfigurationError("server.rateLimit.\(name) must be 1 or more")
        }
        return settings
    }

    /// `database`: a SQLite `path` (and `auditPath`), or a PostgreSQL `url` with `passwordFile` and `tls`; never both.
    static func database(_ node: ConfigNode, environment: [String: String], resolve: (String) -> String) throws -> Database {
        try node.allowOnly(["path", "auditPath", "url", "passwordFile", "tls"])
        let sqliteKeys = ["path", "auditPath"].filter(node.has)
        let postgresKeys = ["url", "passwordFile", "tls"].filter(node.has)
        if !sqliteKeys.isEmpty && !postgresKeys.isEmpty {
            throw ConfigurationError(
                "database: \(sqliteKeys.joined(separator: ", ")) (SQLite) and \(postgresKeys.joined(separator: ", ")) (PostgreSQL) cannot be used together")
        }
        guard node.has("url") else {
            guard node.has("path") else {
                throw ConfigurationError(
                    postgresKeys.isEmpty
                        ? "database.path (SQLite) or database.url (PostgreSQL) is required"
                        : "database.\(postgresKeys[0]) needs database.url")
            }
            let path = resolve(try node.string("path"))
            let auditPath = try node.optionalString("auditPath").map(resolve)
                ?? URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("audit.sqlite").path
            return .sqlite(path: path, auditPath: auditPath)
        }
        var password = environment["CARE_RECORD_DATABASE_PASSWORD"]
        if let file = try node.optionalString("passwordFile").map(resolve) {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ConfigurationError("database.passwordFile: cannot read \(file)")
            }
            // One line; the newline an editor adds is not part of the password.
            password = String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
        }
        var caFile: String?
        if let tls = try node.optionalMap("tls") {
            try tls.allowOnly(["caFile"])
            caFile = resolve(try tls.string("caFile"))
        }
        let url = try node.string("url")
        do {
            return .postgresql(try PostgresSettings(url: url, password: password, tlsCAFile: caFile))
        } catch {
            throw ConfigurationError(error.description)
        }
    }

    /// `audit`: the checkpoint signing key and file, by default in `folder`.
    static func audit(_ node: ConfigNode?, folder: URL, resolve: (String) -> String) throws -> Audit {
        try node?.allowOnly(["signingKey", "verifyKey", "checkpointFile", "review"])
        return Audit(
            signingKey: try node?.optionalString("signingKey").map(resolve) ?? folder.appendingPathComponent("audit-signing.pem").path,
            verifyKey: try node?.optionalString("verifyKey").map(resolve),
            checkpointFile: try node?.optionalString("checkpointFile").map(resolve) ?? folder.appendingPathComponent("audit-checkpoints.log").path,
            review: try auditReview(try node?.optionalMap("review")))
    }

    static let weekdays = ["sun": 1, "mon": 2, "tue": 3, "wed": 4, "thu": 5, "fri": 6, "sat": 7]

    /// `audit.review: { manyPatientsPerDay, repeatedRefusals, workingHours: "08:00-18:00", workingDays: [mon, ...], timeZone }`.
    static func auditReview(_ node: ConfigNode?) throws -> AuditReviewSettings {
        var settings = AuditReviewSettings()
        guard let node else { return settings }
        try node.allowOnly(["manyPatientsPerDay", "repeatedRefusals", "workingHours", "workingDays", "timeZone"])
        if let many = try node.optionalInt("manyPatientsPerDay") {
            guard many >= 1 else { throw ConfigurationError("audit.review.manyPatientsPerDay must be 1 or more") }
            settings.manyPatientsPerDay = many
        }
        if let refusals = try node.optionalInt("repeatedRefusals") {
            guard refusals >= 2 else { throw ConfigurationError("audit.review.repeatedRefusals must be 2 or more") }
            settings.repeatedRefusals = refusals
        }
        if let hours = try node.optionalString("workingHours") {
            let parts = hours.split(separator: "-").map { DailySchedule(String($0).trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, let start = parts[0], let end = parts[1], start.hour * 60 + start.minute < end.hour * 60 + end.minute else {
                throw ConfigurationError("audit.review.workingHours must be HH:MM-HH:MM with the start before the end, not '\(hours)'")
            }
            settings.workingHoursStart = start.hour * 60 + start.minute
            settings.workingHoursEnd = end.hour * 60 + end.minute
        }
        if let days = try node.optionalStringList("workingDays") {
            let numbers = days.map { weekdays[$0.lowercased()] }
            guard !days.isEmpty, !numbers.contains(nil) else {
                throw ConfigurationError("audit.review.workingDays must list days as mon, tue, wed, thu, fri, sat, sun")
            }
            settings.workingDays = Set(numbers.compactMap { $0 })
        }
        if let zone = try node.optionalString("timeZone") {
            guard let timeZone = TimeZone(identifier: zone) else {
                throw ConfigurationError("audit.review.timeZone must be an IANA time zone such as Europe/London, not '\(zone)'")
            }
            settings.timeZone = timeZone
        }
        return settings
    }

    static func source(_ node: ConfigNode, organisations: [Organisation], resolve: (String) -> String) throws -> SourceConfiguration {
        try node.allowOnly(["id", "ods", "url", "caFile", "clientCertificate", "clientKey", "bearerToken", "timeoutSeconds"])
        let ods = try node.string("ods")
        guard let organisation = organisations.first(where: { $0.ods == ods }) else {
            throw ConfigurationError("\(node.path).ods '\(ods)' is not a participating organisation")
        }
        let text = try node.string("url")
        let url: URL
        if text.hasPrefix("file:") && !text.hasPrefix("file://") {
            // `file:relative/folder`: an export folder next to the configuration file.
            url = URL(fileURLWithPath: resolve(String(text.dropFirst("file:".count))), isDirectory: true)
        } else if let parsed = URL(string: text), parsed.scheme == "https" || parsed.scheme == "file" {
            url = parsed
        } else {
            throw ConfigurationError("\(node.path).url must be an https:// or file:// URL (or file:relative/folder)")
        }
        let timeout = try node.optionalInt("timeoutSeconds") ?? 60
        guard timeout > 0 else { throw ConfigurationError("\(node.path).timeoutSeconds must be positive") }
        let certificate = try node.optionalString("clientCertificate").map(resolve)
        let key = try node.optionalString("clientKey").map(resolve)
        guard (certificate == nil) == (key == nil) else {
            throw ConfigurationError("\(node.path): clientCertificate and clientKey go together")
        }
        return SourceConfiguration(
            id: try node.string("id"), ods: ods, url: url, caFile: try node.optionalString("caFile").map(resolve),
            clientCertificate: certificate, clientKey: key, bearerToken: try node.optionalString("bearerToken"), timeoutSeconds: timeout,
            isGPPractice: organisation.type == "gp-practice")
    }

    static func resolve(_ path: String, against base: URL) -> String {
        path.hasPrefix("/") ? path : base.appendingPathComponent(path).standardizedFileURL.path
    }

    static func requireUnique(_ values: [String], what: String) throws {
        var seen = Set<String>()
        for value in values where !seen.insert(value).inserted {
            throw ConfigurationError("duplicate \(what) '\(value)'")
        }
    }

    static func yamlProblem(_ error: any Error) -> String {
        if let yaml = error as? YamlError, case .parser(_, let problem, let mark, _) = yaml {
            return "\(problem) at line \(mark.line)"
        }
        if let yaml = error as? YamlError, case .scanner(_, let problem, let mark, _) = yaml {
            return "\(problem) at line \(mark.line)"
        }
        return "syntax error"
    }
}
