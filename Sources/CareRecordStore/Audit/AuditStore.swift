import FHIR

/// The append-only audit log (C8): SQLite for one node, PostgreSQL for several sharing one chain.
public protocol AuditStore: Sendable {
    /// Appends records in one durable transaction, linked into the hash chain; returns them as stored.
    func append(_ records: [AuditRecord]) async throws -> [AuditRecord]

    /// One page of a patient's audit records, newest first, within the filter.
    func records(patient: NHSNumber, filter: AuditFilter, page: PageRequest) async throws -> Page<AuditRecord>

    /// One record by its sequence number.
    func record(sequence: Int64) async throws -> AuditRecord?

    /// Records made in `[from, to)` (FHIR instants) that concern organisation `ods`: about patients registered with it when
    /// the access was made, or made by its users; oldest first. What a privacy officer's review starts from.
    func records(organisation ods: String, from: String, to: String) async throws -> [AuditRecord]

    /// Records made in `[from, to)` by these users (`sub`), oldest first: what a user's daily pattern is judged on.
    func records(users: Set<String>, from: String, to: String) async throws -> [AuditRecord]

    /// Reviews of these records (records whose `reviewOf` is one of them), oldest first.
    func reviews(of sequences: Set<Int64>) async throws -> [AuditRecord]

    /// Checks the whole chain; the first break, if any.
    func verify() async throws -> AuditVerification

    /// Whether an append could commit now (the store answers and accepts writes), for the readiness probe; writes nothing.
    func canCommit() async -> Bool

    /// Upkeep between two appends, once the last one's callers have resumed (the SQLite log restarts its WAL here); the
    /// single writer (`AuditLog`) calls it after each commit.
    func afterCommit() async
}

extension AuditStore {
    /// Most stores need no upkeep between appends.
    public func afterCommit() async {}
}

/// An audit log that can also be reported on in full and held to signed checkpoints: what both backends offer to
/// `care-record audit` and the checkpoint signer (test doubles need only `AuditStore`).
public protocol CheckpointedAuditStore: AuditStore {
    /// The chain head as recorded with the last append (nil for an empty log): what a checkpoint signs.
    func head() async throws -> (sequence: Int64, hash: String)?

    /// Checks the whole chain as `verify()` does, and against signed checkpoints kept outside the database.
    func verify(checkpoints: [AuditCheckpoint], key: AuditVerifyKey) async throws -> AuditVerification

    /// Every record of a patient (or attempted on them) in sequence order, for `care-record audit report`.
    func allRecords(patient: NHSNumber) async throws -> [AuditRecord]
}

/// Which of a patient's audit records to return.
public struct AuditFilter: Sendable, Hashable {
    /// Only requests by users of this organisation (a privacy officer's scope when the patient is registered elsewhere).
    public var userOds: String?
    /// Bounds on `recorded`.
    public var recordedBounds: [RecordedBound]
    /// Interactions (`read`, `search-type`, ...) and/or `emergency-override` (every override attempt); empty means all.
    public var subtypes: Set<String>
    /// Also records of patient-role users who asked for this patient's record (a privacy officer's view only).
    public var includeAttempts: Bool

    public init(userOds: String? = nil, recordedBounds: [RecordedBound] = [], subtypes: Set<String> = [], includeAttempts: Bool = false) {
        self.userOds = userOds
        self.recordedBounds = recordedBounds
        self.subtypes = subtypes
        self.includeAttempts = includeAttempts
    }
}

/// One bound on when a record was made: `recorded` compared with a FHIR instant.
public struct RecordedBound: Sendable, Hashable {
    /// The comparison, as SQL writes it.
    public enum Comparison: String, Sendable {
        case atOrAfter = ">="
        case before = "<"
    }

    public var comparison: Comparison
    public var instant: String

    public init(_ comparison: Comparison, _ instant: String) {
        self.comparison = comparison
        self.instant = instant
    }
}

/// The result of checking the chain.
public struct AuditVerification: Sendable, Hashable {
    public var records: Int64
    /// Nil when intact.
    public var problem: String?

    public init(records: Int64, problem: String?) {
        self.records = records
        self.problem = problem
    }
}
