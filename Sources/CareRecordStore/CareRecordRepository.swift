import FHIR
import Foundation

/// What a read releases, to be read in the same snapshot as the patient's state (`patientStateAndRecord`).
public enum SnapshotQuery: Sendable, Hashable {
    /// The combined Patient (`GET /Patient/{id}`).
    case patient
    /// Everything held for the patient, as `everything(patient:consistentWith:)` returns it (`$everything`).
    case everything
    /// Every entry of one clinical type for the patient, ordered by id (a search by patient; its filters and paging are
    /// applied to them after the read).
    case entries(ClinicalResourceType)
}

/// Data read in the same snapshot as a patient's state.
public enum SnapshotRead: Sendable {
    case patient(StoredResource?)
    case everything([StoredResource])
    case entries([StoredResource])
}

/// The combined record as the API and the importer see it; SQLite today, another backend can sit beside it.
public protocol CareRecordRepository: Sendable {
    /// Registrations, care relationships and sharing decisions of a patient; nil for an NHS number never seen.
    func patientState(_ nhsNumber: NHSNumber) async throws -> PatientState?

    /// The patient's state and what a read releases, from one snapshot: the decision is made on the state and the data
    /// released as read with it (issue 12: one transaction instead of two, and no re-check). A backend that cannot do
    /// better answers `read` nil, and the data is then read with `consistentWith:` as any other.
    func patientStateAndRecord(_ nhsNumber: NHSNumber, reading query: SnapshotQuery) async throws -> (state: PatientState?, read: SnapshotRead?)

    // Reads of patient data take the state an access decision was made on: inside their read transaction they re-read it and
    // throw `StoreError.stateChanged` when it differs (a block committed meanwhile), so the decision and the data it releases
    // come from one snapshot. Nil skips the check (lookups made before a decision).

    /// The combined `Patient` (the registered practice's demographics first), nil when none are kept.
    func patient(_ nhsNumber: NHSNumber, consistentWith state: PatientState?) async throws -> StoredResource?

    /// One page of a patient's entries of a type, in a stable order.
    func clinicalEntries(_ type: ClinicalResourceType, patient: NHSNumber, page: PageRequest, consistentWith state: PatientState?) async throws -> Page<StoredResource>

    /// One clinical entry by its served id; with a state, nil unless the entry still belongs to that state's patient.
    func clinicalEntry(_ type: ClinicalResourceType, id: String, consistentWith state: PatientState?) async throws -> StoredResource?

    /// Everything held for a patient, read in one transaction (so a refresh committing meanwhile is seen whole or not at all):
    /// the combined Patient, then each clinical type, then the sharing decisions.
    func everything(patient: NHSNumber, consistentWith state: PatientState?) async throws -> [StoredResource]

    /// A patient's sharing decisions as FHIR `Consent` resources, oldest first.
    func consents(patient: NHSNumber, consistentWith state: PatientState?) async throws -> [StoredResource]

    /// Records a sharing decision made through the API; it applies from the next request, and opting out purges the record at once.
    func recordDecision(_ decision: SharingDecision, patient: NHSNumber, resource: StoredResource) async throws

    /// One sharing decision by its served id; with a state, nil unless it still belongs to that state's patient.
    func consent(id: String, consistentWith state: PatientState?) async throws -> StoredResource?

    /// Replaces everything a source contributed, all or nothing: `load` writes the new data; any error keeps the old.
    func replaceSource(_ source: SourceIdentity, startedAt: Date, load: @escaping @Sendable (any SourceImportWriter) throws -> ImportReport) async throws -> ImportReport

    /// Records an import that failed before or while loading, so its source status shows the failure.
    func recordFailedImport(_ source: SourceIdentity, report: ImportReport) async throws

    /// Records what each configured source is (its organisation and whether it is a GP practice), so a changed configuration
    /// applies at once rather than at the source's next import.
    func updateSources(_ sources: [SourceIdentity]) async throws

    /// Each known source's last successful and last attempted import.
    func sourceStatuses() async throws -> [SourceStatus]

    /// Runs `body` holding the record's sync lock, so one sync runs at a time across every node and `care-record sync`;
    /// nil, without running it, when another holder has the lock.
    func withSyncLock<Result: Sendable>(_ body: @escaping @Sendable () async throws -> Result) async throws -> Result?

    /// Which backend holds the record (`sqlite`, `postgresql`), for `/health`.
    var backend: String { get }

    /// Whether the backend answers now.
    func isReachable() async -> Bool
}

/// Where an upstream patient id leads within the import in progress.
public enum UpstreamPatientLink: Sendable, Hashable {
    case patient(NHSNumber)
    case rejected
    case unknown
}

/// Writes one source's new data inside the import transaction.
public protocol SourceImportWriter {
    var source: SourceIdentity { get }
    /// Adds a patient's demographics from this source (an opted-out patient's are purged at the end).
    func addPatient(_ resource: StoredResource, upstreamId: String, registeredPractice: String?) throws
    /// Remembers an upstream patient that was rejected, so its entries are counted against it.
    func rejectUpstreamPatient(_ upstreamId: String) throws
    /// The NHS number an upstream `Patient/{id}` of this import was mapped to.
    func link(forUpstreamPatient upstreamId: String) throws -> UpstreamPatientLink
    /// The registered practice as known now, including this import's patients.
    func registeredPractice(of nhsNumber: NHSNumber) throws -> String?
    func addEpisode(_ episode: CareEpisode, patient: NHSNumber) throws
    func addDecision(_ decision: SharingDecision, patient: NHSNumber, resource: StoredResource) throws
    func addEntry(_ resource: StoredResource) throws
}

extension CareRecordRepository {
    /// Lookups outside an access decision (import checks, tools, tests): no state to re-check.
    public func patient(_ nhsNumber: NHSNumber) async throws -> StoredResource? {
        try await patient(nhsNumber, consistentWith: nil)
    }

    public func clinicalEntries(_ type: ClinicalResourceType, patient: NHSNumber, page: PageRequest) async throws -> Page<StoredResource> {
        try await clinicalEntries(type, patient: patient, page: page, consistentWith: nil)
    }

    public func everything(patient: NHSNumber) async throws -> [StoredResource] {
        try await everything(patient: patient, consistentWith: nil)
    }

    public func consents(patient: NHSNumber) async throws -> [StoredResource] {
        try await consents(patient: patient, consistentWith: nil)
    }
}

extension CareRecordRepository {
    /// By default the state alone: the data is then read consistently with it, in a transaction of its own.
    public func patientStateAndRecord(_ nhsNumber: NHSNumber, reading query: SnapshotQuery) async throws -> (state: PatientState?, read: SnapshotRead?) {
        (try await patientState(nhsNumber), nil)
    }
}
