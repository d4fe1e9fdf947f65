import Foundation
import Logging
import PostgresNIO

/// A pool of connections to one PostgreSQL database (postgres-nio's `PostgresClient`, run in its own task) shared by the
/// PostgreSQL stores of a node. It reconnects on its own; while it cannot reach the server, operations fail with
/// `StoreError.unavailable` after `connectionWait`, which the API answers with 503.
public final class PostgresConnectionPool: Sendable {
    public let settings: PostgresSettings
    /// How long an operation waits for a connection before the store counts as unavailable.
    public let connectionWait: Duration
    let client: PostgresClient
    let logger: Logger
    private let running: Task<Void, Never>

    /// Server-side bounds, so that a stuck statement or lock wait ends in an error (503) rather than a hung request.
    static let sessionSettings = [
        ("statement_timeout", "30s"), ("lock_timeout", "10s"), ("idle_in_transaction_session_timeout", "60s"),
        ("application_name", "care-record"),
    ]

    /// Opens the pool and starts its background task; `shutdown()` closes it.
    public init(
        settings: PostgresSettings, maximumConnections: Int = 20, connectionWait: Duration = .seconds(5),
        logger: Logger = Logger(label: "care-record.postgres")
    ) throws {
        var configuration = PostgresClient.Configuration(
            host: settings.host, port: settings.port, username: settings.user, password: settings.password, database: settings.database,
            tls: try Self.tls(settings.tls))
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = connectionWait
        configuration.options.additionalStartupParameters = Self.sessionSettings
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.settings = settings
        self.connectionWait = connectionWait
        self.client = client
        self.logger = logger
        running = Task { await client.run() }
    }

    static func tls(_ tls: PostgresSettings.TLS?) throws -> PostgresClient.Configuration.TLS {
        guard let tls else { return .disable }
        var configuration = TLSConfiguration.makeClientConfiguration()
        // Chain and identity: the host name, or for an IP address the peer address, must be in the certificate.
        configuration.certificateVerification = .fullVerification
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(tls.caFile))
        return .require(configuration)
    }

    /// Closes every connection; operations after it fail.
    public func shutdown() async {
        running.cancel()
        await running.value
    }

    /// Runs `body` on a pooled connection; waiting longer than `connectionWait` for one, or losing the connection,
    /// throws `StoreError.unavailable`. Once leased, `body` runs to its end (queries cannot be abandoned half-way).
    func withConnection<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        let race = LeaseRace()
        let client = client
        let wait = connectionWait
        // The lease runs in a task of its own, not a child: a lease request waiting in the pool need not end when asked
        // to, and the caller must not wait for it past `connectionWait`. A connection leased after that is handed back unused.
        let outcome: Swift.Result<Result, any Error> = await withCheckedContinuation { continuation in
            let once = ResumeOnce(continuation)
            let lease = Task {
                do {
                    let value = try await client.withConnection { connection in
                        guard race.lease() else { throw StoreError.unavailable }
                        do {
                            return try await body(connection)
                        } catch {
                            throw BodyFailure(error: error)
                        }
                    }
                    once.resume(.success(value))
                } catch {
                    once.resume(.failure(error))
                }
            }
            Task {
                try? await Task.sleep(for: wait)
                if race.giveUp() {
                    once.resume(.failure(StoreError.unavailable))
                    lease.cancel()
                }
            }
        }
        switch outcome {
        case .success(let value):
            return value
        case .failure(let failure as BodyFailure):
            // The body's own errors (an import's refusal, say) stay as they are; the database's are classified.
            throw failure.error is PSQLError ? Self.storeError(failure.error) : failure.error
        case .failure(let error):
            throw Self.storeError(error)
        }
    }

    /// Runs `body` in one transaction on a pooled connection (`begin` may set its isolation); rolled back if it throws.
    func transaction<Result: Sendable>(
        _ begin: String = "BEGIN", _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> Result
    ) async throws -> Result {
        let logger = logger
        return try await withConnection { connection in
            try await connection.perform(PostgresQuery(unsafeSQL: begin), logger: logger)
            do {
                let value = try await body(connection, logger)
                try await connection.perform("COMMIT", logger: logger)
                return value
            } catch {
                do {
                    try await connection.perform("ROLLBACK", logger: logger)
                } catch {
                    // A connection that cannot roll back must not go back to the pool mid-transaction.
                    try? await connection.close()
                }
                throw error
            }
        }
    }

    /// Connection failures, timeouts and a server shutting down as `StoreError.unavailable`; SQL and decoding errors as
    /// they are (internal errors).
    static func storeError(_ error: any Error) -> any Error {
        switch error {
        case is StoreError, is PostgresDecodingError:
            return error
        case let error as PSQLError:
            if let state = error.serverInfo?[.sqlState] {
                return unavailableStates.contains(where: { state.hasPrefix($0) }) ? StoreError.unavailable : error
            }
            return error.code == .server || error.code == .tooManyParameters ? error : StoreError.unavailable
        default:
            // What else reaches here comes from the pool or the network: the pool's circuit breaker (it gave up
            // connecting for now), a channel or TLS error, a cancelled lease.
            return StoreError.unavailable
        }
    }

    /// A failure to open or migrate, in words for an operator: the server's own message (never containing the password)
    /// or what kind of failure it was.
    public static func explain(_ error: any Error) -> String {
        switch error {
        case StoreError.unavailable:
            "cannot be reached (is it running, and do the user, password and TLS settings match?)"
        case let error as PSQLError:
            error.serverInfo?[.message].map { "refused: \($0)" } ?? "connection failed (\(error.code))"
        default:
            "\(type(of: error))"
        }
    }

    /// SQLSTATEs (or classes) that mean "not now" rather than "wrong": connection exceptions, insufficient resources,
    /// operator intervention (shutdown, statement timeout), lock timeout, serialization failure and deadlock.
    static let unavailableStates = ["08", "53", "57", "55P03", "40001", "40P01"]
}

/// Resumes a continuation once: with the lease's result or the timeout's, whichever comes first.
private final class ResumeOnce<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Value, Never>?

    init(_ continuation: CheckedContinuation<Value, Never>) {
        self.continuation = continuation
    }

    func resume(_ value: Value) {
        lock.lock()
        let pending = continuation
        continuation = nil
        lock.unlock()
        pending?.resume(returning: value)
    }
}

/// An error thrown by the body of `withConnection`, told apart from the pool's own.
private struct BodyFailure: Error {
    let error: any Error
}

/// Decides, exactly once, whether a lease arrived before the wait ran out: a connection leased after the caller
/// gave up is handed back unused, so nothing is written behind a 503.
private final class LeaseRace: @unchecked Sendable {
    private let lock = NSLock()
    private var state = State.waiting

    private enum State { case waiting, leased, gaveUp }

    func lease() -> Bool { settle(.leased) }
    func giveUp() -> Bool { settle(.gaveUp) }

    private func settle(_ outcome: State) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard state == .waiting else { return false }
        state = outcome
        return true
    }
}

extension PostgresConnection {
    /// Runs a statement and reads its result to the end. postgres-nio hands a query's rows back as soon as their columns
    /// are described, and an error raised while executing (a lock timeout in `pg_advisory_xact_lock`, say) arrives only
    /// in those rows: discarded, it would pass unseen and the transaction's next statement fail with 25P02 instead.
    func perform(_ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line) async throws {
        for try await _ in try await self.query(query, logger: logger, file: file, line: line) {}
    }
}
