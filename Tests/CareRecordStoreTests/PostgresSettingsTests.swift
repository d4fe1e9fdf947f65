import CareRecordStore
import Testing

/// `database.url` (C9): user, host, port and database from the URL; the password only from a file or the environment.
@Suite("PostgreSQL settings")
struct PostgresSettingsTests {
    @Test("a URL gives host, port, user and database; the password and CA file come separately")
    func parses() throws {
        let settings = try PostgresSettings(url: "postgresql://carerecord@db.example.org:5433/carerecord", password: "s3cret", tlsCAFile: "certs/db-ca.pem")
        #expect(settings == PostgresSettings(
            host: "db.example.org", port: 5433, user: "carerecord", database: "carerecord", password: "s3cret",
            tls: PostgresSettings.TLS(caFile: "certs/db-ca.pem")))
        let defaults = try PostgresSettings(url: "postgres://care%40record@[::1]/records", password: nil, tlsCAFile: nil)
        #expect(defaults == PostgresSettings(host: "::1", port: 5432, user: "care@record", database: "records"))
    }

    @Test("a password in the URL is refused, pointing to where it belongs")
    func passwordInURL() {
        for url in ["postgresql://carerecord:s3cret@db.example.org/carerecord", "postgresql://carerecord:@db.example.org/carerecord"] {
            #expect(throws: PostgresSettingsError.passwordInURL) { try PostgresSettings(url: url, password: nil, tlsCAFile: nil) }
        }
        #expect(PostgresSettingsError.passwordInURL.description.contains("CARE_RECORD_DATABASE_PASSWORD"))
        #expect(PostgresSettingsError.passwordInURL.description.contains("database.passwordFile"))
    }

    @Test("a URL without a user, host or database, with another scheme or with parameters is refused", arguments: [
        "db.example.org/carerecord", "mysql://carerecord@db.example.org/carerecord", "postgresql://db.example.org/carerecord",
        "postgresql://carerecord@/carerecord", "postgresql://carerecord@db.example.org", "postgresql://carerecord@db.example.org/",
        "postgresql://carerecord@db.example.org/a/b", "postgresql://carerecord@db.example.org/carerecord?sslmode=disable",
        "postgresql://carerecord@db.example.org:0/carerecord", "not a url at all",
    ])
    func invalid(url: String) {
        #expect(throws: PostgresSettingsError.self) { try PostgresSettings(url: url, password: nil, tlsCAFile: nil) }
    }

    @Test("no description, debug description or dump shows the password")
    func passwordNeverShown() throws {
        let settings = try PostgresSettings(url: "postgresql://carerecord@db.example.org/carerecord", password: "s3cret-Pa55", tlsCAFile: nil)
        var dumped = ""
        dump(settings, to: &dumped)
        for text in [settings.description, settings.debugDescription, "\(settings)", String(reflecting: settings), dumped, "\([settings])"] {
            #expect(!text.contains("s3cret-Pa55"), "\(text)")
        }
        #expect(settings.description == "postgresql://carerecord@db.example.org:5432/carerecord")
    }
}
