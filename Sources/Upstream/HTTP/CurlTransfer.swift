import CCurl
import Foundation

/// One blocking libcurl transfer, run off the cooperative pool; the response goes to memory or streams to a file.
struct CurlTransfer {
    static let initialised: Bool = {
        // CURL_GLOBAL_SSL | CURL_GLOBAL_WIN32 (= CURL_GLOBAL_DEFAULT); once per process, before any handle.
        curl_global_init(3) == CURLE_OK
    }()

    let url: URL
    let headers: [String: String]
    let settings: HTTPClientSettings
    /// Where the body goes; nil keeps it in memory (bounded by `settings.maximumBytes`).
    let destination: URL?

    /// Runs the transfer on a Dispatch queue, so no Swift cooperative thread or event loop waits on the network.
    func run() async throws -> UpstreamResponse {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(with: Result { try perform() })
            }
        }
    }

    func perform() throws -> UpstreamResponse {
        let host = url.host ?? "?"
        guard Self.initialised, let handle = curl_easy_init() else { throw HTTPTransferError.transport(code: 2, message: "libcurl unavailable", host: host) }
        defer { curl_easy_cleanup(handle) }
        let sink = try TransferSink(destination: destination, limit: settings.maximumBytes)
        defer { sink.close() }
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { list = curl_slist_append(list, "\(name): \(value)") }
        defer { curl_slist_free_all(list) }

        ccurl_setopt_string(handle, CURLOPT_URL, url.absoluteString)
        ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "https")
        ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        // TLS peer and host verification stay on; there is deliberately no way to turn them off.
        ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile = settings.caFile { ccurl_setopt_string(handle, CURLOPT_CAINFO, caFile) }
        if let certificate = settings.clientCertificate, let key = settings.clientKey {
            ccurl_setopt_string(handle, CURLOPT_SSLCERT, certificate)
            ccurl_setopt_string(handle, CURLOPT_SSLKEY, key)
        }
        ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, settings.connectTimeoutSeconds)
        ccurl_setopt_long(handle, CURLOPT_TIMEOUT, settings.timeoutSeconds)
        ccurl_setopt_off_t(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(settings.maximumBytes))
        ccurl_setopt_string(handle, CURLOPT_USERAGENT, "care-record/0.1 (libcurl)")
        ccurl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, "")
        ccurl_setopt_list(handle, CURLOPT_HTTPHEADER, list)
        let context = Unmanaged.passUnretained(sink).toOpaque()
        ccurl_setopt_callback(handle, CURLOPT_WRITEFUNCTION) { buffer, size, count, context in
            guard let buffer, let context else { return 0 }
            return Unmanaged<TransferSink>.fromOpaque(context).takeUnretainedValue().write(buffer, size * count)
        }
        ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        ccurl_setopt_callback(handle, CURLOPT_HEADERFUNCTION) { buffer, size, count, context in
            guard let buffer, let context else { return 0 }
            return Unmanaged<TransferSink>.fromOpaque(context).takeUnretainedValue().header(buffer, size * count)
        }
        ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)

        let code = curl_easy_perform(handle)
        if sink.exceeded || code == CURLE_FILESIZE_EXCEEDED { throw HTTPTransferError.tooLarge(limit: settings.maximumBytes, host: host) }
        guard code == CURLE_OK else {
            throw HTTPTransferError.transport(code: Int(code.rawValue), message: String(cString: curl_easy_strerror(code)), host: host)
        }
        var status = 0
        ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        try sink.finish()
        return UpstreamResponse(status: status, headers: sink.headers, body: sink.body, bytes: sink.bytes)
    }
}

/// Receives one transfer's bytes and headers on the transfer's thread only.
final class TransferSink: @unchecked Sendable {
    private let file: FileHandle?
    private let limit: Int64
    private(set) var body = Data()
    private(set) var bytes: Int64 = 0
    private(set) var exceeded = false
    private(set) var headers: [String: String] = [:]
    private var writeError: (any Error)?

    init(destination: URL?, limit: Int64) throws {
        self.limit = limit
        if let destination {
            guard FileManager.default.createFile(atPath: destination.path, contents: nil) else {
                throw HTTPTransferError.invalidURL("cannot create \(destination.lastPathComponent)")
            }
            file = try FileHandle(forWritingTo: destination)
        } else {
            file = nil
        }
    }

    func write(_ buffer: UnsafeMutablePointer<CChar>, _ count: Int) -> Int {
        bytes += Int64(count)
        guard bytes <= limit else {
            exceeded = true
            return 0
        }
        let chunk = UnsafeRawBufferPointer(start: buffer, count: count)
        if let file {
            do { try file.write(contentsOf: chunk) } catch {
                writeError = error
                return 0
            }
        } else {
            body.append(contentsOf: chunk)
        }
        return count
    }

    /// Keeps the headers of the last response (a new status line starts afresh).
    func header(_ buffer: UnsafeMutablePointer<CChar>, _ count: Int) -> Int {
        let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: count), as: UTF8.self)
        if line.hasPrefix("HTTP/") { headers = [:] }
        if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return count
    }

    func finish() throws {
        if let writeError { throw writeError }
        try file?.synchronize()
    }

    func close() {
        try? file?.close()
    }
}
