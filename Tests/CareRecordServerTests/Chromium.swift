import Foundation
import Testing

/// Headless Chromium from Debian's `chromium` package, for what only a browser enforces (CORS).
struct Chromium {
    let path: String

    /// Debian's chromium; `CARE_RECORD_CHROMIUM` names another binary (a missing one shows what happens without a browser).
    static let installed: String? = {
        let candidates = ProcessInfo.processInfo.environment["CARE_RECORD_CHROMIUM"].map { [$0] } ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
    /// CI sets `CARE_RECORD_REQUIRE_BROWSER=1`: there a missing browser fails the test instead of skipping it.
    static let isRequired = ProcessInfo.processInfo.environment["CARE_RECORD_REQUIRE_BROWSER"] == "1"
    static let isEnabled = installed != nil || isRequired
    static let skipMessage: Comment = "Chromium is not installed (apt-get install chromium): the browser CORS test is skipped"

    static func require() throws -> Chromium {
        Chromium(path: try #require(installed, "\(skipMessage); CARE_RECORD_REQUIRE_BROWSER=1 requires it"))
    }

    /// Loads `url` in a fresh profile and returns the DOM once the page is idle. Virtual time does not advance while a
    /// fetch is pending, so the page's own requests finish before the budget runs out, however slow the machine.
    func dumpDOM(_ url: String) async throws -> String {
        try await run(["--dump-dom", url])
    }

    /// Loads `url` the same way and saves a PNG of the window (`width` x `height`) to `file`.
    func screenshot(_ url: String, to file: URL, width: Int = 1200, height: Int = 1800) async throws {
        try? FileManager.default.removeItem(at: file)
        _ = try await run(["--screenshot=\(file.path)", "--window-size=\(width),\(height)", "--hide-scrollbars", url])
        try #require(FileManager.default.fileExists(atPath: file.path), "chromium wrote no screenshot to \(file.path)")
    }

    /// Runs the browser headless in a fresh profile with `arguments` after the common ones; returns what it printed.
    private func run(_ arguments: [String]) async throws -> String {
        let folder = scratchFolder()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("dom.html")
        let errors = folder.appendingPathComponent("chromium.log")
        for file in [output, errors] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-component-update", "--disable-background-networking", "--disable-sync",
            "--user-data-dir=\(folder.appendingPathComponent("profile").path)", "--virtual-time-budget=10000",
        ] + arguments
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardInput = FileHandle.nullDevice
        let exited = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { exited.continuation.yield($0.terminationStatus) }
        try process.run()
        // A safety net for a browser that hangs, not a measure of anything: the page's result is read from the DOM.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(180))
            if process.isRunning { process.terminate() }
        }
        var iterator = exited.stream.makeAsyncIterator()
        let status = await iterator.next()
        watchdog.cancel()
        let dom = try String(contentsOf: output, encoding: .utf8)
        try #require(status == 0, "chromium exited \(status.map(String.init) ?? "?"): \((try? String(contentsOf: errors, encoding: .utf8))?.suffix(2000) ?? "")")
        return dom
    }
}
