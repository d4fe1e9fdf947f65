import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension UpstreamSimulator {
    /// The source's folder, its fault, and a check of the bearer token; unknown sources are 404.
    func prepare(_ request: Request, _ context: BasicRequestContext) async throws -> (source: String, folder: URL, fault: SimulatorFault?) {
        guard let source = context.parameters.get("source"), source.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
            throw HTTPError(.notFound)
        }
        countRequest(source)
        let folder = sourcesFolder.appendingPathComponent(source)
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("manifest.json").path) else { throw HTTPError(.notFound) }
        if let token = requiredBearerToken, request.headers[.authorization] != "Bearer \(token)" { throw HTTPError(.unauthorized) }
        let fault = faultFor(source)
        if case .slow(let seconds)? = fault { try await Task.sleep(for: .milliseconds(Int(seconds * 1000))) }
        return (source, folder, fault)
    }

    func faultFor(_ source: String) -> SimulatorFault? {
        currentFaults[source]
    }

    func kickOff(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (source, _, fault) = try await prepare(request, context)
        guard request.headers[.accept]?.contains("application/fhir+json") == true, request.headers[HTTPField.Name("Prefer")!] == "respond-async" else {
            return Response(status: .badRequest)
        }
        recordKickOff(source)
        switch fault {
        case .serverError?: return Response(status: .internalServerError)
        case .redirectToHTTP?:
            return Response(status: .found, headers: [.location: "http://127.0.0.1:\(port ?? 0)/\(source)/$export"])
        default: break
        }
        let job = UUID().uuidString.lowercased()
        return Response(status: .accepted, headers: [.contentLocation: "\(base(request))/\(source)/status/\(job)", .retryAfter: "1"])
    }

    func status(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (source, folder, fault) = try await prepare(request, context)
        let job = context.parameters.get("job") ?? ""
        let seen = recordPoll(job)
        if fault == .neverCompletes || seen <= pollsBeforeComplete {
            return Response(status: .accepted, headers: [.retryAfter: "1", HTTPField.Name("X-Progress")!: "in progress"])
        }
        let local = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("manifest.json"))) as? [String: Any] ?? [:]
        let outputs = (local["output"] as? [[String: Any]] ?? []).map { file -> [String: Any] in
            var remote = file
            remote["url"] = "\(base(request))/\(source)/files/\(file["url"] as? String ?? "")"
            return remote
        }
        let manifest: [String: Any] = [
            "transactionTime": local["transactionTime"] ?? "", "request": "\(base(request))/\(source)/$export",
            "requiresAccessToken": requiredBearerToken != nil, "output": outputs, "error": [] as [Any],
        ]
        let body = try JSONSerialization.data(withJSONObject: manifest, options: [.withoutEscapingSlashes])
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    func file(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (_, folder, fault) = try await prepare(request, context)
        guard let name = context.parameters.get("name"), name.hasSuffix(".ndjson"), !name.contains("/"), !name.hasPrefix(".") else {
            throw HTTPError(.notFound)
        }
        let url = folder.appendingPathComponent(name)
        guard let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) else { throw HTTPError(.notFound) }
        let headers: HTTPFields = [.contentType: "application/fhir+ndjson"]
        switch fault {
        case .truncatedFile?:
            let data = try Data(contentsOf: url)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data.prefix(data.count / 2))))
        case .malformedLine?:
            var data = Data("{\"resourceType\": this is not JSON\n".utf8)
            data.append(try Data(contentsOf: url))
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        default:
            return Response(status: .ok, headers: headers, body: ResponseBody(contentLength: size) { writer in
                let handle = try FileHandle(forReadingFrom: url)
                defer { try? handle.close() }
                while let chunk = try handle.read(upToCount: 256 * 1024), !chunk.isEmpty {
                    try await writer.write(ByteBuffer(bytes: chunk))
                }
                try await writer.finish(nil)
            })
        }
    }

    func base(_ request: Request) -> String {
        "https://\(request.head.authority ?? "127.0.0.1:\(port ?? 0)")"
    }
}
