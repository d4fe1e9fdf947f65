/// Why a transfer failed, said without tokens or response bodies.
public enum HTTPTransferError: Error, Hashable, CustomStringConvertible {
    /// libcurl's error, with its code and message, for a host.
    case transport(code: Int, message: String, host: String)
    case tooLarge(limit: Int64, host: String)
    case redirectRefused(from: String, to: String)
    case tooManyRedirects(host: String)
    case status(Int, host: String)
    case invalidURL(String)

    public var description: String {
        switch self {
        case .transport(let code, let message, let host): "\(host): \(message) (curl error \(code))"
        case .tooLarge(let limit, let host): "\(host): download larger than \(limit) bytes, stopped"
        case .redirectRefused(let from, let to): "redirect from \(from) to \(to) refused (only https on the same host is followed)"
        case .tooManyRedirects(let host): "\(host): too many redirects"
        case .status(let code, let host): "\(host): HTTP \(code)"
        case .invalidURL(let url): "invalid URL \(url)"
        }
    }

    /// Whether trying again may help: network errors and timeouts, 5xx and 429.
    var isTransient: Bool {
        switch self {
        case .transport(let code, _, _): Self.transientCurlCodes.contains(code)
        case .status(let code, _): code == 429 || (500...599).contains(code)
        default: false
        }
    }

    /// Could not resolve/connect, timed out, partial file, send/receive errors, empty reply.
    static let transientCurlCodes: Set<Int> = [6, 7, 18, 28, 52, 55, 56]
}
