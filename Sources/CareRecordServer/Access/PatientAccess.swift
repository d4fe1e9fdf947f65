import CareRecordStore
import FHIR
import Foundation

/// Loads a patient's state and applies the access policy, for every patient-scoped route.
struct PatientAccess: Sendable {
    let repository: any CareRecordRepository
    let policy: AccessPolicy
    let clock: @Sendable () -> Date

    /// The patient's state when the user may see the record; otherwise the policy's refusal is thrown.
    func authorise(_ nhsNumber: NHSNumber, context: CareRecordRequestContext) async throws -> PatientState {
        guard let user = context.user else { throw FHIRError.tokenInvalid }
        let state = try await repository.patientState(nhsNumber)
        switch policy.decide(user: user, patient: state, now: clock()) {
        case .allow:
            guard let state else { throw FHIRError.patientNotFound }
            return state
        case .deny(let error):
            throw error
        }
    }

    /// Whether the user may see the record, for searches that answer "no match" instead of an error.
    func isVisible(_ nhsNumber: NHSNumber, context: CareRecordRequestContext) async throws -> Bool {
        do {
            _ = try await authorise(nhsNumber, context: context)
            return true
        } catch let error as FHIRError where error.status == .notFound {
            return false
        }
    }
}
