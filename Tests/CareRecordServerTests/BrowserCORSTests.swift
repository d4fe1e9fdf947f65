import CareRecordStore
import Foundation
import Hummingbird
import Logging
import Testing
@testable import CareRecordServer

/// `server.cors` as a browser enforces it: a page on one origin calls the API on another with a bearer token.
@Suite("CORS from a real browser (headless Chromium, issue 10)", .enabled(if: Chromium.isEnabled, Chromium.skipMessage))
struct BrowserCORSTests {
    /// A portal page: it reads `api`, `nhs` and `token` from its query, fetches the patient with a bearer token and writes
    /// what it could read (status, id, the exposed ETag and X-Request-ID) or the fetch's error into the page.
    static let page = """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>portal</title></head><body><pre id="result">pending</pre>
        <script>
        const query = new URLSearchParams(location.search);
        const result = document.getElementById("result");
        fetch(query.get("api") + "/Patient/" + query.get("nhs"), {
          headers: { "Authorization": "Bearer " + query.get("token"), "Accept": "application/fhir+json", "X-Request-ID": "from-the-browser" }
        }).then(async (response) => {
          const body = await response.json();
          result.textContent = "status=" + response.status + " id=" + body.id + " etag=" + response.headers.get("ETag")
            + " request-id=" + response.headers.get("X-Request-ID") + " done";
        }).catch((error) => { result.textContent = "error=" + error.name + " done"; });
        </script></body></html>
        """

    /// Serves `page` at `/portal.html` (any host name), as the portal's own web server would.
    static func pageServer(port: Int, onRunning: @escaping @Sendable () async -> Void) -> some ApplicationProtocol {
        let router = Router()
        router.get("/portal.html") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        var logger = Logger(label: "care-record.test.pages")
        logger.logLevel = .critical
        return Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), onServerRunning: { _ in await onRunning() }, logger: logger)
    }

    /// What the page wrote into its result element.
    static func result(_ dom: String) -> String {
        guard let start = dom.range(of: #"<pre id="result">"#), let end = dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex) else {
            return "no result element in: \(dom)"
        }
        return String(dom[start.upperBound..<end.lowerBound])
    }

    @Test("a page from the listed origin reads the patient (ETag and X-Request-ID readable); the same page from another origin is blocked by the browser")
    func browser() async throws {
        let chromium = try Chromium.require()
        let fixture = try await RegionFixture.shared()
        let nhs = try fixture.nhs(\.hospitalActiveWithConsent)
        let token = String(try await fixture.keys.bearer(ods: "RJR").dropFirst("Bearer ".count))
        let store = try temporaryAuditStore()
        try await whileServing({ port, onRunning in Self.pageServer(port: port, onRunning: onRunning) }) { pagePort in
            // 127.0.0.1 is listed; localhost, the same server under another name, is another origin.
            let api = CareRecordAPI(
                repository: fixture.repository, auditStore: store, verifier: try await fixture.keys.verifier(), participating: fixture.participating,
                baseURL: RegionFixture.baseURL, settings: APISettings(cors: CORSSettings(allowedOrigins: ["http://127.0.0.1:\(pagePort)"])))
            try await whileServing(api) { apiPort in
                let query = "api=http://127.0.0.1:\(apiPort)&nhs=\(nhs)&token=\(token)"
                let allowed = Self.result(try await chromium.dumpDOM("http://127.0.0.1:\(pagePort)/portal.html?\(query)"))
                #expect(allowed.hasPrefix("status=200 id=\(nhs) etag=W/\""), "\(allowed)")
                #expect(allowed.hasSuffix(" request-id=from-the-browser done"), "\(allowed)")

                let other = Self.result(try await chromium.dumpDOM("http://localhost:\(pagePort)/portal.html?\(query)"))
                #expect(other == "error=TypeError done", "\(other)")
            }
        }
        // Audited: the listed page's read; the other page's preflight, refused as an ordinary OPTIONS (the browser then
        // sent nothing more). The listed page's preflight is not audited.
        var records: [AuditRecord] = []
        for sequence in Int64(1)...max(1, try await store.verify().records) {
            if let record = try await store.record(sequence: sequence) { records.append(record) }
        }
        #expect(records.map { "\($0.method) \($0.status)" } == ["GET 200", "OPTIONS 404"])
        #expect(records.first?.clientRequestID == "from-the-browser")
    }
}
