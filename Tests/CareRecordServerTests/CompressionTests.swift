import CompressNIO
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import CareRecordServer

@Suite("Response compression (issue 10)")
struct CompressionTests {
    @Test("only JSON and text answers are compressible; media types compared without case, by bytes")
    func compressibleTypes() {
        func compressible(_ type: String?, status: HTTPResponse.Status = .ok, encoding: String? = nil) -> Bool {
            var headers = HTTPFields()
            if let type { headers[.contentType] = type }
            if let encoding { headers[.contentEncoding] = encoding }
            return CompressionMiddleware.mayCompress(Response(status: status, headers: headers))
        }
        for type in ["application/fhir+json", "application/fhir+json; charset=utf-8", "Application/FHIR+JSON", "application/json",
                     "text/plain; version=0.0.4", "TEXT/HTML", "application/x-ndJSON"] {
            #expect(compressible(type), "\(type)")
        }
        for type in ["image/png", "application/openmetrics-text; version=1.0.0", "application/octet-stream", "application/jso", "application/js on", "", "tex/plain", "xtext/plain", "é/json-ish"] {
            #expect(compressible(type) == type.lowercased().contains("json"), "\(type)")
        }
        #expect(!compressible(nil))
        #expect(!compressible("application/fhir+json", status: .noContent))
        #expect(!compressible("application/fhir+json", encoding: "gzip"))
        #expect(!compressible("application/fhir+json", status: .continue))
    }

    @Test("over a real socket: gzip and deflate bodies decompress to exactly the identity body, with the same ETag and Vary: Accept-Encoding")
    func live() async throws {
        let fixture = try await RegionFixture.shared()
        let nhs = try fixture.nhs(\.hospitalActiveWithConsent)
        let auth = try await fixture.keys.bearer(ods: "RJR")
        let app = Application(router: try await fixture.api().buildRouter(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            for path in ["/Patient/\(nhs)/$everything", "/metadata"] {
                let identity = try await client.execute(uri: path, method: .get, headers: [.authorization: auth]) { $0 }
                #expect(identity.status == .ok)
                #expect(identity.headers[.contentEncoding] == nil)
                #expect(identity.headers[.vary]?.contains("Accept-Encoding") == true)
                #expect(identity.body.readableBytes >= CompressionMiddleware.minimumSize)
                let etag = try #require(identity.headers[.eTag])

                let gzip = try await client.execute(uri: path, method: .get, headers: [.authorization: auth, .acceptEncoding: "gzip"]) { $0 }
                #expect(gzip.status == .ok)
                #expect(gzip.headers[.contentEncoding] == "gzip")
                #expect(gzip.headers[.eTag] == etag)
                #expect(gzip.headers[.vary]?.contains("Accept-Encoding") == true)
                #expect(gzip.headers[.contentLength] == "\(gzip.body.readableBytes)")
                #expect(gzip.body.readableBytes < identity.body.readableBytes)
                // Decompressed by the gzip command line, not by the library that compressed it.
                let gunzipped = try Self.gunzip(Data(buffer: gzip.body))
                #expect(gunzipped == Data(buffer: identity.body))

                let deflate = try await client.execute(uri: path, method: .get, headers: [.authorization: auth, .acceptEncoding: "gzip;q=0.2, deflate"]) { $0 }
                #expect(deflate.headers[.contentEncoding] == "deflate")
                #expect(deflate.headers[.eTag] == etag)
                // HTTP's deflate is the zlib format (RFC 1950): a 0x78 header byte, then the compressed data.
                #expect(deflate.body.readableBytesView.first == 0x78)
                var compressed = deflate.body
                #expect(try compressed.decompress(with: .zlib()) == identity.body)

                let notModified = try await client.execute(uri: path, method: .get, headers: [.authorization: auth, .acceptEncoding: "gzip", .ifNoneMatch: etag]) { $0 }
                #expect(notModified.status == .notModified)
                #expect(notModified.headers[.contentEncoding] == nil)
                #expect(notModified.body.readableBytes == 0)
                #expect(notModified.headers[.vary]?.contains("Accept-Encoding") == true)
            }
            // A small body (a 401's OperationOutcome) is sent as it is.
            let small = try await client.execute(uri: "/Patient/\(nhs)", method: .get, headers: [.acceptEncoding: "gzip"]) { $0 }
            #expect(small.status == .unauthorized)
            #expect(small.body.readableBytes < CompressionMiddleware.minimumSize)
            #expect(small.headers[.contentEncoding] == nil)
            #expect(errorCode(small.body) == "TOKEN_INVALID")
        }
    }

    @Test("Accept-Encoding: q-values honoured, gzip preferred on a tie, identity otherwise", arguments: [
        ("gzip", "gzip"), ("deflate", "deflate"), ("gzip, deflate", "gzip"), ("deflate, gzip", "gzip"), ("gzip;q=0.5, deflate;q=0.8", "deflate"),
        ("GZIP;Q=0.3", "gzip"), ("x-gzip", "gzip"), ("*", "gzip"), ("*;q=0.5, gzip;q=0", "deflate"), ("br, zstd", nil), ("identity", nil),
        ("gzip;q=0", nil), ("gzip;q=0, deflate;q=0", nil), ("identity;q=1, gzip;q=0.5", nil), ("identity;q=0.5, gzip", "gzip"),
        ("identity;q=0, *;q=0", nil), ("", nil), ("gzip;q=abc, deflate;q=0.1", "deflate"),
    ] as [(String, String?)])
    func negotiation(_ header: String, _ expected: String?) {
        #expect(ContentCoding.preferred(header)?.rawValue == expected)
    }

    @Test("no header: identity; HEAD and bodies under the minimum are never compressed")
    func neverCompressed() async throws {
        #expect(ContentCoding.preferred(nil) == nil)
        let router = Router(context: CareRecordRequestContext.self)
        router.add(middleware: CompressionMiddleware())
        let big = String(repeating: #"{"resourceType":"Basic"},"#, count: 200)
        for method in [HTTPRequest.Method.get, .head] {
            router.on("/big", method: method) { _, _ in
                Response(status: .ok, headers: [.contentType: "application/fhir+json"], body: .init(byteBuffer: ByteBuffer(string: big)))
            }
        }
        router.get("/small") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/fhir+json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
        }
        try await Application(router: router).test(.router) { client in
            let get = try await client.execute(uri: "/big", method: .get, headers: [.acceptEncoding: "gzip"]) { $0 }
            #expect(get.headers[.contentEncoding] == "gzip")
            let head = try await client.execute(uri: "/big", method: .head, headers: [.acceptEncoding: "gzip"]) { $0 }
            #expect(head.status == .ok)
            #expect(head.headers[.contentEncoding] == nil)
            #expect(head.headers[.vary] == "Accept-Encoding")
            let small = try await client.execute(uri: "/small", method: .get, headers: [.acceptEncoding: "gzip"]) { $0 }
            #expect(small.headers[.contentEncoding] == nil)
            #expect(String(buffer: small.body) == "{}")
        }
    }

    /// `gzip -dc`, from Debian's gzip package.
    static func gunzip(_ data: Data) throws -> Data {
        let file = scratchFolder().appendingPathComponent("body.gz")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: file)
        return Data(try CommandLineTool(path: "/bin/gzip").succeed(["-dc", file.path]).utf8)
    }
}
