import CareRecordServer
import CareRecordStore
import Foundation
import Upstream

/// The service's configuration file (C2); relative paths are resolved against the file's folder.
public struct CareRecordConfiguration: Sendable, Equatable {
    public struct Server: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var baseURL: String
        /// Rate limits (issue 8.11); unauthenticated requests are limited by default.
        public var rateLimit = RateLimitSettings()
        /// Reverse proxies whose forwarding headers are believed.
        public var trustedProxies: Set<String> = []
        /// On SIGTERM: how long `/health/ready` answers 503 while the node still serves, before it stops accepting.
        public var shutdownDrainSeconds = 5
        /// The API's own HTTPS (and mutual TLS with a client CA); nil: plain HTTP.
        public var tls: ServerTLS.Files?
        /// Browser origins allowed to call the API; none by default.
        public var cors = CORSSettings()
        /// Prometheus `/metrics` on a listener of its own; nil: no metrics listener.
        public var metrics: MetricsListener?
    }

    public struct Auth: Sendable, Equatable {
        public var issuer: String
        public var audience: String
        /// A local file path, or an https URL.
        public var jwks: String
        /// How often the JWKS is reloaded (it is also reloaded on an unknown `kid`); 0 only on unknown kids.
        public var jwksRefreshSeconds = 300
        /// Tokens whose `exp - iat` is longer are refused.
        public var maximumTokenLifetimeSeconds = 43_200
        /// The identity provider's endpoints, for SMART discovery (both or neither).
        public var authorizationEndpoint: String?
        public var tokenEndpoint: String?
        /// Every token must carry SMART scopes.
        public var requireScopes = false
    }

    /// Signed checkpoints of the audit chain (issue 8.5).
    public struct Audit: Sendable, Equatable {
        /// Ed25519 private key (PKCS#8 PEM) that signs checkpoints; created beside the audit database when absent.
        public var signingKey: String
        /// Public key `audit verify` checks checkpoints with; derived from the signing key when nil.
        public var verifyKey: String?
        /// Append-only file of checkpoints (one per node when several nodes share a chain).
        public var checkpointFile: String
        /// What marks an access for a privacy officer's review.
        public var review = AuditReviewSettings()
    }

    public struct Organisation: Sendable, Equatable {
        public var ods: String
        public var name: String
        public var type: String
    }

    /// Where the record and the audit log are kept (C9 `database`).
    public enum Database: Sendable, Equatable {
        /// One node: the record's SQLite file, and the audit log's own (by default `audit.sqlite` beside the record).
        case sqlite(path: String, auditPath: String)
        /// Several nodes sharing one PostgreSQL database for the record and the audit log.
        case postgresql(PostgresSettings)
    }

    public var server: Server
    public var database: Database
    public var auth: Auth
    public var audit: Audit
    public var organisations: [Organisation]
    public var sources: [SourceConfiguration]
    /// Daily sync time, "HH:MM" local time; nil for manual syncs only.
    public var syncSchedule: String?
    /// The log's format and level.
    public var logging = LoggingSettings()
    /// Where spans are exported; nowhere by default.
    public var tracing = TracingSettings()

    /// The record's SQLite file; nil on PostgreSQL.
    public var databasePath: String? {
        if case .sqlite(let path, _) = database { path } else { nil }
    }

    /// The audit log's SQLite file; nil on PostgreSQL.
    public var auditPath: String? {
        if case .sqlite(_, let auditPath) = database { auditPath } else { nil }
    }

    public static let organisationTypes: Set<String> = [
        "gp-practice", "acute-trust", "community-trust", "mental-health-trust", "social-care", "hospice", "ambulance-trust",
    ]
}

/// A configuration problem, said in one line.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
