import CareRecordServer
import CareRecordStore
import FHIR
import Foundation
import FuzzSupport

/// Fuzzes `POST /Consent` bodies through `ConsentSubmission(body:user:now:)` (via `FuzzEntryPoints.consent`).
/// Every refusal must be a 400 or 422 `INVALID_RESOURCE` (anything else would reach the client as a 500), and every
/// accepted body must be one of C6's shapes: permanent (no actor, no end), or a 24-hour consent to view for this user.
enum ConsentFuzzTarget {
    static let user = AuthenticatedUser(sub: "dr.patel", name: "Dr Anil Patel", ods: "A81001", role: .doctor, registration: "GMC-7012345")
    static let maximumShortTerm: TimeInterval = 24 * 3600

    static func run(_ body: Data) {
        let now = FuzzSupport.now
        let patient: NHSNumber
        let decision: SharingDecision
        do {
            (patient, decision) = try FuzzEntryPoints.consent(body: body, user: user, now: now)
        } catch let error as FHIRError {
            guard error.status == .badRequest || error.status == .unprocessableContent, error.code == .invalidResource else {
                FuzzSupport.fail("refused with \(error.status.code) \(error.code.rawValue)", input: body)
            }
            return
        } catch {
            FuzzSupport.fail("threw \(type(of: error)), which the server would answer with a 500", input: body)
        }
        guard NHSNumber(patient.value) != nil else { FuzzSupport.fail("accepted an invalid NHS number", input: body) }
        if let end = decision.periodEnd {
            guard decision.kind == .consentToView, decision.actorSub == user.sub, let start = decision.periodStart,
                  end > start, end.timeIntervalSince(start) <= maximumShortTerm, end > now else {
                FuzzSupport.fail("accepted a short-term decision outside C6: \(decision)", input: body)
            }
        } else {
            guard decision.actorSub == nil, decision.periodStart == nil else {
                FuzzSupport.fail("accepted a permanent decision with an actor or start: \(decision)", input: body)
            }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConsentSubmission(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    ConsentFuzzTarget.run(FuzzSupport.bytes(data, size))
    return 0
}
