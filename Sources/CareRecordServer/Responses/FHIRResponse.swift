import CareRecordStore
import Crypto
import FHIR
import Foundation
import Hummingbird
import Synchronization

/// Builds FHIR JSON responses with validators (`ETag`, `Last-Modified`) and answers `If-None-Match` with 304.
enum FHIRResponse {
    static let contentType = "application/fhir+json; charset=utf-8"

    /// A single stored resource; its ETag is its `meta.versionId`.
    static func resource(_ stored: StoredResource, request: Request) -> Response {
        respond(body: ByteBuffer(bytes: stored.json), etag: "W/\"\(stored.versionId)\"", lastModified: stored.lastUpdated, request: request)
    }

    /// A body built here (the CapabilityStatement); its ETag is a digest of its bytes.
    static func generated(_ body: Data, lastModified: Date?, request: Request) -> Response {
        generated(ByteBuffer(bytes: body), lastModified: lastModified, request: request)
    }

    /// A body built here straight into a buffer, served without another copy, its ETag a digest of its bytes: AuditEvent
    /// Bundles, whose entries are made at each request from audit records and configured names (stored resources'
    /// searchsets go through `searchset`).
    static func generated(_ body: ByteBuffer, lastModified: Date?, request: Request) -> Response {
        respond(body: body, etag: weakTag(body.withUnsafeReadableBytes { SHA256.hash(data: $0) }), lastModified: lastModified, request: request)
    }

    /// A searchset of stored resources, whose ETag digests the Bundle with each resource counted by its `versionId`
    /// (`SearchBundle.encodedWithETag`).
    static func searchset(_ bundle: SearchBundle, request: Request) -> Response {
        let (body, etag) = bundle.encodedWithETag()
        return respond(body: body, etag: etag, lastModified: bundle.lastModified, request: request)
    }

    /// `W/"…"` with the first 12 bytes of a digest in hexadecimal.
    static func weakTag(_ digest: SHA256.Digest) -> String {
        "W/\"\(digest.prefix(12).hexadecimal)\""
    }

    /// An encodable resource with no validators.
    static func plain<R: FHIRResource>(_ resource: R, status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        let body = (try? FHIRJSON.encode(resource)) ?? Data()
        var fields = headers
        fields[.contentType] = contentType
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    private static func respond(body: ByteBuffer, etag: String, lastModified: Date?, request: Request) -> Response {
        var headers: HTTPFields = [.contentType: contentType, .eTag: etag]
        if let lastModified {
            headers[.lastModified] = httpDate(lastModified)
        }
        if let match = request.headers[.ifNoneMatch], matches(match, etag: etag) {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }

    /// `If-None-Match` uses weak comparison: `*`, or any listed tag equal to ours with or without `W/`.
    static func matches(_ header: String, etag: String) -> Bool {
        let ours = etag.hasPrefix("W/") ? String(etag.dropFirst(2)) : etag
        return header.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingASCIISpaces
            return tag == "*" || (tag.hasPrefix("W/") ? tag.dropFirst(2) : tag) == ours
        }
    }

    /// IMF-fixdate, built once (every response with a body needs it).
    static let imfFixdate = Date.VerbatimFormatStyle(
        format: "\(weekday: .abbreviated), \(day: .twoDigits) \(month: .abbreviated) \(year: .defaultDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits) GMT",
        locale: Locale(identifier: "en_US_POSIX"), timeZone: TimeZone(identifier: "GMT")!, calendar: Calendar(identifier: .gregorian))

    /// An IMF-fixdate, as HTTP wants. Formatting cost a few percent of the read path (issue 12), and the dates served are
    /// few (each source's import time, mostly): the strings are kept by whole second, a bounded number of them.
    static func httpDate(_ date: Date) -> String {
        let second = Int64(date.timeIntervalSince1970.rounded(.down))
        if let known = httpDates.withLock({ $0[second] }) { return known }
        let text = date.formatted(imfFixdate)
        httpDates.withLock { cache in
            if cache.count >= 4096 { cache.removeAll(keepingCapacity: true) }
            cache[second] = text
        }
        return text
    }

    private static let httpDates = Mutex<[Int64: String]>([:])
}
