@testable import CareRecordStore
import Foundation
import Testing

/// A throwaway PostgreSQL server from Debian's packages for the tests: a temporary folder owned by the `postgres` user
/// (PostgreSQL refuses to run as root), `initdb` with a superuser password (scram over TCP, trust on the folder's
/// socket for psql), then `postgres` itself on a free port. Stopped at exit, and by a watchdog if the test process dies.
final class PostgresServer: Sendable {
    let folder: URL
    let port: Int
    let password: String
    /// With TLS: the CA that issued the server's certificate (for `localhost` only, not its address).
    let caFile: String?
    /// The running `postgres` (the postmaster), a child of this process.
    private let postmaster = ChildProcess()
    static let superuser = "postgres"

    /// Debian's newest server binaries (`/usr/lib/postgresql/<version>/bin`), if installed; `CARE_RECORD_POSTGRES_ROOT`
    /// names another folder of versions (an empty one shows what happens without PostgreSQL).
    static let binaries: URL? = {
        let root = URL(fileURLWithPath: ProcessInfo.processInfo.environment["CARE_RECORD_POSTGRES_ROOT"] ?? "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return versions.compactMap(Int.init).sorted().reversed()
            .map { root.appendingPathComponent("\($0)/bin") }
            .first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("postgres").path) }
    }()
    /// CI sets `CARE_RECORD_REQUIRE_POSTGRES=1`: there a missing server fails the tests instead of skipping them.
    static let isRequired = ProcessInfo.processInfo.environment["CARE_RECORD_REQUIRE_POSTGRES"] == "1"
    /// Whether the PostgreSQL half of the tests runs (and fails without a server, when required).
    static let isEnabled = binaries != nil || isRequired
    static let skipMessage: Comment = "PostgreSQL is not installed (apt-get install postgresql): the PostgreSQL half of the store tests is skipped"

    private init(folder: URL, port: Int, password: String, caFile: String?) {
        self.folder = folder
        self.port = port
        self.password = password
        self.caFile = caFile
    }

    /// The one server shared by the tests of this process, started on first use.
    static func shared() async throws -> PostgresServer {
        try await SharedServer.instance.server()
    }

    /// A server of its own, for a test that stops and restarts it, or one that also accepts TLS.
    static func start(tls: Bool = false) throws -> PostgresServer {
        let binaries = try #require(binaries, "\(skipMessage); CARE_RECORD_REQUIRE_POSTGRES=1 requires it")
        var template = Array("/tmp/care-record-postgres-XXXXXX".utf8CString)
        let folder = URL(fileURLWithPath: try #require(mkdtemp(&template).map { String(cString: $0) }, "mkdtemp failed"))
        let caFile = tls ? folder.appendingPathComponent("ca.pem").path : nil
        let server = PostgresServer(folder: folder, port: try freePort(), password: UUID().uuidString, caFile: caFile)
        ServerRegistry.shared.add(server)
        server.watchOverTestProcess()
        try server.ownByServerUser(folder.path)
        if tls { try server.makeCertificates() }
        let passwordFile = folder.appendingPathComponent("password")
        try Data(server.password.utf8).write(to: passwordFile)
        try server.ownByServerUser(passwordFile.path)
        try server.runAsServerUser(binaries.appendingPathComponent("initdb"), [
            "-D", server.dataFolder, "-U", superuser, "--pwfile", passwordFile.path, "--auth-local=trust",
            "--auth-host=scram-sha-256", "--encoding=UTF8", "--no-locale", "--no-sync",
        ])
        try server.startServer()
        return server
    }

    /// `start`, `stopServer` and `startServer` from async tests: initdb and the waits take seconds, so they run on a thread
    /// of their own, never holding one of the concurrency pool's (two on a 2-core machine) while other tests' timers wait.
    static func launch(tls: Bool = false) async throws -> PostgresServer {
        try await BlockingBridge.onOwnThread(name: "postgres-test") { try start(tls: tls) }
    }

    func stop() async throws {
        try await BlockingBridge.onOwnThread(name: "postgres-test") { try self.stopServer() }
    }

    func restart() async throws {
        try await BlockingBridge.onOwnThread(name: "postgres-test") { try self.startServer() }
    }

    var dataFolder: String { folder.appendingPathComponent("data").path }

    /// Starts `postgres` as a child of this process (not daemonised by `pg_ctl`, which would hand the server the
    /// socket Foundation watches its child with, so the wait for `pg_ctl` never ends) and waits until it accepts
    /// connections; also after `stopServer()`.
    func startServer() throws {
        let binaries = try #require(Self.binaries)
        // fsync off: a test server's data need not survive a power cut, and the build machine's disk is busy.
        var arguments = [
            "-D", dataFolder, "-k", folder.path, "-p", "\(port)", "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300",
            "-c", "fsync=off", "-c", "full_page_writes=off",
        ]
        if caFile != nil {
            arguments += ["-c", "ssl=on", "-c", "ssl_cert_file=\(folder.path)/server.pem", "-c", "ssl_key_file=\(folder.path)/server.key"]
        }
        let process = try serverUserProcess(binaries.appendingPathComponent("postgres"), arguments)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile(named: "server.log")))
        try log.seekToEnd()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try log.close()
        postmaster.set(process)
        let ready = CommandLineTool(path: binaries.appendingPathComponent("pg_isready").path)
        let deadline = ContinuousClock.now + .seconds(120)
        while try ready.run(["-q", "-h", folder.path, "-p", "\(port)", "-U", Self.superuser]).status != 0 {
            let log = (try? String(contentsOfFile: folder.appendingPathComponent("server.log").path, encoding: .utf8)) ?? ""
            try #require(process.isRunning, "postgres exited: \(log)")
            try #require(ContinuousClock.now < deadline, "postgres did not accept connections within 120 s: \(log)")
            usleep(100_000)
        }
    }

    /// A fast shutdown (connections are cut, as when the database host goes down), waiting until the server has gone.
    func stopServer() throws {
        let process = try #require(postmaster.take(), "the server is not running")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
    }

    /// A CA and a server certificate it issued for the name `localhost` only.
    private func makeCertificates() throws {
        let path = { (name: String) in self.folder.appendingPathComponent(name).path }
        let openssl = CommandLineTool.openssl
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        try openssl.succeed(["req", "-x509"] + ec + [
            "-keyout", path("ca.key"), "-out", path("ca.pem"), "-days", "2", "-subj", "/CN=care-record test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
        try openssl.succeed(["req"] + ec + ["-keyout", path("server.key"), "-out", path("server.csr"), "-subj", "/CN=localhost"])
        try Data("subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n".utf8).write(to: URL(fileURLWithPath: path("server.ext")))
        try openssl.succeed([
            "x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"), "-CAcreateserial",
            "-out", path("server.pem"), "-days", "2", "-extfile", path("server.ext"),
        ])
        for file in ["server.key", "server.pem"] { try ownByServerUser(path(file), mode: 0o600) }
    }

    /// Settings for a node connecting over TCP with the password.
    func settings(database: String) -> PostgresSettings {
        PostgresSettings(host: "127.0.0.1", port: port, user: Self.superuser, database: database, password: password)
    }

    /// A new empty database; its name.
    func createDatabase() throws -> String {
        let name = "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try psql(database: "postgres", "CREATE DATABASE \(name)")
        return name
    }

    /// Runs SQL with psql over the folder's socket, stopping at the first error.
    @discardableResult
    func psql(database: String, _ sql: String) throws -> String {
        let result = try psqlResult(database: database, sql)
        try #require(result.status == 0, "psql failed: \(result.errors)")
        return result.output
    }

    func psqlResult(database: String, _ sql: String) throws -> (status: Int32, output: String, errors: String) {
        try CommandLineTool(path: try #require(Self.binaries).appendingPathComponent("psql").path)
            .run(["-X"] + connectionArguments(database: database) + ["-v", "ON_ERROR_STOP=1", "-q", "-A", "-t", "-f", "-"], input: sql)
    }

    /// Host (the socket's folder), port, user and database, as psql and pg_dump take them.
    func connectionArguments(database: String) -> [String] {
        ["-h", folder.path, "-p", "\(port)", "-U", Self.superuser, "-d", database]
    }

    /// Stops the server at once (SIGQUIT: immediate shutdown) and removes its folder; safe to call twice.
    func terminate() {
        if let process = postmaster.take() {
            kill(process.processIdentifier, SIGQUIT)
            for _ in 0..<100 where kill(process.processIdentifier, 0) == 0 && process.isRunning { usleep(50_000) }
        }
        // The watchdog is no longer needed: it has written its process id into the folder.
        if let text = try? String(contentsOf: folder.appendingPathComponent("watchdog.pid"), encoding: .utf8),
           let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            kill(pid, SIGKILL)
        }
        try? FileManager.default.removeItem(at: folder)
    }

    /// If this process dies without running its exit handlers (a crash, SIGKILL), a detached shell stops the server.
    private func watchOverTestProcess() {
        let script = """
            echo $$ > '\(folder.path)/watchdog.pid'
            while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done
            [ -f '\(dataFolder)/postmaster.pid' ] && kill -QUIT "$(head -1 '\(dataFolder)/postmaster.pid')" 2>/dev/null
            sleep 2; rm -rf '\(folder.path)'
            """
        let process = Process()
        // Its own session: a Ctrl-C meant for the test run does not stop the watchdog before the server.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        process.arguments = ["/bin/sh", "-c", script]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try? process.run()
    }

    private static var serverUser: passwd? {
        getuid() == 0 ? getpwnam("postgres")?.pointee : nil
    }

    private func ownByServerUser(_ path: String, mode: mode_t = 0o700) throws {
        try #require(chmod(path, mode) == 0)
        guard let user = Self.serverUser else { return }
        try #require(chown(path, user.pw_uid, user.pw_gid) == 0, "cannot hand \(path) to the postgres user")
    }

    /// A process running a server tool as the `postgres` user when we are root (as in CI), as ourselves otherwise;
    /// `setpriv` execs the tool, so the process is the tool itself.
    private func serverUserProcess(_ tool: URL, _ arguments: [String]) throws -> Process {
        let process = Process()
        if getuid() == 0 {
            try #require(Self.serverUser != nil, "running as root, but there is no postgres user to run PostgreSQL as")
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", tool.path] + arguments
        } else {
            process.executableURL = tool
            process.arguments = arguments
        }
        return process
    }

    /// Runs a short-lived server tool (initdb) as the `postgres` user, its output to a log in the folder.
    private func runAsServerUser(_ tool: URL, _ arguments: [String]) throws {
        let process = try serverUserProcess(tool, arguments)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile(named: "tool.log")))
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
        process.waitUntilExit()
        try log.close()
        let text = (try? String(contentsOf: folder.appendingPathComponent("tool.log"), encoding: .utf8)) ?? ""
        try #require(process.terminationStatus == 0, "\(tool.lastPathComponent) \(arguments.joined(separator: " ")) failed: \(text)")
    }

    /// A log file in the folder, created if missing and writable by the server user; its path.
    private func logFile(named name: String) throws -> String {
        let path = folder.appendingPathComponent(name).path
        if !FileManager.default.fileExists(atPath: path) {
            try #require(FileManager.default.createFile(atPath: path, contents: nil), "cannot create \(path)")
            try ownByServerUser(path, mode: 0o600)
        }
        return path
    }

    /// A TCP port nothing listens on now (one that binds, released again), outside the ephemeral range.
    static func freePort() throws -> Int {
        // Below Linux's ephemeral range (32768 and up): a server stopped and restarted by a test must get its port back,
        // and an ephemeral one can meanwhile become the local end of some other test's connection ("Address already in use").
        for _ in 0..<200 {
            let port = Int.random(in: 20_000..<32_000)
            if try canBind(port) { return port }
        }
        try #require(Bool(false), "cannot find a free port")
        return 0
    }

    private static func canBind(_ port: Int) throws -> Bool {
        #if os(Linux)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// The current child process, set and taken under a lock.
private final class ChildProcess: @unchecked Sendable {
    private let lock = NSLock()
    private var process: Process?

    func set(_ process: Process) {
        lock.lock()
        self.process = process
        lock.unlock()
    }

    func take() -> Process? {
        lock.lock()
        defer { lock.unlock() }
        let taken = process
        process = nil
        return taken
    }
}

/// Starts the shared server once; a failure to start is remembered and reported to every test that needs it.
private actor SharedServer {
    static let instance = SharedServer()
    private var starting: Task<PostgresServer, any Error>?

    func server() async throws -> PostgresServer {
        // initdb and the wait for the server take seconds: on a thread of their own, not one of the concurrency pool's.
        let starting = starting ?? Task { try await PostgresServer.launch() }
        self.starting = starting
        return try await starting.value
    }
}

/// The servers this process started, stopped by an exit handler.
private final class ServerRegistry: @unchecked Sendable {
    static let shared = ServerRegistry()
    private let lock = NSLock()
    private var servers: [PostgresServer] = []

    private init() {
        atexit { ServerRegistry.shared.stopAll() }
    }

    func add(_ server: PostgresServer) {
        lock.lock()
        servers.append(server)
        lock.unlock()
    }

    func stopAll() {
        lock.lock()
        let running = servers
        servers = []
        lock.unlock()
        for server in running { server.terminate() }
    }
}
