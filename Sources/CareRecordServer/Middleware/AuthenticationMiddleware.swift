import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Verifies the bearer token (401 otherwise) and the user's organisation (403 otherwise), C5 steps 1 and 2; a client that
/// names the end user's organisation in `NHSD-End-User-Organisation-ODS` (as NHS national APIs ask) must name the token's
/// (403 `ORGANISATION_MISMATCH`): the token decides, the header only catches a client acting for the wrong organisation.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = CareRecordRequestContext

    let verifier: TokenVerifier
    let policy: AccessPolicy
    let metrics: APIMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            metrics.refused(FHIRError.tokenMissing.code)
            throw FHIRError.tokenMissing
        }
        guard let token = Self.bearerToken(header) else {
            metrics.refused(.tokenInvalid)
            throw FHIRError.tokenInvalid
        }
        let check: Context.TokenCheck
        if let earlier = context.tokenCheck {
            check = earlier
        } else {
            do {
                check = .verified(try await verifier.verify(token))
            } catch {
                check = .refused(error)
            }
        }
        guard case .verified(let user) = check else {
            if case .refused(let reason) = check { context.logger.info("token refused", metadata: ["reason": "\(reason)"]) }
            metrics.refused(.tokenInvalid)
            throw FHIRError.tokenInvalid
        }
        var context = context
        context.user = user
        context.audit.update { $0.user = user }
        if let named = request.headers[Self.endUserOrganisation]?.trimmingCharacters(in: .whitespaces), !named.isEmpty,
           named.uppercased() != user.ods.uppercased() {
            metrics.refused(.organisationMismatch)
            throw FHIRError.organisationMismatch
        }
        guard policy.admits(user) else {
            metrics.refused(.organisationNotParticipating)
            throw FHIRError.organisationNotParticipating
        }
        return try await next(request, context)
    }

    static let endUserOrganisation = HTTPField.Name("NHSD-End-User-Organisation-ODS")!

    /// The token of an `Authorization: Bearer <token>` header, nil for anything else.
    static func bearerToken(_ header: String?) -> String? {
        // Bytes, not Characters: a token is ASCII, and Foundation's trimming of a kilobyte string was a twentieth of the
        // read path's CPU (issue 12). The scheme is case-insensitive; spaces and tabs around the token are dropped.
        guard let header else { return nil }
        let bytes = header.utf8
        guard bytes.count > 7 else { return nil }
        var index = bytes.startIndex
        for expected in "bearer ".utf8 {
            let byte = bytes[index]
            guard byte == expected || (expected != UInt8(ascii: " ") && byte | 0x20 == expected) else { return nil }
            index = bytes.index(after: index)
        }
        let token = Substring(header.utf8[index...]).trimmingASCIISpaces
        return token.isEmpty ? nil : String(token)
    }
}
