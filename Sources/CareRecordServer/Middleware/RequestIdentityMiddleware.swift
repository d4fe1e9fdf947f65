import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Gives every request the server's own id (the audit keys on it), keeps the client's `X-Request-ID` and `X-Correlation-ID`
/// as given and echoes them when they are safe to echo, takes the client address from a trusted proxy's forwarding
/// headers only, and marks every response `Cache-Control: no-store`.
struct RequestIdentityMiddleware: RouterMiddleware {
    typealias Context = CareRecordRequestContext

    /// Peers whose `Forwarded` / `X-Forwarded-For` headers are believed (`server.trustedProxies`).
    let trustedProxies: Set<String>
    /// Longest client-supplied id kept in the audit record.
    static let maximumStoredIDLength = 200

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.requestID = RequestIDs.next()
        context.logger[metadataKey: "request_id"] = .string(context.requestID)
        if let peer = context.peerAddress, trustedProxies.contains(peer) {
            context.clientAddress = ForwardedFor.client(request.headers, trustedProxies: trustedProxies) ?? peer
        }
        let clientID = request.headers[.xRequestID]
        let correlationID = request.headers[.xCorrelationID]
        context.audit.update {
            $0.clientRequestID = clientID.map { String($0.prefix(Self.maximumStoredIDLength)) }
            $0.correlationID = correlationID.map { String($0.prefix(Self.maximumStoredIDLength)) }
        }
        var response = try await next(request, context)
        // Echoed as the NHS APIs do; an id unsafe to echo is answered with the server's own.
        response.headers[.xRequestID] = clientID.flatMap(Self.echoable) ?? context.requestID
        if let echoed = correlationID.flatMap(Self.echoable) { response.headers[.xCorrelationID] = echoed }
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// A client's id when it is short and plain, else nil.
    static func echoable(_ header: String) -> String? {
        guard (1...128).contains(header.count), header.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.:".contains($0)) }) else {
            return nil
        }
        return header
    }
}

/// The client address behind trusted proxies: the right-most forwarded address that is not itself a trusted proxy.
enum ForwardedFor {
    static func client(_ headers: HTTPFields, trustedProxies: Set<String>) -> String? {
        let chain: [String]
        if let forwarded = headers[values: .forwarded].joined(separator: ",").nonEmpty {
            chain = forwardedFor(forwarded)
        } else if let list = headers[values: .xForwardedFor].joined(separator: ",").nonEmpty {
            chain = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        } else {
            return nil
        }
        let addresses = chain.compactMap(address)
        return addresses.last { !trustedProxies.contains($0) } ?? addresses.first
    }

    /// The `for=` values of an RFC 7239 `Forwarded` header, in order.
    static func forwardedFor(_ header: String) -> [String] {
        header.split(separator: ",").compactMap { element in
            element.split(separator: ";").lazy.map { $0.trimmingCharacters(in: .whitespaces) }
                .first { $0.lowercased().hasPrefix("for=") }
                .map { String($0.dropFirst(4)) }
        }
    }

    /// An IP address from a forwarded value (quotes, `[v6]:port`, `v4:port` removed); nil for `unknown`, obfuscated ids or junk.
    static func address(_ value: String) -> String? {
        var text = value.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            text = String(text[text.index(after: text.startIndex)..<close])
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            text = String(text[..<colon])
        }
        return IPAddressText.isValid(text) ? text : nil
    }
}

/// Checks the text of an IPv4 or IPv6 address without resolving anything.
public enum IPAddressText {
    public static func isValid(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 45 else { return false }
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}

extension HTTPField.Name {
    static let xRequestID = HTTPField.Name("X-Request-ID")!
    static let xCorrelationID = HTTPField.Name("X-Correlation-ID")!
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let forwarded = HTTPField.Name("Forwarded")!
}
