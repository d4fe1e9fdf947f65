import HTTPTypes
import Hummingbird
import NIOCore

/// Compresses response bodies with gzip or deflate when `Accept-Encoding` asks (issue 10; GP Connect requires gzip), with
/// compress-nio. Every response whose body could be compressed says `Vary: Accept-Encoding`. The `ETag` stays the one of
/// the uncompressed body: ours are weak, and weak validators name the content whatever its coding (a strong one would be
/// weakened). Bodies under 1 KiB, `HEAD`, `204` and `304` answers are never compressed.
struct CompressionMiddleware: RouterMiddleware {
    typealias Context = CareRecordRequestContext

    /// Smaller bodies gain little and can grow.
    static let minimumSize = 1024

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if response.status == .notModified {
            // A 304 carries the Vary the 200 would have (RFC 9110 §15.4.5).
            response.headers.appendVary("Accept-Encoding")
            return response
        }
        guard Self.mayCompress(response) else { return response }
        response.headers.appendVary("Accept-Encoding")
        guard request.method != .head, let coding = ContentCoding.preferred(request.headers[.acceptEncoding]),
            (response.body.contentLength ?? Self.minimumSize) >= Self.minimumSize
        else { return response }
        let body = try await Self.collect(response.body)
        // Setting the body sets Content-Length to its size.
        guard body.readableBytes >= Self.minimumSize, let compressed = try? coding.compress(body) else {
            response.body = ResponseBody(byteBuffer: body)
            return response
        }
        response.headers[.contentEncoding] = coding.rawValue
        if let etag = response.headers[.eTag], !etag.hasPrefix("W/") { response.headers[.eTag] = "W/" + etag }
        response.body = ResponseBody(byteBuffer: compressed)
        return response
    }

    /// A JSON or text body with no coding yet, in an answer that has content.
    static func mayCompress(_ response: Response) -> Bool {
        guard response.status.code >= 200, response.status != .noContent, response.headers[.contentEncoding] == nil,
            let type = response.headers[.contentType]
        else { return false }
        return type.utf8.containsASCIICaseInsensitive("json") || type.utf8.hasASCIIPrefixCaseInsensitive("text/")
    }

    /// The whole body (ours are built in memory; a streamed one is gathered first).
    static func collect(_ body: ResponseBody) async throws -> ByteBuffer {
        let sink = CollectingWriter.Sink()
        try await body.write(CollectingWriter(sink: sink))
        return sink.buffer
    }
}

/// A `ResponseBodyWriter` that keeps what is written.
private struct CollectingWriter: ResponseBodyWriter {
    final class Sink {
        var buffer = ByteBuffer()
    }

    let sink: Sink

    mutating func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        sink.buffer.writeBuffer(&buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
