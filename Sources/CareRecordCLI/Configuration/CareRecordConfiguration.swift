import Foundation
import Upstream

/// The service's configuration file (C2); relative paths are resolved against the file's folder.
public struct CareRecordConfiguration: Sendable, Equatable {
    public struct Server: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var baseURL: String
    }

    public struct Auth: Sendable, Equatable {
        public var issuer: String
        public var audience: String
        /// A local file path, or an https URL.
        public var jwks: String
    }

    public struct Organisation: Sendable, Equatable {
        public var ods: String
        public var name: String
        public var type: String
    }

    public var server: Server
    public var databasePath: String
    /// The audit log's own SQLite file; by default `audit.sqlite` beside the record.
    public var auditPath: String
    public var auth: Auth
    public var organisations: [Organisation]
    public var sources: [SourceConfiguration]
    /// Daily sync time, "HH:MM" local time; nil for manual syncs only.
    public var syncSchedule: String?

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
