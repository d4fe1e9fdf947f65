import Crypto
import Foundation
import Hummingbird
import Logging
import Synchronization

/// A test double of the identity provider's OAuth 2 endpoints for a SMART App Launch public client: `/authorize`
/// answers at once (as if the patient had signed in and agreed) with a one-time code bound to the PKCE challenge, and
/// `/token` gives the patient's token only for the code with the verifier whose S256 digest is that challenge.
final class AuthorizationServerTestDouble: Sendable {
    struct Exchanges: Sendable {
        var authorizations = 0
        var tokensIssued = 0
        var refusals: [String] = []
    }

    private struct State: Sendable {
        var clientID = ""
        var redirectURI = ""
        var portalOrigin = ""
        var challenges: [String: String] = [:]
        var exchanges = Exchanges()
    }

    let accessToken: String
    let patient: String
    private let state = Mutex(State())

    init(accessToken: String, patient: String) {
        self.accessToken = accessToken
        self.patient = patient
    }

    /// The one registered client: its id, its redirect URI and the origin its pages run on.
    func configure(clientID: String, redirectURI: String, portalOrigin: String) {
        state.withLock {
            $0.clientID = clientID
            $0.redirectURI = redirectURI
            $0.portalOrigin = portalOrigin
        }
    }

    func exchanges() -> Exchanges { state.withLock { $0.exchanges } }

    func application(port: Int, logger: Logger, onRunning: @escaping @Sendable () async -> Void) throws -> some ApplicationProtocol {
        let router = Router()
        router.get("/authorize") { request, _ in self.authorize(request) }
        router.post("/token") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            return self.token(form: String(decoding: body.readableBytesView, as: UTF8.self))
        }
        return Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), onServerRunning: { _ in await onRunning() }, logger: logger)
    }

    private func authorize(_ request: Request) -> Response {
        let query = request.uri.queryParameters
        let value = { (name: String) in query[name[...]].map(String.init) }
        return state.withLock { state in
            guard value("response_type") == "code", value("client_id") == state.clientID, value("redirect_uri") == state.redirectURI,
                value("code_challenge_method") == "S256", let challenge = value("code_challenge"), challenge.count == 43,
                let clientState = value("state"), !clientState.isEmpty, value("aud") != nil, value("scope")?.contains("patient/") == true
            else {
                state.exchanges.refusals.append("authorize: \(request.uri.query ?? "")")
                return Response(status: .badRequest)
            }
            let code = UUID().uuidString
            state.challenges[code] = challenge
            state.exchanges.authorizations += 1
            var back = URLComponents(string: state.redirectURI)!
            back.queryItems = [URLQueryItem(name: "code", value: code), URLQueryItem(name: "state", value: clientState)]
            return Response(status: .found, headers: [.location: back.string!])
        }
    }

    private func token(form: String) -> Response {
        var fields: [String: String] = [:]
        for pair in form.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        return state.withLock { state in
            var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store", .accessControlAllowOrigin: state.portalOrigin]
            let challenge = fields["code"].flatMap { state.challenges.removeValue(forKey: $0) }
            let digest = fields["code_verifier"].map { Data(SHA256.hash(data: Data($0.utf8))).base64URL }
            guard fields["grant_type"] == "authorization_code", fields["client_id"] == state.clientID, fields["redirect_uri"] == state.redirectURI,
                let challenge, digest == challenge
            else {
                state.exchanges.refusals.append("token: \(fields.keys.sorted())")
                headers[.contentType] = "application/json"
                return Response(status: .badRequest, headers: headers, body: .init(byteBuffer: ByteBuffer(string: #"{"error":"invalid_grant"}"#)))
            }
            state.exchanges.tokensIssued += 1
            let body = #"{"access_token":"\#(accessToken)","token_type":"Bearer","expires_in":3600,"scope":"openid patient/*.rs","patient":"\#(patient)"}"#
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }
}
