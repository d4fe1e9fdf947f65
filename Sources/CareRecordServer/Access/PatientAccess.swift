import CareRecordStore
import FHIR
import Foundation
import HTTPTypes
import Hummingbird

/// Applies the access policy to every patient-scoped route: loads the patient's state, reads the emergency headers,
/// decides, and tells the audit trail who was asked about and on what basis.
struct PatientAccess: Sendable {
    let repository: any CareRecordRepository
    let policy: AccessPolicy
    let clock: @Sendable () -> Date

    static let purposeOfUse = HTTPField.Name("X-Purpose-Of-Use")!
    static let accessReason = HTTPField.Name("X-Access-Reason")!

    /// The patient's state when the policy allows the interaction (nil only for audit reads of an unknown patient); otherwise its refusal is thrown.
    @discardableResult
    func authorise(_ nhsNumber: NHSNumber, _ interaction: PatientInteraction, request: Request, context: CareRecordRequestContext) async throws -> PatientState? {
        guard let user = context.user else { throw FHIRError.tokenInvalid }
        context.audit.update { $0.patient = nhsNumber }
        let emergencyReason = try Self.emergencyReason(request.headers)
        let state = try await repository.patientState(nhsNumber)
        let decision = policy.decide(
            AccessRequest(user: user, nhsNumber: nhsNumber, patient: state, interaction: interaction, emergencyReason: emergencyReason, now: clock()))
        switch decision {
        case .allow(let basis):
            context.audit.update { $0.basis = basis }
            return state
        case .deny(let error):
            throw error
        }
    }

    /// Whether a search may show the patient: a refusal that would be 404 becomes "no match"; other refusals are thrown.
    func isVisible(_ nhsNumber: NHSNumber, request: Request, context: CareRecordRequestContext) async throws -> Bool {
        do {
            try await authorise(nhsNumber, .readRecord, request: request, context: context)
            return true
        } catch let error as FHIRError where error.status == .notFound {
            return false
        }
    }

    /// The reason of a well-formed emergency override, nil without one; `X-Purpose-Of-Use` other than BTG, or BTG without a reason, is 400.
    static func emergencyReason(_ headers: HTTPFields) throws -> String? {
        guard let purpose = headers[purposeOfUse] else { return nil }
        guard purpose.trimmingCharacters(in: .whitespaces).uppercased() == "BTG" else {
            throw FHIRError.invalidParameter("X-Purpose-Of-Use must be BTG (emergency override).")
        }
        let reason = headers[accessReason]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !reason.isEmpty else {
            throw FHIRError.invalidParameter("An emergency override needs a non-empty X-Access-Reason header.")
        }
        return reason
    }
}

extension AuditTrail {
    /// Names the interaction for the audit record.
    func begin(_ interaction: String, _ resourceType: String) {
        update {
            $0.interaction = interaction
            $0.resourceType = resourceType
        }
    }

    /// Says what a successful response releases.
    func released(_ summary: String) {
        update { $0.returned = summary }
    }
}
