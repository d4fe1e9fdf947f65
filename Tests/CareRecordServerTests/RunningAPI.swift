import Foundation
import Hummingbird
import Logging
import Testing
@testable import CareRecordCLI
@testable import CareRecordServer

/// Runs an application on a socket for the length of `body`, which gets the port once it listens; stopped afterwards,
/// whether `body` returns or throws.
func whileServing<T: Sendable>(
    _ make: (_ port: Int, _ onRunning: @escaping @Sendable () async -> Void) throws -> some ApplicationProtocol,
    _ body: (Int) async throws -> T
) async throws -> T {
    let port = try PostgresServer.freePort()
    let (running, continuation) = AsyncStream<Void>.makeStream()
    let app = try make(port) { continuation.yield() }
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            // A server that cannot start ends the stream, so the wait below ends too.
            defer { continuation.finish() }
            try await app.runService()
        }
        var iterator = running.makeAsyncIterator()
        guard await iterator.next() != nil else {
            try await group.waitForAll()
            throw CLIError("the server on port \(port) did not start")
        }
        do {
            let result = try await body(port)
            group.cancelAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

/// The API as `care-record serve` builds it (`buildApplication`), on 127.0.0.1, with or without TLS.
func whileServing<T: Sendable>(_ api: CareRecordAPI, tls: ServerTLS? = nil, _ body: (Int) async throws -> T) async throws -> T {
    var logger = Logger(label: "care-record.test")
    logger.logLevel = .critical
    return try await whileServing({ port, onRunning in
        try api.buildApplication(host: "127.0.0.1", port: port, tls: tls, logger: logger, onRunning: onRunning)
    }, body)
}
