import CareRecordStore
import FHIR
import Foundation
import Tracing

/// The record as the API uses it: each read (and a recorded decision) in a child span of the request's (`store <operation>`, with the backend and
/// the resource type; never the patient). Writes and sync pass straight through.
struct TracingCareRecordRepository: CareRecordRepository {
    let base: any CareRecordRepository
    let telemetry: Telemetry

    var backend: String { base.backend }

    private func traced<Result>(_ operation: String, _ resourceType: String? = nil, _ body: () async throws -> Result) async throws -> Result {
        try await telemetry.span("store \(operation)") { span in
            span.attributes["db.system"] = base.backend
            span.attributes["care_record.store.operation"] = operation
            if let resourceType { span.attributes["care_record.resource_type"] = resourceType }
            return try await body()
        }
    }

    func patientState(_ nhsNumber: NHSNumber) async throws -> PatientState? {
        try await traced("patientState") { try await base.patientState(nhsNumber) }
    }

    func patientStateAndRecord(_ nhsNumber: NHSNumber, reading query: SnapshotQuery) async throws -> (state: PatientState?, read: SnapshotRead?) {
        try await traced("patientStateAndRecord", "Patient") { try await base.patientStateAndRecord(nhsNumber, reading: query) }
    }

    func patient(_ nhsNumber: NHSNumber, consistentWith state: PatientState?) async throws -> StoredResource? {
        try await traced("patient", "Patient") { try await base.patient(nhsNumber, consistentWith: state) }
    }

    func clinicalEntries(_ type: ClinicalResourceType, patient: NHSNumber, page: PageRequest, consistentWith state: PatientState?) async throws -> Page<StoredResource> {
        try await traced("clinicalEntries", type.rawValue) { try await base.clinicalEntries(type, patient: patient, page: page, consistentWith: state) }
    }

    func clinicalEntry(_ type: ClinicalResourceType, id: String, consistentWith state: PatientState?) async throws -> StoredResource? {
        try await traced("clinicalEntry", type.rawValue) { try await base.clinicalEntry(type, id: id, consistentWith: state) }
    }

    func everything(patient: NHSNumber, consistentWith state: PatientState?) async throws -> [StoredResource] {
        try await traced("everything") { try await base.everything(patient: patient, consistentWith: state) }
    }

    func consents(patient: NHSNumber, consistentWith state: PatientState?) async throws -> [StoredResource] {
        try await traced("consents", "Consent") { try await base.consents(patient: patient, consistentWith: state) }
    }

    func consent(id: String, consistentWith state: PatientState?) async throws -> StoredResource? {
        try await traced("consent", "Consent") { try await base.consent(id: id, consistentWith: state) }
    }

    func recordDecision(_ decision: SharingDecision, patient: NHSNumber, resource: StoredResource) async throws {
        try await traced("recordDecision", "Consent") { try await base.recordDecision(decision, patient: patient, resource: resource) }
    }

    func replaceSource(
        _ source: SourceIdentity, startedAt: Date, load: @escaping @Sendable (any SourceImportWriter) throws -> ImportReport
    ) async throws -> ImportReport {
        try await base.replaceSource(source, startedAt: startedAt, load: load)
    }

    func recordFailedImport(_ source: SourceIdentity, report: ImportReport) async throws {
        try await base.recordFailedImport(source, report: report)
    }

    func updateSources(_ sources: [SourceIdentity]) async throws {
        try await base.updateSources(sources)
    }

    func sourceStatuses() async throws -> [SourceStatus] {
        try await base.sourceStatuses()
    }

    func withSyncLock<Result: Sendable>(_ body: @escaping @Sendable () async throws -> Result) async throws -> Result? {
        try await base.withSyncLock(body)
    }

    func isReachable() async -> Bool {
        await base.isReachable()
    }
}
